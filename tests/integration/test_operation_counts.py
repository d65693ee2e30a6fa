"""What each public operation costs, pinned: Firestore round trips (counted at the app's gRPC channel),
documents read and written, Cloud Tasks enqueues, Google API calls and Secret Manager reads (counted by the
sandbox that serves them), each operation driven through its real entry point on the emulator and the sandbox.

A count that grows fails the test; one that shrinks fails it too, asking for the pin to be lowered, so the
table below is always what the code does. README.md's "### Operation counts" is this table (a test checks
that they match). The queues are paused while counting: what a request enqueues is counted, and what that
task then costs is its own row.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from shared import bootstrap
from shared.adapters.google_clients import secret_manager_client, tasks_client
from shared.adapters.secrets import SecretManagerStore
from shared.config import get_settings
from shared.domain.booking_page import DEFAULT_HORIZON_DAYS
from shared.domain.busy import month_keys
from shared.services.busy_refresh import busy_window
from shared.services.channels import channel_token
from tests.counting import TABLE_HEADER, CountedAdapters, FirestoreCounter, Meter, OperationCounts
from tests.support import Browser, Google, all_documents, host_with_hours

ZONE = ZoneInfo("Europe/Berlin")
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
_CLIENTS = itertools.count(1)
README = Path(__file__).resolve().parents[2] / "README.md"
CAPACITY = README.parent / "docs" / "capacity.md"


@dataclass(frozen=True)
class Operation:
    name: str
    entry: str


SLOTS = Operation("31 days of slots (3 busy events a weekday)", "`GET /bookings/pages/{host}/{type}/slots`")
BOOK = Operation("book", "`POST /bookings`")
BOOK_COLD = Operation("book, first request of a fresh instance", "`POST /bookings`")
RESCHEDULE = Operation("reschedule (invitee)", "`POST /bookings/{id}/reschedule`")
CANCEL = Operation("cancel (invitee)", "`POST /bookings/{id}/cancel`")
HOST_LIST = Operation("the host's booking list", "`GET /hosts/me/bookings`")
REFRESH = Operation("sync refresh of the busy mirror", "Cloud Tasks → `POST /calendar_sync` `refresh_busy`")
PUSH = Operation("push (a calendar change)", "`POST /calendar_webhook`")
PUSH_AGAIN = Operation("push, again in the same debounce window", "`POST /calendar_webhook`")
BOOKING_TASKS = Operation(
    "a booking's queued work: its Google event, its notices, and the refresh Google's push of that event asks for"
    " (which re-reads the 3 bookings whose events changed in the last 2 minutes)",
    "Cloud Tasks → `calendar_sync`, `notifications`; Google → `calendar_webhook`",
)

ORDER = [SLOTS, BOOK, BOOK_COLD, RESCHEDULE, CANCEL, HOST_LIST, REFRESH, PUSH, PUSH_AGAIN, BOOKING_TASKS]

# Measured on the emulator and the sandbox, steady state (an instance that has served the operation once)
# unless the row says otherwise.
PINNED: dict[Operation, OperationCounts] = {
    SLOTS: OperationCounts("1 batch get", 3, 0, 0, "0", 0),
    BOOK: OperationCounts("1 batch get + 1 commit", 20, 13, 1, "0", 0),
    BOOK_COLD: OperationCounts("2 batch get + 1 commit", 21, 13, 1, "0", 1),
    RESCHEDULE: OperationCounts("5 batch get + 1 commit", 24, 17, 1, "0", 0),
    CANCEL: OperationCounts("3 batch get + 1 commit", 18, 11, 1, "0", 0),
    HOST_LIST: OperationCounts("2 batch get + 1 query", 5, 0, 0, "0", 0),
    REFRESH: OperationCounts(
        "5 batch get + 2 commit", 5, 4, 0, "1 calendar.events.list, 1 calendar.freebusy.query", 0, written_per_month=1
    ),
    PUSH: OperationCounts("2 batch get", 2, 0, 1, "0", 0),
    PUSH_AGAIN: OperationCounts("2 batch get", 2, 0, 1, "0", 0),
    BOOKING_TASKS: OperationCounts(
        "22 batch get + 6 commit",
        22,
        8,
        3,
        "1 calendar.events.insert, 1 calendar.events.list, 1 calendar.freebusy.query",
        0,
        written_per_month=1,
    ),
}


def test_each_operation_costs_what_its_pin_says(browser: Browser, google: Google, db: Any, api: str) -> None:
    measured = measure_every_operation(browser, google, db, api)

    grew = [op.name for op, counts in measured.items() if grows(PINNED.get(op), counts)]
    changed = [op.name for op, counts in measured.items() if PINNED.get(op) != counts]
    assert not grew, f"costs more than pinned: {grew}; measured:\n{render(measured)}"
    assert not changed, f"costs less than pinned: {changed}; lower the pins (and README.md) to\n{render(measured)}"


def test_the_readme_shows_the_pinned_counts() -> None:
    section = README.read_text().split("### Operation counts", 1)[1]
    assert render(PINNED) in section, f"README.md's '### Operation counts' table should be:\n{render(PINNED)}"


def test_the_capacity_model_is_computed_from_the_pinned_counts() -> None:
    """docs/capacity.md's tables are bench/capacity.py's output from these pins: a pin lowered moves them too."""
    from bench.capacity import tables

    assert tables() in CAPACITY.read_text(), "docs/capacity.md is stale: paste `python -m bench.capacity` into it"


def render(counts: dict[Operation, OperationCounts]) -> str:
    return "\n".join([TABLE_HEADER, *(counts[op].row(op.name, op.entry) for op in ORDER if op in counts)])


def grows(pinned: OperationCounts | None, measured: OperationCounts) -> bool:
    """A pin missing, or any count above its pin (round trips and Google calls compared kind by kind)."""
    if pinned is None:
        return True
    if any(getattr(measured, name) > getattr(pinned, name) for name in ("read", "written", "enqueued", "secret_reads")):
        return True
    for name in ("round_trips", "google_calls"):
        pinned_calls = calls(getattr(pinned, name))
        if any(n > pinned_calls.get(kind, 0) for kind, n in calls(getattr(measured, name)).items()):
            return True
    return False


def calls(text: str) -> dict[str, int]:
    """ "2 batch get + 1 commit" -> {"batch get": 2, "commit": 1}; "0" -> {}."""
    return {kind: int(n) for n, kind in re.findall(r"(\d+) ([^+,]+?)\s*(?:[+,]|$)", text) if kind}


def measure_every_operation(browser: Browser, google: Google, db: Any, api: str) -> dict[Operation, OperationCounts]:
    month = thirty_one_days_ahead()
    slug, email = host_with_hours(browser, google, "Europe/Berlin", WEEKDAYS, booking_window_days=60)
    host_id = browser.get("/hosts/me").json()["id"]
    add_busy_month(google, email, month)
    settings_for_production()
    pause_queues()
    counter = FirestoreCounter()
    meter = Meter(counter, google)
    bootstrap.install(CountedAdapters(counter))
    days = weekdays_of(month)
    measured: dict[Operation, OperationCounts] = {}

    slots = f"{api}/bookings/pages/{slug}/call/slots"
    query = {"from": month[0].isoformat(), "to": month[-1].isoformat(), "tz": "Europe/Berlin"}

    def read_slots() -> None:
        response = requests.get(slots, params=query, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["slots"]

    made: list[dict[str, Any]] = []

    def book(day: date) -> None:
        response = post_booking(api, slug, at(day, 10))
        assert response.status_code == 201, response.text
        made.append(response.json())

    bootstrap.install(CountedAdapters(counter))  # a fresh instance: its first request
    measured[BOOK_COLD] = meter.measure(lambda: book(days[0]))
    read_slots()
    measured[SLOTS] = meter.measure(read_slots)
    book(days[1])
    measured[BOOK] = meter.measure(lambda: book(days[2]))

    def move(booking: dict[str, Any], day: date) -> None:
        auth = {"Authorization": f"Bearer {booking['manage_token']}"}
        body = {"start": at(day, 14).isoformat()}
        response = requests.post(f"{api}/bookings/{booking['id']}/reschedule", json=body, headers=auth, timeout=30)
        assert response.status_code == 200, response.text

    def cancel(booking: dict[str, Any]) -> None:
        auth = {"Authorization": f"Bearer {booking['manage_token']}"}
        response = requests.post(f"{api}/bookings/{booking['id']}/cancel", json={}, headers=auth, timeout=30)
        assert response.status_code == 200, response.text

    move(made[1], days[3])
    measured[RESCHEDULE] = meter.measure(lambda: move(made[2], days[4]))
    cancel(made[1])
    measured[CANCEL] = meter.measure(lambda: cancel(made[2]))

    def host_list() -> None:
        response = browser.get("/hosts/me/bookings")
        assert response.status_code == 200, response.text
        assert response.json()["bookings"]

    host_list()
    measured[HOST_LIST] = meter.measure(host_list)

    settings = get_settings()
    sync_url = settings.function_url("calendar_sync")
    task_token = google.oidc_token(sync_url, settings.tasks_service_account)

    def refresh() -> None:
        task = {"action": "refresh_busy", "host_id": host_id}
        response = requests.post(sync_url, json=task, headers={"Authorization": f"Bearer {task_token}"}, timeout=30)
        assert response.status_code == 200, response.text

    refresh()
    measured[REFRESH] = per_horizon_month(meter.measure(refresh))

    key = SecretManagerStore(secret_manager_client(settings), settings.project).app_secret("channel-token-key")
    channel = next(doc for path, doc in all_documents(db) if path.startswith("channels/"))
    outcomes: list[str] = []

    def push() -> None:
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Token": channel_token(key, channel["id"]),
            "X-Goog-Resource-ID": channel["resource_id"],
            "X-Goog-Resource-State": "exists",
            "X-Goog-Message-Number": str(len(outcomes) + 2),
        }
        response = requests.post(f"{api}/calendar_webhook", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        outcomes.append(response.json()["outcome"])

    push()
    next_refresh_window()
    measured[PUSH] = meter.measure(push)
    measured[PUSH_AGAIN] = meter.measure(push)
    assert outcomes[1:] == ["refresh_requested", "refresh_already_requested"]

    resume_queues()
    settle(google)

    def book_and_drain(day: date) -> None:
        pause_queues()  # the request's sync task must not run before the booking is stored (a retried task reads again)
        book(day)
        resume_queues()
        settle(google)

    book_and_drain(days[5])
    booking_and_tasks = meter.measure(lambda: book_and_drain(days[6]))
    measured[BOOKING_TASKS] = per_horizon_month(less(booking_and_tasks, measured[BOOK]))
    return measured


def less(total: OperationCounts, part: OperationCounts) -> OperationCounts:
    """What `total` cost beyond `part` (a booking and its drained tasks, less the booking's request)."""
    minus: dict[str, Any] = {}
    for name in (f.name for f in fields(OperationCounts)):
        whole, some = getattr(total, name), getattr(part, name)
        if isinstance(whole, int):
            minus[name] = whole - some
        else:
            left = {kind: n - calls(some).get(kind, 0) for kind, n in calls(whole).items()}
            minus[name] = (" + " if name == "round_trips" else ", ").join(
                f"{n} {kind}" for kind, n in left.items() if n
            ) or "0"
    return OperationCounts(**minus)


def per_horizon_month(counts: OperationCounts) -> OperationCounts:
    """A refresh rewrites every month of its horizon: those writes are counted as M (3 or 4 by the date)."""
    months = months_in_horizon()
    return replace(counts, written=counts.written - months, written_per_month=counts.written_per_month + 1)


def thirty_one_days_ahead() -> list[date]:
    """31 days inside the default 60-day booking window, starting between the 2nd and the 20th of a month:
    in UTC they touch the same two months whatever today is (a read's documents do not move with the date)."""
    first = datetime.now(UTC).date() + timedelta(days=2)
    if not 2 <= first.day <= 20:
        first = (first.replace(day=1) + timedelta(days=32)).replace(day=2)
    return [first + timedelta(days=n) for n in range(31)]


def weekdays_of(days: list[date]) -> list[date]:
    return [day for day in days if day.weekday() < 5]


def months_in_horizon() -> int:
    """The UTC months a busy refresh rewrites today: those its window (yesterday to the 60-day horizon) touches,
    3 or 4 depending on the date."""
    window = busy_window(datetime.now(UTC), DEFAULT_HORIZON_DAYS)
    return len(month_keys(window.start, window.end))


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def add_busy_month(google: Google, email: str, days: list[date]) -> None:
    """Three events on every weekday of the month (09:00, 12:00 and 15:30 for 30-60 minutes), mirrored by the
    refreshes their pushes ask for."""
    for day in weekdays_of(days):
        for hour, minute, length in ((9, 0, 30), (12, 0, 60), (15, 30, 45)):
            start = at(day, hour).replace(minute=minute)
            end = start + timedelta(minutes=length)
            event = {"summary": "busy", "start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}
            google.add_event(email, event)
    settle(google)


def settle(google: Google) -> None:
    """Until nothing is left to do: the queued tasks run, the pushes they cause delivered, and their tasks run."""
    google.drain_tasks(timeout=60)
    deadline = time.monotonic() + 30
    while google.state()["pushes"]["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
    google.drain_tasks(timeout=60)


def settings_for_production() -> None:
    """Per-client booking-write limits on, as deployed (they add places to a booking's read and commit)."""
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "true"
    get_settings.cache_clear()


def post_booking(api: str, slug: str, start: datetime) -> requests.Response:
    body = {
        "host": slug,
        "event_type": "call",
        "start": start.isoformat(),
        "invitee": {"name": "Ines Invitee", "email": f"ines-{uuid.uuid4().hex[:6]}@example.org", "time_zone": "UTC"},
    }
    # each booking from a client of its own (198.18.0.0/15, the benchmarking range), as bench/booking.py does
    n = next(_CLIENTS)
    headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}
    return requests.post(f"{api}/bookings", json=body, headers=headers, timeout=30)


def queue_names() -> list[str]:
    settings = get_settings()
    client = tasks_client(settings)
    return [
        client.queue_path(settings.project, settings.region, q) for q in (settings.tasks_queue, settings.webhooks_queue)
    ]


def pause_queues() -> None:
    client = tasks_client(get_settings())
    for name in queue_names():
        client.pause_queue(name=name)


def resume_queues() -> None:
    client = tasks_client(get_settings())
    for name in queue_names():
        client.resume_queue(name=name)


def next_refresh_window() -> None:
    """Wait for the next debounce window, so the measured push is its window's first."""
    window = get_settings().refresh_debounce_seconds
    time.sleep(window - time.time() % window + 0.05)


@pytest.fixture(autouse=True)
def fresh_instance_after() -> Any:
    yield
    bootstrap.reset()
