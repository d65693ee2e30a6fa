"""Teams over HTTP, against the emulator and the Google sandbox: a host founds a team (its slug clashes with
hosts' slugs both ways), invites a second host by email (the mail arrives through the sandbox's relay), who
accepts signed in and connected; members are listed, a role changed, a member removed, another leaves, the
team is deleted. Used, expired and forged invitations answer their problem; logs carry ids only."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
import requests

from shared.bootstrap import utc_now
from shared.config import get_settings
from shared.domain.team import invite_token
from tests.e2e.test_bookings import EVERY_DAY
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours, pii_in, unique_email


def signed_in_host(api: str, google: Google) -> tuple[Browser, str, str]:
    """A connected host in their own browser: (browser, slug, email)."""
    browser = Browser(api)
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    return browser, slug, email


def me(browser: Browser) -> dict[str, Any]:
    found: dict[str, Any] = browser.get("/hosts/me").json()
    return found


def mailed_link(google: Google, to: str) -> str:
    (mail,) = google.mail(to=to)
    return next(word for word in str(mail["text"]).split() if "#team-invitation/" in word)


def invite(browser: Browser, team_id: str, email: str, **extra: Any) -> requests.Response:
    return browser.post(f"/teams/{team_id}/invitations", json={"email": email, **extra})


def test_a_team_is_founded_joined_by_invitation_managed_and_deleted(
    api: str, google: Google, db: Any, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, bo_slug, bo_email = signed_in_host(api, google)
    cy, _, cy_email = signed_in_host(api, google)
    lines_before = len(log_lines)

    created = ada.post("/teams", json={"slug": "acme-clinic", "name": "Acme Clinic"})
    assert created.status_code == 201, created.text
    team_id = created.json()["id"]
    assert created.json() == {"id": team_id, "slug": "acme-clinic"}
    assert_problem(ada.post("/teams", json={"slug": bo_slug, "name": "Not Bo"}), 409, "slug-taken")
    assert_problem(bo.patch("/hosts/me", json={"slug": "acme-clinic"}), 409, "slug-taken")
    assert bo.get("/hosts/me/slug-check", params={"slug": "acme-clinic"}).json() == {"available": False}
    assert ada.get("/teams").json() == {
        "teams": [{"id": team_id, "slug": "acme-clinic", "name": "Acme Clinic", "role": "owner"}]
    }

    invited = invite(ada, team_id, bo_email.upper())
    assert invited.status_code == 201, invited.text
    invite_url = invited.json()["invite_url"]
    token = invite_url.rsplit("/", 1)[1]
    sensitive.add(token)
    assert mailed_link(google, bo_email) == invite_url  # typed in capitals, it still reaches them

    assert_problem(cy.post(f"/teams/invitations/{token}/accept"), 403, "invitation-for-another-address")
    accepted = bo.post(f"/teams/invitations/{token}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"team_id": team_id}
    assert_problem(bo.post(f"/teams/invitations/{token}/accept"), 410, "invitation-used")

    cy_token = invite(ada, team_id, cy_email).json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(cy_token)
    assert cy.post(f"/teams/invitations/{cy_token}/accept").status_code == 200

    ada_id, bo_id, cy_id = me(ada)["id"], me(bo)["id"], me(cy)["id"]
    members = bo.get(f"/teams/{team_id}/members").json()["members"]
    assert [(m["host_id"], m["role"]) for m in members] == [(ada_id, "owner"), (bo_id, "member"), (cy_id, "member")]
    assert members[1]["display_name"] == me(bo)["display_name"]
    assert [team["slug"] for team in ada.get("/privacy/export").json()["teams"]] == ["acme-clinic"]
    assert_problem(ada.post("/privacy/erase"), 409, "team-sole-owner")  # others are in it: hand it over first

    assert_problem(bo.patch(f"/teams/{team_id}/members/{cy_id}", json={"role": "admin"}), 403, "team-role-forbids")
    promoted = ada.patch(f"/teams/{team_id}/members/{bo_id}", json={"role": "admin"})
    assert promoted.status_code == 200, promoted.text
    assert [m["role"] for m in promoted.json()["members"]] == ["owner", "admin", "member"]
    assert_problem(ada.delete(f"/teams/{team_id}/members/{ada_id}"), 409, "team-sole-owner")
    assert bo.delete(f"/teams/{team_id}/members/{cy_id}").status_code == 204  # an admin removes a member
    assert_problem(cy.get(f"/teams/{team_id}/members"), 404, "team-not-found")
    assert bo.delete(f"/teams/{team_id}/members/{bo_id}").status_code == 204  # Bo leaves
    assert bo.get("/teams").json() == {"teams": []}

    assert ada.delete(f"/teams/{team_id}").status_code == 204
    assert ada.get("/teams").json() == {"teams": []}
    assert db.collection("teams").document(team_id).get().exists is False
    assert cy.patch("/hosts/me", json={"slug": "acme-clinic"}).status_code == 200  # the slug is free again
    assert pii_in(log_lines[lines_before:]) == []


def test_used_expired_and_forged_invitations_and_a_disconnected_host_answer_their_problem(
    api: str, google: Google, db: Any, sensitive: set[str]
) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, _, bo_email = signed_in_host(api, google)
    team_id = ada.post("/teams", json={"slug": f"t-{unique_email()[5:15]}", "name": "T"}).json()["id"]
    token = invite(ada, team_id, bo_email).json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(token)

    forged = invite_token("not our key", "s" * 43)
    assert_problem(bo.post(f"/teams/invitations/{forged}/accept"), 404, "invitation-invalid")
    assert_problem(bo.post("/teams/invitations/not-a-token/accept"), 404, "not-found")
    assert_problem(invite(bo, team_id, "x@example.org"), 404, "team-not-found")  # not theirs
    assert_problem(invite(ada, team_id, "not an address"), 422, "validation-error")
    assert_problem(invite(ada, team_id, bo_email, role="king"), 422, "validation-error")

    (stored,) = [doc for doc in db.collection("team_invitations").stream() if doc.get("team_id") == team_id]
    stored.reference.update({"expires_at": utc_now() - timedelta(minutes=1)})  # seven days went by
    assert_problem(bo.post(f"/teams/invitations/{token}/accept"), 410, "invitation-expired")

    fresh = invite(ada, team_id, bo_email).json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(fresh)
    assert bo.post("/hosts/me/disconnect").status_code == 200
    assert_problem(bo.post(f"/teams/invitations/{fresh}/accept"), 409, "host-not-connected")
    assert fresh not in str(all_documents(db))  # only the token's keyed hash is stored


@pytest.fixture
def limited(api: str) -> str:
    """Per-client limits on, as in production (the suite's environment is put back after each test)."""
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "true"
    get_settings.cache_clear()
    return api


def test_invitations_are_limited_per_client_as_each_is_a_mail(limited: str, google: Google) -> None:
    ada, _, _ = signed_in_host(limited, google)
    team_id = ada.post("/teams", json={"slug": f"t-{unique_email()[5:15]}", "name": "T"}).json()["id"]
    allowance = get_settings().client_limits["invitation-writes"][0]

    answers = [invite(ada, team_id, unique_email("guest")) for _ in range(allowance + 1)]

    assert [answer.status_code for answer in answers[:allowance]] == [201] * allowance
    assert_problem(answers[-1], 429, "rate-limited")
    assert len(google.mail()) == allowance


def test_a_members_erasure_takes_them_out_of_the_team_and_leaves_nothing_naming_them(
    api: str, google: Google, db: Any, sensitive: set[str]
) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, _, bo_email = signed_in_host(api, google)
    team_id = ada.post("/teams", json={"slug": f"t-{unique_email()[5:15]}", "name": "T"}).json()["id"]
    token = invite(ada, team_id, bo_email, role="owner").json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(token)
    assert bo.post(f"/teams/invitations/{token}/accept").status_code == 200
    bo_id = me(bo)["id"]

    started = bo.post("/privacy/erase")  # a co-owner: Ada still owns the team, so Bo may go
    google.drain_tasks()

    assert started.status_code == 202, started.text
    assert [m["role"] for m in ada.get(f"/teams/{team_id}/members").json()["members"]] == ["owner"]
    mentions = [path for path, doc in all_documents(db) if any(v in f"{path} {doc}" for v in (bo_id, bo_email))]
    assert mentions == []
    assert ada.get("/teams").json()["teams"][0]["id"] == team_id
