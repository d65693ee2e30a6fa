"""Host onboarding over HTTP through the Google sandbox: sign-in, connection, sessions, disconnect."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from shared.adapters.firestore.codec import digest
from shared.config import get_settings
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, pkce_challenge, query_of, unique_email

EVENTS_OWNED = "https://www.googleapis.com/auth/calendar.events.owned"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
APP_SECRETS = 5  # OAuth client secret; channel, manage, audit-subject and webhook keys (devstack/provision.py)


def signed_in_host(browser: Browser, google: Google, **account: Any) -> tuple[str, dict[str, Any]]:
    email = unique_email()
    google.create_account(email, **account)
    response = browser.sign_in(email, return_to="/dashboard")
    assert response.status_code == 302, response.text
    return email, browser.get("/hosts/me").json()


def test_start_asks_google_for_minimal_scopes_with_pkce_state_and_nonce(browser: Browser, db: Any) -> None:
    response = browser.start_sign_in("/dashboard")

    assert response.status_code == 302
    params = query_of(response.headers["Location"])
    assert set(params["scope"].split()) == {"openid", "email", "profile", EVENTS_OWNED, FREEBUSY}
    assert params["access_type"] == "offline"
    assert params["include_granted_scopes"] == "true"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    stored = db.collection("oauth_states").document(digest(params["state"])).get()
    assert stored.exists
    assert stored.get("return_to") == "/dashboard"


def test_new_host_signs_in_connected_and_no_token_is_stored_outside_secret_manager(
    browser: Browser, google: Google, db: Any, sensitive: set[str]
) -> None:
    email, me = signed_in_host(browser, google, name="Grace Hopper")
    sensitive.update({"Grace Hopper", *google.tokens(email)})

    assert me["email"] == email
    assert me["connection"]["state"] == "connected"
    assert {EVENTS_OWNED, FREEBUSY} <= set(me["granted_scopes"])
    cookie = next(c for c in browser.session.cookies if c.name == "kaleno_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    tokens = google.tokens(email)
    assert tokens, "the sandbox issued tokens"
    dump = json.dumps(all_documents(db), default=str)
    assert not [token for token in tokens if token in dump]
    state = google.state()
    assert state["secret_versions"] == APP_SECRETS + 1  # exactly one version of the host's token
    assert state["active_channels"] == 1
    months = db.collection("hosts").document(me["id"]).collection("months").get()
    assert [m for m in months if "busy" in m.to_dict()], "the busy mirror is warmed at connect"


def test_refused_calendar_scope_signs_in_without_connecting_then_reconsent_connects(
    browser: Browser, google: Google
) -> None:
    email, me = signed_in_host(browser, google, deny_scopes=[FREEBUSY])

    assert me["connection"]["state"] == "not_connected"
    assert me["connection"]["missing_scopes"] == [FREEBUSY]
    assert "busy" in me["connection"]["message"]
    assert "/oauth/start" in me["connection"]["message"]
    assert google.state()["secret_versions"] == APP_SECRETS  # only the app's own secrets

    google.update_account(email, deny_scopes=[])  # this time the host ticks every box on the consent screen
    browser.sign_in(email)

    assert browser.get("/hosts/me").json()["connection"]["state"] == "connected"


def test_replayed_and_forged_states_are_refused_and_store_nothing(browser: Browser, google: Google, db: Any) -> None:
    email = unique_email()
    google.create_account(email)
    callback = browser.consent(browser.start_sign_in(login_hint=email).headers["Location"])
    assert browser.session.get(callback, allow_redirects=False).status_code == 302
    hosts_before = len(list(db.collection("hosts").list_documents()))

    replay = browser.session.get(callback, allow_redirects=False)
    forged = browser.get("/oauth/callback", params={"code": "x", "state": "forged-state"}, allow_redirects=False)

    assert_problem(replay, 400, "sign-in-invalid-state")
    assert_problem(forged, 400, "sign-in-invalid-state")
    assert len(list(db.collection("hosts").list_documents())) == hosts_before


def test_id_token_with_another_nonce_is_refused(browser: Browser, google: Google, db: Any) -> None:
    email = unique_email()
    google.create_account(email)
    params = query_of(browser.start_sign_in(login_hint=email).headers["Location"])
    verifier = db.collection("oauth_states").document(digest(params["state"])).get().get("code_verifier")
    forged = {**params, "nonce": "attacker-chosen", "code_challenge": pkce_challenge(verifier)}
    authorize = requests.get(f"{google.url}/o/oauth2/v2/auth", params=forged, allow_redirects=False, timeout=10)

    response = browser.session.get(authorize.headers["Location"], allow_redirects=False)

    assert_problem(response, 400, "sign-in-nonce-mismatch")
    assert list(db.collection("hosts").list_documents()) == []
    assert google.state()["secret_versions"] == APP_SECRETS


def test_expired_id_token_is_refused(browser: Browser, google: Google, db: Any) -> None:
    email = unique_email()
    google.create_account(email)
    callback = browser.consent(browser.start_sign_in(login_hint=email).headers["Location"])
    google.advance_clock(-7200)

    response = browser.session.get(callback, allow_redirects=False)

    assert_problem(response, 400, "sign-in-invalid-id-token")
    assert list(db.collection("hosts").list_documents()) == []


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_return_to_outside_our_site_is_refused(browser: Browser, target: str, db: Any) -> None:
    response = browser.start_sign_in(target)

    assert_problem(response, 400, "sign-in-unsafe-return-to")
    assert list(db.collection("oauth_states").list_documents()) == []


def test_session_is_rotated_at_sign_in_and_ended_by_logout(browser: Browser, google: Google) -> None:
    email, _ = signed_in_host(browser, google)
    first = browser.session.cookies["kaleno_session"]
    browser.sign_in(email)
    second = browser.session.cookies["kaleno_session"]
    stale = requests.get(f"{browser.api}/hosts/me", cookies={"kaleno_session": first}, timeout=10)

    logout = browser.post("/oauth/logout")

    assert second != first
    assert_problem(stale, 401, "unauthenticated")
    assert logout.status_code == 204
    assert_problem(
        requests.get(f"{browser.api}/hosts/me", cookies={"kaleno_session": second}, timeout=10), 401, "unauthenticated"
    )


def test_profile_edits_are_validated_and_slugs_are_unique(browser: Browser, google: Google, api: str) -> None:
    signed_in_host(browser, google)
    other = Browser(api)
    signed_in_host(other, google)

    ok = browser.patch("/hosts/me", json={"slug": "ada", "time_zone": "Europe/Berlin", "display_name": "Ada"})
    taken = other.patch("/hosts/me", json={"slug": "ada"})
    reserved = other.patch("/hosts/me", json={"slug": "oauth"})
    bad_zone = other.patch("/hosts/me", json={"time_zone": "Mars/Olympus"})
    malformed = other.patch("/hosts/me", data=b"{not json", headers={"Content-Type": "application/json"})

    assert ok.status_code == 200
    assert ok.json()["slug"] == "ada"
    assert ok.json()["time_zone"] == "Europe/Berlin"
    assert browser.get("/hosts/me").json()["display_name"] == "Ada"
    assert_problem(taken, 409, "slug-taken")
    assert assert_problem(reserved, 422, "validation-error")["errors"][0]["field"] == "slug"
    assert assert_problem(bad_zone, 422, "validation-error")["errors"][0]["field"] == "time_zone"
    assert_problem(malformed, 400, "malformed-json")


def test_cookie_authenticated_write_from_another_origin_is_refused(browser: Browser, google: Google) -> None:
    signed_in_host(browser, google)

    response = browser.patch("/hosts/me", json={"display_name": "Mallory"}, headers={"Origin": "https://evil.example"})

    assert_problem(response, 403, "cross-origin-request")


def test_revoked_google_access_disconnects_the_host_once(browser: Browser, google: Google, db: Any) -> None:
    email, me = signed_in_host(browser, google)
    google.revoke_all(email)
    url = get_settings().function_url("calendar_sync")
    token = google.oidc_token(url, get_settings().tasks_service_account)
    task = {"action": "refresh_busy", "host_id": me["id"]}

    first = requests.post(url, json=task, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    token_calls = google.state()["calls"].get("oauth.token", 0)
    second = requests.post(url, json=task, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert first.json() == {"outcome": "host_disconnected"}
    assert second.json() == {"outcome": "skipped"}
    assert google.state()["calls"].get("oauth.token", 0) == token_calls  # no retry storm
    connection = browser.get("/hosts/me").json()["connection"]
    assert connection["state"] == "disconnected"
    assert connection["reason"] == "google_access_revoked"
    audits = [d for _, d in all_documents(db) if d.get("action") == "calendar_access_revoked"]
    assert len(audits) == 1


def test_disconnect_revokes_stops_purges_and_destroys(browser: Browser, google: Google, db: Any) -> None:
    _, me = signed_in_host(browser, google)
    revoked_before = google.state()["tokens"]["revoked"]

    response = browser.post("/hosts/me/disconnect")
    again = browser.post("/hosts/me/disconnect")

    assert response.status_code == 200
    assert again.status_code == 200
    assert response.json()["connection"]["state"] == "disconnected"
    state = google.state()
    assert state["secret_versions"] == APP_SECRETS  # the host's secret is gone
    assert state["secrets"] == APP_SECRETS
    assert state["active_channels"] == 0
    assert state["tokens"]["revoked"] > revoked_before
    months = db.collection("hosts").document(me["id"]).collection("months").get()
    assert [m.id for m in months if "busy" in m.to_dict()] == []  # no busy data left
    assert list(db.collection("channels").list_documents()) == []


def test_logs_of_sign_in_and_booking_hold_ids_only(
    browser: Browser, google: Google, api: str, log_lines: list[str], sensitive: set[str]
) -> None:
    from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
    from tests.support import host_with_hours, pii_in

    first_line = len(log_lines)
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    body = booking_body(slug, day_ahead(5, 10), who="Katherine Johnson")
    created = post_booking(api, body).json()
    google.drain_tasks()
    sensitive.update({"Katherine Johnson", created["manage_token"], *google.tokens(email)})

    lines = log_lines[first_line:]

    assert any('"booking_created"' in line and created["id"] in line for line in lines)
    assert all(json.loads(line)["severity"] for line in lines)
    assert pii_in(lines) == []


def test_callback_opened_in_another_browser_is_refused(browser: Browser, google: Google, api: str, db: Any) -> None:
    email = unique_email()
    google.create_account(email)
    callback = browser.consent(browser.start_sign_in(login_hint=email).headers["Location"])
    victim = Browser(api)  # an attacker sends their own callback link to someone else

    response = victim.session.get(callback, allow_redirects=False)

    assert_problem(response, 400, "sign-in-invalid-state")
    assert "kaleno_session" not in victim.session.cookies
    assert list(db.collection("hosts").list_documents()) == []
