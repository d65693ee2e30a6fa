"""Running a team over HTTP, against the emulator and the Google sandbox: pending invitations listed and
withdrawn (the link then answers 410 `invitation-revoked`), an address invited again answered with the same
invitation without a second mail (until a while has passed), the team's name and slug changed, the slug
moving in the hosts' registry, a member whose calendar disconnects leaving every pool while the team's
admins and owners are told once per disconnect, and the bound of teams a host may be in holding against two
joins at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import requests

from shared.bootstrap import utc_now
from shared.domain.team import MAX_TEAMS_PER_HOST, REMAIL_AFTER
from tests.e2e.test_bookings import booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_team_event_types import team_of, team_starts, team_type
from tests.e2e.test_teams import invite, me, signed_in_host
from tests.support import NO_LOOK, Google, pii_in, unique_email


def team_slug() -> str:
    return f"t-{unique_email()[5:15]}"


def token_of(response: requests.Response) -> str:
    return str(response.json()["invite_url"]).rsplit("/", 1)[1]


def test_pending_invitations_are_listed_withdrawn_and_asked_again_without_a_second_mail(
    api: str, google: Google, db: Any, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, _, bo_email = signed_in_host(api, google)
    cy, _, cy_email = signed_in_host(api, google)
    team_id = ada.post("/teams", json={"slug": team_slug(), "name": "T"}).json()["id"]
    bo_invited = invite(ada, team_id, bo_email)
    bo_token = token_of(bo_invited)
    sensitive.add(bo_token)
    assert bo.post(f"/teams/invitations/{bo_token}/accept").status_code == 200
    lines_before = len(log_lines)

    first = invite(ada, team_id, cy_email)
    again = ada.post(
        f"/teams/{team_id}/invitations", json={"email": cy_email}, headers={"Idempotency-Key": "invite-cy-0001"}
    )
    sensitive.add(token_of(first))

    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert len(google.mail(to=cy_email)) == 1
    listed = ada.get(f"/teams/{team_id}/invitations")
    assert listed.status_code == 200, listed.text
    assert listed.json() == {
        "invitations": [
            {"id": first.json()["id"], "email": cy_email, "role": "member", "expires_at": first.json()["expires_at"]}
        ]
    }  # Bo's, accepted, is no longer pending
    assert_problem(bo.get(f"/teams/{team_id}/invitations"), 403, "team-role-forbids")
    assert_problem(cy.get(f"/teams/{team_id}/invitations"), 404, "team-not-found")

    (stored,) = [doc for doc in db.collection("team_invitations").stream() if doc.get("id") == first.json()["id"]]
    stored.reference.update({"mailed_at": utc_now() - REMAIL_AFTER - timedelta(seconds=1)})  # a while went by
    assert invite(ada, team_id, cy_email).json() == first.json()
    assert len(google.mail(to=cy_email)) == 2  # mailed again: the first may have been lost

    withdraw = f"/teams/{team_id}/invitations/{first.json()['id']}"
    assert_problem(bo.delete(withdraw), 403, "team-role-forbids")
    assert ada.delete(withdraw).status_code == 204
    assert ada.delete(withdraw).status_code == 204  # again: nothing changes
    assert ada.get(f"/teams/{team_id}/invitations").json() == {"invitations": []}
    assert_problem(cy.post(f"/teams/invitations/{token_of(first)}/accept"), 410, "invitation-revoked")
    assert_problem(ada.delete(f"/teams/{team_id}/invitations/iv{'0' * 20}"), 404, "invitation-not-found")
    accepted = f"/teams/{team_id}/invitations/{bo_invited.json()['id']}"
    assert_problem(ada.delete(accepted), 410, "invitation-used")  # remove the member instead
    assert pii_in(log_lines[lines_before:]) == []


def test_a_team_changes_its_name_and_slug_and_the_old_slug_is_free_again(api: str, google: Google) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, bo_slug, bo_email = signed_in_host(api, google)
    cy, _, _ = signed_in_host(api, google)
    old, new = team_slug(), team_slug()
    team_id = ada.post("/teams", json={"slug": old, "name": "Acme"}).json()["id"]
    assert bo.post(f"/teams/invitations/{token_of(invite(ada, team_id, bo_email))}/accept").status_code == 200

    assert_problem(ada.patch(f"/teams/{team_id}", json={"slug": bo_slug}), 409, "slug-taken")
    assert_problem(bo.patch(f"/teams/{team_id}", json={"name": "Bo's"}), 403, "team-role-forbids")
    assert_problem(ada.patch(f"/teams/{team_id}", json={"slug": "Not A Slug"}), 422, "validation-error")
    renamed = ada.patch(f"/teams/{team_id}", json={"name": "Acme Health", "slug": new})

    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {"id": team_id, "slug": new, "name": "Acme Health"}
    assert bo.get("/teams").json()["teams"] == [{"id": team_id, "slug": new, "name": "Acme Health", "role": "member"}]
    page = requests.get(f"{api}/bookings/pages/{new}", timeout=10)
    assert page.status_code == 200, page.text
    assert page.json()["host"] == {"display_name": "Acme Health", "slug": new, **NO_LOOK}
    assert_problem(requests.get(f"{api}/bookings/pages/{old}", timeout=10), 404, "not-found")
    assert_problem(cy.patch("/hosts/me", json={"slug": new}), 409, "slug-taken")
    assert cy.patch("/hosts/me", json={"slug": old}).status_code == 200  # the old address is free again
    assert me(cy)["slug"] == old


def told_of_disconnect(google: Google, email: str) -> list[str]:
    return [str(m["subject"]) for m in google.mail(to=email) if "calendar is no longer connected" in str(m["subject"])]


def test_a_member_whose_calendar_disconnects_leaves_every_pool_and_the_admins_are_told_once(
    api: str, google: Google, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    cy, _, cy_email = signed_in_host(api, google)
    cy_token = token_of(invite(ada, team_id, cy_email, role="admin"))
    sensitive.add(cy_token)
    assert cy.post(f"/teams/invitations/{cy_token}/accept").status_code == 200
    ada_me, bo_me = me(ada), me(bo)
    for slug, assignment in (("anyone", "round_robin"), ("together", "collective")):
        body = team_type(slug, assignment, [ada_me["id"], bo_me["id"]])
        assert ada.post(f"/teams/{team_id}/event-types", json=body).status_code == 201
    ten, eleven = day_ahead(6, 10), day_ahead(6, 11)
    assert post_booking(api, booking_body(ada_me["slug"], ten)).status_code == 201  # Ada's own booking at ten
    google.drain_tasks()
    assert ten.isoformat() in team_starts(api, team_slug, "anyone", ten)  # Bo is free then
    lines_before = len(log_lines)

    google.revoke_all(bo_me["email"])  # Google ends Bo's grant: the next sync of his finds it out, twice
    for hour in (12, 13):
        assert post_booking(api, booking_body(bo_me["slug"], day_ahead(7, hour))).status_code == 201
    google.drain_tasks()

    assert bo.get("/hosts/me").json()["connection"]["reason"] == "google_access_revoked"
    assert told_of_disconnect(google, ada_email) == [
        f"{bo_me['display_name']}'s calendar is no longer connected (Acme Clinic)"
    ]
    assert len(told_of_disconnect(google, cy_email)) == 1
    assert told_of_disconnect(google, bo_me["email"]) == []
    assert ten.isoformat() not in team_starts(api, team_slug, "anyone", ten)  # only Ada is in the pool now
    assert eleven.isoformat() in team_starts(api, team_slug, "together", eleven)  # collective: without Bo
    assert_problem(post_booking(api, booking_body(team_slug, ten, event_type="anyone")), 409, "slot-taken")
    assert bo.post("/hosts/me/disconnect").status_code == 200  # the same disconnect, asked again
    google.drain_tasks()
    assert len(told_of_disconnect(google, ada_email)) == 1

    assert bo.sign_in(bo_me["email"]).status_code == 302  # he connects again...
    assert bo.get("/hosts/me").json()["connection"]["state"] == "connected"
    assert bo.post("/hosts/me/disconnect").status_code == 200  # ...and disconnects again
    google.drain_tasks()
    assert len(told_of_disconnect(google, ada_email)) == 2
    assert len(told_of_disconnect(google, cy_email)) == 2
    assert pii_in(log_lines[lines_before:]) == []


def test_two_invitations_accepted_at_once_at_the_bound_of_teams_let_only_one_in(
    api: str, google: Google, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, _, _ = signed_in_host(api, google)
    bo, _, bo_email = signed_in_host(api, google)
    for _ in range(MAX_TEAMS_PER_HOST - 1):
        assert bo.post("/teams", json={"slug": team_slug(), "name": "Bo's"}).status_code == 201
    tokens = []
    for _ in range(2):
        team_id = ada.post("/teams", json={"slug": team_slug(), "name": "Ada's"}).json()["id"]
        tokens.append(token_of(invite(ada, team_id, bo_email)))
    sensitive.update(tokens)
    lines_before = len(log_lines)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda token: bo.post(f"/teams/invitations/{token}/accept"), tokens))

    assert sorted(answer.status_code for answer in answers) == [200, 409], [answer.text for answer in answers]
    (refused,) = [answer for answer in answers if answer.status_code == 409]
    assert_problem(refused, 409, "team-limit-reached")
    assert len(bo.get("/teams").json()["teams"]) == MAX_TEAMS_PER_HOST
    assert_problem(bo.post("/teams", json={"slug": team_slug(), "name": "One more"}), 409, "team-limit-reached")
    assert pii_in(log_lines[lines_before:]) == []
