"""Who a route's view is called for: the principal its decorator proves before the view runs.

`Endpoints.host` hands the view a `Host`, `Endpoints.invitee` an `InviteeGrant`, `Endpoints.rights_holder` a
`RightsHolder` and `Endpoints.queue` a `TaskCaller` (shared/web/endpoints.py); shared/web/auth.py proves them.
Light on purpose: function modules import it for their views' signatures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.domain.address_proof import AddressGrant
from shared.domain.booking import Booking
from shared.domain.host import Host

# Whose privacy rights a request exercises: the signed-in host, the invitee of the one booking a manage token
# opens, or whoever proved an address (every booking made with it).
RightsHolder = Host | Booking | AddressGrant


@dataclass(frozen=True)
class InviteeGrant:
    """A manage token Kaleno issued, and the booking it names (`<booking id>.<MAC>`, shared/services/tokens.py).
    Genuine, but not yet matched to the booking a route's path names: the service does that (404 otherwise)."""

    token: str
    booking_id: str

    @classmethod
    def of(cls, token: str) -> InviteeGrant:
        return cls(token=token, booking_id=token.partition(".")[0])


@dataclass(frozen=True)
class TaskCaller:
    """A Google OIDC token verified for this function's URL: the service account Cloud Tasks or Cloud
    Scheduler called as (one this route admits)."""

    service_account: str


class QueueCallers(enum.Flag):
    """Which of our own queues a route admits; each names the Settings field holding its service account."""

    TASKS = enum.auto()
    SCHEDULER = enum.auto()

    @property
    def service_account_settings(self) -> tuple[str, ...]:
        return tuple(f"{caller.name.lower()}_service_account" for caller in self if caller.name)


TASKS = QueueCallers.TASKS
SCHEDULER = QueueCallers.SCHEDULER
# A walk the scheduler starts and Cloud Tasks carries on, page by page (the policy notice).
BOTH = QueueCallers.TASKS | QueueCallers.SCHEDULER
