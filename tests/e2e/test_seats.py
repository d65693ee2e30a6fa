"""Group sessions over HTTP through the sandbox: an event type with seats > 1 gives each start one Google
event whose guests are the invitees holding its seats, and racing invitees never get more seats than there
are."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours

SEATS = 5
RACERS = 50


@pytest.fixture
def group(browser: Browser, google: Google) -> dict[str, str]:
    """A host whose "call" event type seats 5, with a 10-minute buffer after each session, and a second, plain
    event type ("chat") on the same calendar."""
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=SEATS, buffer_after_minutes=10)
    chat = {"slug": "chat", "title": "Chat", "duration_minutes": 30, "booking_window_days": 366}
    assert browser.post("/hosts/me/event-types", json=chat).status_code == 201
    google.drain_tasks()
    return {"slug": slug, "email": email}


def slots(api: str, slug: str, start: datetime, event_type: str = "call") -> list[dict[str, Any]]:
    day = start.date().isoformat()
    params = {"from": day, "to": day, "tz": "UTC"}
    response = requests.get(f"{api}/bookings/pages/{slug}/{event_type}/slots", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


def slot_at(api: str, slug: str, start: datetime, event_type: str = "call") -> dict[str, Any] | None:
    return next((s for s in slots(api, slug, start, event_type) if datetime.fromisoformat(s["start"]) == start), None)


def cancel(api: str, booked: dict[str, Any]) -> requests.Response:
    headers = {"Authorization": f"Bearer {booked['manage_token']}"}
    return requests.post(f"{api}/bookings/{booked['id']}/cancel", json={}, headers=headers, timeout=10)


def guests(event: dict[str, Any]) -> set[str]:
    return {attendee["email"] for attendee in event.get("attendees", [])}


def race(api: str, slug: str, start: datetime) -> list[requests.Response]:
    bodies = [booking_body(slug, start, who=f"Racer{i} Person") for i in range(RACERS)]
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(lambda body: post_booking(api, body), bodies))


@pytest.mark.parametrize("round_", range(5))
def test_fifty_racers_for_a_five_seat_slot_get_exactly_five_seats_in_one_google_event(
    api: str, group: dict[str, str], google: Google, round_: int
) -> None:
    start = day_ahead(10 + round_, 14)

    responses = race(api, group["slug"], start)
    google.drain_tasks()

    winners = [r.json() for r in responses if r.status_code == 201]
    losers = [r for r in responses if r.status_code != 201]
    assert len(winners) == SEATS, sorted(r.status_code for r in responses)
    assert len(losers) == RACERS - SEATS
    for response in losers:
        assert_problem(response, 409, "seats-full")
    events = our_events(google, group["email"])
    assert len(events) == 1
    assert len(guests(events[0])) == SEATS
    assert events[0]["guestsCanSeeOtherGuests"] is False  # the default: invitees do not see each other
    assert datetime.fromisoformat(events[0]["start"]["dateTime"].replace("Z", "+00:00")) == start
    assert slot_at(api, group["slug"], start) is None  # full: no longer offered


def test_a_cancelled_seat_is_free_again_and_the_event_keeps_the_others(
    api: str, group: dict[str, str], google: Google
) -> None:
    start = day_ahead(5, 10)
    booked = [post_booking(api, booking_body(group["slug"], start, who=f"Guest{i} Person")) for i in range(SEATS)]
    assert [r.status_code for r in booked] == [201] * SEATS
    google.drain_tasks()
    first = booked[0].json()
    full = post_booking(api, booking_body(group["slug"], start))

    cancelled = cancel(api, first)
    google.drain_tasks()
    offered = slot_at(api, group["slug"], start)
    after_cancel = our_events(google, group["email"])
    newcomer = booking_body(group["slug"], start, who="Nora Newcomer")
    joined = post_booking(api, newcomer)
    google.drain_tasks()
    after_join = our_events(google, group["email"])
    again_full = post_booking(api, booking_body(group["slug"], start))

    assert_problem(full, 409, "seats-full")
    assert cancelled.status_code == 200, cancelled.text
    assert offered is not None
    assert offered["seats_left"] == 1
    assert len(after_cancel) == 1
    assert len(guests(after_cancel[0])) == SEATS - 1
    leaver = requests.get(
        f"{api}/bookings/{first['id']}", headers={"Authorization": f"Bearer {first['manage_token']}"}, timeout=10
    ).json()
    assert leaver["status"] == "cancelled"
    assert joined.status_code == 201, joined.text
    assert len(after_join) == 1
    assert after_join[0]["id"] == after_cancel[0]["id"]
    assert newcomer["invitee"]["email"] in guests(after_join[0])
    assert len(guests(after_join[0])) == SEATS
    assert_problem(again_full, 409, "seats-full")


def test_the_last_seat_cancelled_removes_the_event_and_frees_the_time(
    api: str, group: dict[str, str], google: Google
) -> None:
    start = day_ahead(6, 11)
    booked = [post_booking(api, booking_body(group["slug"], start)).json() for _ in range(2)]
    google.drain_tasks()
    chat_blocked = slot_at(api, group["slug"], start, "chat")
    shown = slot_at(api, group["slug"], start)

    for seat in booked:
        assert cancel(api, seat).status_code == 200
    google.drain_tasks()
    chat_free = slot_at(api, group["slug"], start, "chat")
    fresh = slot_at(api, group["slug"], start)
    chat = post_booking(api, {**booking_body(group["slug"], start), "event_type": "chat"})
    google.drain_tasks()

    assert chat_blocked is None  # a live session's time is taken for every other event type
    assert shown is not None
    assert shown["seats_left"] == SEATS - 2
    assert [e for e in our_events(google, group["email"]) if e.get("summary", "").startswith("Call")] == []
    assert chat_free is not None
    assert fresh is not None
    assert fresh["seats_left"] == SEATS
    assert chat.status_code == 201, chat.text  # the time is free again


def test_another_event_type_cannot_book_over_a_live_session(api: str, group: dict[str, str], google: Google) -> None:
    start = day_ahead(7, 15)
    assert post_booking(api, booking_body(group["slug"], start)).status_code == 201
    overlapping = day_ahead(7, 15, 15)  # the plain type's 30 minutes inside the session's 30 (+10 buffer)

    same_start = post_booking(api, {**booking_body(group["slug"], start), "event_type": "chat"})
    inside = post_booking(api, {**booking_body(group["slug"], overlapping), "event_type": "chat"})
    in_buffer = post_booking(api, {**booking_body(group["slug"], day_ahead(7, 15, 30)), "event_type": "chat"})
    seat = post_booking(api, booking_body(group["slug"], start))

    assert_problem(same_start, 409, "slot-taken")
    assert inside.status_code == 409, inside.text
    assert_problem(in_buffer, 409, "slot-taken")
    assert seat.status_code == 201, seat.text  # the session itself still has seats


def test_a_plain_booking_blocks_a_session_from_opening(api: str, group: dict[str, str]) -> None:
    start = day_ahead(8, 9)
    assert post_booking(api, {**booking_body(group["slug"], start), "event_type": "chat"}).status_code == 201

    refused = post_booking(api, booking_body(group["slug"], start))

    assert_problem(refused, 409, "slot-taken")
    assert slot_at(api, group["slug"], start) is None


def test_a_seat_is_rescheduled_from_one_session_into_another(api: str, group: dict[str, str], google: Google) -> None:
    first, second = day_ahead(9, 10), day_ahead(9, 13)
    staying = post_booking(api, booking_body(group["slug"], first)).json()
    there = post_booking(api, booking_body(group["slug"], second)).json()
    moving = post_booking(api, booking_body(group["slug"], first)).json()
    google.drain_tasks()
    headers = {"Authorization": f"Bearer {moving['manage_token']}"}

    moved = requests.post(
        f"{api}/bookings/{moving['id']}/reschedule", json={"start": second.isoformat()}, headers=headers, timeout=10
    )
    google.drain_tasks()
    events = {e["start"]["dateTime"]: e for e in our_events(google, group["email"])}

    assert moved.status_code == 200, moved.text
    assert staying["id"] != there["id"]
    assert len(events) == 2
    by_start = {datetime.fromisoformat(k.replace("Z", "+00:00")): len(guests(e)) for k, e in events.items()}
    assert by_start == {first: 1, second: 2}
    assert slot_at(api, group["slug"], first)["seats_left"] == SEATS - 1  # type: ignore[index]
    assert slot_at(api, group["slug"], second)["seats_left"] == SEATS - 2  # type: ignore[index]


def test_the_host_lets_attendees_see_each_other(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=3, seats_show_attendees=True)
    start = day_ahead(4, 12)

    for _ in range(2):
        assert post_booking(api, booking_body(slug, start)).status_code == 201
    google.drain_tasks()

    (event,) = our_events(google, email)
    assert event["guestsCanSeeOtherGuests"] is True
    assert len(guests(event)) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("seats", 0), ("seats", 201), ("seats", "5"), ("seats", 2.0), ("seats", True), ("seats_show_attendees", "yes")],
)
def test_seats_are_validated_field_by_field(browser: Browser, google: Google, field: str, value: Any) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    body = {"slug": "group", "title": "Group", "duration_minutes": 30, field: value}

    created = browser.post("/hosts/me/event-types", json=body)
    type_id = browser.get("/hosts/me/event-types").json()["event_types"][0]["id"]
    updated = browser.patch(f"/hosts/me/event-types/{type_id}", json={field: value})

    for response in (created, updated):
        assert_problem(response, 422, "validation-error")
        assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_hosts_erasure_leaves_no_session_seat_or_claim_behind(
    api: str, group: dict[str, str], google: Google, browser: Browser, db: Any
) -> None:
    host_id = browser.get("/hosts/me").json()["id"]
    for start in (day_ahead(3, 10), day_ahead(3, 10), day_ahead(3, 14)):
        assert post_booking(api, booking_body(group["slug"], start)).status_code == 201
    google.drain_tasks()
    assert len(our_events(google, group["email"])) == 2

    started = browser.post("/privacy/erase")
    google.drain_tasks()

    assert started.status_code == 202, started.text
    mentions = [path for path, doc in all_documents(db) if host_id in f"{path} {doc}"]
    assert mentions == []
    assert our_events(google, group["email"]) == []


def test_a_daily_limit_counts_every_seat(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=SEATS, daily_limit=2)
    start = day_ahead(4, 9)

    taken = [post_booking(api, booking_body(slug, start)).status_code for _ in range(2)]
    over = post_booking(api, booking_body(slug, start))

    assert taken == [201, 201]
    assert_problem(over, 409, "daily-limit-reached")
    assert slot_at(api, slug, start) is None


def test_every_seat_cancelled_at_once_closes_the_session_exactly_once(
    api: str, group: dict[str, str], google: Google, db: Any
) -> None:
    start = day_ahead(12, 16)
    booked = [post_booking(api, booking_body(group["slug"], start)).json() for _ in range(SEATS)]
    google.drain_tasks()

    with ThreadPoolExecutor(max_workers=SEATS) as pool:
        cancelled = list(pool.map(lambda seat: cancel(api, seat), booked))
    google.drain_tasks()

    assert [r.status_code for r in cancelled] == [200] * SEATS, [r.text for r in cancelled]
    assert [doc.id for doc in db.collection("slot_claims").stream()] == []  # no seat, session or time left
    assert our_events(google, group["email"]) == []
    fresh = slot_at(api, group["slug"], start)
    assert fresh is not None
    assert fresh["seats_left"] == SEATS


def test_seats_taken_and_given_up_at_once_leave_the_session_and_its_event_consistent(
    api: str, group: dict[str, str], google: Google, db: Any
) -> None:
    start = day_ahead(13, 16)
    leaving = [post_booking(api, booking_body(group["slug"], start)).json() for _ in range(3)]
    google.drain_tasks()
    joiners = [booking_body(group["slug"], start, who=f"Joiner{i} Person") for i in range(4)]

    with ThreadPoolExecutor(max_workers=7) as pool:
        left = [pool.submit(cancel, api, seat) for seat in leaving]
        joined = [pool.submit(post_booking, api, body) for body in joiners]
        left_status = [f.result().status_code for f in left]
        joined_status = sorted(f.result().status_code for f in joined)
    google.drain_tasks()

    holders = [b for b in (doc.to_dict() for doc in db.collection("bookings").stream()) if b["status"] == "confirmed"]
    (session,) = {b["session_id"] for b in holders}
    record = db.collection("slot_claims").document(session).get().to_dict()
    (event,) = our_events(google, group["email"])
    assert left_status == [200, 200, 200]
    assert set(joined_status) <= {201, 409}
    assert len(holders) == joined_status.count(201) >= 2  # at least the 2 seats that were free all along
    assert sorted(record["seats"].values()) == sorted(b["id"] for b in holders)
    assert sorted(int(key[1:]) for key in record["seats"]) == sorted(b["seat"] for b in holders)
    assert guests(event) == {b["invitee"]["email"] for b in holders}


def test_each_invitee_of_a_session_gets_their_own_mail(api: str, group: dict[str, str], google: Google) -> None:
    start = day_ahead(14, 10)
    bodies = [booking_body(group["slug"], start, who=f"Mailed{i} Person") for i in range(2)]
    created = [post_booking(api, body).json() for body in bodies]
    google.drain_tasks()

    cancel(api, created[0])
    google.drain_tasks()

    first, second = (body["invitee"]["email"] for body in bodies)
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=first)] == ["Confirmed", "Cancelled"]
    (confirmation,) = google.mail(to=second)
    assert str(confirmation["subject"]).startswith("Confirmed")
    assert f"/manage?booking={created[1]['id']}&action=reschedule#token=" in str(confirmation["text"])  # their own link
    assert created[0]["id"] not in str(confirmation["text"])
    host_subjects = [str(m["subject"]).split(":")[0] for m in google.mail(to=group["email"])]
    assert sorted(host_subjects) == ["Cancelled", "New booking", "New booking"]


def test_a_host_deleting_a_group_event_in_google_changes_no_booking_and_the_next_seat_restores_it(
    api: str, group: dict[str, str], google: Google
) -> None:
    start = day_ahead(15, 10)
    booked = [post_booking(api, booking_body(group["slug"], start)).json() for _ in range(2)]
    google.drain_tasks()
    (event,) = our_events(google, group["email"])
    lists = google.state()["calls"].get("calendar.events.list", 0)

    google.delete_event(group["email"], event["id"])
    time.sleep(2.5)  # the push's refresh runs when its 2-second window ends
    google.drain_tasks()
    looked = google.state()["calls"].get("calendar.events.list", 0)
    statuses = [
        requests.get(
            f"{api}/bookings/{b['id']}", headers={"Authorization": f"Bearer {b['manage_token']}"}, timeout=10
        ).json()["status"]
        for b in booked
    ]
    joined = post_booking(api, booking_body(group["slug"], start))
    google.drain_tasks()

    assert looked > lists  # the refresh looked at our events and let the group event be
    assert statuses == ["confirmed", "confirmed"]
    assert joined.status_code == 201, joined.text
    (restored,) = our_events(google, group["email"])
    assert restored["id"] == event["id"]
    assert len(guests(restored)) == 3


def test_a_group_session_has_one_meet_for_all_its_invitees(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=4, location={"kind": "google_meet"})
    start = day_ahead(5, 13)

    booked = [post_booking(api, booking_body(slug, start)).json() for _ in range(3)]
    google.drain_tasks()

    links = {
        requests.get(
            f"{api}/bookings/{b['id']}", headers={"Authorization": f"Bearer {b['manage_token']}"}, timeout=10
        ).json()["meeting_url"]
        for b in booked
    }
    (event,) = our_events(google, email)
    assert links == {event["hangoutLink"]}
    assert len(guests(event)) == 3
