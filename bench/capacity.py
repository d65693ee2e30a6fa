"""The capacity and cost model of docs/capacity.md, computed from the operation counts the tests pin.

Every per-operation figure comes from `tests/integration/test_operation_counts.py::PINNED` (Firestore reads and
writes, Tasks enqueues, Calendar calls), the CPU per request from `bench/cpu.py`; the activity per host and
the list prices are the stated assumptions below. Prints the markdown tables docs/capacity.md shows.
Run: `.venv/bin/python -m bench.capacity`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.domain.booking_page import DEFAULT_HORIZON_DAYS
from shared.domain.busy import month_keys
from shared.services.busy_refresh import busy_window
from tests.counting import OperationCounts
from tests.integration.test_operation_counts import (
    BOOK,
    BOOKING_TASKS,
    CANCEL,
    HOST_LIST,
    PINNED,
    PUSH,
    REFRESH,
    RESCHEDULE,
    SLOTS,
    calls,
)

TIERS = (1_000, 100_000, 1_000_000)
DAYS_PER_MONTH = 30.4

# --- activity (assumptions) -----------------------------------------------------------------------------------
BOOKINGS_PER_HOST_WEEK = 5
PAGE_VIEWS_PER_BOOKING = 10
SLOT_READS_PER_PAGE_VIEW = 2  # the month shown and one more (the page's own GET costs at most what a slots read does)
CALENDAR_CHANGES_PER_HOST_DAY = 5  # each one push, each push one refresh (changes further apart than 20 s)
RESCHEDULED_SHARE = 0.10  # of bookings, each with queued work like a booking's
CANCELLED_SHARE = 0.10
HOST_LIST_VIEWS_PER_HOST_WEEK = 5
PEAK_TO_AVERAGE = 3.0  # the busiest minute against the month's average minute (working hours, weekdays)

# --- not pinned: estimates, said so in docs/capacity.md -------------------------------------------------------
RENEWAL = {"reads": 2, "writes": 3, "calendar": 2, "invocations": 0}  # per host per week: watch + stop
STORED_KIB_PER_HOST = 20  # host, page, months, channel, schedule
STORED_KIB_PER_BOOKING = 3  # booking with its index entries, kept 365 days after the meeting
STORED_KIB_PER_AUDIT_ENTRY = 1  # one per busy refresh, kept 730 days (audit_retention_days)
SHORT_LIVED_DELETES_PER_BOOKING = 10  # claims (7), write places (2), Idempotency-Key: TTL deletes

# --- list prices read 2026-12-07 (USD; see docs/capacity.md for the sources) ---------------------------------
FIRESTORE_READ, FIRESTORE_WRITE, FIRESTORE_DELETE = 0.06e-5, 0.18e-5, 0.02e-5  # nam5, per document
FIRESTORE_GIB_MONTH = 0.18
TASKS_OP, TASKS_FREE_OPS = 0.40e-6, 1_000_000
RUN_VCPU_SECOND, RUN_GIB_SECOND, RUN_REQUEST = 0.000024, 0.0000025, 0.40e-6  # Tier 1 (us-central1)
RUN_FREE_VCPU_SECONDS, RUN_FREE_GIB_SECONDS, RUN_FREE_REQUESTS = 180_000, 360_000, 2_000_000
INSTANCE_VCPU, INSTANCE_GIB = 0.167, 0.25  # 256 MiB functions (infra/main.tf)
BILLED_SECONDS_PUBLIC, BILLED_SECONDS_TASK = 0.1, 0.3  # instance time billed per request (rounded to 100 ms)
SECRET_ACCESS, SECRET_VERSION_MONTH = 0.03e-4, 0.06
CALENDAR_PER_PROJECT_MINUTE, CALENDAR_PER_USER_MINUTE = 10_000, 600
TASKS_QUEUE_RATE = 50  # max_dispatches_per_second of calendar-sync (infra/main.tf); Cloud Tasks allows 500
FUNCTION_INSTANCES = 20  # max_instance_count, concurrency 1 (infra/main.tf)

# --- CPU per request, bench/cpu.py (process CPU p50, ms on one core of this machine) --------------------------
CPU_MS = {"slots": 7.0, "booking": 15.8, "other": 15.8}  # median of 3 runs, 2026-12-07


def mean_months_in_horizon() -> float:
    """M, the UTC months a refresh rewrites, averaged over a year of days."""
    start = datetime(2027, 1, 1, 12, tzinfo=UTC)
    window = (busy_window(start + timedelta(days=n), DEFAULT_HORIZON_DAYS) for n in range(365))
    return statistics.mean(len(month_keys(w.start, w.end)) for w in window)


M = mean_months_in_horizon()


@dataclass
class Totals:
    """Per host per month."""

    reads: float = 0.0
    writes: float = 0.0
    deletes: float = 0.0
    tasks_ops: float = 0.0  # enqueues and dispatches
    calendar: float = 0.0
    public_invocations: float = 0.0
    task_invocations: float = 0.0
    cpu_seconds: float = 0.0
    secret_accesses: float = 0.0

    def add(self, counts: OperationCounts, times: float, dispatched: int = 0) -> None:
        self.reads += counts.read * times
        self.writes += (counts.written + counts.written_per_month * M) * times
        self.tasks_ops += (counts.enqueued + dispatched) * times
        self.calendar += (
            sum(n for kind, n in calls(counts.google_calls).items() if kind.startswith("calendar.")) * times
        )


def per_host_month() -> tuple[Totals, dict[str, float]]:
    weeks = DAYS_PER_MONTH / 7
    bookings = BOOKINGS_PER_HOST_WEEK * weeks
    changes = CALENDAR_CHANGES_PER_HOST_DAY * DAYS_PER_MONTH
    total = Totals()
    # A booking: the request, then its queued work (reconcile, notices, and the refresh Google's push asks for).
    queued = PINNED[BOOKING_TASKS]
    booking_tasks = PINNED[BOOK].enqueued + queued.enqueued  # each dispatched once
    total.add(PINNED[BOOK], bookings)
    total.add(queued, bookings, dispatched=booking_tasks)
    for move, share in ((RESCHEDULE, RESCHEDULED_SHARE), (CANCEL, CANCELLED_SHARE)):
        total.add(PINNED[move], bookings * share)
        total.add(queued, bookings * share, dispatched=booking_tasks)
    total.add(PINNED[SLOTS], bookings * PAGE_VIEWS_PER_BOOKING * SLOT_READS_PER_PAGE_VIEW)
    total.add(PINNED[HOST_LIST], HOST_LIST_VIEWS_PER_HOST_WEEK * weeks)
    total.add(PINNED[PUSH], changes)
    total.add(PINNED[REFRESH], changes, dispatched=1)
    total.reads += RENEWAL["reads"] * weeks
    total.writes += RENEWAL["writes"] * weeks
    total.calendar += RENEWAL["calendar"] * weeks
    total.deletes += SHORT_LIVED_DELETES_PER_BOOKING * bookings + changes  # audit entries leave after 730 days
    with_queued = bookings * (1 + RESCHEDULED_SHARE + CANCELLED_SHARE)
    page_reads = bookings * PAGE_VIEWS_PER_BOOKING * SLOT_READS_PER_PAGE_VIEW
    host_reads = HOST_LIST_VIEWS_PER_HOST_WEEK * weeks
    total.public_invocations = page_reads + with_queued + host_reads + changes + with_queued  # + Google's pushes
    total.task_invocations = with_queued * booking_tasks + changes
    total.cpu_seconds = (page_reads * CPU_MS["slots"] + bookings * CPU_MS["booking"]) / 1000 + (
        total.public_invocations + total.task_invocations - page_reads - bookings
    ) * CPU_MS["other"] / 1000
    # Every Google call for a host on an instance that has not seen it lately reads its refresh token (upper
    # bound: never cached, as at 100,000 hosts over 20 instances).
    total.secret_accesses = with_queued * 2 + changes
    events = {"bookings": bookings, "page views": bookings * PAGE_VIEWS_PER_BOOKING, "changes": changes}
    return total, events


def stored_gib(hosts: int, bookings_per_month: float, changes_per_month: float) -> float:
    kib = hosts * (
        STORED_KIB_PER_HOST
        + bookings_per_month * 12 * STORED_KIB_PER_BOOKING
        + changes_per_month * 24 * STORED_KIB_PER_AUDIT_ENTRY
    )
    return kib / 2**20


def money(value: float) -> str:
    return f"${value:,.0f}" if value >= 100 else f"${value:,.2f}" if value >= 0.1 else f"${value:.4f}"


def own_cost_per_booking() -> float:
    """What one booking's own operations cost at list prices: its request and its queued work."""
    request, queued = PINNED[BOOK], PINNED[BOOKING_TASKS]
    writes = request.written + queued.written + queued.written_per_month * M
    tasks = 2 * (request.enqueued + queued.enqueued)  # each enqueued and dispatched once
    instance = INSTANCE_VCPU * RUN_VCPU_SECOND + INSTANCE_GIB * RUN_GIB_SECOND
    dispatched = request.enqueued + queued.enqueued
    functions = (BILLED_SECONDS_PUBLIC * 2 + BILLED_SECONDS_TASK * dispatched) * instance + (
        2 + dispatched
    ) * RUN_REQUEST
    reads = request.read + queued.read
    return reads * FIRESTORE_READ + writes * FIRESTORE_WRITE + tasks * TASKS_OP + functions + 2 * SECRET_ACCESS


def tables() -> str:
    per_host, events = per_host_month()
    lines = [
        f"Per host per month: {events['bookings']:.1f} bookings, {events['page views']:.0f} page views, "
        f"{events['changes']:.0f} calendar changes; M = {M:.2f} months a refresh rewrites.",
        "",
        "| per month | " + " | ".join(f"{hosts:,} hosts" for hosts in TIERS) + " |",
        "|---|" + "---|" * len(TIERS),
    ]
    rows: dict[str, list[str]] = {}
    costs: dict[str, list[float]] = {}
    for hosts in TIERS:
        t = per_host
        gib = stored_gib(hosts, events["bookings"], events["changes"])
        invocations = (t.public_invocations + t.task_invocations) * hosts
        billed = hosts * (t.public_invocations * BILLED_SECONDS_PUBLIC + t.task_invocations * BILLED_SECONDS_TASK)
        calendar_peak = t.calendar * hosts / (DAYS_PER_MONTH * 24 * 60) * PEAK_TO_AVERAGE
        tasks_peak = t.task_invocations * hosts / (DAYS_PER_MONTH * 86400) * PEAK_TO_AVERAGE
        public_peak = t.public_invocations * hosts / (DAYS_PER_MONTH * 86400) * PEAK_TO_AVERAGE
        cost = {
            "Firestore reads": t.reads * hosts * FIRESTORE_READ,
            "Firestore writes": t.writes * hosts * FIRESTORE_WRITE,
            "Firestore deletes": t.deletes * hosts * FIRESTORE_DELETE,
            "Firestore storage": gib * FIRESTORE_GIB_MONTH,
            "Cloud Tasks": max(0.0, t.tasks_ops * hosts - TASKS_FREE_OPS) * TASKS_OP,
            "Functions (instance time, requests)": max(0.0, billed * INSTANCE_VCPU - RUN_FREE_VCPU_SECONDS)
            * RUN_VCPU_SECOND
            + max(0.0, billed * INSTANCE_GIB - RUN_FREE_GIB_SECONDS) * RUN_GIB_SECOND
            + max(0.0, invocations - RUN_FREE_REQUESTS) * RUN_REQUEST,
            "Secret Manager (one secret per host)": hosts * SECRET_VERSION_MONTH
            + t.secret_accesses * hosts * SECRET_ACCESS,
        }
        figures = {
            "Firestore documents read": f"{t.reads * hosts:,.0f}",
            "Firestore documents written": f"{t.writes * hosts:,.0f}",
            "Firestore documents deleted (TTL and purge)": f"{t.deletes * hosts:,.0f}",
            "Firestore stored (steady state)": f"{gib:,.1f} GiB",
            "Cloud Tasks operations (enqueues + dispatches)": f"{t.tasks_ops * hosts:,.0f}",
            "Calendar API calls": f"{t.calendar * hosts:,.0f}",
            "Calendar API calls, busiest minute (quota 10,000/min/project)": f"{calendar_peak:,.0f}",
            "Function invocations": f"{invocations:,.0f}",
            "public requests per second, busiest (20 instances × concurrency 1)": f"{public_peak:,.1f}",
            "task dispatches per second, busiest (queue rate 50/s)": f"{tasks_peak:,.1f}",
            "Function CPU seconds (our process, one full vCPU)": f"{t.cpu_seconds * hosts:,.0f}",
            "Function instance seconds billed (256 MiB, 0.167 vCPU)": f"{billed:,.0f}",
            "Secret Manager accesses (upper bound)": f"{t.secret_accesses * hosts:,.0f}",
            "Secret Manager active versions": f"{hosts:,}",
        }
        for name, text in figures.items():
            rows.setdefault(name, []).append(text)
        for name, amount in cost.items():
            costs.setdefault(name, []).append(amount)
        costs.setdefault("**total**", []).append(sum(cost.values()))
        booking_share = events["bookings"] * hosts
        costs.setdefault("**per 1,000 bookings** (everything, divided by bookings)", []).append(
            sum(cost.values()) / booking_share * 1000
        )
        without_secrets = sum(cost.values()) - hosts * SECRET_VERSION_MONTH
        costs.setdefault("per 1,000 bookings, without the per-host secret", []).append(
            without_secrets / booking_share * 1000
        )
        costs.setdefault("per 1,000 bookings, their own operations only", []).append(own_cost_per_booking() * 1000)
        page_view_cost = (
            SLOT_READS_PER_PAGE_VIEW
            * (
                PINNED[SLOTS].read * FIRESTORE_READ
                + BILLED_SECONDS_PUBLIC * (INSTANCE_VCPU * RUN_VCPU_SECOND + INSTANCE_GIB * RUN_GIB_SECOND)
                + RUN_REQUEST
            )
            * 1000
        )
        costs.setdefault("**per 1,000 page views** (their own reads and requests)", []).append(page_view_cost)
    for name, values in rows.items():
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    lines += ["", "| monthly cost (list prices) | " + " | ".join(f"{hosts:,} hosts" for hosts in TIERS) + " |"]
    lines.append("|---|" + "---|" * len(TIERS))
    for name, amounts in costs.items():
        lines.append(f"| {name} | " + " | ".join(money(amount) for amount in amounts) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(tables())
