"""What the bot gate costs an honest booking: the booking service against the Firestore emulator, with the gate
(its host counters read in the booking's batch get, one increment in its commit) and without it (the use case's
own step with no gate), alternating in one run so both see the same machine and the same emulator.

Bookings go to one host, every 15 minutes of weekdays, "auto" gate far from its threshold (no proof is asked
for: the cost measured is what every booking pays). Target: with the gate within 1.1x of without.
Run: `.venv/bin/python -m bench.bot_gate_cost`.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from devstack.emulator import FirestoreEmulator
from shared.services.ports import Keys, Links, Ports, UnitOfWork
from tests.unit.fakes import FakePorts

PAIRS, WARMUP = 200, 20


class EmulatorPorts:
    """The fakes' ports (keys, task queue...) around units of work on the emulator, and the real clock."""

    def __init__(self, units: Callable[[], UnitOfWork]) -> None:
        self._units, self._fakes = units, FakePorts()
        self.secrets, self.google = self._fakes.secrets, self._fakes.google
        calendar = self._fakes.calendar  # one fake does every calendar job
        self.calendar_list = self.calendar_watch = self.busy_times = calendar
        self.calendar_events = self.calendar_access = calendar
        self.tasks, self.webhook_http, self.mailer = self._fakes.tasks, self._fakes.webhook_http, self._fakes.mailer

    def uow(self) -> UnitOfWork:
        return self._units()

    def now(self) -> datetime:
        return datetime.now(UTC)

    @property
    def keys(self) -> Keys:
        return self._fakes.keys

    @property
    def links(self) -> Links:
        return self._fakes.links


def main() -> int:
    emulator = FirestoreEmulator().start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    os.environ["KALENO_STORE_TIMEOUT_SECONDS"] = "60"  # a fresh emulator's first writes are slow on a busy machine
    try:
        from google.cloud import firestore

        from shared.adapters.firestore import FirestoreCaches, FirestoreUnitOfWork
        from shared.domain.booking import BookingRequest, Invitee
        from shared.domain.event_type import EventType
        from shared.services import booking
        from shared.services.bot_gate import GateCheck, GatePolicy
        from tests.unit.fakes import a_host, a_page

        client, caches = firestore.Client(project="kaleno-local"), FirestoreCaches()
        now = datetime.now(UTC).replace(microsecond=0)
        call = EventType(slug="intro", title="Intro", duration_minutes=15, booking_window_days=366)
        with FirestoreUnitOfWork(client, caches) as uow:
            uow.hosts.add(a_host())
            uow.pages.add("ada", a_page(event_types={"et0123456789": call}, synced_at=now, horizon_days=366))
            uow.commit()
        policy = GatePolicy(50_000, timedelta(minutes=5), timedelta(minutes=10), 10**9, 10**9)
        first_day = (now + timedelta(days=2)).replace(hour=9, minute=0, second=0)
        starts = (
            first_day + timedelta(days=day, minutes=15 * slot)
            for day in range(300)
            if (first_day + timedelta(days=day)).weekday() < 5
            for slot in range(32)
        )
        ports: Ports = EmulatorPorts(lambda: FirestoreUnitOfWork(client, caches))

        # The use case's own step after deriving its checks: the same code, with and without a gate.
        def checks(kind: str) -> booking._Checks:
            return booking._Checks(datetime.now(UTC), gate=GateCheck(policy) if kind == "with" else None)

        timings: dict[str, list[float]] = {"without": [], "with": []}
        for index, (kind, start) in enumerate(zip(itertools.cycle(("without", "with")), starts, strict=False)):
            if index >= 2 * (PAIRS + WARMUP):
                break
            invitee = Invitee(name="Ines", email=f"ines{index}@example.org", time_zone="UTC")
            request = BookingRequest(host="ada", event_type="intro", start=start, invitee=invitee)
            started = time.perf_counter()
            booking._book(booking.Book(request), checks(kind), ports)
            if index >= 2 * WARMUP:
                timings[kind].append(time.perf_counter() - started)
    finally:
        emulator.stop()
    without, with_gate = (statistics.median(timings[kind]) * 1000 for kind in ("without", "with"))
    ratio = with_gate / without
    print(f"booking p50 without the gate {without:.1f} ms, with it {with_gate:.1f} ms: {ratio:.2f}x ({PAIRS} pairs)")
    return 0 if ratio <= 1.1 else 1


if __name__ == "__main__":
    sys.exit(main())
