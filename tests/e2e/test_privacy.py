"""User rights over HTTP: export and erasure for hosts and invitees, through the sandbox and the emulator."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_onboarding import APP_SECRETS
from tests.support import Browser, Google, all_documents, host_with_hours


def booked(api: str, slug: str, days: int, who: str) -> dict[str, Any]:
    response = post_booking(api, booking_body(slug, day_ahead(days, 10), who=who, notes=f"notes of {who}"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(created: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['manage_token']}"}


def test_host_erasure_leaves_no_trace_even_when_google_fails_halfway(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    host_id = browser.get("/hosts/me").json()["id"]
    booked(api, slug, 3, "Ana Invitee")
    booked(api, slug, 4, "Ben Invitee")
    google.drain_tasks()
    assert len(our_events(google, email)) == 2
    google.fault("calendar.events.delete", status=503, count=1)  # the first delete fails; the task retries

    started = browser.post("/privacy/erase")
    google.drain_tasks()
    receipt = requests.get(f"{api}/privacy/erase/{started.json()['erasure_id']}", timeout=10)

    assert started.status_code == 202, started.text
    assert receipt.json()["state"] == "done"
    assert set(receipt.json()["steps"]) == {
        "future_bookings_cancelled",
        "channels_stopped",
        "grant_revoked",
        "secret_destroyed",
        "records_deleted",
    }
    mentions = [path for path, doc in all_documents(db) if any(v in f"{path} {doc}" for v in (host_id, slug, email))]
    assert mentions == []
    state = google.state()
    assert state["secrets"] == APP_SECRETS
    assert state["active_channels"] == 0
    assert state["tokens"]["revoked"] >= 1
    assert our_events(google, email) == []
    assert browser.get("/hosts/me").status_code == 401  # the session went with everything else


def test_host_export_holds_every_record_and_the_invitee_export_only_their_own(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana, ben = booked(api, slug, 3, "Ana Invitee"), booked(api, slug, 4, "Ben Invitee")
    google.drain_tasks()

    mine = browser.get("/privacy/export")
    anas = requests.get(f"{api}/privacy/export", headers=bearer(ana), timeout=10)

    assert mine.status_code == 200, mine.text
    host_export = mine.json()
    assert host_export["format_version"] == 1
    assert host_export["profile"][0]["email"] == email
    assert {b["id"] for b in host_export["bookings"]} == {ana["id"], ben["id"]}
    assert [p["slug"] for p in host_export["booking_pages"]] == [slug]
    assert host_export["watch_channels"]
    assert host_export["calendar_months"]
    assert any(entry["action"] == "calendar_connect" for entry in host_export["audit"])
    assert "contact" in host_export["complaint"]
    text = json.dumps(host_export)
    assert "manage_token" not in text
    assert "refresh_token" not in text
    assert anas.status_code == 200, anas.text
    invitee_export = anas.json()
    assert [b["id"] for b in invitee_export["bookings"]] == [ana["id"]]
    assert invitee_export["bookings"][0]["notes"] == "notes of Ana Invitee"
    text = json.dumps(invitee_export)
    for other in (email, ben["id"], "Ben", slug):
        assert other not in text


def test_invitee_erasure_keeps_the_time_for_the_host_and_removes_them_everywhere(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana = booked(api, slug, 3, "Ana Invitee")
    google.drain_tasks()
    ana_email = db.collection("bookings").document(ana["id"]).get().get("invitee.email")

    erased = requests.post(f"{api}/privacy/erase", headers=bearer(ana), timeout=10)
    google.drain_tasks()

    assert erased.status_code == 200, erased.text
    assert erased.json()["steps"] == {"bookings_anonymised": 1}
    stored = db.collection("bookings").document(ana["id"]).get().to_dict()
    assert stored["status"] == "confirmed"  # the host keeps the time
    assert stored["start"] is not None
    assert stored["notes"] is None
    assert stored["anonymised"] is True
    assert not [path for path, doc in all_documents(db) if ana_email in str(doc) or "Ana" in str(doc)]
    (event,) = our_events(google, email)
    assert event.get("attendees", []) == []
    assert "Ana" not in json.dumps(event)
    assert ana_email not in json.dumps(event)
    taken = post_booking(api, booking_body(slug, day_ahead(3, 10)))
    assert taken.status_code == 409  # still booked


def test_rights_need_a_session_or_a_manage_token(api: str) -> None:
    anonymous = requests.get(f"{api}/privacy/export", timeout=10)
    forged = requests.get(f"{api}/privacy/export", headers={"Authorization": "Bearer abc.def"}, timeout=10)
    complaint = requests.get(f"{api}/privacy/complaint", timeout=10)

    assert anonymous.status_code == 401
    assert forged.status_code == 404
    assert forged.headers["Content-Type"].startswith("application/problem+json")
    assert complaint.status_code == 200
    assert complaint.json()["contact"]
