"""Named domain exceptions.

The domain says *what* went wrong; the web layer decides how to answer (problem+json, status code).
Errors about malformed input (bad intervals, naive datetimes) also subclass `ValueError`, so pydantic
reports them as field errors when they surface inside a model.
"""


class DomainError(Exception):
    """Base class of every rule the domain refuses to break."""


class NaiveDatetime(DomainError, ValueError):
    """An instant without a time zone: ambiguous, so never accepted."""


class InvalidInterval(DomainError, ValueError):
    """An interval whose end is not after its start."""


class InvalidRange(DomainError, ValueError):
    """A requested date range that is empty or otherwise unusable."""


class InvalidSchedule(DomainError, ValueError):
    """Availability rules that are missing or cannot be used (e.g. a zone this machine does not know)."""


class SlotNotOffered(DomainError):
    """The requested start is not one of the offered slots (wrong grid, outside the host's hours...)."""


class OutsideWindow(SlotNotOffered):
    """The requested start is too soon (minimum notice), too far ahead (booking window) or in the past."""


class DailyLimitReached(SlotNotOffered):
    """The host already has as many bookings that local day as the event type allows."""


class SlotTaken(DomainError):
    """Another booking (or the host's calendar) already occupies part of the requested time."""


class BookingCancelled(DomainError):
    """The booking was cancelled; it can no longer be changed."""


class NotFound(DomainError):
    """Base class for a missing host, event type or booking."""


class HostNotFound(NotFound):
    """No host with that slug or id."""


class EventTypeNotFound(NotFound):
    """No event type with that slug or id for this host."""


class BookingNotFound(NotFound):
    """No booking with that id (or the manage token does not match it)."""
