"""Complete exports (issue 25, finding 6): a host and an invitee with every kind of record; every stored
Firestore document that names them is walked, and each value it holds must be in their export, except a
short list of technical fields, each with its reason."""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from shared.services.privacy import DELIVERY_EXPORT_OMITS, INVITEE_EXPORT_OMITS
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_invitee_rights import QUESTIONS, bearer, proof_token
from tests.e2e.test_webhooks import Receiver, register
from tests.support import Browser, Google, all_documents, host_with_hours
from tests.unit.test_avatar_image import photo_with_gps

# (collection, field) -> why the export need not carry the value. A collection is the document's path
# without its ids (`hosts/months`); a field is a dotted path (`*` matches any part of it).
TECHNICAL: dict[tuple[str, str], str] = {
    ("bookings", "manage_token_hash"): "a keyed hash standing in for the invitee's manage token: a secret's proxy",
    ("bookings", "claims"): "names of internal lock documents, derived from the times the export carries",
    ("bookings", "holder_ids"): "the host ids holding the booking (its host, a collective one's co-hosts) again, "
    "for each host's list query",
    ("bookings", "created_at"): "the server's write stamp; the export carries the booking's own times",
    ("bookings", "updated_at"): "the server's write stamp of the latest change",
    ("idempotency", "*"): "hashes of a client's retry key and request, kept 24 hours to replay the answer",
}
HOST_TECHNICAL: dict[tuple[str, str], str] = {
    **TECHNICAL,
    ("booking_links", "token_hash"): "the hash standing in for a single-use link's token: a secret's proxy",
    ("booking_pages", "schedule.weekly.*"): "the same hours as the export's, packed as 'HH:MM-HH:MM'",
    ("booking_pages", "schedules.*.weekly.*"): "the same, for the other schedules",
    ("channels", "resource_id"): "Google's internal id of the watch channel, needed only to stop it",
    ("hosts/months", "busy"): "the busy mirror, packed: exported decoded as intervals",
    ("hosts/months", "booked_on.*"): "booked spans, packed: exported as the bookings they belong to",
    ("hosts/months", "ends_at"): "the month's end, for the purge's query (the month itself is exported)",
    ("avatars", "image"): "the picture's bytes: exported as base64 (`image_base64`)",
}
INVITEE_TECHNICAL: dict[tuple[str, str], str] = {
    **TECHNICAL,
    **{("bookings", field): why for field, why in INVITEE_EXPORT_OMITS.items()},
    **{("webhook_deliveries", field): why for field, why in DELIVERY_EXPORT_OMITS.items()},
    ("slot_claims", "host_id"): "a group session's host: the host's internal account id",
    ("slot_claims", "seats.*"): "which booking holds which seat: the export carries their own booking's seat",
    ("slot_claims", "expires_at"): "when a lock document is purged (the end of the time it holds)",
}


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every scalar in a JSON-like document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item, path)
    else:
        yield path, value


def comparable(value: Any) -> Any:
    """Instants compare as instants, whatever their spelling; everything else as it is."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed.astimezone(UTC) if parsed.tzinfo else value
    return value


def collection_of(path: str) -> str:
    parts = path.split("/")
    return "/".join(parts[0::2])


def missing_from(export: dict[str, Any], names: set[str], db: Any, technical: dict[tuple[str, str], str]) -> list[str]:
    """Every stored value, in a document naming the subject, that the export does not hold."""
    exported = {comparable(value) for _, value in leaves(export)}
    missing = []
    for path, document in all_documents(db):
        if not any(name in f"{path} {document}" for name in names):
            continue
        collection = collection_of(path)
        for field, value in leaves(document):
            if value is None or any(
                collection == kind and fnmatch.fnmatchcase(field, pattern) for kind, pattern in technical
            ):
                continue
            if comparable(value) not in exported:
                missing.append(f"{path} {field}={value!r}")
    return missing


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def seeded(api: str, browser: Browser, google: Google, receiver: Receiver, sensitive: set[str]) -> dict[str, Any]:
    """A host with every kind of record, and an invitee with bookings of every kind with them."""
    slug, host_email = host_with_hours(
        browser, google, "UTC", EVERY_DAY, location={"kind": "phone"}, questions=QUESTIONS
    )
    host_id = browser.get("/hosts/me").json()["id"]
    group = {"slug": "group", "title": "Group", "duration_minutes": 60, "seats": 3}
    created = browser.post("/hosts/me/event-types", json={**group, "location": {"kind": "google_meet"}})
    assert created.status_code == 201, created.text
    day_off = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    time_off = [{"first_day": day_off, "last_day": day_off, "reason": "Sailing"}]
    assert browser.put("/hosts/me/schedule", json={"time_zone": "UTC", "weekly": EVERY_DAY, "time_off": time_off}).ok
    mornings = {"name": "Mornings", "time_zone": "UTC", "weekly": {"mon": [["08:00", "12:00"]]}}
    assert browser.post("/hosts/me/schedules", json=mornings).status_code == 201
    assert browser.post(f"/hosts/me/event-types/{created.json()['id']}/links", json={}).status_code == 201
    # A receiver that takes each delivery at once: one that never answers (a name that does not resolve) is
    # retried for longer than the drain below waits on a busy machine, and a retry landing between the export
    # and the walk of the store changed a delivery the export had already shown (attempts, state, updated_at).
    register(browser, receiver, sensitive, events=["booking.created"])
    picture = browser.put("/hosts/me/avatar", data=photo_with_gps(), headers={"Content-Type": "image/jpeg"})
    assert picture.status_code == 200, picture.text
    assert browser.patch("/hosts/me", json={"brand_color": "#8a1c7c", "locale": "id"}).status_code == 200
    team = browser.post("/teams", json={"slug": f"{slug}-team", "name": "The clinic"})
    assert team.status_code == 201, team.text
    colleague = {"email": "Colleague@example.org", "role": "admin"}
    assert browser.post(f"/teams/{team.json()['id']}/invitations", json=colleague).status_code == 201
    invitee = f"ines-{uuid.uuid4().hex[:6]}@example.org"
    call = booking_body(slug, day_ahead(3, 10), who="Ines Invitee", notes="my diagnosis")
    call.update(answers={"topic": "my diagnosis", "size": "6+"}, invitee_phone="+44 20 7946 0958")
    seat = booking_body(slug, day_ahead(4, 12), who="Ines Invitee", event_type="group")
    made = []
    for body in (call, seat):
        body["invitee"]["email"] = invitee
        response = post_booking(api, body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    google.drain_tasks()  # synced (a Meet made), announced (webhook deliveries made)
    return {"host_id": host_id, "slug": slug, "host_email": host_email, "invitee": invitee, "bookings": made}


def test_every_stored_value_naming_a_host_or_an_invitee_is_in_their_export(
    api: str, browser: Browser, google: Google, db: Any, receiver: Receiver, sensitive: set[str]
) -> None:
    seed = seeded(api, browser, google, receiver, sensitive)
    requests.post(f"{api}/privacy/address-proofs", json={"email": seed["invitee"]}, timeout=10)
    token = proof_token(google, seed["invitee"])
    grant = requests.post(f"{api}/privacy/address-proofs/redeem", json={"token": token}, timeout=10).json()["grant"]
    requests.post(f"{api}/privacy/restrict", json={"active": False}, headers=bearer(grant), timeout=10)

    invitee_export = requests.get(f"{api}/privacy/export", headers=bearer(grant), timeout=10)
    host_export = browser.get("/privacy/export")

    assert invitee_export.status_code == 200, invitee_export.text
    assert host_export.status_code == 200, host_export.text
    invitee_names = {seed["invitee"], *(b["id"] for b in seed["bookings"])}
    host_names = {seed["host_id"], seed["slug"], seed["host_email"]}
    assert missing_from(invitee_export.json(), invitee_names, db, INVITEE_TECHNICAL) == []
    assert missing_from(host_export.json(), host_names, db, HOST_TECHNICAL) == []
    booked = invitee_export.json()["bookings"]
    assert {b["meeting_url"] is not None for b in booked} == {True, False}  # the group's Meet, the call's phone
    assert any(b["answers"] and b["invitee_phone"] for b in booked)
    assert [d["state"] for d in invitee_export.json()["webhook_deliveries"]] == ["delivered", "delivered"]
