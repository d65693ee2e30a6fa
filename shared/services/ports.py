"""What the services need from the outside world: one small repository per aggregate behind a unit of
work, and one port per Google service. Adapters implement them; tests use dict-backed fakes.

Repositories only load and save; the domain decides. Writes happen inside `with uow:` and only when
`uow.commit()` is called: all of them or none. A record loaded inside the unit is saved on condition
that nobody changed it meanwhile (else `Contention`); a record added must be new (else `AlreadyStored`).
Every repository can export and erase what it holds about a subject (a host id; erasure goes a page
at a time, so call it until it answers 0), so user rights reach every collection; those holding
short-lived records purge them once expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

from shared.domain.address_proof import AddressGrant, AddressProof
from shared.domain.avatar import Avatar
from shared.domain.booking import Booking
from shared.domain.booking_page import BookingPage
from shared.domain.calendars import ListedCalendar
from shared.domain.host import Host
from shared.domain.intervals import Interval
from shared.domain.links import BookingLink
from shared.domain.offer import AvailabilitySnapshot
from shared.domain.seats import Session
from shared.domain.tallies import TallyChange
from shared.domain.team import Invitation, Team
from shared.domain.webhooks import HostWebhooks, UrlParts, WebhookDelivery
from shared.services.records import (
    Channel,
    ClosedBooking,
    ConsentRecord,
    Erasure,
    GoogleIdentity,
    HostListing,
    IdempotencyRecord,
    OAuthState,
    OurEvent,
    OutgoingMail,
    SessionEvent,
    SessionRecord,
    WebhookResponse,
)

# Any: a JSON document handed out whole (an export, a challenge); its shape is the format's, set where it is built.
JsonObject = dict[str, Any]
Exported = list[JsonObject]  # JSON-ready records about one subject


class SubjectRecords(Protocol):
    def export_subject(self, host_id: str) -> Exported: ...
    def erase_subject(self, host_id: str) -> int: ...


class HostRepository(SubjectRecords, Protocol):
    def get(self, host_id: str) -> Host | None: ...
    def add(self, host: Host) -> None: ...
    def save(self, host: Host) -> None: ...
    def connected(self) -> list[Host]: ...
    def page(self, after_id: str | None, limit: int) -> list[Host]: ...  # every host, by id, after a cursor


class BookingPageRepository(SubjectRecords, Protocol):
    """Public pages by slug: the slug registry, event types, weekly hours, the calendar connection's view."""

    def get(self, slug: str) -> BookingPage | None: ...
    def add(self, slug: str, page: BookingPage) -> None: ...
    def save(self, slug: str, page: BookingPage) -> None: ...
    def remove(self, slug: str) -> None: ...


class BusyMonthRepository(SubjectRecords, Protocol):
    """A host's time, one UTC month a record: the busy mirror of Google and our bookings' spans."""

    # `places`: write places (shared/domain/write_limits.py) to look up in the same read (`places_taken`);
    # `velocity_windows`: bot-gate windows whose count of the host's bookings to read with it.
    def snapshot(
        self,
        slug: str,
        start: datetime,
        end: datetime,
        places: Sequence[str] = (),
        velocity_windows: tuple[int, ...] = (),
    ) -> AvailabilitySnapshot | None: ...
    # `snapshot` for several hosts (a team's members) in one read, by host id; a host without a page is left out.
    # `tallies_of`: a team type whose round-robin tallies ride in the same read (`AvailabilitySnapshot.assignments`).
    def snapshots(
        self, host_ids: Sequence[str], start: datetime, end: datetime, tallies_of: str | None = None
    ) -> dict[str, AvailabilitySnapshot]: ...
    # A member's tally changed in the unit's commit by field transforms: racing changes all land.
    def tally(self, change: TallyChange) -> None: ...
    def replace_busy(self, host_id: str, window: Interval, busy: list[Interval], synced_at: datetime) -> None: ...
    def clear_busy(self, host_id: str) -> int: ...
    def move_span(self, before: Booking | None, after: Booking | None) -> None: ...
    def purge(self, ended_before: datetime) -> dict[str, int]: ...


class BookingRepository(SubjectRecords, Protocol):
    """Bookings with their claims on time (saved together) and the Idempotency-Keys that made them."""

    def get(self, booking_id: str) -> Booking | None: ...
    def add(self, booking: Booking, idempotency: IdempotencyRecord | None) -> None: ...
    def save(self, booking: Booking) -> None: ...
    def idempotency(self, key_hash: str) -> IdempotencyRecord | None: ...
    def of_host(self, host_id: str, listing: HostListing) -> list[Booking]: ...
    # A team's bookings (`holder`: only those this member holds), as `of_host` orders and pages them.
    def of_team(self, team_id: str, listing: HostListing, holder: str | None = None) -> list[Booking]: ...
    def sync_unsettled(self, updated_before: datetime) -> list[Booking]: ...
    def of_address(self, email: str) -> list[Booking]: ...  # every host's bookings made with this address
    def places_taken(self, claim_ids: list[str]) -> set[str]: ...  # which of these claims exist
    def purge(self, now: datetime, ended_before: datetime) -> dict[str, int]: ...


class SessionRepository(Protocol):
    """Group sessions (shared/domain/seats.py), written in the same commit as the bookings taking their seats.
    A session holds no personal data (a host id, a span, booking ids by seat): its records go with its
    bookings' erasure (`Booking.session_records`), so it exports and erases nothing of its own."""

    def session(self, session_id: str) -> Session | None: ...  # read: saving or closing it is conditional
    def open_session(self, session: Session) -> None: ...  # must not exist, nor any claim on its time
    def join_session(self, session_id: str, seat: int, booking_id: str) -> None: ...  # must exist
    def save_session(self, session: Session) -> None: ...  # unchanged since read
    def close_session(self, session: Session) -> None: ...  # unchanged since read; its time is released
    def of_session(self, session_id: str) -> list[Booking]: ...  # the bookings holding its seats


class LinkRepository(SubjectRecords, Protocol):
    """Single-use links (token hashes, never tokens), each with a must-not-exist claim created by whatever
    ends it first: the booking made with it, or the host's revocation."""

    def get(self, link_id: str) -> BookingLink | None: ...
    def add(self, link: BookingLink) -> None: ...
    def claim(self, link: BookingLink) -> None: ...  # `link` used or revoked; AlreadyStored if it was already
    def of_event_type(self, host_id: str, event_type_id: str) -> list[BookingLink]: ...  # newest first
    def purge(self, now: datetime) -> dict[str, int]: ...


class SignInRepository(SubjectRecords, Protocol):
    """Single-use OAuth states and host sessions, both keyed by secrets the browser holds."""

    def add_state(self, state: str, record: OAuthState) -> None: ...
    def take_state(self, state: str) -> OAuthState | None: ...
    def add_session(self, token: str, record: SessionRecord) -> None: ...
    def session(self, token: str) -> SessionRecord | None: ...
    def end_session(self, token: str) -> None: ...
    def purge_expired(self, now: datetime) -> dict[str, int]: ...


class ChannelRepository(SubjectRecords, Protocol):
    def get(self, channel_id: str) -> Channel | None: ...
    def add(self, channel: Channel) -> None: ...
    def of_host(self, host_id: str) -> list[Channel]: ...
    def remove(self, channel_id: str) -> None: ...


class AuditLog(SubjectRecords, Protocol):
    """The PII-free ledger: every use of Google data and every rights request (subjects as keyed hashes),
    erasure receipts, visitors' cookie-consent records, and what is left of bookings whose host closed their
    account (no personal data, keyed by booking id)."""

    def record(self, action: str, subject_id: str, outcome: str, at: datetime) -> None: ...
    def receipt(self, erasure_id: str) -> Erasure | None: ...
    def save_receipt(self, erasure: Erasure) -> None: ...
    def consent(self, consent_id: str) -> ConsentRecord | None: ...
    def save_consent(self, consent: ConsentRecord) -> None: ...
    def closed_booking(self, booking_id: str) -> ClosedBooking | None: ...
    def save_closed_booking(self, closed: ClosedBooking) -> None: ...
    def purge(self, now: datetime, entries_before: datetime, receipts_before: datetime) -> dict[str, int]: ...


class WebhookRepository(SubjectRecords, Protocol):
    """Each host's webhook endpoints, together in one record (an event reads it once)."""

    def of_host(self, host_id: str) -> HostWebhooks: ...  # no endpoints yet: an empty record
    def save(self, webhooks: HostWebhooks) -> None: ...  # none left: the record goes


class WebhookDeliveryRepository(SubjectRecords, Protocol):
    """The delivery log: one record per event and endpoint (ids, counts, status codes), expiring."""

    def get(self, delivery_id: str) -> WebhookDelivery | None: ...
    def add(self, delivery: WebhookDelivery) -> None: ...
    def save(self, delivery: WebhookDelivery) -> None: ...
    def of_endpoint(self, endpoint_id: str, limit: int, after_delivery_id: str | None) -> list[WebhookDelivery]: ...
    def of_booking(self, booking_id: str) -> list[WebhookDelivery]: ...  # for its invitee's export
    def purge(self, now: datetime) -> dict[str, int]: ...


class AddressProofRepository(Protocol):
    """Mailed proof-of-address links and the grants they gave, each under its token's keyed hash; short-lived
    (`expires_at`, purged)."""

    def add(self, token_hash: str, proof: AddressProof) -> None: ...
    def get(self, token_hash: str) -> AddressProof | None: ...  # read: saving it is conditional
    def save(self, token_hash: str, proof: AddressProof) -> None: ...  # unchanged since read
    def add_grant(self, token_hash: str, grant: AddressGrant) -> None: ...
    def grant(self, token_hash: str) -> AddressGrant | None: ...
    def of_address(self, email: str) -> Exported: ...  # the address's proofs and grants, for its export
    def purge(self, now: datetime) -> dict[str, int]: ...


class WritePlaceRepository(Protocol):
    """Numbered places of booking writes per client and per invitee in fixed windows, named by keyed hashes
    (shared/domain/write_limits.py): no personal data, so nothing to export or erase; each expires with its
    window (`expires_at`, purged)."""

    def taken(self, places: Sequence[str]) -> set[str]: ...  # which of these exist (one read)
    def take(self, place: str, expires_at: datetime) -> None: ...  # must not exist; in the open unit's commit
    def purge(self, now: datetime) -> dict[str, int]: ...


class BotGateRepository(Protocol):
    """Spent proofs of work, each created under "must not exist" in the write's own commit (named by a hash
    of its challenge, so one proof makes one write however many instances race it), and each host's bookings
    counted per bot-gate window (an increment in the booking's commit, read with its availability). Both
    short-lived (`expires_at`, purged); neither holds personal data."""

    def spend(self, proof_id: str, expires_at: datetime) -> None: ...  # AlreadyStored on commit if spent
    def spent(self, proof_id: str) -> bool: ...
    def count_booking(self, host_id: str, window: int, expires_at: datetime) -> None: ...
    def purge(self, now: datetime) -> dict[str, int]: ...


class TeamInvitationRepository(Protocol):
    """A team's invitations, each under its token's keyed hash (never the token)."""

    def add(self, token_hash: str, invitation: Invitation) -> None: ...  # must not exist
    def get(self, token_hash: str) -> Invitation | None: ...  # read: saving it is conditional
    def save(self, token_hash: str, invitation: Invitation) -> None: ...  # unchanged since read
    def of_team(self, team_id: str) -> dict[str, Invitation]: ...  # by token hash, any state


class MembersAsked(NamedTuple):
    """What a read of a team type's members carries besides their time: their tallies of the type
    (`snapshot.assignments`), and as `BusyMonthRepository.snapshot` for each member, a booking write's
    `places` and the bot gate's `velocity_windows`, so the chosen member's booking needs no read of its own."""

    tallied: bool = False
    places: tuple[str, ...] = ()
    velocity_windows: tuple[int, ...] = ()


class TeamTypeRead(NamedTuple):
    """A team, one of its event types by id, and that type's members' snapshots (members without a page left out)."""

    team: Team
    event_type_id: str
    snapshots: dict[str, AvailabilitySnapshot]


class TeamRepository(SubjectRecords, Protocol):
    """Teams, their invitations (under their tokens' keyed hashes), and each team's claim on its slug in the
    hosts' slug registry (`BookingPageRepository`'s collection), added and removed with the team, so a host
    slug and a team slug are never the same. A member's export holds their teams (with the invitations of
    those they own); erasing a member takes them out of every team (a team left empty goes)."""

    def get(self, team_id: str) -> Team | None: ...  # read: saving or removing it is conditional
    def by_slug(self, slug: str) -> Team | None: ...
    # A hint only (never an answer): this instance has found a team at the slug before.
    def known_slug(self, slug: str) -> bool: ...
    # The team at `slug`, its type `type_slug` (EventTypeNotFound) and the snapshots of that type's members for
    # `span` (BusyMonthRepository.snapshots, with what `asked` adds): ONE batch get once the instance knows
    # the team, the type and the members' slugs (each hint checked against the same read, a changed member
    # list read again). None: no team has the slug.
    def with_members(self, slug: str, type_slug: str, span: Interval, asked: MembersAsked) -> TeamTypeRead | None: ...
    def add(self, team: Team) -> None: ...  # must not exist, nor any page or team at its slug
    # unchanged since read; given the team as read, a changed slug moves its claim (the new one must be free)
    def save(self, team: Team, before: Team | None = None) -> None: ...
    def remove(self, team: Team) -> None: ...  # the team, its slug claim and its invitations
    def of_member(self, host_id: str) -> list[Team]: ...
    # A join: the teams the host is in before it, counted beside their join counter, which is read and then
    # rewritten on condition it is unchanged: of two joins counted at once, only one commits.
    def count_join(self, host_id: str, now: datetime) -> int: ...
    @property
    def invitations(self) -> TeamInvitationRepository: ...
    def purge(self, now: datetime) -> dict[str, int]: ...  # invitations past `expires_at`, accepted or not


class AvatarRepository(SubjectRecords, Protocol):
    """avatars/{avatar id}: a host's picture, one record per upload (the host's record names the current one)."""

    def get(self, avatar_id: str) -> Avatar | None: ...
    def add(self, avatar: Avatar) -> None: ...  # must not exist
    def remove(self, avatar_id: str) -> None: ...


class UnitOfWork(Protocol):
    @property
    def hosts(self) -> HostRepository: ...
    @property
    def pages(self) -> BookingPageRepository: ...
    @property
    def months(self) -> BusyMonthRepository: ...
    @property
    def bookings(self) -> BookingRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def links(self) -> LinkRepository: ...
    @property
    def sign_in(self) -> SignInRepository: ...
    @property
    def channels(self) -> ChannelRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def webhooks(self) -> WebhookRepository: ...
    @property
    def webhook_deliveries(self) -> WebhookDeliveryRepository: ...
    @property
    def address_proofs(self) -> AddressProofRepository: ...
    @property
    def write_places(self) -> WritePlaceRepository: ...
    @property
    def bot_gate(self) -> BotGateRepository: ...
    @property
    def teams(self) -> TeamRepository: ...
    @property
    def avatars(self) -> AvatarRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...


class SecretStore(Protocol):
    def store_refresh_token(self, host_id: str, token: str) -> None: ...
    def refresh_token(self, host_id: str) -> str | None: ...
    def destroy_refresh_token(self, host_id: str) -> None: ...
    def app_secret(self, name: str) -> str: ...


class Keys(Protocol):
    """The app's own keys (from Secret Manager, read once per instance): use cases and routes ask for a key
    by its job, so none of them reads a secret or knows where one is kept."""

    def manage(self) -> str: ...  # manage tokens, address grants, and the keyed hashes of clients and invitees
    def channel(self) -> str: ...  # the tokens Google echoes on each push of a watch channel
    def webhook(self) -> str: ...  # derives each webhook endpoint's signing secret
    def audit(self) -> str: ...  # the ledger's subject hashes


class Links(Protocol):
    """The addresses Kaleno hands out, built in one place from the deployment's base URL."""

    def manage(self, booking_id: str) -> str: ...  # the invitee's manage page, with its token in the fragment
    def dashboard(self) -> str: ...  # the host's dashboard (their bookings)
    def reconnect(self) -> str: ...  # where a host connects their calendar again (the sign-in start)
    def address_proof(self, token: str) -> str: ...  # the mailed proof-of-address link, token in the fragment
    def single_use(self, host_slug: str, event_type_slug: str, token: str) -> str: ...  # a host's private link
    def team_invitation(self, token: str) -> str: ...  # a mailed team invitation, token in the fragment
    def privacy_policy(self) -> str: ...
    def calendar_webhook(self) -> str: ...  # where Google pushes a watch channel's changes


class GoogleAccounts(Protocol):
    # `extra_scopes`: asked for on top of sign-in's, incrementally (what was granted before is kept).
    def authorize_url(
        self, *, state: str, nonce: str, code_challenge: str, login_hint: str | None, extra_scopes: tuple[str, ...] = ()
    ) -> str: ...
    def complete_sign_in(self, *, code: str, code_verifier: str, nonce: str) -> GoogleIdentity: ...
    def revoke(self, token: str) -> None: ...


# The host's Google Calendar, one port per job (the Google adapter does them all). Calendar ids are "primary"
# or Google's ids; booking events go to (and are looked for in) `booking.event_calendar`.
class CalendarList(Protocol):
    """Which calendars the host has, and the zone they keep them in."""

    def calendars(self, host_id: str) -> list[ListedCalendar]: ...  # needs the calendar-list permission
    # The primary calendar's time zone (the host's Google Calendar setting); None if Google names none.
    def time_zone(self, host_id: str) -> str | None: ...


class CalendarWatch(Protocol):
    """Watch channels: Google's signal that something changed in a calendar."""

    def watch(self, host_id: str, calendar_id: str, channel_id: str, token: str, address: str) -> Channel: ...
    def stop_channel(self, host_id: str, channel: Channel) -> None: ...


class BusyTimes(Protocol):
    """What Google tells us about the host's time: busy intervals, and the changes to our own events."""

    # Busy intervals of all the given calendars (one query per span Google accepts), unmerged.
    def busy(self, host_id: str, window: Interval, calendar_ids: tuple[str, ...]) -> list[Interval]: ...
    def our_events_changed_since(
        self, host_id: str, since: datetime | None, calendar_ids: tuple[str, ...]
    ) -> list[OurEvent]: ...


class CalendarEvents(Protocol):
    """Writing our events: one per booking, one per group session."""

    # The event as Google has it after the write (its Meet link); None: insert — it exists already (a
    # retried insert); patch — it is gone (deleted in Google).
    def insert_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None: ...
    def patch_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None: ...
    def delete_booking_event(self, host_id: str, booking: Booking) -> None: ...
    # A group session's one event (None as for bookings: insert — it exists; patch — it is gone), in the
    # event's `calendar_id`.
    def insert_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None: ...
    def patch_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None: ...
    def delete_session_event(self, host_id: str, event_id: str, calendar_id: str) -> None: ...


class CalendarAccess(Protocol):
    """The access tokens minted from the host's grant, cached on this instance."""

    # Drop them: the next call mints new ones (after a new grant, or a permission Google said was missing).
    def forget(self, host_id: str) -> None: ...


class TaskQueue(Protocol):
    def enqueue(
        self,
        function: str,
        payload: dict[str, Any],  # Any: a task's JSON body, checked by the receiving function's model
        *,
        name: str | None = None,
        delay_seconds: float = 0,
        path: str = "",
    ) -> bool: ...


class Mailer(Protocol):
    """Sends one message through the SMTP relay; raises MailDeferred (try later) or MailRefused (never)."""

    def send(self, mail: OutgoingMail) -> None: ...


class WebhookHttp(Protocol):
    """The open internet as webhook deliveries reach it: a name resolved to its addresses, then one POST to
    the address that was checked (never a second lookup). Both raise WebhookUnreachable."""

    def resolve(self, host: str, port: int) -> list[str]: ...
    def post(self, url: UrlParts, address: str, headers: dict[str, str], body: bytes) -> WebhookResponse: ...


class Ports(Protocol):
    """Everything a use case may reach, as the bootstrap wires it (or a test's fakes). A use case is
    `name(command, deps)`: the command says what was asked, `deps` (this) is how to reach the world."""

    def uow(self) -> UnitOfWork: ...
    def now(self) -> datetime: ...  # the clock (UTC), a port so tests set the time
    @property
    def keys(self) -> Keys: ...
    @property
    def links(self) -> Links: ...
    @property
    def secrets(self) -> SecretStore: ...
    @property
    def google(self) -> GoogleAccounts: ...
    @property
    def calendar_list(self) -> CalendarList: ...
    @property
    def calendar_watch(self) -> CalendarWatch: ...
    @property
    def busy_times(self) -> BusyTimes: ...
    @property
    def calendar_events(self) -> CalendarEvents: ...
    @property
    def calendar_access(self) -> CalendarAccess: ...
    @property
    def tasks(self) -> TaskQueue: ...
    @property
    def webhook_http(self) -> WebhookHttp: ...
    @property
    def mailer(self) -> Mailer | None: ...  # None: no relay configured, Kaleno sends no mail
