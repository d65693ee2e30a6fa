"""The one place where errors become HTTP problems (the domain itself knows nothing of HTTP).

Mapped by class, so a renamed error cannot silently fall through to a generic answer; looked up along
the class hierarchy, so a subclass answers as its parent unless it has its own row. Checked at import:
every error the domain defines has an answer.
"""

from __future__ import annotations

from shared.domain import errors as domain
from shared.i18n import N_
from shared.web.problems import INVALID_REQUEST, RETRY_AFTER_SECONDS, Problem

# Error class -> (status, stable problem kind, title). The titles a visitor of a page may see are marked for the
# catalogue (`N_`), so they are answered in the request's language; the rest are for the host's programs.
PROBLEMS: dict[type, tuple[int, str, str]] = {
    domain.NaiveDatetime: (422, "invalid-value", "Invalid value"),
    domain.InvalidInterval: (422, "invalid-value", "Invalid value"),
    domain.InvalidRange: (400, "invalid-range", "Invalid date range"),
    domain.InvalidAnswers: (422, "validation-error", INVALID_REQUEST),
    domain.SlotNotOffered: (409, "slot-not-offered", N_("Slot not offered")),
    domain.DailyLimitReached: (409, "daily-limit-reached", N_("Daily limit reached")),
    domain.PeriodLimitReached: (409, "period-limit-reached", N_("Weekly or monthly limit reached")),
    domain.MinutesLimitReached: (409, "minutes-limit-reached", N_("Booked minutes limit reached")),
    domain.SlotTaken: (409, "slot-taken", N_("Slot taken")),
    domain.SeatsFull: (409, "seats-full", N_("Every seat taken")),
    domain.BookingCancelled: (410, "booking-cancelled", N_("Booking cancelled")),
    domain.InviteeLimitReached: (429, "invitee-limit-reached", N_("Too many open bookings")),
    domain.WritesLimited: (429, "rate-limited", N_("Too many requests")),
    domain.NothingToResolve: (409, "nothing-to-resolve", "Nothing to resolve"),
    domain.IdempotencyKeyReused: (409, "idempotency-key-reused", "Idempotency-Key reused"),
    domain.IdempotencyKeySpent: (409, "idempotency-key-spent", "Idempotency-Key spent"),
    domain.LinkExpired: (410, "link-expired", N_("Link expired")),
    domain.LinkUsed: (410, "link-used", N_("Link already used")),
    domain.SlugTaken: (409, "slug-taken", "Slug taken"),
    domain.HostNotConnected: (409, "host-not-connected", N_("Host calendar not connected")),
    domain.SignInFailed: (400, "sign-in-failed", "Sign-in failed"),
    domain.ForgedPush: (401, "invalid-channel-token", "Push not accepted"),
    domain.WebhookUrlRefused: (422, "webhook-url-refused", "Webhook URL refused"),
    domain.WebhookLimitReached: (409, "webhook-limit-reached", "Too many webhook endpoints"),
    domain.InvalidFields: (422, "validation-error", INVALID_REQUEST),
    domain.ScheduleInUse: (409, "schedule-in-use", "Schedule in use"),
    domain.ScheduleLimitReached: (409, "schedule-limit-reached", "Too many schedules"),
    domain.EventTypeLimitReached: (409, "event-type-limit-reached", "Too many event types"),
    domain.LinkLimitReached: (409, "link-limit-reached", "Too many single-use links"),
    domain.NotFound: (404, "not-found", N_("Not found")),
    domain.HostAccountClosed: (410, "host-account-closed", N_("Host account closed")),
    domain.AddressProofInvalid: (401, "invalid-address-proof", "Invalid proof of address"),
    domain.AddressProofUsed: (410, "address-proof-used", "Proof of address already used"),
    domain.AddressProofExpired: (410, "address-proof-expired", "Proof of address expired"),
    domain.CalendarListNotGranted: (403, "calendar-list-not-granted", "Calendar list permission missing"),
    domain.ProofRequired: (403, "proof-required", N_("Proof of work required")),
    domain.TeamNotFound: (404, "team-not-found", "Team not found"),
    domain.MemberNotFound: (404, "member-not-found", "Member not found"),
    domain.TeamRoleForbids: (403, "team-role-forbids", "Your team role does not allow this"),
    domain.SoleOwner: (409, "team-sole-owner", "The team's only owner"),
    domain.TeamFull: (409, "team-full", "Team full"),
    domain.TeamLimitReached: (409, "team-limit-reached", "Too many teams"),
    domain.AlreadyMember: (409, "already-member", "Already a member"),
    domain.InvitationInvalid: (404, "invitation-invalid", "Invitation not found"),
    domain.InvitationUsed: (410, "invitation-used", "Invitation already used"),
    domain.InvitationExpired: (410, "invitation-expired", "Invitation expired"),
    domain.InvitationForAnotherAddress: (403, "invitation-for-another-address", "Invitation for another address"),
    domain.InvitationRevoked: (410, "invitation-revoked", "Invitation withdrawn"),
    domain.InvitationNotFound: (404, "invitation-not-found", "Invitation not found"),
    domain.AvatarTooLarge: (413, "avatar-too-large", "Picture too large"),
    domain.AvatarTypeUnsupported: (415, "avatar-type-unsupported", "Picture type not supported"),
    domain.AvatarUnreadable: (422, "avatar-unreadable", "Picture not readable"),
}


def _answer(cls: type[domain.DomainError]) -> tuple[int, str, str]:
    for parent in cls.__mro__:
        if parent in PROBLEMS:
            return PROBLEMS[parent]
    raise LookupError(f"{cls.__name__} has no problem type in shared/web/errors.py")


def _defined_errors() -> list[type[domain.DomainError]]:
    found: list[type[domain.DomainError]] = []
    pending = [domain.DomainError]
    while pending:
        for child in pending.pop().__subclasses__():
            found.append(child)
            pending.append(child)
    return found


for _error in _defined_errors():  # fails the import (and every test) if an error has no answer
    _answer(_error)


def problem_for_unavailable(error: Exception) -> Problem | None:
    """A dependency that is down, too slow or too contended: 503 with Retry-After, so a client (or Cloud
    Tasks, or Google's push) asks again shortly. None for any other error (a 500, logged)."""
    from google.api_core.exceptions import (
        DeadlineExceeded,
        InternalServerError,
        ServiceUnavailable,
        TooManyRequests,
    )
    from google.api_core.exceptions import RetryError as GoogleRetryError

    from shared.services.errors import Contention, DeadlineSpent, GoogleUnavailable

    # GoogleUnavailable: Google answered 429/5xx to a call made while answering (e.g. the calendar list).
    # DeadlineSpent: the request's own deadline ran out before its next call (shared/deadlines.py).
    transient: tuple[type[Exception], ...] = (Contention, GoogleUnavailable, DeadlineExceeded, DeadlineSpent)
    transient += (ServiceUnavailable, InternalServerError, TooManyRequests)
    if not isinstance(error, (*transient, GoogleRetryError)):
        return None
    return Problem(
        503,
        "temporarily-unavailable",
        "Temporarily unavailable",
        "A service Kaleno depends on is busy or unreachable; nothing was stored. Retry shortly.",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def problem_for_domain_error(error: domain.DomainError) -> Problem:
    status, kind, title = _answer(type(error))
    if isinstance(error, domain.SignInFailed):
        kind = f"sign-in-{error.reason}"  # the stable reason code names the problem type
    retry_after = getattr(error, "retry_after_seconds", None)
    headers = {"Retry-After": str(retry_after)} if status == 429 and retry_after else None
    problems: list[domain.FieldProblem] = []
    field_level = domain.InvalidAnswers | domain.WebhookUrlRefused | domain.InvalidFields
    if isinstance(error, field_level):  # field by field, in words, as a pydantic 422
        problems = error.problems
    extra: dict[str, object] | None = None
    if isinstance(error, domain.CalendarListNotGranted):  # what to ask for, and where the host grants it
        extra = {"missing_scopes": [error.missing_scope], "consent_url": error.consent_path}
    if isinstance(error, domain.ProofRequired) and error.challenge is not None:  # the bot gate's: what to solve
        extra = {"challenge": error.challenge}
    return Problem(status, kind, title, str(error) or None, problems=problems, headers=headers, extra=extra)
