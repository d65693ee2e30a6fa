"""TeamRepository, against the fake and the emulator: a team is added once and its slug claimed in the
hosts' registry in the same commit (a host page and a team never share a slug, whichever comes first, and
a race between the two has one winner); saves are conditional; teams are found by member and by slug;
invitations by their hash; removal frees the slug; a member's export and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.booking_page import BookingPage
from shared.domain.team import INVITATION_TTL, Invitation, Role, Team
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store
from tests.unit.fakes import a_page

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
TOKEN_HASH = "a" * 64


def a_team(team_id: str = "tm1", slug: str = "acme") -> Team:
    return Team.founded(team_id, slug, "Acme", "h1", NOW)


def an_invitation(team_id: str = "tm1", email: str = "Bo@Example.org") -> Invitation:
    return Invitation(
        id="iv1", team_id=team_id, email=email, role=Role.ADMIN, created_at=NOW, expires_at=NOW + INVITATION_TTL
    )


def test_a_team_is_added_once_and_found_by_id_slug_and_member(store: Store) -> None:
    team = a_team().joined("h2", Role.MEMBER, NOW + timedelta(minutes=1))
    store.commit(lambda uow: uow.teams.add(team))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.teams.add(a_team(slug="other")))

    assert store.read(lambda uow: uow.teams.get("tm1")) == team
    assert store.read(lambda uow: uow.teams.by_slug("acme")) == team
    assert store.read(lambda uow: uow.teams.of_member("h2")) == [team]
    assert store.read(lambda uow: uow.teams.of_member("h3")) == []
    assert store.read(lambda uow: uow.teams.get("nope")) is None
    assert store.read(lambda uow: uow.teams.by_slug("__x__")) is None


def test_a_team_and_a_host_page_never_share_a_slug(store: Store) -> None:
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))
    store.commit(lambda uow: uow.teams.add(a_team()))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.teams.add(a_team("tm2", slug="ada")))
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.pages.add("acme", a_page("h2")))

    assert store.read(lambda uow: uow.pages.get("acme")) is None  # the team's claim reads as no page
    assert store.read(lambda uow: uow.teams.by_slug("ada")) is None
    assert store.read(lambda uow: uow.pages.export_subject("h1")) == [
        {"slug": "ada", **a_page("h1").model_dump(mode="json")}
    ]


def test_a_host_moving_to_a_slug_and_a_team_claiming_it_at_once_have_one_winner(store: Store) -> None:
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))
    host_move, team_creation = store.uow(), store.uow()

    with host_move, team_creation:
        page = host_move.pages.get("ada")
        assert page is not None
        host_move.pages.add("acme", page)
        host_move.pages.remove("ada")
        team_creation.teams.add(a_team())
        team_creation.commit()
        with pytest.raises(AlreadyStored):
            host_move.commit()

    assert store.read(lambda uow: uow.pages.get("ada")) == a_page("h1")  # the move failed whole
    assert store.read(lambda uow: uow.teams.by_slug("acme")) == a_team()


def test_a_team_is_saved_only_if_unchanged_since_read(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    one, two = store.uow(), store.uow()

    with one, two:
        first, second = one.teams.get("tm1"), two.teams.get("tm1")
        assert first is not None
        assert second is not None
        one.teams.save(first.joined("h2", Role.MEMBER, NOW))
        one.commit()
        two.teams.save(second.joined("h3", Role.MEMBER, NOW))
        with pytest.raises(Contention):
            two.commit()

    saved = store.read(lambda uow: uow.teams.get("tm1"))
    assert saved is not None
    assert set(saved.members) == {"h1", "h2"}


def test_two_joins_counted_at_once_cannot_both_commit(store: Store) -> None:
    def found_one(uow: UnitOfWork) -> int:
        teams_before = uow.teams.count_join("h2", NOW)  # the first join writes the counter
        uow.teams.add(Team.founded("tm0", "zero", "Zero", "h2", NOW))
        return teams_before

    assert store.commit(found_one) == 0
    one, two = store.uow(), store.uow()

    with one, two:
        assert one.teams.count_join("h2", NOW) == two.teams.count_join("h2", NOW) == 1
        one.teams.add(a_team().joined("h2", Role.MEMBER, NOW))
        one.commit()
        two.teams.add(a_team("tm2", slug="beta").joined("h2", Role.MEMBER, NOW))
        with pytest.raises(Contention):
            two.commit()

    assert [team.id for team in store.read(lambda uow: uow.teams.of_member("h2"))] == ["tm1", "tm0"]
    assert store.commit(lambda uow: uow.teams.count_join("h2", NOW)) == 2  # counted again: the join that won


def test_an_invitation_is_found_by_its_hash_and_accepted_once(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    store.commit(lambda uow: uow.teams.invitations.add(TOKEN_HASH, an_invitation()))
    one, two = store.uow(), store.uow()

    with one, two:
        first, second = one.teams.invitations.get(TOKEN_HASH), two.teams.invitations.get(TOKEN_HASH)
        assert first == second == an_invitation()
        assert first is not None
        assert second is not None
        one.teams.invitations.save(TOKEN_HASH, first.accepted("h2", NOW))
        one.commit()
        two.teams.invitations.save(TOKEN_HASH, second.accepted("h3", NOW))
        with pytest.raises(Contention):
            two.commit()

    assert store.read(lambda uow: uow.teams.invitations.get(TOKEN_HASH)) == an_invitation().accepted("h2", NOW)
    assert store.read(lambda uow: uow.teams.invitations.get("short")) is None


def test_a_teams_invitations_are_listed_by_hash_whatever_their_state(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    store.commit(lambda uow: uow.teams.invitations.add(TOKEN_HASH, an_invitation()))
    store.commit(lambda uow: uow.teams.invitations.add("b" * 64, an_invitation().revoked()))
    store.commit(lambda uow: uow.teams.invitations.add("c" * 64, an_invitation(team_id="tm2")))

    listed = store.read(lambda uow: uow.teams.invitations.of_team("tm1"))

    assert listed == {TOKEN_HASH: an_invitation(), "b" * 64: an_invitation().revoked()}


def test_a_saved_slug_change_moves_the_claim_only_to_a_free_slug(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))

    def move_to(slug: str) -> None:
        def save(uow: UnitOfWork) -> None:
            before = uow.teams.get("tm1")
            assert before is not None
            uow.teams.save(before.model_copy(update={"slug": slug}), before)

        store.commit(save)

    with pytest.raises(AlreadyStored):
        move_to("ada")
    assert store.read(lambda uow: uow.teams.by_slug("acme")) == a_team()  # the failed move changed nothing
    move_to("acme-co")

    assert store.read(lambda uow: uow.teams.by_slug("acme-co")) == a_team(slug="acme-co")
    assert store.read(lambda uow: uow.teams.by_slug("acme")) is None
    store.commit(lambda uow: uow.pages.add("acme", a_page("h2")))  # the old slug is free for a host now


def test_removing_a_team_frees_its_slug_and_takes_its_invitations(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    store.commit(lambda uow: uow.teams.invitations.add(TOKEN_HASH, an_invitation()))

    store.commit(lambda uow: uow.teams.remove(a_team()))

    assert store.read(lambda uow: uow.teams.get("tm1")) is None
    assert store.read(lambda uow: uow.teams.invitations.get(TOKEN_HASH)) is None
    store.commit(lambda uow: uow.pages.add("acme", a_page("h2")))  # free for a host now
    assert store.read(lambda uow: uow.pages.get("acme")) == a_page("h2")


def test_a_slug_found_as_a_team_then_freed_answers_what_holds_it_now(store: Store) -> None:
    """An instance remembers a team's id by slug (a booking or slots request finds the team without reading
    its claim): a team gone, and its slug taken by another team or by a host, is never answered from that."""
    store.commit(lambda uow: uow.teams.add(a_team()))
    assert store.read(lambda uow: uow.teams.by_slug("acme")) == a_team()

    store.commit(lambda uow: uow.teams.remove(a_team()))
    store.commit(lambda uow: uow.teams.add(a_team("tm2")))
    assert store.read(lambda uow: uow.teams.by_slug("acme")) == a_team("tm2")

    store.commit(lambda uow: uow.teams.remove(a_team("tm2")))
    store.commit(lambda uow: uow.pages.add("acme", a_page("h2")))
    assert store.read(lambda uow: uow.teams.by_slug("acme")) is None

    def host_first_then_team(uow: UnitOfWork) -> tuple[BookingPage | None, Team | None]:
        return uow.pages.get("solo"), uow.teams.by_slug("solo")  # the claim read as no page, then as the team

    store.commit(lambda uow: uow.teams.add(a_team("tm3", slug="solo")))
    assert store.read(host_first_then_team) == (None, a_team("tm3", slug="solo"))


def test_a_members_export_holds_their_teams_and_erasure_takes_them_out_of_each(store: Store) -> None:
    shared_team = a_team().joined("h2", Role.MEMBER, NOW + timedelta(minutes=1))
    store.commit(lambda uow: uow.teams.add(shared_team))
    store.commit(lambda uow: uow.teams.add(Team.founded("tm2", "solo", "Solo", "h2", NOW)))
    store.commit(lambda uow: uow.teams.invitations.add(TOKEN_HASH, an_invitation().accepted("h2", NOW)))

    owner_export = store.read(lambda uow: uow.teams.export_subject("h1"))
    member_export = store.read(lambda uow: uow.teams.export_subject("h2"))
    assert [(team["slug"], [i["id"] for i in team["invitations"]]) for team in owner_export] == [("acme", ["iv1"])]
    assert [team["slug"] for team in member_export] == ["acme", "solo"]
    assert "invitations" not in member_export[0]

    erased = [store.commit(lambda uow: uow.teams.erase_subject("h2")) for _ in range(2)]

    assert erased == [3, 0]  # two teams and the invitation they accepted; then nothing is left
    assert store.read(lambda uow: uow.teams.get("tm1")) == a_team()
    assert store.read(lambda uow: uow.teams.get("tm2")) is None  # they were its only member
    assert store.read(lambda uow: uow.teams.by_slug("solo")) is None
    assert store.read(lambda uow: uow.teams.invitations.get(TOKEN_HASH)) is None


def test_invitations_past_their_time_are_purged_and_the_others_kept(store: Store) -> None:
    store.commit(lambda uow: uow.teams.add(a_team()))
    store.commit(lambda uow: uow.teams.invitations.add(TOKEN_HASH, an_invitation()))
    store.commit(lambda uow: uow.teams.invitations.add("b" * 64, an_invitation().accepted("h2", NOW)))

    before = store.read(lambda uow: uow.teams.purge(NOW + INVITATION_TTL - timedelta(seconds=1)))
    after = store.read(lambda uow: uow.teams.purge(NOW + INVITATION_TTL + timedelta(seconds=1)))

    assert before == {"team_invitations_deleted": 0}
    assert after == {"team_invitations_deleted": 2}
    assert store.read(lambda uow: uow.teams.invitations.get(TOKEN_HASH)) is None
    assert store.read(lambda uow: uow.teams.get("tm1")) == a_team()  # the team stays
