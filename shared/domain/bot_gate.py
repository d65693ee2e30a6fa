"""The bot gate: when a booking write must carry a solved proof of work (ALTCHA), and the windows a host's
recent bookings are counted in (spent proofs and counters are named in shared/domain/claims.py). Pure: the
service issues and checks proofs, the adapters store them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class BotGate(StrEnum):
    """An event type's choice: `auto` asks for a proof only when a velocity threshold is crossed (an honest
    visitor usually never sees one), `always` on every booking write."""

    AUTO = "auto"
    ALWAYS = "always"


def proof_needed(
    gate: BotGate,
    host_recent_bookings: int,
    client_recent_writes: int,
    *,
    host_threshold: int,
    client_threshold: int,
) -> bool:
    """Whether this booking write needs a solved challenge: always for an `always` event type; for `auto`,
    once the host's page got more than `host_threshold` bookings in the recent windows, or this client made
    more than `client_threshold` booking writes in its own window."""
    if gate is BotGate.ALWAYS:
        return True
    return host_recent_bookings > host_threshold or client_recent_writes > client_threshold


def velocity_windows(now: datetime, window: timedelta) -> tuple[int, int]:
    """The current fixed window's number and the previous one's: their sum counts the bookings of the last one
    to two windows, without a sliding log (one small counter document per host and window)."""
    current = int(now.timestamp() // window.total_seconds())
    return current, current - 1


def velocity_window_end(number: int, window: timedelta) -> float:
    """When window `number` ends, in epoch seconds."""
    return (number + 1) * window.total_seconds()
