"""The retention purge deletes expired short-lived records and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


def test_purge_deletes_expired_records_and_keeps_live_ones(browser: Browser, google: Google, api: str, db: Any) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    assert post_booking(api, booking_body(slug, day_ahead(5, 10))).status_code == 201
    past = datetime.now(UTC) - timedelta(minutes=1)
    expiring = (
        *("oauth_states", "sessions", "idempotency", "slot_claims", "webhook_deliveries", "address_proofs"),
        "write_places",
    )
    for collection in (*expiring, "address_grants", "spent_proofs", "host_velocity", "team_invitations"):
        db.collection(collection).document(f"expired-{collection}").set({"expires_at": past})
    for collection in ("booking_links", "link_claims"):  # single-use links ended more than 30 days ago
        db.collection(collection).document(f"expired-{collection}").set({"purge_at": past})
    idle, recent = past - timedelta(days=33), past - timedelta(days=1)  # a round-robin tally's latest assignment
    for name, last in (("idle", idle), ("recent", recent)):
        tally = {"host_id": "h1", "assigned": {}, "assigned_last": int(last.timestamp())}
        db.collection("assignment_tallies").document(f"h1:et0123456789:{name}").set(tally)
    live = {
        c: {d.id for d in db.collection(c).stream()} - {f"expired-{c}"}
        for c in ("sessions", "idempotency", "slot_claims")
    }
    url = get_settings().function_url("retention_purge")
    token = google.oidc_token(url, get_settings().scheduler_service_account)

    first = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    again = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    assert first.json() == {
        "oauth_states_deleted": 1,
        "sessions_deleted": 1,
        "idempotency_deleted": 1,
        "slot_claims_deleted": 1,
        "bookings_deleted": 0,
        "months_deleted": 0,
        "assignment_tallies_deleted": 1,
        "webhook_deliveries_deleted": 1,
        "booking_links_deleted": 1,
        "link_claims_deleted": 1,
        "audit_deleted": 0,
        "erasures_deleted": 0,
        "consents_deleted": 0,
        "closed_bookings_deleted": 0,
        "address_proofs_deleted": 1,
        "address_grants_deleted": 1,
        "write_places_deleted": 1,
        "spent_proofs_deleted": 1,
        "host_velocity_deleted": 1,
        "team_invitations_deleted": 1,
    }
    assert set(again.json().values()) == {0}
    assert [doc.id for doc in db.collection("assignment_tallies").stream()] == ["h1:et0123456789:recent"]
    for collection, ids in live.items():
        assert ids
        assert {d.id for d in db.collection(collection).stream()} == ids
    assert browser.get("/hosts/me").status_code == 200  # the live session still works


def test_purge_deletes_exactly_what_is_past_its_retention_period(google: Google, db: Any) -> None:
    now, day = datetime.now(UTC), timedelta(days=1)
    settings = get_settings()
    # collection -> {document id: (fields, deleted?)}; periods: bookings 365 d, audit 730 d, receipts 1095 d
    seeded: dict[str, dict[str, tuple[dict[str, object], bool]]] = {
        "bookings": {
            "ended-400-days-ago": ({"end": now - 400 * day, "host_id": "h1"}, True),
            "ended-300-days-ago": ({"end": now - 300 * day, "host_id": "h1"}, False),
            "next-week": ({"end": now + 7 * day, "host_id": "h1"}, False),
        },
        "audit": {
            "entry-800-days-old": ({"at": now - 800 * day, "action": "x"}, True),
            "entry-10-days-old": ({"at": now - 10 * day, "action": "x"}, False),
        },
        "erasures": {
            "receipt-1200-days-old": ({"requested_at": now - 1200 * day, "state": "done"}, True),
            "receipt-2-days-old": ({"requested_at": now - 2 * day, "state": "done"}, False),
        },
        "consents": {
            "consent-expired": ({"expires_at": now - day}, True),
            "consent-live": ({"expires_at": now + 100 * day}, False),
        },
        "closed_bookings": {  # a closed account's bookings: kept 90 days after the meeting's time
            "closed-expired": ({"closed_at": now - 200 * day, "expires_at": now - day}, True),
            "closed-live": ({"closed_at": now - 2 * day, "expires_at": now + 95 * day}, False),
        },
    }
    for collection, documents in seeded.items():
        for doc_id, (fields, _) in documents.items():
            db.collection(collection).document(doc_id).set(fields)
    months = db.collection("hosts").document("h1").collection("months")
    months.document("2020-01").set({"ends_at": datetime(2020, 2, 1, tzinfo=UTC), "booked": ["x"]})
    this_month = f"{now:%Y-%m}"
    months.document(this_month).set({"ends_at": now + 40 * day, "booked": ["y"]})
    url = settings.function_url("retention_purge")
    token = google.oidc_token(url, settings.scheduler_service_account)

    counts = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()

    assert (counts["bookings_deleted"], counts["months_deleted"]) == (1, 1)
    assert (counts["audit_deleted"], counts["erasures_deleted"], counts["consents_deleted"]) == (1, 1, 1)
    assert counts["closed_bookings_deleted"] == 1
    for collection, documents in seeded.items():
        kept = {doc_id for doc_id, (_, deleted) in documents.items() if not deleted}
        assert {d.id for d in db.collection(collection).stream()} == kept
    assert [m.id for m in months.stream()] == [this_month]


def test_purge_needs_the_scheduler_identity(api: str, google: Google) -> None:
    url = get_settings().function_url("retention_purge")
    tasks_token = google.oidc_token(url, get_settings().tasks_service_account)

    assert_problem(requests.post(url, timeout=10), 401, "unauthenticated")
    assert_problem(
        requests.post(url, headers={"Authorization": f"Bearer {tasks_token}"}, timeout=10), 403, "forbidden-caller"
    )
