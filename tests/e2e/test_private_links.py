"""Private event types and single-use links over HTTP: not listed, 404 without a link (as an unknown type),
one booking per link even under a 10-way race, expired and revoked links 410, exported, erased, purged."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours

RACERS = 10
ROUNDS = 3
FORGED = "lk0123456789abcdef0123." + "A" * 43


def private_host(browser: Browser, google: Google) -> tuple[str, str]:
    """A host whose "call" is private and "intro" public; returns (host slug, the private type's id)."""
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, visibility="private")
    intro = {"slug": "intro", "title": "Intro", "duration_minutes": 15}
    assert browser.post("/hosts/me/event-types", json=intro).status_code == 201
    types = browser.get("/hosts/me/event-types").json()["event_types"]
    return slug, next(et["id"] for et in types if et["slug"] == "call")


def new_link(browser: Browser, event_type_id: str, **body: Any) -> dict[str, Any]:
    created = browser.post(f"/hosts/me/event-types/{event_type_id}/links", json=body)
    assert created.status_code == 201, created.text
    link: dict[str, Any] = created.json()
    return link


def page(api: str, slug: str, token: str | None = None, type_slug: str = "call") -> requests.Response:
    headers = {"Kaleno-Link": token} if token else {}
    return requests.get(f"{api}/bookings/pages/{slug}/{type_slug}", headers=headers, timeout=10)


def slots(api: str, slug: str, token: str | None = None, session: Any = requests, **headers: str) -> requests.Response:
    day = day_ahead(7, 0).date().isoformat()
    headers = {**headers, **({"Kaleno-Link": token} if token else {})}
    params = {"from": day, "to": day, "tz": "UTC"}
    response: requests.Response = session.get(
        f"{api}/bookings/pages/{slug}/call/slots", params=params, headers=headers, timeout=10
    )
    return response


def book(api: str, slug: str, start: datetime, token: str | None = None) -> requests.Response:
    return post_booking(api, booking_body(slug, start, **({"link": token} if token else {})))


def links_of(browser: Browser, event_type_id: str) -> list[dict[str, Any]]:
    listed = browser.get(f"/hosts/me/event-types/{event_type_id}/links")
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json()["links"]
    return found


def test_a_private_event_type_is_not_listed_and_answers_exactly_as_an_unknown_one_without_a_link(
    api: str, browser: Browser, google: Google
) -> None:
    slug, call_id = private_host(browser, google)
    types = browser.get("/hosts/me/event-types").json()["event_types"]
    intro_id = next(et["id"] for et in types if et["slug"] == "intro")
    other_types_link = new_link(browser, intro_id)
    unknown_page = page(api, slug, type_slug="nope")

    empty_link = requests.get(f"{api}/bookings/pages/{slug}/intro", headers={"Kaleno-Link": ""}, timeout=10)
    listing = requests.get(f"{api}/bookings/pages/{slug}", timeout=10)
    private_page, public_page = page(api, slug), page(api, slug, type_slug="intro")
    answers = {
        "page": private_page,
        "slots": slots(api, slug),
        "booking": book(api, slug, day_ahead(7, 10)),
        "forged link": page(api, slug, FORGED),
        "another type's link": page(api, slug, other_types_link["token"]),
        "malformed link": page(api, slug, "not-a-link"),
    }

    assert listing.status_code == 200, listing.text
    assert [et["slug"] for et in listing.json()["event_types"]] == ["intro"]
    assert public_page.status_code == 200
    assert_problem(empty_link, 404, "not-found")  # a link sent is checked, on a public type too
    unknown = assert_problem(unknown_page, 404, "not-found")
    for what, response in answers.items():
        body = assert_problem(response, 404, "not-found")
        assert body == {**unknown, "detail": unknown["detail"].replace("nope", "call")}, what
    visibility = {et["id"]: et["visibility"] for et in browser.get("/hosts/me/event-types").json()["event_types"]}
    assert visibility == {call_id: "private", intro_id: "public"}


def test_a_single_use_link_opens_a_private_type_for_exactly_one_booking_which_can_be_rescheduled(
    api: str, browser: Browser, google: Google, sensitive: set[str], log_lines: list[str]
) -> None:
    slug, call_id = private_host(browser, google)
    link = new_link(browser, call_id)
    sensitive.add(link["token"])  # the suite's log scan fails if the token is ever logged

    opened, free = page(api, slug, link["token"]), slots(api, slug, link["token"])
    booked = book(api, slug, day_ahead(7, 10), link["token"])
    again = book(api, slug, day_ahead(7, 11), link["token"])
    reopened = page(api, slug, link["token"])
    manage = {"Authorization": f"Bearer {booked.json()['manage_token']}"}
    invitee_sees, host_sees = slots(api, slug, **manage), slots(api, slug, session=browser.session)
    moved = requests.post(
        f"{api}/bookings/{booked.json()['id']}/reschedule",
        json={"start": day_ahead(7, 12).isoformat()},
        headers=manage,
        timeout=10,
    )
    cancelled = requests.post(f"{api}/bookings/{booked.json()['id']}/cancel", json={}, headers=manage, timeout=10)
    after_cancel = book(api, slug, day_ahead(7, 13), link["token"])
    invitee_after_cancel = slots(api, slug, **manage)

    assert link["url"].endswith(f"/{slug}/call#link={link['token']}")  # in the fragment: never sent to a server
    assert (link["state"], link["expires_at"]) == ("active", None)
    assert opened.status_code == 200
    assert opened.json()["event_type"]["slug"] == "call"
    assert free.status_code == 200
    assert free.json()["slots"]
    assert booked.status_code == 201, booked.text
    assert_problem(again, 410, "link-used")
    assert_problem(reopened, 410, "link-used")
    # The booking's invitee (manage token) and the host (session) see its times without a link, to move it.
    assert invitee_sees.status_code == 200
    assert invitee_sees.json()["slots"]
    assert host_sees.status_code == 200
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"].startswith(day_ahead(7, 12).date().isoformat())
    assert cancelled.status_code == 200
    assert_problem(after_cancel, 410, "link-used")  # cancelling does not give the link back
    assert_problem(invitee_after_cancel, 404, "not-found")  # nothing left to move
    (listed,) = links_of(browser, call_id)
    assert (listed["state"], listed["booking_id"]) == ("used", booked.json()["id"])
    assert "token" not in listed
    assert not [line for line in log_lines if link["token"] in line or link["token"].split(".")[1] in line]


def test_ten_bookings_racing_with_one_link_at_different_times_make_exactly_one(
    api: str, browser: Browser, google: Google
) -> None:
    slug, call_id = private_host(browser, google)

    for round_number in range(ROUNDS):
        token = new_link(browser, call_id)["token"]
        starts = [day_ahead(7 + round_number, 9) + timedelta(minutes=30 * i) for i in range(RACERS)]
        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            responses = list(pool.map(book, [api] * RACERS, [slug] * RACERS, starts, [token] * RACERS))

        winners = [response for response in responses if response.status_code == 201]
        assert len(winners) == 1, [response.text for response in responses]
        for response in responses:
            if response.status_code != 201:
                assert_problem(response, 410, "link-used")
    listed = browser.get("/hosts/me/bookings", params={"event_type": call_id}).json()["bookings"]
    assert len(listed) == ROUNDS
    assert {link["booking_id"] for link in links_of(browser, call_id)} == {b["id"] for b in listed}


def test_expired_and_revoked_links_answer_410_link_expired(api: str, browser: Browser, google: Google) -> None:
    slug, call_id = private_host(browser, google)
    soon = new_link(browser, call_id, expires_at=(datetime.now(UTC) + timedelta(seconds=2)).isoformat())
    revoked, used = new_link(browser, call_id), new_link(browser, call_id)
    assert book(api, slug, day_ahead(7, 10), used["token"]).status_code == 201

    revoke = browser.delete(f"/hosts/me/event-types/{call_id}/links/{revoked['id']}")
    revoke_again = browser.delete(f"/hosts/me/event-types/{call_id}/links/{revoked['id']}")
    revoke_used = browser.delete(f"/hosts/me/event-types/{call_id}/links/{used['id']}")
    revoke_unknown = browser.delete(f"/hosts/me/event-types/{call_id}/links/lk{'0' * 20}")
    time.sleep(max(0.0, (datetime.fromisoformat(soon["expires_at"]) - datetime.now(UTC)).total_seconds()) + 0.2)

    assert (revoke.status_code, revoke_again.status_code) == (204, 204)
    assert_problem(revoke_used, 410, "link-used")
    assert_problem(revoke_unknown, 404, "not-found")
    for token in (soon["token"], revoked["token"]):
        assert_problem(page(api, slug, token), 410, "link-expired")
        assert_problem(slots(api, slug, token), 410, "link-expired")
        assert_problem(book(api, slug, day_ahead(7, 11), token), 410, "link-expired")
    states = {link["id"]: link["state"] for link in links_of(browser, call_id)}
    assert states == {soon["id"]: "expired", revoked["id"]: "revoked", used["id"]: "used"}


def test_bad_link_input_is_refused_field_by_field(api: str, browser: Browser, google: Google) -> None:
    slug, call_id = private_host(browser, google)
    links = f"/hosts/me/event-types/{call_id}/links"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()

    cases = {
        "expires_at": browser.post(links, json={"expires_at": past}),
        "expires_at ": browser.post(links, json={"expires_at": "tomorrow"}),
        "label": browser.post(links, json={"label": "x"}),
        "link": book(api, slug, day_ahead(7, 10), "not-a-link"),
        "visibility": browser.patch(f"/hosts/me/event-types/{call_id}", json={"visibility": "secret"}),
    }
    unknown_type = browser.post("/hosts/me/event-types/et0000000000/links", json={})
    anonymous = requests.post(f"{api}/hosts/me/event-types/{call_id}/links", json={}, timeout=10)

    for field, response in cases.items():
        body = assert_problem(response, 422, "validation-error")
        assert [error["field"] for error in body["errors"]] == [field.strip()], body
    assert_problem(unknown_type, 404, "not-found")
    assert anonymous.status_code == 401
    assert links_of(browser, call_id) == []


def test_links_are_exported_erased_with_the_host_and_purged_after_they_end(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, call_id = private_host(browser, google)
    host_id = browser.get("/hosts/me").json()["id"]
    used, kept = new_link(browser, call_id), new_link(browser, call_id)
    assert book(api, slug, day_ahead(7, 10), used["token"]).status_code == 201
    for collection in ("booking_links", "link_claims"):  # as if its 30 days after use were over
        db.collection(collection).document(used["id"]).update({"purge_at": datetime.now(UTC) - timedelta(minutes=1)})
    url = get_settings().function_url("retention_purge")
    token = google.oidc_token(url, get_settings().scheduler_service_account)

    exported = browser.get("/privacy/export").json()["single_use_links"]
    purged = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    left = {doc.id for doc in db.collection("booking_links").stream()}
    erased = browser.post("/privacy/erase")
    google.drain_tasks()

    assert {link["id"] for link in exported} == {used["id"], kept["id"]}
    assert all("token_hash" not in link and "token" not in link for link in exported)
    assert (purged["booking_links_deleted"], purged["link_claims_deleted"]) == (1, 1)
    assert left == {kept["id"]}
    assert erased.status_code == 202, erased.text
    assert [path for path, doc in all_documents(db) if host_id in f"{path} {doc}"] == []
