"""Small dict-backed fakes of the ports in shared/services/ports.py: unit tests run the services without I/O.

`FakeDatabase` is shared state, as the real database is. Each `FakeUnitOfWork` over it stages its writes and
applies them on `commit()`, all or none, under Firestore's rules (shared/adapters/firestore/unit_of_work.py):
a record added must be new (`AlreadyStored`), and a record read in the unit is saved or deleted only if
nobody changed it meanwhile (`Contention`), told by the version every write stamps on its record.
"""

from __future__ import annotations

import ipaddress
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Self, TypeVar
from urllib.parse import urlencode

from shared.bootstrap import BaseUrlLinks, SecretKeys, utc_now
from shared.config import get_settings
from shared.domain.address_proof import AddressGrant, AddressProof
from shared.domain.avatar import Avatar
from shared.domain.booking import Booking, Invitee, SyncState
from shared.domain.booking_form import LocationKind
from shared.domain.booking_page import BookingPage, CalendarView, default_schedule
from shared.domain.busy import month_end, month_key, month_keys, split_by_month
from shared.domain.calendars import ListedCalendar
from shared.domain.claims import assignment_tally_id, host_velocity_id, link_claim, team_count_id
from shared.domain.event_type import EventType
from shared.domain.host import Connection, ConnectionState, Host
from shared.domain.intervals import Interval, SpanSet, as_utc
from shared.domain.links import BookingLink
from shared.domain.offer import AvailabilitySnapshot, BookedSpan, held_spans
from shared.domain.offsets import epoch_seconds, epoch_seconds_up
from shared.domain.seats import Session
from shared.domain.tallies import RECENT_DAYS, AssignmentTally, TallyChange
from shared.domain.team import Invitation, Role, Team
from shared.domain.webhooks import HostWebhooks, UrlParts, WebhookDelivery
from shared.services.errors import AlreadyStored, Contention, MailDeferred, MailRefused, WebhookUnreachable
from shared.services.onboarding import CALENDAR_SCOPES
from shared.services.ports import Exported, MembersAsked, TeamTypeRead
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

if TYPE_CHECKING:
    from shared.services.ports import (
        BusyTimes,
        CalendarAccess,
        CalendarEvents,
        CalendarList,
        CalendarWatch,
        GoogleAccounts,
        Mailer,
        Ports,
        SecretStore,
        TaskQueue,
        UnitOfWork,
        WebhookHttp,
    )

T = TypeVar("T")
Key = tuple[str, str]  # (collection, record id)
Change = Callable[[Any], Any]  # the record now (None: absent) -> the record after (None: deleted)

CLOCK_START = datetime(2027, 3, 1, tzinfo=UTC)


# --- the database and its unit of work -----------------------------------------------------------------
class Stored(NamedTuple):
    version: int
    value: Any
    written_at: datetime


@dataclass
class FakeDatabase:
    records: dict[Key, Stored] = field(default_factory=dict)
    now: datetime = CLOCK_START  # the "server time" stamped on writes (the sweeper queries it)
    _versions: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_version(self) -> int:
        return next(self._versions)

    def get(self, collection: str, record_id: str) -> Any:
        found = self.records.get((collection, record_id))
        return found.value if found else None

    def ids(self, collection: str) -> set[str]:
        return {record_id for (kind, record_id) in self.records if kind == collection}

    def where(
        self, collection: str, kind: type[T], test: Callable[[str, T], bool] = lambda _id, _record: True
    ) -> dict[str, T]:
        """The records of `collection` that pass `test(id, record)`, by id (a query, outside any unit)."""
        found = ((key[1], stored.value) for key, stored in self.records.items() if key[0] == collection)
        return {record_id: value for record_id, value in found if test(record_id, value)}

    def delete_now(self, key: Key) -> None:
        """Outside any unit, as the retention purge deletes."""
        self.records.pop(key, None)


@dataclass(frozen=True)
class _Write:
    key: Key
    change: Change
    expected_version: int | None = None  # None: whatever is there; 0: must not exist; n: still version n

    def apply(self, records: dict[Key, Stored], version: int, at: datetime) -> None:
        found = records.get(self.key)
        if self.expected_version == 0 and found is not None:
            raise AlreadyStored(f"{self.key} exists already")
        if self.expected_version is not None and (found.version if found else 0) != self.expected_version:
            raise Contention(f"{self.key} changed since it was read")
        after = self.change(found.value if found else None)
        if after is None:
            records.pop(self.key, None)
        else:
            records[self.key] = Stored(version, after, at)


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.committed = False
        self._open = False
        self._writes: list[_Write] = []
        self._seen: dict[Key, Stored | None] = {}  # what was read in this unit (None: it was absent)
        self.hosts = FakeHosts(self)
        self.pages = FakeBookingPages(self)
        self.months = FakeBusyMonths(self)
        self.bookings = FakeBookings(self)
        self.sessions = FakeSessions(self)
        self.links = FakeLinks(self)
        self.sign_in = FakeSignIn(self)
        self.channels = FakeChannels(self)
        self.audit = FakeAuditLog(self)
        self.webhooks = FakeWebhooks(self)
        self.webhook_deliveries = FakeWebhookDeliveries(self)
        self.address_proofs = FakeAddressProofs(self)
        self.write_places = FakeWritePlaces(self)
        self.bot_gate = FakeBotGate(self)
        self.teams = FakeTeams(self)
        self.avatars = FakeAvatars(self)

    def __enter__(self) -> Self:
        self._open, self._writes, self._seen = True, [], {}
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._open, self._writes, self._seen = False, [], {}  # whatever was not committed is dropped

    def commit(self) -> None:
        if not self._open:
            raise RuntimeError("commit happens inside `with uow:`")
        writes, self._writes = self._writes, []
        records = dict(self.db.records)
        for write in writes:
            write.apply(records, self.db.next_version(), self.db.now)
        self.db.records = records
        self.committed = True

    # --- what the repositories use -----------------------------------------------------------------------
    def read(self, key: Key, kind: type[T]) -> T | None:
        found = self.db.records.get(key)
        if self._open:
            self._seen[key] = found
        value: T | None = found.value if found else None
        return value

    def seen(self, key: Key) -> Any:
        found = self._seen.get(key)
        return found.value if found else None

    def create(self, key: Key, value: Any) -> None:
        self._stage(_Write(key, lambda _: value, expected_version=0))

    def put(self, key: Key, value: Any) -> None:
        """On condition the record is as read in this unit (absent: it must still be absent), else as it is."""
        expected = None
        if key in self._seen:
            before = self._seen[key]
            expected = before.version if before else 0
        self._stage(_Write(key, lambda _: value, expected))

    def merge(self, key: Key, change: Change) -> None:
        """Whatever else changed meanwhile (array unions, mirror fields)."""
        self._stage(_Write(key, change))

    def delete(self, key: Key) -> None:
        before = self._seen.get(key)
        self._stage(_Write(key, lambda _: None, before.version if before else None))

    def _stage(self, write: _Write) -> None:
        if not self._open:
            raise RuntimeError("writes happen inside `with uow:` and are committed by uow.commit()")
        self._writes.append(write)


# --- repositories ----------------------------------------------------------------------------------------
class FakeHosts:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, host_id: str) -> Host | None:
        return self._unit.read(("hosts", host_id), Host)

    def add(self, host: Host) -> None:
        self._unit.create(("hosts", host.id), host)

    def save(self, host: Host) -> None:
        self._unit.put(("hosts", host.id), host)

    def connected(self) -> list[Host]:
        return list(self._unit.db.where("hosts", Host, lambda _, host: host.connection.is_connected).values())

    def page(self, after_id: str | None, limit: int) -> list[Host]:
        hosts = self._unit.db.where("hosts", Host, lambda host_id, _: after_id is None or host_id > after_id)
        return [hosts[host_id] for host_id in sorted(hosts)][:limit]

    def export_subject(self, host_id: str) -> Exported:
        host = self._unit.db.get("hosts", host_id)
        return [host.model_dump(mode="json")] if host else []

    def erase_subject(self, host_id: str) -> int:
        if self.get(host_id) is None:
            return 0
        self._unit.delete(("hosts", host_id))
        return 1


class FakeBookingPages:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, slug: str) -> BookingPage | None:
        found = self._unit.read(("pages", slug), BookingPage)
        return found if isinstance(found, BookingPage) else None  # a team's slug claim is no page

    def add(self, slug: str, page: BookingPage) -> None:
        self._unit.create(("pages", slug), page)

    def save(self, slug: str, page: BookingPage) -> None:
        self._unit.put(("pages", slug), page)

    def remove(self, slug: str) -> None:
        self._unit.delete(("pages", slug))

    def _of_host(self, host_id: str) -> dict[str, BookingPage]:
        return self._unit.db.where(
            "pages", BookingPage, lambda _, page: isinstance(page, BookingPage) and page.host_id == host_id
        )

    def export_subject(self, host_id: str) -> Exported:
        return [{"slug": slug, **page.model_dump(mode="json")} for slug, page in self._of_host(host_id).items()]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for slug in found:
            self.remove(slug)
        return len(found)


class TeamSlugClaim(NamedTuple):
    """A team's claim on its slug, in the pages' registry (as shared/adapters/firestore/teams.py keeps it)."""

    team_id: str


class TeamCount(NamedTuple):
    """A host's join counter (`team_counts/{host id}`): the teams they were in at their last join, and when."""

    teams: int
    joined_at: datetime


class FakeTeamInvitations:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def add(self, token_hash: str, invitation: Invitation) -> None:
        self._unit.create(("team_invitations", token_hash), invitation)

    def get(self, token_hash: str) -> Invitation | None:
        return self._unit.read(("team_invitations", token_hash), Invitation)

    def save(self, token_hash: str, invitation: Invitation) -> None:
        self._unit.put(("team_invitations", token_hash), invitation)

    def of_team(self, team_id: str) -> dict[str, Invitation]:
        return self._unit.db.where("team_invitations", Invitation, lambda _, found: found.team_id == team_id)


class FakeTeams:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit
        self.invitations = FakeTeamInvitations(unit)

    def get(self, team_id: str) -> Team | None:
        return self._unit.read(("teams", team_id), Team)

    def by_slug(self, slug: str) -> Team | None:
        claim = self._unit.db.get("pages", slug)
        return self.get(claim.team_id) if isinstance(claim, TeamSlugClaim) else None

    def known_slug(self, slug: str) -> bool:  # as an instance that has seen every team
        return isinstance(self._unit.db.get("pages", slug), TeamSlugClaim)

    def with_members(self, slug: str, type_slug: str, span: Interval, asked: MembersAsked) -> TeamTypeRead | None:
        team = self.by_slug(slug)
        if team is None:
            return None
        event_type_id, event_type = team.by_slug(type_slug)
        tallies_of = event_type_id if asked.tallied else None
        snapshots = self._unit.months.snapshots(event_type.members, span.start, span.end, tallies_of)
        for host_id, snapshot in snapshots.items():  # the write places and bot-gate counts, as a host's read has
            alone = self._unit.months.snapshot(
                snapshot.slug, span.start, span.end, asked.places, asked.velocity_windows
            )
            assert alone is not None  # nosec B101  # the page was just read
            recent = alone.host_recent_bookings
            snapshots[host_id] = replace(snapshot, places_taken=alone.places_taken, host_recent_bookings=recent)
        return TeamTypeRead(team, event_type_id, snapshots)

    def add(self, team: Team) -> None:
        self._unit.create(("teams", team.id), team)
        self._unit.create(("pages", team.slug), TeamSlugClaim(team.id))

    def save(self, team: Team, before: Team | None = None) -> None:
        self._unit.put(("teams", team.id), team)
        if before is not None and before.slug != team.slug:
            self._unit.create(("pages", team.slug), TeamSlugClaim(team.id))
            self._unit.delete(("pages", before.slug))

    def remove(self, team: Team) -> None:
        self._unit.delete(("teams", team.id))
        self._unit.delete(("pages", team.slug))
        for token_hash in self.invitations.of_team(team.id):
            self._unit.delete(("team_invitations", token_hash))

    def of_member(self, host_id: str) -> list[Team]:
        found = self._unit.db.where("teams", Team, lambda _, team: host_id in team.members)
        return sorted(found.values(), key=lambda team: team.slug)

    def count_join(self, host_id: str, now: datetime) -> int:
        key = ("team_counts", team_count_id(host_id))
        known = self._unit.read(key, TeamCount) is not None
        teams = len(self.of_member(host_id))
        joined = TeamCount(teams + 1, now)
        if known:
            self._unit.put(key, joined)
        else:
            self._unit.merge(key, lambda _: joined)
        return teams

    def purge(self, now: datetime) -> dict[str, int]:
        expired = self._unit.db.where("team_invitations", Invitation, lambda _, found: found.expires_at < now)
        for token_hash in expired:
            self._unit.db.delete_now(("team_invitations", token_hash))
        return {"team_invitations_deleted": len(expired)}

    def export_subject(self, host_id: str) -> Exported:
        exported: Exported = []
        for team in self.of_member(host_id):
            shown = team.model_dump(mode="json")
            if team.role_of(host_id) is Role.OWNER:
                shown["invitations"] = [i.model_dump(mode="json") for i in self.invitations.of_team(team.id).values()]
            exported.append(shown)
        return exported

    def erase_subject(self, host_id: str) -> int:
        teams = [found for team in self.of_member(host_id) if (found := self.get(team.id)) is not None]
        for team in teams:
            after = team.without_erased(host_id)
            if after is None:
                self.remove(team)
            else:
                self.save(after)
        accepted = self._unit.db.where("team_invitations", Invitation, lambda _, found: found.accepted_by == host_id)
        for token_hash in accepted:
            self._unit.delete(("team_invitations", token_hash))
        self._unit.delete(("team_counts", team_count_id(host_id)))
        return len(teams) + len(accepted)


@dataclass(frozen=True)
class Month:
    """One UTC month of a host's time: Google's busy times (None: never mirrored) and our bookings' spans."""

    busy: tuple[Interval, ...] | None = None
    synced_at: datetime | None = None
    booked: tuple[BookedSpan, ...] = ()


class FakeBusyMonths:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def snapshot(
        self,
        slug: str,
        start: datetime,
        end: datetime,
        places: Sequence[str] = (),
        velocity_windows: tuple[int, ...] = (),
    ) -> AvailabilitySnapshot | None:
        page = self._unit.db.get("pages", slug)
        if not isinstance(page, BookingPage):  # none, or a team's slug claim (no page: as the adapter answers)
            return None
        months = [self._unit.db.get("months", f"{page.host_id}/{key}") or Month() for key in month_keys(start, end)]
        first, after = epoch_seconds(start), epoch_seconds_up(end)
        # As stored: busy times in whole seconds; like the adapter, only what overlaps [start, end).
        busy = SpanSet.of(
            (epoch_seconds(interval.start), epoch_seconds_up(interval.end))
            for month in months
            for interval in month.busy or ()
            if interval.start < end and start < interval.end
        )
        booked = sorted(
            span
            for month in months
            for span in month.booked
            if span.occupied_start < after and first < span.occupied_end
        )
        taken = frozenset(self._unit.write_places.taken(places))
        velocity = (host_velocity_id(page.host_id, window) for window in velocity_windows)
        counters = (self._unit.db.get("host_velocity", counter) for counter in velocity)
        recent = sum(counter.bookings for counter in counters if counter is not None)
        return AvailabilitySnapshot(
            page=page, busy=busy, booked=booked, places_taken=taken, host_recent_bookings=recent, slug=slug
        )

    def snapshots(
        self, host_ids: Sequence[str], start: datetime, end: datetime, tallies_of: str | None = None
    ) -> dict[str, AvailabilitySnapshot]:
        found = {}
        for host_id in host_ids:
            host = self._unit.db.get("hosts", host_id)
            snapshot = self.snapshot(host.slug, start, end) if host is not None else None
            if snapshot is not None and snapshot.page.host_id == host_id:
                if tallies_of is not None:
                    tally = self._unit.db.get("assignment_tallies", assignment_tally_id(host_id, tallies_of))
                    snapshot = replace(snapshot, assignments=_read_tally(tally))
                found[host_id] = snapshot
        return found

    def tally(self, change: TallyChange) -> None:
        tally_id = assignment_tally_id(change.host_id, change.event_type_id)
        self._unit.merge(("assignment_tallies", tally_id), _tallied(change))

    def replace_busy(self, host_id: str, window: Interval, busy: list[Interval], synced_at: datetime) -> None:
        by_month = split_by_month(busy)
        for key in month_keys(window.start, window.end):
            self._unit.merge(("months", f"{host_id}/{key}"), _with_busy(tuple(by_month.get(key, [])), synced_at))

    def clear_busy(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for month_id, month in found.items():
            if month.booked:
                self._unit.merge(("months", month_id), _with_busy(None, None))
            else:
                self._unit.delete(("months", month_id))
        return sum(month.busy is not None for month in found.values())

    def move_span(self, before: Booking | None, after: Booking | None) -> None:
        old_spans, new_spans = held_spans(before), held_spans(after)  # each holder's months, as the adapter
        for holder in dict.fromkeys([*old_spans, *new_spans]):
            old, new = old_spans.get(holder), new_spans.get(holder)
            if old == new:
                continue
            if before is not None and old is not None:
                self._unit.merge(("months", f"{holder}/{month_key(before.start)}"), _without_span(old))
            if after is not None and new is not None:
                self._unit.merge(("months", f"{holder}/{month_key(after.start)}"), _with_span(new))

    def purge(self, ended_before: datetime) -> dict[str, int]:
        past = self._unit.db.where(
            "months", Month, lambda month_id, _: month_end(month_id.split("/")[1]) < ended_before
        )
        for month_id in past:
            self._unit.db.delete_now(("months", month_id))
        idle_since = epoch_seconds(ended_before) - RECENT_DAYS * 86_400
        idle = self._unit.db.where("assignment_tallies", Tally, lambda _, tally: tally.last_at < idle_since)
        for tally_id in idle:
            self._unit.db.delete_now(("assignment_tallies", tally_id))
        return {"months_deleted": len(past), "assignment_tallies_deleted": len(idle)}

    def _tallies_of(self, host_id: str) -> dict[str, Tally]:
        return self._unit.db.where("assignment_tallies", Tally, lambda _, tally: tally.host_id == host_id)

    def _of_host(self, host_id: str) -> dict[str, Month]:
        return self._unit.db.where("months", Month, lambda month_id, _: month_id.startswith(f"{host_id}/"))

    def export_subject(self, host_id: str) -> Exported:
        return [
            {
                "month": month_id.split("/")[1],
                "busy": [
                    {"start": as_utc(i.start).isoformat(), "end": as_utc(i.end).isoformat()} for i in month.busy or ()
                ],
                "bookings": [span.booking_id for span in sorted(month.booked)],
            }
            for month_id, month in self._of_host(host_id).items()
        ] + [_exported_tally(tally_id.split(":")[1], tally) for tally_id, tally in self._tallies_of(host_id).items()]

    def erase_subject(self, host_id: str) -> int:
        found = [("months", month_id) for month_id in self._of_host(host_id)]
        found += [("assignment_tallies", tally_id) for tally_id in self._tallies_of(host_id)]
        for key in found:
            self._unit.delete(key)
        return len(found)


class Tally(NamedTuple):
    """A member's round-robin tally of a team type as stored: counts by UTC day number as the transforms left
    them (a day given back after it was dropped counts below zero), and the latest assignment's instant."""

    host_id: str
    by_day: tuple[tuple[int, int], ...]
    last_at: int


def _tallied(change: TallyChange) -> Change:
    """As Firestore's transforms change it: the stale days deleted, the day's count stepped, the latest a maximum."""

    def changed(before: Tally | None) -> Tally:
        days = dict(before.by_day) if before else {}
        for day in change.stale:
            days.pop(day, None)
        days[change.day] = days.get(change.day, 0) + change.step
        last = max(change.at, before.last_at) if before else change.at
        return Tally(change.host_id, tuple(sorted(days.items())), last)

    return changed


def _read_tally(tally: Tally | None) -> AssignmentTally:
    if tally is None:
        return AssignmentTally()
    return AssignmentTally(tuple((day, count) for day, count in tally.by_day if count), tally.last_at)


def _exported_tally(event_type_id: str, tally: Tally) -> dict[str, Any]:
    days = {(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).date().isoformat(): n for day, n in tally.by_day}
    return {
        "team_event_type": event_type_id,
        "assignments_by_day": {day: count for day, count in days.items() if count > 0},
        "last_assigned_at": datetime.fromtimestamp(tally.last_at, UTC).isoformat(),
    }


def _with_busy(busy: tuple[Interval, ...] | None, synced_at: datetime | None) -> Change:
    return lambda month: replace(month or Month(), busy=busy, synced_at=synced_at)


def _with_span(span: BookedSpan) -> Change:
    """Added once, as Firestore's ArrayUnion adds (a retried commit holds one span, not two)."""

    def added(month: Month | None) -> Month:
        booked = (month or Month()).booked
        return replace(month or Month(), booked=booked if span in booked else (*booked, span))

    return added


def _without_span(span: BookedSpan) -> Change:
    return lambda month: replace(month or Month(), booked=tuple(s for s in (month or Month()).booked if s != span))


class FakeWritePlaces:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def taken(self, places: Sequence[str]) -> set[str]:
        return {place for place in places if self._unit.db.get("write_places", place) is not None}

    def take(self, place: str, expires_at: datetime) -> None:
        self._unit.create(("write_places", place), expires_at)

    def purge(self, now: datetime) -> dict[str, int]:
        expired = self._unit.db.where("write_places", datetime, lambda _, expires_at: expires_at < now)
        for place in expired:
            self._unit.db.delete_now(("write_places", place))
        return {"write_places_deleted": len(expired)}


class Claim(NamedTuple):
    booking_id: str
    expires_at: datetime


class FakeBookings:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, booking_id: str) -> Booking | None:
        return self._unit.read(("bookings", booking_id), Booking)

    def add(self, booking: Booking, idempotency: IdempotencyRecord | None) -> None:
        self._unit.create(("bookings", booking.id), booking)
        for claim in booking.claims():
            self._unit.create(("claims", claim), Claim(booking.id, booking.occupied_end))
        if idempotency is not None:
            self._unit.create(("idempotency", idempotency.key_hash), idempotency)

    def save(self, booking: Booking) -> None:
        """Conditional on the booking read in this unit; its claims follow (new ones must not exist)."""
        before = self._unit.seen(("bookings", booking.id))
        if before is None:
            raise RuntimeError("save a booking read in the same unit of work")
        old_claims, new_claims = set(before.claims()), set(booking.claims())
        for claim in sorted(new_claims - old_claims):
            self._unit.create(("claims", claim), Claim(booking.id, booking.occupied_end))
        for claim in sorted(old_claims - new_claims):
            self._unit.delete(("claims", claim))
        self._unit.put(("bookings", booking.id), booking)

    def idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        record: IdempotencyRecord | None = self._unit.db.get("idempotency", key_hash)
        return record

    def of_host(self, host_id: str, listing: HostListing) -> list[Booking]:
        lower, upper = listing.end_range()

        def wanted(booking: Booking) -> bool:
            return (
                host_id in booking.holder_ids  # as the adapter's `holder_ids` array_contains
                and (lower is None or booking.end >= lower)
                and (upper is None or booking.end < upper)
                and listing.status in (None, booking.status)
                and listing.event_type_id in (None, booking.event_type_id)
            )

        found = self._unit.db.where("bookings", Booking, lambda _, booking: wanted(booking))
        ordered = sorted(found.values(), key=lambda b: (b.end, b.id), reverse=not listing.upcoming)
        # As Firestore's start_after: the cursor is a place in the order (whether or not the filters keep it),
        # if it is a booking of this host.
        last = self._unit.db.get("bookings", listing.after_booking_id or "")
        if last is not None and host_id in last.holder_ids:
            mark = (last.end, last.id)
            ordered = [b for b in ordered if ((b.end, b.id) > mark if listing.upcoming else (b.end, b.id) < mark)]
        return ordered[: listing.limit]

    def of_team(self, team_id: str, listing: HostListing, holder: str | None = None) -> list[Booking]:
        lower, upper = listing.end_range()

        def wanted(booking: Booking) -> bool:
            return (
                booking.team_id == team_id
                and (holder is None or holder in booking.holder_ids)
                and (lower is None or booking.end >= lower)
                and (upper is None or booking.end < upper)
            )

        found = self._unit.db.where("bookings", Booking, lambda _, booking: wanted(booking))
        ordered = sorted(found.values(), key=lambda b: (b.end, b.id), reverse=not listing.upcoming)
        last = self._unit.db.get("bookings", listing.after_booking_id or "")
        if last is not None and last.team_id == team_id:
            mark = (last.end, last.id)
            ordered = [b for b in ordered if ((b.end, b.id) > mark if listing.upcoming else (b.end, b.id) < mark)]
        return ordered[: listing.limit]

    def of_address(self, email: str) -> list[Booking]:
        return list(self._unit.db.where("bookings", Booking, lambda _, b: b.invitee.email == email).values())

    def places_taken(self, claim_ids: list[str]) -> set[str]:
        return {claim for claim in claim_ids if self._unit.db.get("claims", claim) is not None}

    def sync_unsettled(self, updated_before: datetime) -> list[Booking]:
        stored = [s for key, s in self._unit.db.records.items() if key[0] == "bookings"]
        pending = [s.value for s in stored if s.value.sync_state is SyncState.PENDING and s.written_at < updated_before]
        return pending + [s.value for s in stored if s.value.sync_state is SyncState.FAILED]

    def purge(self, now: datetime, ended_before: datetime) -> dict[str, int]:
        counts = {
            "idempotency_deleted": _purge(self._unit.db, "idempotency", now),
            "slot_claims_deleted": _purge(self._unit.db, "claims", now),  # named as Firestore's collection
        }
        ended = self._unit.db.where("bookings", Booking, lambda _, booking: booking.end < ended_before)
        for booking_id in ended:
            self._unit.db.delete_now(("bookings", booking_id))
        return {**counts, "bookings_deleted": len(ended)}

    def _of_host(self, host_id: str) -> dict[str, Booking]:
        return self._unit.db.where("bookings", Booking, lambda _, booking: booking.host_id == host_id)

    def export_subject(self, host_id: str) -> Exported:
        held = self._unit.db.where("bookings", Booking, lambda _, booking: host_id in booking.holder_ids)
        return [b.model_dump(mode="json", exclude={"manage_token_hash"}) for b in held.values()]

    def erase_subject(self, host_id: str) -> int:
        """Each booking with its claims and the Idempotency-Keys that made it."""
        found = self._of_host(host_id)
        for booking in found.values():
            for claim in {*booking.claims(), *booking.session_records()}:
                self._unit.delete(("claims", claim))
            self._unit.delete(("bookings", booking.id))
        keys = self._unit.db.where("idempotency", IdempotencyRecord, lambda _, record: record.booking_id in found)
        for key_hash in keys:
            self._unit.delete(("idempotency", key_hash))
        co_held = self._unit.db.where("bookings", Booking, lambda _, b: host_id in b.co_host_ids)  # as the adapter
        for booking_id in co_held:
            held = self._unit.read(("bookings", booking_id), Booking)  # the rewrite is conditional
            if held is None:
                continue
            after = held.without_co_host(host_id)
            for claim in set(held.claims()) - set(after.claims()):
                self._unit.delete(("claims", claim))
            self._unit.put(("bookings", booking_id), after)
        return len(found) + len(co_held)


class FakeSessions:
    """Group sessions, kept beside the claims, as in Firestore."""

    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def session(self, session_id: str) -> Session | None:
        return self._unit.read(("claims", session_id), Session)

    def open_session(self, session: Session) -> None:
        self._unit.create(("claims", session.id), session)
        for claim in session.granule_claims():
            self._unit.create(("claims", claim), Claim(session.id, session.occupied_end))

    def join_session(self, session_id: str, seat: int, booking_id: str) -> None:
        def joined(current: Session | None) -> Session:
            if current is None:
                raise Contention(f"session {session_id} is gone")  # Firestore: NotFound on an update
            return current.model_copy(update={"seats": {**current.seats, seat: booking_id}})

        self._unit.merge(("claims", session_id), joined)

    def save_session(self, session: Session) -> None:
        self._unit.put(("claims", session.id), session)

    def close_session(self, session: Session) -> None:
        self._unit.delete(("claims", session.id))
        for claim in session.granule_claims():
            self._unit.delete(("claims", claim))

    def of_session(self, session_id: str) -> list[Booking]:
        return list(self._unit.db.where("bookings", Booking, lambda _, b: b.session_id == session_id).values())


class LinkClaim(NamedTuple):
    host_id: str
    booking_id: str | None
    purge_at: datetime | None


class FakeLinks:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, link_id: str) -> BookingLink | None:
        return self._unit.read(("booking_links", link_id), BookingLink)

    def add(self, link: BookingLink) -> None:
        self._unit.create(("booking_links", link.id), link)

    def claim(self, link: BookingLink) -> None:
        self._unit.create(("link_claims", link_claim(link.id)), LinkClaim(link.host_id, link.booking_id, link.purge_at))
        self._unit.merge(("booking_links", link.id), lambda _: link)

    def of_event_type(self, host_id: str, event_type_id: str) -> list[BookingLink]:
        found = self._unit.db.where(
            "booking_links", BookingLink, lambda _, link: (link.host_id, link.event_type_id) == (host_id, event_type_id)
        )
        return sorted(found.values(), key=lambda link: (link.created_at, link.id), reverse=True)

    def purge(self, now: datetime) -> dict[str, int]:
        counts = {}
        for collection in ("booking_links", "link_claims"):
            ended = [
                key
                for key, stored in self._unit.db.records.items()
                if key[0] == collection and stored.value.purge_at is not None and stored.value.purge_at < now
            ]
            for key in ended:
                self._unit.db.delete_now(key)
            counts[f"{collection}_deleted"] = len(ended)
        return counts

    def export_subject(self, host_id: str) -> Exported:
        found = self._unit.db.where("booking_links", BookingLink, lambda _, link: link.host_id == host_id)
        return [link.model_dump(mode="json", exclude={"token_hash"}) for link in found.values()]

    def erase_subject(self, host_id: str) -> int:
        links = self._unit.db.where("booking_links", BookingLink, lambda _, link: link.host_id == host_id)
        claims = self._unit.db.where("link_claims", LinkClaim, lambda _, claim: claim.host_id == host_id)
        for collection, ids in (("booking_links", links), ("link_claims", claims)):
            for record_id in ids:
                self._unit.delete((collection, record_id))
        return len(links) + len(claims)


def _purge(db: FakeDatabase, collection: str, now: datetime) -> int:
    expired = [key for key, stored in db.records.items() if key[0] == collection and stored.value.expires_at < now]
    for key in expired:
        db.delete_now(key)
    return len(expired)


class FakeAddressProofs:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def add(self, token_hash: str, proof: AddressProof) -> None:
        self._unit.create(("address_proofs", token_hash), proof)

    def get(self, token_hash: str) -> AddressProof | None:
        return self._unit.read(("address_proofs", token_hash), AddressProof)

    def save(self, token_hash: str, proof: AddressProof) -> None:
        self._unit.put(("address_proofs", token_hash), proof)

    def add_grant(self, token_hash: str, grant: AddressGrant) -> None:
        self._unit.create(("address_grants", token_hash), grant)

    def grant(self, token_hash: str) -> AddressGrant | None:
        found: AddressGrant | None = self._unit.db.get("address_grants", token_hash)
        return found

    def of_address(self, email: str) -> Exported:
        proofs = self._unit.db.where("address_proofs", AddressProof, lambda _, p: p.email == email).values()
        grants = self._unit.db.where("address_grants", AddressGrant, lambda _, g: g.email == email).values()
        return [{"kind": "proof", **p.model_dump(mode="json")} for p in proofs] + [
            {"kind": "grant", **g.model_dump(mode="json")} for g in grants
        ]

    def purge(self, now: datetime) -> dict[str, int]:
        return {f"{name}_deleted": _purge(self._unit.db, name, now) for name in ("address_proofs", "address_grants")}


class SpentProof(NamedTuple):
    expires_at: datetime


class HostVelocity(NamedTuple):
    bookings: int
    expires_at: datetime


class FakeBotGate:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def spend(self, proof_id: str, expires_at: datetime) -> None:
        self._unit.create(("spent_proofs", proof_id), SpentProof(expires_at))

    def spent(self, proof_id: str) -> bool:
        return self._unit.db.get("spent_proofs", proof_id) is not None

    def count_booking(self, host_id: str, window: int, expires_at: datetime) -> None:
        def counted(before: HostVelocity | None) -> HostVelocity:
            return HostVelocity((before.bookings if before else 0) + 1, expires_at)

        self._unit.merge(("host_velocity", host_velocity_id(host_id, window)), counted)

    def purge(self, now: datetime) -> dict[str, int]:
        return {f"{name}_deleted": _purge(self._unit.db, name, now) for name in ("spent_proofs", "host_velocity")}


class FakeSignIn:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def add_state(self, state: str, record: OAuthState) -> None:
        self._unit.create(("oauth_states", state), record)

    def take_state(self, state: str) -> OAuthState | None:
        """Read and delete (on condition nobody took it first): a state is used once."""
        record = self._unit.read(("oauth_states", state), OAuthState)
        if record is not None:
            self._unit.delete(("oauth_states", state))
        return record

    def add_session(self, token: str, record: SessionRecord) -> None:
        self._unit.create(("sessions", token), record)

    def session(self, token: str) -> SessionRecord | None:
        record: SessionRecord | None = self._unit.db.get("sessions", token)
        return record

    def end_session(self, token: str) -> None:
        self._unit.delete(("sessions", token))

    def purge_expired(self, now: datetime) -> dict[str, int]:
        return {f"{name}_deleted": _purge(self._unit.db, name, now) for name in ("oauth_states", "sessions")}

    def _sessions_of(self, host_id: str) -> dict[str, SessionRecord]:
        return self._unit.db.where("sessions", SessionRecord, lambda _, record: record.host_id == host_id)

    def export_subject(self, host_id: str) -> Exported:
        return [record.model_dump(mode="json") for record in self._sessions_of(host_id).values()]

    def erase_subject(self, host_id: str) -> int:
        found = self._sessions_of(host_id)
        for token in found:
            self.end_session(token)
        return len(found)


class FakeChannels:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, channel_id: str) -> Channel | None:
        channel: Channel | None = self._unit.db.get("channels", channel_id)
        return channel

    def add(self, channel: Channel) -> None:
        self._unit.create(("channels", channel.id), channel)

    def of_host(self, host_id: str) -> list[Channel]:
        return list(self._unit.db.where("channels", Channel, lambda _, channel: channel.host_id == host_id).values())

    def remove(self, channel_id: str) -> None:
        self._unit.delete(("channels", channel_id))

    def export_subject(self, host_id: str) -> Exported:
        return [channel.model_dump(mode="json", exclude={"resource_id"}) for channel in self.of_host(host_id)]

    def erase_subject(self, host_id: str) -> int:
        found = self.of_host(host_id)
        for channel in found:
            self.remove(channel.id)
        return len(found)


class AuditEntry(NamedTuple):
    action: str
    subject_id: str
    outcome: str
    at: datetime


class FakeAuditLog:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def record(self, action: str, subject_id: str, outcome: str, at: datetime) -> None:
        self._unit.create(("audit", uuid.uuid4().hex), AuditEntry(action, subject_id, outcome, at))

    def receipt(self, erasure_id: str) -> Erasure | None:
        return self._unit.read(("erasures", erasure_id), Erasure)

    def save_receipt(self, erasure: Erasure) -> None:
        self._unit.put(("erasures", erasure.id), erasure)

    def consent(self, consent_id: str) -> ConsentRecord | None:
        return self._unit.read(("consents", consent_id), ConsentRecord)

    def save_consent(self, consent: ConsentRecord) -> None:
        self._unit.put(("consents", consent.id), consent)

    def closed_booking(self, booking_id: str) -> ClosedBooking | None:
        return self._unit.read(("closed_bookings", booking_id), ClosedBooking)

    def save_closed_booking(self, closed: ClosedBooking) -> None:
        self._unit.put(("closed_bookings", closed.booking_id), closed)

    def purge(self, now: datetime, entries_before: datetime, receipts_before: datetime) -> dict[str, int]:
        db = self._unit.db
        old = db.where("audit", AuditEntry, lambda _, entry: entry.at < entries_before)
        receipts = db.where("erasures", Erasure, lambda _, erasure: erasure.requested_at < receipts_before)
        for key in [("audit", entry_id) for entry_id in old] + [("erasures", r) for r in receipts]:
            db.delete_now(key)
        return {
            "audit_deleted": len(old),
            "erasures_deleted": len(receipts),
            "consents_deleted": _purge(db, "consents", now),
            "closed_bookings_deleted": _purge(db, "closed_bookings", now),
        }

    def _of(self, host_id: str) -> dict[str, AuditEntry]:
        return self._unit.db.where("audit", AuditEntry, lambda _, entry: entry.subject_id == host_id)

    def export_subject(self, host_id: str) -> Exported:
        return [{"action": e.action, "outcome": e.outcome, "at": e.at.isoformat()} for e in self._of(host_id).values()]

    def erase_subject(self, host_id: str) -> int:
        found = self._of(host_id)
        for entry_id in found:
            self._unit.delete(("audit", entry_id))
        return len(found)


class FakeAvatars:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, avatar_id: str) -> Avatar | None:
        return self._unit.read(("avatars", avatar_id), Avatar)

    def add(self, avatar: Avatar) -> None:
        self._unit.create(("avatars", avatar.id), avatar)

    def remove(self, avatar_id: str) -> None:
        self._unit.delete(("avatars", avatar_id))

    def _of_host(self, host_id: str) -> dict[str, Avatar]:
        return self._unit.db.where("avatars", Avatar, lambda _, avatar: avatar.host_id == host_id)

    def export_subject(self, host_id: str) -> Exported:
        return [avatar.exported() for avatar in self._of_host(host_id).values()]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for avatar_id in found:
            self._unit.delete(("avatars", avatar_id))
        return len(found)


class FakeWebhooks:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def of_host(self, host_id: str) -> HostWebhooks:
        found = self._unit.read(("webhook_endpoints", host_id), HostWebhooks) or HostWebhooks(host_id=host_id)
        # Firestore keeps them as a map by id: they come back in the order they were made, not as saved.
        made = tuple(sorted(found.endpoints, key=lambda endpoint: (endpoint.created_at, endpoint.id)))
        return found.model_copy(update={"endpoints": made})

    def save(self, webhooks: HostWebhooks) -> None:
        key = ("webhook_endpoints", webhooks.host_id)
        if webhooks.endpoints:
            self._unit.put(key, webhooks)
        else:
            self._unit.delete(key)

    def export_subject(self, host_id: str) -> Exported:
        return [endpoint.model_dump(mode="json") for endpoint in self.of_host(host_id).endpoints]

    def erase_subject(self, host_id: str) -> int:
        if self._unit.read(("webhook_endpoints", host_id), HostWebhooks) is None:
            return 0
        self._unit.delete(("webhook_endpoints", host_id))
        return 1


class FakeWebhookDeliveries:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def get(self, delivery_id: str) -> WebhookDelivery | None:
        return self._unit.read(("webhook_deliveries", delivery_id), WebhookDelivery)

    def add(self, delivery: WebhookDelivery) -> None:
        self._unit.create(("webhook_deliveries", delivery.id), delivery)

    def save(self, delivery: WebhookDelivery) -> None:
        self._unit.put(("webhook_deliveries", delivery.id), delivery)

    def of_endpoint(self, endpoint_id: str, limit: int, after_delivery_id: str | None) -> list[WebhookDelivery]:
        found = self._unit.db.where("webhook_deliveries", WebhookDelivery, lambda _, d: d.endpoint_id == endpoint_id)
        latest_first = sorted(found.values(), key=lambda d: (d.created_at, d.id), reverse=True)
        ids = [delivery.id for delivery in latest_first]
        start = ids.index(after_delivery_id) + 1 if after_delivery_id in ids else 0
        return latest_first[start : start + limit]

    def of_booking(self, booking_id: str) -> list[WebhookDelivery]:
        found = self._unit.db.where("webhook_deliveries", WebhookDelivery, lambda _, d: d.booking_id == booking_id)
        return list(found.values())

    def purge(self, now: datetime) -> dict[str, int]:
        return {"webhook_deliveries_deleted": _purge(self._unit.db, "webhook_deliveries", now)}

    def _of_host(self, host_id: str) -> dict[str, WebhookDelivery]:
        return self._unit.db.where("webhook_deliveries", WebhookDelivery, lambda _, d: d.host_id == host_id)

    def export_subject(self, host_id: str) -> Exported:
        return [delivery.model_dump(mode="json") for delivery in self._of_host(host_id).values()]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for delivery_id in found:
            self._unit.delete(("webhook_deliveries", delivery_id))
        return len(found)


# --- Google and Cloud ------------------------------------------------------------------------------------
def _event_key(host_id: str, booking: Booking) -> str:
    """Where the fake keeps a booking's event: by its id, as Google does within one calendar; a team
    booking's by member too (`{host}/{event id}`), since each member's calendar holds an event of that id."""
    return f"{host_id}/{booking.google_event_id}" if booking.team_id else booking.google_event_id


@dataclass
class FakeCalendar:
    """Google Calendar as our code sees it, every job in one (as the Google adapter): the calendar list, watch
    channels, free/busy and changes to our events, our own events by id, cached credentials."""

    busy_times: list[Interval] = field(default_factory=list)  # what free/busy answers, for any host
    # Busy times of other calendars by id (free/busy over "primary" answers `busy_times`).
    calendar_busy: dict[str, list[Interval]] = field(default_factory=dict)
    listed: list[ListedCalendar] | None = None  # the calendar list; None: the primary only
    zone: str | None = None  # the primary calendar's time zone, as Google Calendar's settings have it
    busy_asked: list[tuple[str, ...]] = field(default_factory=list)  # the calendars each free/busy query named
    events_calendar: dict[str, str] = field(default_factory=dict)  # event id -> the calendar it was written to
    changes_asked: list[tuple[str, ...]] = field(default_factory=list)  # calendars each look at our events named
    events: dict[str, Booking] = field(default_factory=dict)  # our events in Google, by event id
    sessions: dict[str, SessionEvent] = field(default_factory=dict)  # group sessions' events, by event id
    changed: list[OurEvent] = field(default_factory=list)  # what a look at our changed events finds
    channels: dict[str, Channel] = field(default_factory=dict)  # open watch channels, by id
    failure: Exception | None = None  # raised by every call once set: CalendarAccessRevoked, GoogleUnavailable
    calls: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)  # hosts whose cached credentials were dropped
    channel_expiry: datetime = CLOCK_START + timedelta(days=7)
    _deleted: set[str] = field(default_factory=set)  # a deleted event's id cannot be used again

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failure is not None:
            raise self.failure

    def calendars(self, host_id: str) -> list[ListedCalendar]:
        self._call("calendars")
        return list(self.listed or [ListedCalendar(id="ada@example.com", summary="Ada", primary=True, owned=True)])

    def time_zone(self, host_id: str) -> str | None:
        self._call("time_zone")
        return self.zone

    def watch(self, host_id: str, calendar_id: str, channel_id: str, token: str, address: str) -> Channel:
        self._call("watch")
        channel = Channel(
            id=channel_id,
            host_id=host_id,
            resource_id=f"res-{channel_id}",
            expires_at=self.channel_expiry,
            calendar_id=calendar_id,
        )
        self.channels[channel_id] = channel
        return channel

    def stop_channel(self, host_id: str, channel: Channel) -> None:
        self._call("stop")
        self.channels.pop(channel.id, None)

    def busy(self, host_id: str, window: Interval, calendar_ids: tuple[str, ...]) -> list[Interval]:
        self._call("busy")
        self.busy_asked.append(calendar_ids)
        by_calendar = {"primary": self.busy_times, **self.calendar_busy}
        found = [interval for c in calendar_ids for interval in by_calendar.get(c, [])]
        return [interval for interval in found if interval.overlaps(window)]

    def insert_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None:
        self._call("insert")
        event_id = _event_key(host_id, booking)
        if event_id in self.events or event_id in self._deleted:
            return None  # Google answers 409
        self.events[event_id] = booking
        self.events_calendar[event_id] = booking.event_calendar
        return self._written(booking)

    def patch_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None:
        self._call("patch")
        event_id = _event_key(host_id, booking)
        if event_id not in self.events or not self._in(event_id, booking):
            return None  # deleted in Google (or looked for in another calendar)
        self.events[event_id] = booking
        return self._written(booking)

    def _in(self, event_id: str, booking: Booking) -> bool:
        """The booking's event is in the calendar the booking says (events put here by a test: primary)."""
        return self.events_calendar.get(event_id, "primary") == booking.event_calendar

    def _written(self, booking: Booking) -> OurEvent:
        meet = booking.location is not None and booking.location.kind is LocationKind.GOOGLE_MEET
        url = f"https://meet.google.com/fak-{booking.id[:4]}-xyz" if meet else None
        return OurEvent(booking_id=booking.id, cancelled=False, start=booking.start, end=booking.end, meeting_url=url)

    def delete_booking_event(self, host_id: str, booking: Booking) -> None:
        self.delete_session_event(host_id, _event_key(host_id, booking), booking.event_calendar)

    def insert_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None:
        self._call("insert")
        if event.event_id in self.sessions or event.event_id in self._deleted:
            return None  # Google answers 409 (a deleted event's id stays taken)
        self.sessions[event.event_id] = event
        return OurEvent(booking_id="", cancelled=False, start=event.start, end=event.end)

    def patch_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None:
        self._call("patch")
        if event.event_id not in self.sessions and event.event_id not in self._deleted:
            return None  # never inserted
        self._deleted.discard(event.event_id)  # status "confirmed" restores a deleted event
        self.sessions[event.event_id] = event
        return OurEvent(booking_id="", cancelled=False, start=event.start, end=event.end)

    def delete_session_event(self, host_id: str, event_id: str, calendar_id: str) -> None:
        self._call("delete")
        if f"{host_id}/{event_id}" in self.events:  # a team booking's event in this member's calendar
            event_id = f"{host_id}/{event_id}"
        if self.events_calendar.get(event_id, "primary") != calendar_id:
            return  # Google answers 404: not in that calendar
        if self.events.pop(event_id, None) is not None or self.sessions.pop(event_id, None) is not None:
            self._deleted.add(event_id)

    def our_events_changed_since(
        self, host_id: str, since: datetime | None, calendar_ids: tuple[str, ...]
    ) -> list[OurEvent]:
        self._call("list")
        self.changes_asked.append(calendar_ids)
        return list(self.changed)

    def forget(self, host_id: str) -> None:
        self.forgotten.append(host_id)


@dataclass
class FakeTaskQueue:
    enqueued: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)  # (function, payload, name)
    paths: list[str] = field(default_factory=list)  # the sub-path each task is sent to, in the same order

    def enqueue(
        self,
        function: str,
        payload: dict[str, Any],
        *,
        name: str | None = None,
        delay_seconds: float = 0,
        path: str = "",
    ) -> bool:
        if name is not None and name in self.names:
            return False  # Cloud Tasks refuses a name it has seen
        self.enqueued.append((function, payload, name))
        self.paths.append(path)
        return True

    @property
    def names(self) -> list[str | None]:
        return [name for _, _, name in self.enqueued]

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [payload for _, payload, _ in self.enqueued]

    def names_for(self, function: str) -> list[str | None]:
        return [name for target, _, name in self.enqueued if target == function]

    def payloads_for(self, function: str) -> list[dict[str, Any]]:
        return [payload for target, payload, _ in self.enqueued if target == function]


@dataclass
class FakeSecretStore:
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # by host id

    def store_refresh_token(self, host_id: str, token: str) -> None:
        self.refresh_tokens[host_id] = token

    def refresh_token(self, host_id: str) -> str | None:
        return self.refresh_tokens.get(host_id)

    def destroy_refresh_token(self, host_id: str) -> None:
        self.refresh_tokens.pop(host_id, None)

    def app_secret(self, name: str) -> str:
        return f"app-secret-{name}"


class SentWebhook(NamedTuple):
    url: UrlParts
    address: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeWebhookHttp:
    """The internet as deliveries see it: names resolve to `addresses` (an IP literal to itself; anything
    else does not resolve), and each POST is kept and answered with the next of `answers` (then 200); an
    answer may also be a WebhookUnreachable to raise."""

    addresses: dict[str, list[str]] = field(default_factory=lambda: {"hooks.example.com": ["93.184.216.34"]})
    answers: list[int | WebhookUnreachable] = field(default_factory=list)
    sent: list[SentWebhook] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host not in self.addresses:
            raise WebhookUnreachable("dns_failed")
        return self.addresses[host]

    def post(self, url: UrlParts, address: str, headers: dict[str, str], body: bytes) -> WebhookResponse:
        self.sent.append(SentWebhook(url, address, headers, body))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, WebhookUnreachable):
            raise answer
        return WebhookResponse(status=answer)


GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
REFRESH_TOKEN = "refresh-token-1"


def google_identity(
    scopes: Iterable[str] = CALENDAR_SCOPES, refresh_token: str | None = REFRESH_TOKEN, sub: str = "sub-1"
) -> GoogleIdentity:
    granted = frozenset({"openid", "email", "profile", *scopes})
    return GoogleIdentity(
        sub=sub, email="ada@example.com", name="Ada", granted_scopes=granted, refresh_token=refresh_token
    )


@dataclass
class FakeGoogleAccounts:
    identity: GoogleIdentity = field(default_factory=google_identity)  # who signs in, with what grant
    codes: list[str] = field(default_factory=list)  # authorization codes exchanged
    revoked: list[str] = field(default_factory=list)

    def authorize_url(
        self, *, state: str, nonce: str, code_challenge: str, login_hint: str | None, extra_scopes: tuple[str, ...] = ()
    ) -> str:
        query = {"state": state, "nonce": nonce, "code_challenge": code_challenge, "login_hint": login_hint or ""}
        if extra_scopes:
            query["extra_scopes"] = " ".join(extra_scopes)
        return f"{GOOGLE_AUTHORIZE_URL}?{urlencode(query)}"

    def complete_sign_in(self, *, code: str, code_verifier: str, nonce: str) -> GoogleIdentity:
        self.codes.append(code)
        return self.identity

    def revoke(self, token: str) -> None:
        self.revoked.append(token)


@dataclass
class FakeMailer:
    """Keeps what it was given; `deferrals` makes the next sends fail as a relay outage would, `refusals`
    as a relay refusing for good (554)."""

    sent: list[OutgoingMail] = field(default_factory=list)
    deferrals: int = 0
    refusals: int = 0

    def send(self, mail: OutgoingMail) -> None:
        if self.deferrals:
            self.deferrals -= 1
            raise MailDeferred("relay answered 451")
        if self.refusals:
            self.refusals -= 1
            raise MailRefused(554)
        self.sent.append(mail)


@dataclass
class FakePorts:
    db: FakeDatabase = field(default_factory=FakeDatabase)
    secrets: FakeSecretStore = field(default_factory=FakeSecretStore)
    google: FakeGoogleAccounts = field(default_factory=FakeGoogleAccounts)
    calendar: FakeCalendar = field(default_factory=FakeCalendar)
    tasks: FakeTaskQueue = field(default_factory=FakeTaskQueue)
    webhook_http: FakeWebhookHttp = field(default_factory=FakeWebhookHttp)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    time: datetime | None = None  # the clock's answer; None: the real time

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    def now(self) -> datetime:
        return self.time or utc_now()

    def at(self, moment: datetime) -> FakePorts:
        """These ports with the clock at `moment`: the same fakes behind, for a use case run at that time."""
        return replace(self, time=moment)

    @property
    def keys(self) -> SecretKeys:  # the real key-by-job lookup, over the fake store
        return SecretKeys(self.secrets, get_settings())

    @property
    def links(self) -> BaseUrlLinks:
        return BaseUrlLinks(get_settings().base_url, self.keys)

    # One fake Google Calendar does every calendar job: tests arrange and inspect it as `ports.calendar`.
    @property
    def calendar_list(self) -> FakeCalendar:
        return self.calendar

    @property
    def calendar_watch(self) -> FakeCalendar:
        return self.calendar

    @property
    def busy_times(self) -> FakeCalendar:
        return self.calendar

    @property
    def calendar_events(self) -> FakeCalendar:
        return self.calendar

    @property
    def calendar_access(self) -> FakeCalendar:
        return self.calendar


if TYPE_CHECKING:  # mypy proves here that each fake implements its port
    _unit: UnitOfWork = FakeUnitOfWork(FakeDatabase())
    _ports: Ports = FakePorts()
    _calendar_list: CalendarList = FakeCalendar()
    _calendar_watch: CalendarWatch = FakeCalendar()
    _busy_times: BusyTimes = FakeCalendar()
    _calendar_events: CalendarEvents = FakeCalendar()
    _calendar_access: CalendarAccess = FakeCalendar()
    _tasks: TaskQueue = FakeTaskQueue()
    _secrets: SecretStore = FakeSecretStore()
    _google: GoogleAccounts = FakeGoogleAccounts()
    _webhook_http: WebhookHttp = FakeWebhookHttp()
    _mailer: Mailer = FakeMailer()


# --- records to arrange a test with ----------------------------------------------------------------------
def a_host(host_id: str = "h1", slug: str = "ada", state: ConnectionState = ConnectionState.CONNECTED) -> Host:
    return Host(
        id=host_id,
        google_sub=f"sub-{host_id}",
        email="ada@example.com",
        display_name="Ada",
        slug=slug,
        connection=Connection(state=state),
    )


def a_booking(start: datetime = datetime(2027, 3, 8, 10, tzinfo=UTC), **fields: Any) -> Booking:
    """A confirmed 30-minute booking of host h1 (no buffers), Ines invited; `fields` override."""
    values: dict[str, Any] = {
        "id": "b1",
        "host_id": "h1",
        "event_type_id": "et1",
        "event_title": "Call",
        "start": start,
        "end": start + timedelta(minutes=30),
        "occupied_start": start,
        "occupied_end": start + timedelta(minutes=30),
        "invitee": Invitee(name="Ines", email="ines@example.org", time_zone="UTC"),
        "manage_token_hash": "0" * 64,
    }
    return Booking(**{**values, **fields})


def a_page(
    host_id: str = "h1",
    *,
    event_types: Mapping[str, EventType] | None = None,
    connected: bool = True,
    synced_at: datetime | None = CLOCK_START,
    horizon_days: int = 60,
) -> BookingPage:
    """Weekdays 09:00-17:00 UTC, an "intro" call of 30 minutes, the busy mirror synced at `synced_at`."""
    intro = EventType(slug="intro", title="Intro call", duration_minutes=30)
    horizon_end = synced_at + timedelta(days=horizon_days) if synced_at else None
    return BookingPage(
        host_id=host_id,
        display_name="Ada",
        schedule=default_schedule("UTC"),
        event_types=dict(event_types or {"et1": intro}),
        calendar=CalendarView(connected=connected, synced_at=synced_at, horizon_end=horizon_end),
    )


def given(
    db: FakeDatabase,
    *,
    hosts: Iterable[Host] = (),
    pages: Mapping[str, BookingPage] | None = None,
    bookings: Iterable[Booking] = (),
) -> None:
    """Records as an earlier commit left them (a booking with its claims and its span in the months)."""
    with FakeUnitOfWork(db) as uow:
        for host in hosts:
            uow.hosts.add(host)
        for slug, page in (pages or {}).items():
            uow.pages.add(slug, page)
        for booking in bookings:
            uow.bookings.add(booking, None)
            uow.months.move_span(None, booking)
        uow.commit()
