"""Booking writes over HTTP: no double booking under concurrency, idempotent, and Google follows."""

from __future__ import annotations

import itertools
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from shared.adapters.google_clients import tasks_client
from shared.config import get_settings
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def day_ahead(days: int, hour: int, minute: int = 0) -> datetime:
    today = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=UTC)


def booking_body(slug: str, start: datetime, who: str = "Ines Invitee", **extra: Any) -> dict[str, Any]:
    email = f"{who.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.org"
    return {
        "host": slug,
        "event_type": "call",
        "start": start.isoformat(),
        "invitee": {"name": who, "email": email, "time_zone": "Europe/Lisbon"},
        **extra,
    }


def post_booking(api: str, body: dict[str, Any], key: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return requests.post(f"{api}/bookings", json=body, headers=headers, timeout=30)


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, buffer_after_minutes=10)
    return {"slug": slug, "email": email}


def our_events(google: Google, email: str) -> list[dict[str, Any]]:
    return [e for e in google.events(email) if e.get("extendedProperties", {}).get("private", {}).get("kaleno")]


def test_booking_confirms_at_once_and_becomes_a_google_event(
    api: str, host: dict[str, str], google: Google, browser: Browser
) -> None:
    start = day_ahead(7, 10)

    response = post_booking(api, booking_body(host["slug"], start, notes="About the API"))
    google.drain_tasks()

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "confirmed"
    assert datetime.fromisoformat(created["start"]) == start
    assert datetime.fromisoformat(created["end"]) == start + timedelta(minutes=30)
    events = our_events(google, host["email"])
    assert len(events) == 1
    assert events[0]["id"] == f"kal{created['id']}"
    assert events[0]["attendees"][0]["email"].endswith("@example.org")
    assert "About the API" in events[0]["description"]
    listed = browser.get("/hosts/me/bookings").json()["bookings"]
    assert [(b["id"], b["sync_state"]) for b in listed] == [(created["id"], "synced")]
    view = requests.get(
        f"{api}/bookings/{created['id']}", timeout=10, headers={"Authorization": f"Bearer {created['manage_token']}"}
    )
    shown = datetime.fromisoformat(view.json()["start"])
    assert shown == start
    assert shown.utcoffset() == start.astimezone(ZoneInfo("Europe/Lisbon")).utcoffset()  # the invitee's zone
    assert view.json()["invitee"]["time_zone"] == "Europe/Lisbon"
    assert google.state()["calls"]["calendar.events.insert"] == 1


def test_manage_token_is_required_and_checked(api: str, host: dict[str, str]) -> None:
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 11))).json()
    other = post_booking(api, booking_body(host["slug"], day_ahead(7, 13))).json()

    missing = requests.get(f"{api}/bookings/{created['id']}", timeout=10)
    forged = requests.get(f"{api}/bookings/{created['id']}", headers={"Authorization": "Bearer nope"}, timeout=10)
    anothers = requests.get(
        f"{api}/bookings/{created['id']}", headers={"Authorization": f"Bearer {other['manage_token']}"}, timeout=10
    )

    assert_problem(missing, 401, "unauthenticated")
    assert_problem(forged, 401, "invalid-token")
    assert_problem(anothers, 404, "not-found")  # a genuine token for another booking: as if it did not exist


def test_same_idempotency_key_replays_and_a_different_body_is_refused(api: str, host: dict[str, str]) -> None:
    body, key = booking_body(host["slug"], day_ahead(8, 10)), uuid.uuid4().hex

    first = post_booking(api, body, key)
    again = post_booking(api, body, key)
    other = post_booking(api, {**body, "start": day_ahead(8, 12).isoformat()}, key)

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert_problem(other, 409, "idempotency-key-reused")


def test_taken_and_never_offered_starts_are_told_apart(api: str, host: dict[str, str]) -> None:
    start = day_ahead(9, 10)
    assert post_booking(api, booking_body(host["slug"], start)).status_code == 201

    overlapping = post_booking(api, booking_body(host["slug"], start + timedelta(minutes=30)))  # in the buffer
    off_grid = post_booking(api, booking_body(host["slug"], day_ahead(9, 13, 7)))
    night = post_booking(api, booking_body(host["slug"], day_ahead(9, 3)))
    past = post_booking(api, booking_body(host["slug"], day_ahead(-1, 10)))
    naive = post_booking(api, {**booking_body(host["slug"], start), "start": "2030-01-01T10:00:00"})

    assert_problem(overlapping, 409, "slot-taken")
    assert_problem(off_grid, 409, "slot-not-offered")
    assert_problem(night, 409, "slot-not-offered")
    assert_problem(past, 409, "slot-not-offered")
    assert_problem(naive, 422, "validation-error")


@pytest.mark.parametrize("round_", range(5))
def test_fifty_concurrent_bookings_of_one_slot_confirm_exactly_one(
    api: str, host: dict[str, str], google: Google, round_: int
) -> None:
    start = day_ahead(10 + round_, 14)
    bodies = [booking_body(host["slug"], start, who=f"Racer{i} Person") for i in range(50)]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = sorted(r.status_code for r in pool.map(lambda body: post_booking(api, body), bodies))
    google.drain_tasks()  # the losers' sync tasks (enqueued alongside their commits) find nothing to do

    assert statuses.count(201) == 1
    assert statuses.count(409) == 49
    assert len(our_events(google, host["email"])) == 1


@pytest.mark.parametrize("round_", range(5))
def test_fifty_concurrent_overlapping_bookings_never_overlap(
    api: str, host: dict[str, str], db: Any, round_: int
) -> None:
    base = day_ahead(20 + round_, 9)
    starts = [base + timedelta(minutes=30 * (i % 10)) for i in range(50)]  # 10 distinct starts, 30-min meetings

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda s: post_booking(api, booking_body(host["slug"], s)), starts))

    assert {r.status_code for r in responses} <= {201, 409}
    confirmed = sorted(
        (b.get("occupied_start"), b.get("occupied_end"))
        for b in (doc.to_dict() for doc in db.collection("bookings").stream())
        if b["status"] == "confirmed"
    )
    assert len(confirmed) == sum(r.status_code == 201 for r in responses) >= 1
    for (_, end_a), (start_b, _) in itertools.pairwise(confirmed):
        assert end_a <= start_b, "two confirmed bookings overlap"


def test_duplicate_task_deliveries_make_exactly_one_event(api: str, host: dict[str, str], google: Google) -> None:
    settings = get_settings()
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"
    tasks_client(settings).pause_queue(name=queue)
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 15))).json()
    url = settings.function_url("calendar_sync")
    token = google.oidc_token(url, settings.tasks_service_account)
    task = {"action": "reconcile_booking", "booking_id": created["id"], "version": 1}

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(
            pool.map(
                lambda _: requests.post(url, json=task, timeout=30, headers={"Authorization": f"Bearer {token}"}),
                range(5),
            )
        )
    tasks_client(settings).resume_queue(name=queue)
    google.drain_tasks()

    assert all(r.status_code == 200 for r in outcomes), [r.text for r in outcomes]
    assert len(our_events(google, host["email"])) == 1


def test_google_outage_is_retried_until_the_event_exists_once(
    api: str, host: dict[str, str], google: Google, browser: Browser
) -> None:
    google.fault("calendar.events.insert", 503, count=3)

    post_booking(api, booking_body(host["slug"], day_ahead(7, 16)))
    google.drain_tasks(timeout=30)

    assert len(our_events(google, host["email"])) == 1
    assert google.state()["calls"]["calendar.events.insert"] == 4
    assert browser.get("/hosts/me/bookings").json()["bookings"][0]["sync_state"] == "synced"


def test_cancel_and_reschedule_are_reflected_in_google(api: str, host: dict[str, str], google: Google) -> None:
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 10))).json()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}
    google.drain_tasks()
    # 09:30 + 30 min + 10 min buffer overlaps its own old time (claims and its own event in the busy mirror).
    new_start = day_ahead(7, 9, 30)

    moved = requests.post(
        f"{api}/bookings/{created['id']}/reschedule", json={"start": new_start.isoformat()}, headers=auth, timeout=10
    )
    google.drain_tasks()
    event = our_events(google, host["email"])[0]
    freed = post_booking(api, booking_body(host["slug"], day_ahead(7, 10, 30)))  # its old claims were released

    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(event["start"]["dateTime"]) == new_start
    assert freed.status_code == 201, freed.text

    cancelled = requests.post(
        f"{api}/bookings/{created['id']}/cancel", json={"reason": "conflict"}, headers=auth, timeout=10
    )
    google.drain_tasks()
    again = requests.post(
        f"{api}/bookings/{created['id']}/reschedule", json={"start": new_start.isoformat()}, headers=auth, timeout=10
    )

    assert cancelled.json()["status"] == "cancelled"
    assert [e["id"] for e in our_events(google, host["email"])] == [f"kal{freed.json()['id']}"]
    assert_problem(again, 410, "booking-cancelled")
    assert post_booking(api, booking_body(host["slug"], new_start)).status_code == 201  # the time is free again


def test_host_can_cancel_a_booking(api: str, host: dict[str, str], google: Google, browser: Browser) -> None:
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 12))).json()

    response = browser.post(f"/hosts/me/bookings/{created['id']}/cancel", json={})
    google.drain_tasks()

    assert response.json()["status"] == "cancelled"
    assert our_events(google, host["email"]) == []


def test_task_calls_without_a_valid_google_token_are_refused(api: str, google: Google) -> None:
    url = get_settings().function_url("calendar_sync")
    task = {"action": "refresh_busy", "host_id": "h-none"}
    wrong_audience = google.oidc_token("https://elsewhere.example/x", get_settings().tasks_service_account)
    wrong_caller = google.oidc_token(url, "intruder@kaleno-local.iam.gserviceaccount.com")

    def call(token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(url, json=task, headers=headers, timeout=10)

    assert_problem(call(None), 401, "unauthenticated")
    assert_problem(call("not.a.jwt"), 401, "invalid-token")
    assert_problem(call(wrong_audience), 401, "invalid-token")
    assert_problem(call(wrong_caller), 403, "forbidden-caller")


def test_host_sees_a_booking_whose_calendar_sync_failed(
    api: str, host: dict[str, str], google: Google, browser: Browser
) -> None:
    settings = get_settings()
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"
    tasks_client(settings).pause_queue(name=queue)
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 13))).json()
    google.revoke_all(host["email"])  # the host removes Kaleno's access in their Google account

    tasks_client(settings).resume_queue(name=queue)
    google.drain_tasks()

    listed = browser.get("/hosts/me/bookings").json()["bookings"]
    assert [(b["id"], b["sync_state"], b["sync_error"]) for b in listed] == [
        (created["id"], "failed", "host_not_connected")
    ]
    assert browser.get("/hosts/me").json()["connection"]["reason"] == "google_access_revoked"
    assert google.state()["calls"]["calendar.events.insert"] == 1  # the attempt that found access gone; no retry
    assert our_events(google, host["email"]) == []


def test_a_sync_still_failing_on_its_last_attempt_is_marked_failed(
    api: str, host: dict[str, str], google: Google, browser: Browser
) -> None:
    settings = get_settings()
    created = post_booking(api, booking_body(host["slug"], day_ahead(7, 14))).json()
    google.drain_tasks()
    tasks_client(settings).pause_queue(name=_queue())  # this test delivers the v2 task itself
    moved = requests.post(
        f"{api}/bookings/{created['id']}/reschedule",
        json={"start": day_ahead(7, 15).isoformat()},
        headers={"Authorization": f"Bearer {created['manage_token']}"},
        timeout=10,
    )
    google.fault("calendar.events.patch", 503, count=1)
    url = settings.function_url("calendar_sync")
    headers = {
        "Authorization": f"Bearer {google.oidc_token(url, settings.tasks_service_account)}",
        "X-CloudTasks-TaskRetryCount": str(settings.tasks_max_attempts - 1),
    }

    last = requests.post(
        url,
        json={"action": "reconcile_booking", "booking_id": created["id"], "version": 2},
        headers=headers,
        timeout=10,
    )

    assert moved.status_code == 200
    assert last.status_code == 200
    assert last.json() == {"outcome": "gave_up"}
    listed = browser.get("/hosts/me/bookings").json()["bookings"]
    assert (listed[0]["sync_state"], listed[0]["sync_error"]) == ("failed", "gave_up_after_retries")


def _queue() -> str:
    settings = get_settings()
    return f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"


def test_daily_limit_holds_under_concurrent_bookings_of_different_times(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, daily_limit=2)
    starts = [day_ahead(9, 9) + timedelta(minutes=30 * i) for i in range(16)]  # all free, all on one day

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda s: post_booking(api, booking_body(slug, s)), starts))
    winners = [r.json() for r in responses if r.status_code == 201]
    cancelled = requests.post(
        f"{api}/bookings/{winners[0]['id']}/cancel",
        json={},
        timeout=10,
        headers={"Authorization": f"Bearer {winners[0]['manage_token']}"},
    )
    taken = {w["start"] for w in winners}
    after_cancel = post_booking(
        api,
        booking_body(
            slug, next(s for s in starts if s.isoformat() not in taken and s.strftime("%H:%M") not in "".join(taken))
        ),
    )

    assert len(winners) == 2
    assert {r.status_code for r in responses} <= {201, 409}
    assert cancelled.status_code == 200
    assert after_cancel.status_code == 201, after_cancel.text  # the cancelled booking's place is free again


def test_the_host_lists_upcoming_and_past_bookings_by_status_a_page_at_a_time(
    api: str, host: dict[str, str], browser: Browser, db: Any, google: Google
) -> None:
    made = [post_booking(api, booking_body(host["slug"], day_ahead(3, 9 + i))).json() for i in range(5)]
    requests.post(
        f"{api}/bookings/{made[0]['id']}/cancel",
        json={},
        headers={"Authorization": f"Bearer {made[0]['manage_token']}"},
        timeout=10,
    )
    # Google written and its pushes handled first: a look at our events after the seeding below would take
    # the event's (future) time for a move the host made in Google, and the booking would follow it.
    google.drain_tasks()
    past_end = datetime.now(UTC) - timedelta(days=2)  # one meeting that is over (seeded: none can be booked)
    over = {"start": past_end - timedelta(minutes=30), "end": past_end}
    db.collection("bookings").document(made[4]["id"]).update(over)

    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = browser.get("/hosts/me/bookings", params=params).json()
        pages.append([b["id"] for b in page["bookings"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    confirmed = browser.get("/hosts/me/bookings", params={"status": "confirmed"}).json()["bookings"]
    past = browser.get("/hosts/me/bookings", params={"when": "past"}).json()["bookings"]
    bad = browser.get("/hosts/me/bookings", params={"limit": 0})

    assert [booking_id for page in pages for booking_id in page] == [b["id"] for b in made[:4]]  # soonest first
    assert max(len(page) for page in pages) == 2
    assert [b["id"] for b in confirmed] == [b["id"] for b in made[1:4]]
    assert [b["id"] for b in past] == [made[4]["id"]]
    assert bad.status_code == 422
