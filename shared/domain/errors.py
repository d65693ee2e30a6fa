"""Every rule the domain refuses to break, in one place.

The domain says *what* went wrong; the web layer maps each class to a problem type (shared/web/errors.py).
Errors about malformed input (bad intervals, naive datetimes) also subclass `ValueError`, so pydantic
reports them as field errors when they surface inside a model.

Every refusal of a field carries a stable code ("email-invalid", "answer-required") and the values its
sentence needs: the web layer turns the code into words in the page's language (shared/web/field_messages.py);
the domain's own explanation is for developers only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from pydantic import ValidationError
from pydantic_core import PydanticCustomError


def refused(code: str, explanation: str, **params: object) -> PydanticCustomError:
    """A value refused inside a pydantic model (or a check run like one): pydantic reports it with `code` as
    the error type and `params` as its context. `explanation` is for developers ({param} placeholders work)."""
    return PydanticCustomError(code, explanation, params or None)


class FieldProblem(NamedTuple):
    """One refused field outside pydantic (or a pydantic error carried across): where, the code, its values.
    `code` is a pydantic error type or one of ours; the web layer words both."""

    field: str
    code: str
    params: Mapping[str, object] = {}


def field_problems(error: ValidationError) -> list[FieldProblem]:
    """pydantic's errors as field problems: its error type is the code (a domain error raised as a ValueError
    inside a model brings its own), its context the values; the input is never kept (it may be a secret)."""
    found = []
    for item in error.errors(include_url=False, include_input=False):
        context = dict(item.get("ctx") or {})
        raised = context.pop("error", None)
        code = getattr(raised, "code", None) if item["type"] == "value_error" else None
        plain = {name: value for name, value in context.items() if isinstance(value, (str, int, float, bool))}
        found.append(FieldProblem(".".join(str(part) for part in item["loc"]), code or item["type"], plain))
    return found


class DomainError(Exception):
    """Base class of every rule the domain refuses to break."""


# --- malformed values ---------------------------------------------------------------------------------
class NaiveDatetime(DomainError, ValueError):
    """An instant without a time zone: ambiguous, so never accepted."""

    code = "time-zone-missing"


class InvalidInterval(DomainError, ValueError):
    """An interval whose end is not after its start."""

    code = "end-not-after-start"


class InvalidRange(DomainError, ValueError):
    """A requested date range that is empty or otherwise unusable."""


# --- booking --------------------------------------------------------------------------------------------
class SlotNotOffered(DomainError):
    """The requested start is not one of the offered slots (wrong grid, outside the host's hours...)."""


class DailyLimitReached(SlotNotOffered):
    """The host already has as many bookings that local day as the event type allows."""


class PeriodLimitReached(SlotNotOffered):
    """The host already has as many bookings that local week or month as the event type allows."""


class MinutesLimitReached(SlotNotOffered):
    """The event type's booked minutes that local day or week leave no room for one more meeting."""


class SlotTaken(DomainError):
    """Another booking (or the host's calendar) already occupies part of the requested time."""


class SeatsFull(SlotTaken):
    """Every seat of this group session is booked."""


class ClaimConflict(SlotTaken):
    """A claim existed when the booking committed: another booking won the race for that time or place."""


class SeatConflict(ClaimConflict):
    """A seat existed when the booking committed (another invitee took it), or its session had closed."""


class InvalidAnswers(DomainError):
    """The booking form's answers do not fit the event type's questions (or its location's phone).

    `problems` names each field path (e.g. "answers.company") with what is wrong, so the client can show
    each message beside its field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("Some answers are missing or invalid.")
        self.problems = problems


class InviteeLimitReached(DomainError):
    """This invitee already holds as many bookings still to come with this host as the event type allows."""

    retry_after_seconds = 3600


class WritesLimited(DomainError):
    """A client or an invitee used its allowance of booking writes for this window (shared/domain/write_limits)."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class BookingCancelled(DomainError):
    """The booking was cancelled; it can no longer be changed."""


class NothingToResolve(DomainError):
    """Only a booking the host moved onto another booking's time waits for the host's decision."""


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request."""


class IdempotencyKeySpent(DomainError):
    """A retry whose Idempotency-Key's booking was cancelled since: answering it with that booking would
    tell the client "created" about a booking that holds no time, and booking anew would go against the
    key's promise of at most one booking. The client books again with a new key."""


# --- single-use links ----------------------------------------------------------------------------------
class LinkExpired(DomainError):
    """A single-use link past its expiry, or withdrawn by its host."""


class LinkUsed(DomainError):
    """A single-use link that a booking was already made with (cancelling that booking does not free it)."""


# --- hosts ----------------------------------------------------------------------------------------------
class SlugTaken(DomainError):
    """Another host (or another of this host's event types) already uses this slug."""


class HostNotConnected(DomainError):
    """The host's calendar is not connected, so their free times cannot be known."""


class SignInFailed(DomainError):
    """A Google sign-in could not be completed; `reason` is a stable, data-free code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class ForgedPush(DomainError):
    """A push notification that did not come from a channel we opened."""


class InvalidFields(DomainError):
    """A change that is valid field by field but not as a whole (a PATCH leaving a minutes limit below the
    duration). `problems` names each field with what is wrong, as a pydantic 422 does."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("The request has invalid fields.")
        self.problems = problems


class PageFull(InvalidFields):
    """The host's page would outgrow what one stored record may hold; `problems` names the largest field of
    what was being written (the place to shorten)."""


class EventTypeLimitReached(DomainError):
    """The host has as many event types as allowed."""


class UnknownSchedule(InvalidFields):
    """An event type names a schedule the host does not have."""

    def __init__(self, detail: str) -> None:
        super().__init__([FieldProblem("schedule_id", "schedule-unknown")])
        self.args = (detail,)


class InvalidLinkRequest(InvalidFields):
    """A link request whose fields are well-formed but not acceptable now (an expiry in the past)."""

    def __init__(self, field: str, code: str, detail: str) -> None:
        super().__init__([FieldProblem(field, code)])
        self.args = (f"{field}: {detail}",)


class ScheduleInUse(DomainError):
    """A schedule that event types still point at cannot be deleted (nor can the default schedule)."""


class ScheduleLimitReached(DomainError):
    """The host has as many schedules as allowed."""


# --- missing things -------------------------------------------------------------------------------------
class NotFound(DomainError):
    """Base class for a missing host, event type or booking."""


class HostNotFound(NotFound):
    """No host with that slug or id."""


class EventTypeNotFound(NotFound):
    """No event type with that slug or id for this host."""


class LinkLimitReached(DomainError):
    """The event type has as many open single-use links as allowed."""


class LinkNotFound(NotFound):
    """No single-use link with that id for this host's event type."""


class ScheduleNotFound(NotFound):
    """No schedule with that id for this host."""


class BookingNotFound(NotFound):
    """No booking with that id (or the manage token does not match it)."""


class HostAccountClosed(BookingNotFound):
    """The booking is gone because its host closed their account (it was cancelled, its invitee told)."""


# --- outgoing webhooks ----------------------------------------------------------------------------------
class WebhookUrlRefused(DomainError):
    """A webhook endpoint's URL may not receive events: not https, or its host resolves to an address that
    is not public (loopback, private, link-local...), which would let a webhook reach inside a network.

    `problems` names the field, as a pydantic 422 does."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.problems = [FieldProblem("url", code)]


class WebhookLimitReached(DomainError):
    """The host has as many webhook endpoints as allowed."""


class WebhookNotFound(NotFound):
    """No webhook endpoint with that id for this host."""


# --- the host's calendars -------------------------------------------------------------------------------
class CalendarListNotGranted(DomainError):
    """Listing the host's calendars needs Google's calendar-list permission, which the host has not given
    (it is asked for only when the host opens the calendars setting). Primary-only keeps working."""

    def __init__(self, missing_scope: str, consent_path: str) -> None:
        super().__init__(
            "Kaleno may not list your calendars yet: grant the permission to see your calendar list "
            f"({missing_scope}) at {consent_path}. Until then only your primary calendar is used."
        )
        self.missing_scope = missing_scope
        self.consent_path = consent_path


class InvalidCalendarChoice(InvalidFields):
    """The chosen conflict or write calendars are not among the host's calendars, or the write calendar is
    not one the host owns. `problems` names each field, as a pydantic 422 does."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(problems)
        self.args = ("Some chosen calendars cannot be used.",)


# --- proof of address (invitee rights over everything held about an address) ------------------------------
class AddressProofInvalid(DomainError):
    """Not a proof-of-address token Kaleno mailed (or a grant it issued)."""


class AddressProofUsed(DomainError):
    """A proof-of-address link that was already opened: each works once."""


class AddressProofExpired(DomainError):
    """A proof-of-address link (or the grant it gave) past its short lifetime."""


# --- bot gate -------------------------------------------------------------------------------------------
class ProofRequired(DomainError):
    """This booking write needs a solved proof-of-work challenge, and carried none that is valid and unspent
    (missing, forged, expired, or already used by another write)."""

    challenge: Mapping[str, object] | None = None  # the fresh challenge to solve, set by the write that refused


# --- teams (shared/domain/team.py) ----------------------------------------------------------------------
class TeamNotFound(NotFound):
    """No such team, or not one the caller is a member of (the two are not told apart)."""


class MemberNotFound(NotFound):
    """No such member in the team."""


class TeamRoleForbids(DomainError):
    """The caller's role in the team does not allow this (invite, change a role, remove, delete)."""


class SoleOwner(DomainError):
    """The team's only owner cannot leave, be demoted or removed, nor erase their account while others are in
    it: they make another member owner, or delete the team, first."""


class TeamFull(DomainError):
    """A team has at most MAX_MEMBERS members."""


class TeamLimitReached(DomainError):
    """A host is in at most MAX_TEAMS_PER_HOST teams (their export and erasure walk them all)."""


class AlreadyMember(DomainError):
    """The invited host is in the team already."""


class InvitationInvalid(DomainError):
    """Not an invitation token Kaleno issued (or its team is gone)."""


class InvitationUsed(DomainError):
    """An invitation that was already accepted: each works once."""


class InvitationExpired(DomainError):
    """An invitation past its lifetime."""


class InvitationForAnotherAddress(DomainError):
    """The invitation was sent to another address than the signed-in host's."""


class InvitationRevoked(DomainError):
    """An invitation an owner or admin withdrew before it was accepted."""


class InvitationNotFound(NotFound):
    """No such invitation of this team (by its id)."""


# --- the host's picture ---------------------------------------------------------------------------------
class AvatarTooLarge(DomainError):
    """The uploaded picture is over the size an avatar may be before it is decoded."""


class AvatarTypeUnsupported(DomainError):
    """The upload is not one of the image types an avatar may be (PNG, JPEG, WebP, GIF)."""


class AvatarUnreadable(DomainError):
    """The bytes are not a picture of the type they claim, or one too large to decode safely."""
