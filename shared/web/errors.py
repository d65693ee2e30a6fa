"""The one place where domain errors become HTTP problems (the domain itself knows nothing of HTTP)."""

from __future__ import annotations

from shared.domain.errors import DomainError
from shared.domain.host import SignInFailed
from shared.web.problems import Problem

# Domain error class name -> (status, stable problem kind, title). Looked up along the class hierarchy,
# so a subclass inherits its parent's mapping unless it has its own.
_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "SlotTaken": (409, "slot-taken", "Slot taken"),
    "SlotNotOffered": (409, "slot-not-offered", "Slot not offered"),
    "OutsideWindow": (422, "outside-booking-window", "Outside the booking window"),
    "InvalidSchedule": (422, "invalid-schedule", "Invalid schedule"),
    "DailyLimitReached": (409, "daily-limit-reached", "Daily limit reached"),
    "BookingCancelled": (410, "booking-cancelled", "Booking cancelled"),
    "NotFound": (404, "not-found", "Not found"),
    "SlugTaken": (409, "slug-taken", "Slug taken"),
    "ForgedPush": (401, "invalid-channel-token", "Push not accepted"),
    "IdempotencyKeyReused": (409, "idempotency-key-reused", "Idempotency-Key reused"),
    "HostNotConnected": (409, "host-not-connected", "Host calendar not connected"),
    "InvalidRange": (400, "invalid-range", "Invalid date range"),
}


def problem_for_domain_error(error: DomainError) -> Problem:
    if isinstance(error, SignInFailed):
        return Problem(400, f"sign-in-{error.reason}", "Sign-in failed", str(error))
    for cls in type(error).__mro__:
        if cls.__name__ in _PROBLEMS:
            status, kind, title = _PROBLEMS[cls.__name__]
            return Problem(status, kind, title, str(error) or None)
    return Problem(422, "domain-rule", "Request breaks a rule", str(error) or None)
