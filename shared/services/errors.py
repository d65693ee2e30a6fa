"""What can go wrong outside the domain: Google's answers and the store's commit outcomes.

Adapters raise these (never their client library's exceptions); services decide what they mean.
"""


class CalendarAccessRevoked(Exception):
    """Google refused the host's refresh token (revoked, expired or the app's access was removed)."""


class GoogleUnavailable(Exception):
    """Google answered 429/5xx or a rate-limit 403: retry later (Cloud Tasks backs off)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"Google answered {status}")
        self.status = status
        self.retry_after = retry_after


class GoogleRejected(Exception):
    """Google refused the request for good (a 4xx that no retry will change)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"Google refused the request: {status} {reason}")
        self.status = status
        self.reason = reason


class AlreadyStored(Exception):
    """A unit of work added a record that must be new (a slot claim, a slug, a key) and it existed:
    nothing of the unit was written."""


class Contention(Exception):
    """A record this unit of work read was changed by someone else before the commit: nothing was
    written; read again and decide again."""


class DeadlineSpent(Exception):
    """The request's overall deadline (shared/deadlines.py) is spent: no further dependency call is made, and
    whatever was staged but not committed is dropped. Answered like a dependency that is down (503)."""


class MailDeferred(Exception):
    """The relay could not take the message now (unreachable, or a 4xx answer): send it again later."""


class MailRefused(Exception):
    """The relay refused the message for good (a 5xx answer): sending it again would not help."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the relay refused the message: {code}")
        self.code = code


class WebhookUnreachable(Exception):
    """A webhook receiver could not be reached: its name does not resolve, the connection failed or timed
    out, or TLS failed. `reason` is a stable code for the delivery log (never the receiver's own words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookNotDelivered(Exception):
    """This attempt did not deliver the event and another will follow (the task is retried with backoff);
    `retry_after`: how long the receiver asked us to wait, if it did."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("webhook not delivered yet")
        self.retry_after = retry_after
