"""Invitee rights need proof (issue 25, findings 1 and 6): a manage token opens its one booking, whatever
other bookings share its address; rights over everything held about an address need a one-time link mailed
there; a restricted or objecting invitee's own changes still reach the host and the calendar; an invitee's
export holds all of their booking (answers and phone included)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.support import Browser, Google, host_with_hours

QUESTIONS = [
    {"id": "topic", "label": "What is it about?", "kind": "long_text", "required": True},
    {"id": "size", "label": "Team size", "kind": "single_choice", "required": False, "options": ["1-5", "6+"]},
]


def book(api: str, slug: str, days: int, name: str, email: str, notes: str, **extra: Any) -> dict[str, Any]:
    body = booking_body(slug, day_ahead(days, 10), who=name, notes=notes, **extra)
    body["invitee"]["email"] = email
    response = post_booking(api, body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stored(db: Any, booking_id: str) -> dict[str, Any]:
    document: dict[str, Any] = db.collection("bookings").document(booking_id).get().to_dict()
    return document


def victim_address() -> str:
    return f"victim-{uuid.uuid4().hex[:8]}@example.org"


def test_a_manage_token_opens_its_booking_only_whatever_the_letter_case(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    victim = victim_address()
    theirs = book(api, slug, 3, "Vera Victim", victim, "my diagnosis")
    mine = book(api, slug, 4, "Mallory", victim.upper(), "hello")
    google.drain_tasks()

    exported = requests.get(f"{api}/privacy/export", headers=bearer(mine["manage_token"]), timeout=10)
    objected = requests.post(
        f"{api}/privacy/object", json={"active": True}, headers=bearer(mine["manage_token"]), timeout=10
    )
    erased = requests.post(f"{api}/privacy/erase", headers=bearer(mine["manage_token"]), timeout=10)

    assert exported.status_code == 200, exported.text
    assert [b["id"] for b in exported.json()["bookings"]] == [mine["id"]]
    assert "my diagnosis" not in exported.text
    assert objected.json() == {"restricted": False, "objected": True}
    assert erased.json()["steps"] == {"bookings_anonymised": 1}
    victims = stored(db, theirs["id"])
    assert (victims["notes"], victims["objected"], victims["anonymised"]) == ("my diagnosis", False, False)


def test_a_patched_email_corrects_that_booking_and_opens_no_other(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    victim = victim_address()
    theirs = book(api, slug, 3, "Vera Victim", victim, "my diagnosis")
    mine = book(api, slug, 4, "Mallory", f"mallory-{uuid.uuid4().hex[:6]}@example.org", "hello")
    token = mine["manage_token"]

    patched = requests.patch(f"{api}/bookings/{mine['id']}", json={"email": victim}, headers=bearer(token), timeout=10)
    exported = requests.get(f"{api}/privacy/export", headers=bearer(token), timeout=10)
    restricted = requests.post(f"{api}/privacy/restrict", json={"active": True}, headers=bearer(token), timeout=10)
    erased = requests.post(f"{api}/privacy/erase", headers=bearer(token), timeout=10)

    assert patched.status_code == 200, patched.text
    assert [b["id"] for b in exported.json()["bookings"]] == [mine["id"]]
    assert "my diagnosis" not in exported.text
    assert restricted.status_code == 200
    assert erased.json()["steps"] == {"bookings_anonymised": 1}
    victims = stored(db, theirs["id"])
    assert (victims["notes"], victims["restricted"], victims["anonymised"]) == ("my diagnosis", False, False)
    assert victims["invitee"]["email"] == victim


def test_an_objecting_invitees_own_reschedule_reaches_google_and_the_host(
    api: str, browser: Browser, google: Google
) -> None:
    slug, host_email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana = book(api, slug, 3, "Ana Invitee", f"ana-{uuid.uuid4().hex[:6]}@example.org", "notes")
    google.drain_tasks()
    token, new_start = ana["manage_token"], day_ahead(3, 14)
    notices_before = len(google.mail(to=host_email))

    objected = requests.post(f"{api}/privacy/object", json={"active": True}, headers=bearer(token), timeout=10)
    moved = requests.post(
        f"{api}/bookings/{ana['id']}/reschedule",
        json={"start": new_start.isoformat()},
        headers=bearer(token),
        timeout=10,
    )
    google.drain_tasks()

    assert objected.json() == {"restricted": False, "objected": True}
    assert moved.status_code == 200, moved.text
    (event,) = our_events(google, host_email)
    assert datetime.fromisoformat(event["start"]["dateTime"]) == new_start
    notices = google.mail(to=host_email)[notices_before:]
    assert [str(m["subject"]).split(":")[0] for m in notices] == ["Rescheduled"], [m["subject"] for m in notices]


def test_a_restricted_invitees_own_cancellation_reaches_google_and_the_host(
    api: str, browser: Browser, google: Google
) -> None:
    slug, host_email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana = book(api, slug, 3, "Ana Invitee", f"ana-{uuid.uuid4().hex[:6]}@example.org", "notes")
    google.drain_tasks()
    token = ana["manage_token"]
    notices_before = len(google.mail(to=host_email))

    requests.post(f"{api}/privacy/restrict", json={"active": True}, headers=bearer(token), timeout=10)
    cancelled = requests.post(f"{api}/bookings/{ana['id']}/cancel", json={}, headers=bearer(token), timeout=10)
    google.drain_tasks()

    assert cancelled.status_code == 200, cancelled.text
    assert our_events(google, host_email) == []
    notices = google.mail(to=host_email)[notices_before:]
    assert [str(m["subject"]).split(":")[0] for m in notices] == ["Cancelled"], [m["subject"] for m in notices]


def test_an_invitee_export_holds_their_answers_phone_and_place(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, location={"kind": "phone"}, questions=QUESTIONS)
    answers = {"topic": "my diagnosis", "size": "6+"}
    ana = book(
        api, slug, 3, "Ana Invitee", victim_address(), "notes", answers=answers, invitee_phone="+44 20 7946 0958"
    )

    exported = requests.get(f"{api}/privacy/export", headers=bearer(ana["manage_token"]), timeout=10)

    assert exported.status_code == 200, exported.text
    (booking,) = exported.json()["bookings"]
    assert {a["question_id"]: a["value"] for a in booking["answers"]} == answers
    assert {a["label"] for a in booking["answers"]} == {"What is it about?", "Team size"}
    assert booking["invitee_phone"] == "+44 20 7946 0958"
    assert booking["location"]["kind"] == "phone"
    assert "manage_token_hash" not in booking


def proof_token(google: Google, address: str) -> str:
    (mail,) = [m for m in google.mail(to=address) if m["subject"] == "Your Kaleno privacy link"]
    link = next(word for word in str(mail["text"]).split() if "/privacy-rights#proof=" in word)
    return link.partition("#proof=")[2]


def test_a_mailed_link_proves_the_address_once_and_opens_its_bookings_with_every_host(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    first, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    second, _ = host_with_hours(Browser(api), google, "UTC", EVERY_DAY)
    victim = victim_address()
    one = book(api, first, 3, "Vera Victim", victim, "first note")
    two = book(api, second, 4, "Vera Victim", victim.upper(), "second note")
    other = book(api, second, 5, "Otto Other", victim_address(), "not hers")

    asked = requests.post(f"{api}/privacy/address-proofs", json={"email": victim.title()}, timeout=10)
    unknown = requests.post(f"{api}/privacy/address-proofs", json={"email": victim_address()}, timeout=10)
    token = proof_token(google, victim)
    redeemed = requests.post(f"{api}/privacy/address-proofs/redeem", json={"token": token}, timeout=10)
    again = requests.post(f"{api}/privacy/address-proofs/redeem", json={"token": token}, timeout=10)
    forged = requests.post(f"{api}/privacy/address-proofs/redeem", json={"token": "ap." + "A" * 43}, timeout=10)
    grant = redeemed.json()["grant"]
    exported = requests.get(f"{api}/privacy/export", headers=bearer(grant), timeout=10)
    restricted = requests.post(f"{api}/privacy/restrict", json={"active": True}, headers=bearer(grant), timeout=10)
    erased = requests.post(f"{api}/privacy/erase", headers=bearer(grant), timeout=10)
    bad_grant = requests.get(f"{api}/privacy/export", headers=bearer("ag." + "B" * 43), timeout=10)

    assert (asked.status_code, unknown.status_code) == (202, 202)
    assert asked.json() == unknown.json()  # nothing tells the caller whether anything is held
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["email"] == victim
    assert (again.status_code, again.json()["type"].rsplit("/", 1)[-1]) == (410, "address-proof-used")
    assert (forged.status_code, forged.json()["type"].rsplit("/", 1)[-1]) == (401, "invalid-address-proof")
    assert {b["id"] for b in exported.json()["bookings"]} == {one["id"], two["id"]}
    assert {b["notes"] for b in exported.json()["bookings"]} == {"first note", "second note"}
    assert restricted.json() == {"restricted": True, "objected": False}
    assert erased.json()["steps"] == {"bookings_anonymised": 2}
    assert bad_grant.status_code == 401
    assert stored(db, other["id"])["notes"] == "not hers"
    assert all(stored(db, b["id"])["anonymised"] for b in (one, two))
    proofs = [doc.to_dict() for doc in db.collection("address_proofs").stream()]
    assert all(token not in str(proof) and "expires_at" in proof for proof in proofs)
    assert {doc.id for doc in db.collection("address_proofs").stream()}.isdisjoint({token})


def test_a_tagged_or_capitalised_address_is_the_same_person_for_the_open_booking_limit(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, invitee_open_limit=1)
    name = f"ada{uuid.uuid4().hex[:6]}"
    book(api, slug, 3, "Ada", f"{name}@example.org", "first")

    tagged = post_booking(api, {**booking_body(slug, day_ahead(4, 10)), "invitee": _invitee(f"{name}+x@example.org")})
    capital = post_booking(api, {**booking_body(slug, day_ahead(5, 10)), "invitee": _invitee(f"{name}@EXAMPLE.org")})

    assert tagged.status_code == 429, tagged.text
    assert tagged.json()["type"].rsplit("/", 1)[-1] == "invitee-limit-reached"
    assert capital.status_code == 429, capital.text


def _invitee(email: str) -> dict[str, str]:
    return {"name": "Ada", "email": email, "time_zone": "UTC"}
