"""User rights over HTTP: export and erasure for hosts and invitees, through the sandbox and the emulator."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from typing import Any

import requests

from shared.config import get_settings
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
    assert forged.status_code == 401  # not a token Kaleno issued
    assert forged.headers["Content-Type"].startswith("application/problem+json")
    assert complaint.status_code == 200
    assert complaint.json()["contact"]


def test_cookie_choices_are_recorded_and_nothing_non_essential_is_set_before(api: str, db: Any) -> None:
    visitor = requests.Session()

    before = visitor.get(f"{api}/privacy/consent", timeout=10)
    forged = requests.post(f"{api}/privacy/consent", json={"analytics": True}, timeout=10)  # no Origin: refused
    chosen = visitor.post(f"{api}/privacy/consent", json={"analytics": False}, headers={"Origin": api}, timeout=10)
    after = visitor.get(f"{api}/privacy/consent", timeout=10)
    changed = visitor.post(f"{api}/privacy/consent", json={"analytics": True}, headers={"Origin": api}, timeout=10)

    assert before.json()["decided"] is False
    assert before.json()["analytics"] is False
    assert "Set-Cookie" not in before.headers
    assert forged.status_code == 403
    assert chosen.status_code == 200, chosen.text
    assert set(visitor.cookies.keys()) == {"kaleno_consent"}  # the one essential cookie remembering the choice
    assert "HttpOnly" in chosen.headers["Set-Cookie"]
    assert after.json()["decided"] is True
    assert after.json()["analytics"] is False
    assert after.json()["policy_version"] == get_settings().privacy_policy_version
    assert changed.json()["consent_id"] == chosen.json()["consent_id"]  # the same anonymous record, updated
    (stored,) = [doc.to_dict() for doc in db.collection("consents").stream()]
    assert stored["analytics"] is True
    assert "decided_at" in stored
    assert "expires_at" in stored


def test_a_new_policy_version_asks_for_consent_again(api: str) -> None:
    visitor = requests.Session()
    visitor.post(f"{api}/privacy/consent", json={"analytics": True}, headers={"Origin": api}, timeout=10)
    os.environ["KALENO_PRIVACY_POLICY_VERSION"] = "2099-01-01"
    get_settings.cache_clear()

    again = visitor.get(f"{api}/privacy/consent", timeout=10)

    assert again.json()["decided"] is False


def test_invitee_corrects_their_details_and_the_google_invite_follows(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana = booked(api, slug, 3, "Ana Invitee")
    google.drain_tasks()

    fixed = requests.patch(
        f"{api}/bookings/{ana['id']}",
        json={"name": "Ana Maria Invitee", "email": "ana.maria@example.org"},
        headers=bearer(ana),
        timeout=10,
    )
    invalid = requests.patch(f"{api}/bookings/{ana['id']}", json={"email": "nope"}, headers=bearer(ana), timeout=10)
    google.drain_tasks()

    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["invitee"]["name"] == "Ana Maria Invitee"
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["email"]
    (event,) = our_events(google, email)
    assert event["attendees"][0]["email"] == "ana.maria@example.org"
    assert event["attendees"][0]["displayName"] == "Ana Maria Invitee"
    assert db.collection("bookings").document(ana["id"]).get().get("sync_state") == "synced"


def test_a_host_restricting_processing_pauses_google_and_the_page_until_lifted(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    day = day_ahead(4, 0).date().isoformat()
    slots = f"{api}/bookings/pages/{slug}/call/slots?from={day}&to={day}&tz=UTC"
    assert google.state()["active_channels"] == 1

    paused = browser.post("/privacy/restrict", json={"active": True})
    while_paused = requests.get(slots, timeout=10)
    booking_while_paused = post_booking(api, booking_body(slug, day_ahead(4, 10)))
    objected = browser.post("/privacy/object", json={"active": True})
    browser.post("/privacy/restrict", json={"active": False})
    still_objected = requests.get(slots, timeout=10)
    channels_while_paused = google.state()["active_channels"]
    lifted = browser.post("/privacy/object", json={"active": False})
    google.drain_tasks()
    after = requests.get(slots, timeout=10)

    assert paused.json() == {"restricted": True, "objected": False}
    assert while_paused.status_code == 409
    assert booking_while_paused.status_code == 409
    assert objected.json() == {"restricted": True, "objected": True}
    assert still_objected.status_code == 409  # an objection alone keeps the pause
    assert channels_while_paused == 0
    assert lifted.json() == {"restricted": False, "objected": False}
    assert google.state()["active_channels"] == 1
    assert after.status_code == 200
    assert after.json()["slots"]


def test_an_invitee_restriction_keeps_google_as_it_was_until_lifted(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    ana = booked(api, slug, 3, "Ana Invitee")
    google.drain_tasks()
    new_start = day_ahead(3, 14)

    restricted = requests.post(f"{api}/privacy/restrict", json={"active": True}, headers=bearer(ana), timeout=10)
    # The host's change waits; the invitee's own would not (tests/e2e/test_invitee_rights.py).
    moved = browser.post(f"/hosts/me/bookings/{ana['id']}/reschedule", json={"start": new_start.isoformat()})
    google.drain_tasks()
    (while_restricted,) = our_events(google, email)
    lifted = requests.post(f"{api}/privacy/restrict", json={"active": False}, headers=bearer(ana), timeout=10)
    google.drain_tasks()
    (after,) = our_events(google, email)

    assert restricted.json() == {"restricted": True, "objected": False}
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(while_restricted["start"]["dateTime"]) == day_ahead(3, 10)  # Google untouched
    assert lifted.json() == {"restricted": False, "objected": False}
    assert datetime.fromisoformat(after["start"]["dateTime"]) == new_start


def test_the_ledger_names_subjects_only_by_a_keyed_hash(browser: Browser, google: Google, db: Any) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    host_id = browser.get("/hosts/me").json()["id"]

    browser.get("/privacy/export")

    entries = [doc.to_dict() for doc in db.collection("audit").stream()]
    assert {"calendar_connect", "calendar_busy_read", "rights_export"} <= {e["action"] for e in entries}
    unkeyed = hashlib.sha256(f"subject:{host_id}".encode()).hexdigest()
    assert all(e["subject"] != unkeyed and host_id not in str(e) for e in entries)
