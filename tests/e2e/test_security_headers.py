"""Issue 25, finding 8: answers carrying personal data are never stored by a browser or a cache, HTTPS is
pinned by HSTS in production, and the consent cookie only ever holds an id Kaleno minted."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from devstack.app import build_app
from devstack.stack import LocalStack
from functions.main import ROUTE_TABLES
from shared.config import get_settings
from shared.web.endpoints import INVITEE, PATH_PARAMETERS
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours

# Public routes whose answers hold nothing about a person (a host's public page is what they publish).
PUBLIC_NOT_PERSONAL = {
    ("bookings", "/pages/<host_slug>"),
    ("bookings", "/pages/<host_slug>/<event_type_slug>"),
    ("bookings", "/pages/<host_slug>/<event_type_slug>/slots"),
    ("privacy", "/complaint"),
    ("privacy", "/policy"),
    ("privacy", "/cookie-policy"),
    ("calendar_webhook", "/"),
    # The web client's pages (shared/web/pages.py): the same frame for everyone; what fills it is fetched.
    ("bookings", "/html/dashboard"),
    ("bookings", "/html/dashboard/<section>"),
    ("bookings", "/html/host/<host_slug>"),
    ("bookings", "/html/book/<host_slug>/<event_type_slug>"),
    ("bookings", "/html/manage"),
    ("bookings", "/html/privacy-rights"),
    ("bookings", "/avatars/<avatar_id>.webp"),  # a host's picture: public, cached for ever (its id changes)
}
# A value of the right shape for each path parameter (so the route, not the 404 for a malformed id, answers).
SAMPLE_PARAMETERS = {
    "host_slug": "nobody",
    "event_type_slug": "call",
    "event_type_id": "et0123456789",
    "booking_id": "0" * 32,
    "erasure_id": "er" + "0" * 32,
    "webhook_id": "wh" + "0" * 20,
    "link_id": "lk" + "0" * 20,
    "schedule_id": "default",
    "section": "bookings",
    "team_id": "tm" + "0" * 20,
    "host_id": "h" + "0" * 24,
    "invitation_token": "ti." + "0" * 43 + "." + "0" * 32,
    "invitation_id": "iv" + "0" * 20,
    "avatar_id": "av" + "0" * 20,
}


def concrete(function: str, rule: str, booking_id: str) -> str:
    values = {**SAMPLE_PARAMETERS, "booking_id": booking_id}
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule)
    return f"/{function}{path}".rstrip("/") or "/"


def test_every_personal_data_answer_says_no_store_and_only_those_routes_are_public(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    booked = post_booking(api, booking_body(slug, day_ahead(3, 10)))
    invitee = {"Authorization": f"Bearer {booked.json()['manage_token']}"}
    assert set(PATH_PARAMETERS) == set(SAMPLE_PARAMETERS)

    answers: dict[tuple[str, str, str], requests.Response] = {}
    public: set[tuple[str, str]] = set()
    for function, table in ROUTE_TABLES.items():
        for route in table.routes:
            path = concrete(function, route.rule, booked.json()["id"])
            if not route.personal:
                public.add((function, route.rule))
            for method in route.methods:
                if method == "GET":  # read as the person it is about: the host, or the invitee's token
                    headers = invitee if route.guard is INVITEE else {}
                    answer = browser.session.get(f"{api}{path}", headers=headers, allow_redirects=False)
                else:  # writes answered without acting (no credentials, or an empty body): still the route's answer
                    answer = requests.request(method, f"{api}{path}", json={}, allow_redirects=False, timeout=10)
                answers[(method, function, route.rule)] = answer

    assert booked.headers["Cache-Control"] == "no-store"  # the invitee's details and their manage token
    assert public == PUBLIC_NOT_PERSONAL
    for (method, function, rule), answer in answers.items():
        personal = (function, rule) not in PUBLIC_NOT_PERSONAL
        assert (answer.headers.get("Cache-Control") == "no-store") is personal, (method, function, rule)
    for opened in [("GET", "privacy", "/export"), ("GET", "bookings", "/<booking_id>"), ("GET", "hosts", "/me")]:
        assert answers[opened].status_code == 200, opened  # the real answer with the data, not an error
    assert answers[("GET", "bookings", "/<booking_id>/ics")].status_code == 200
    assert answers[("GET", "hosts", "/me/bookings")].json()["bookings"]


def test_the_sign_in_answers_that_set_cookies_are_not_stored(browser: Browser, google: Google) -> None:
    google.create_account(email := "hsts-host@example.com")
    start = browser.start_sign_in(login_hint=email)
    callback = browser.session.get(browser.consent(start.headers["Location"]), allow_redirects=False)

    assert start.headers["Cache-Control"] == "no-store"
    assert callback.headers["Cache-Control"] == "no-store"
    assert "kaleno_session" in callback.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "path", ["/privacy/complaint", "/hosts/me", "/privacy-policy", "/cookie-policy", "/", "/bookings/html/manage"]
)
def test_production_pins_https_on_every_answer(
    clean_stack: LocalStack, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("KALENO_BASE_URL", "https://kaleno.example")
    get_settings.cache_clear()
    client = build_app().test_client()

    answer = client.get(path, base_url="https://kaleno.example")

    assert answer.status_code in (200, 401)
    assert answer.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


def test_the_plain_http_loopback_stack_sends_no_hsts(api: str) -> None:
    answer = requests.get(f"{api}/privacy/complaint", timeout=10)

    assert "Strict-Transport-Security" not in answer.headers


def test_a_planted_consent_id_is_ignored_and_replaced_by_one_we_mint(api: str, db: Any) -> None:
    attacker = "attacker-chosen-consent-id"
    visitor = requests.Session()
    visitor.cookies.set("kaleno_consent", attacker, domain="127.0.0.1", path="/")

    before = visitor.get(f"{api}/privacy/consent", timeout=10)
    chosen = visitor.post(f"{api}/privacy/consent", json={"analytics": True}, headers={"Origin": api}, timeout=10)
    again = visitor.get(f"{api}/privacy/consent", timeout=10)
    forged_mac = requests.get(
        f"{api}/privacy/consent", cookies={"kaleno_consent": chosen.json()["consent_id"] + "x"}, timeout=10
    )

    assert before.json()["decided"] is False
    assert chosen.status_code == 200, chosen.text
    minted = chosen.json()["consent_id"]
    assert minted != attacker
    assert attacker not in chosen.headers["Set-Cookie"]
    assert visitor.cookies["kaleno_consent"] == minted
    assert again.json() == {**chosen.json(), "decided": True}
    assert forged_mac.json()["decided"] is False  # a tampered id opens nothing either
    assert len(list(db.collection("consents").stream())) == 1  # nothing stored under the planted id


def frame_ancestors(answer: requests.Response) -> str:
    (rule,) = [rule for rule in answer.headers["Content-Security-Policy"].split("; ") if "frame-ancestors" in rule]
    assert "X-Frame-Options" not in answer.headers
    return rule.removeprefix("frame-ancestors ")


# Issue 29: other sites may frame (embed) the booking and host pages (a team's too: the same pages), and nothing
# else: not the dashboard, the invitee's booking, the rights page or a policy page (clickjacking), embed mode or not.
@pytest.mark.parametrize("query", ["", "?embed=1", "?embed=1&hide_host=1&lang=id&origin=https://shop.example"])
def test_only_the_booking_and_host_pages_may_be_framed(api: str, query: str) -> None:
    framable = ["/ada", "/ada/intro", "/bookings/html/host/ada", "/bookings/html/book/ada/intro"]
    refusing = [
        "/", "/dashboard", "/dashboard/event-types", "/manage", "/privacy-rights", "/privacy-policy",
        "/cookie-policy", "/bookings/html/dashboard", "/bookings/html/manage", "/bookings/html/privacy-rights",
    ]  # fmt: skip

    answers = {path: requests.get(f"{api}{path}{query}", timeout=10) for path in framable + refusing}

    assert {path for path, answer in answers.items() if answer.status_code != 200} == set()
    assert {path: frame_ancestors(answers[path]) for path in framable} == dict.fromkeys(framable, "*")
    assert {path: frame_ancestors(answers[path]) for path in refusing} == dict.fromkeys(refusing, "'none'")
