"""Properties of the team rules (shared/domain/team_offer.py) over random members, starts and standings: the
merges against plain set arithmetic, the round-robin order against its definition, and fairness over many
bookings against each member's quota (n x weight / total weight)."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.team_offer import (
    Assignment,
    AssignmentTally,
    PoolMember,
    Standing,
    assignment_order,
    free_members_at,
    standing,
    team_starts,
)

HOSTS = [f"h{n}" for n in range(8)]
DAY = 86_400
starts_of_members = st.dictionaries(
    st.sampled_from(HOSTS), st.lists(st.integers(0, 60), unique=True).map(sorted), max_size=6
)
standings = st.lists(
    st.builds(
        Standing,
        st.builds(PoolMember, st.sampled_from(HOSTS), st.integers(1, 4), st.integers(0, 2)),
        st.integers(0, 20),
        st.one_of(st.none(), st.integers(0, 10)),
    ),
    unique_by=lambda one: one.host_id,
)


@settings(max_examples=300)
@given(starts_of_members)
def test_round_robin_is_the_union_and_collective_the_intersection(free: dict[str, list[int]]) -> None:
    sets = [set(starts) for starts in free.values()]

    assert team_starts(Assignment.ROUND_ROBIN, free) == sorted(set().union(*sets))
    assert team_starts(Assignment.COLLECTIVE, free) == (sorted(set.intersection(*sets)) if sets else [])
    for start in range(61):
        assert free_members_at(start, free) == [member for member, starts in free.items() if start in starts]


@settings(max_examples=300)
@given(standings, st.randoms(use_true_random=False))
def test_the_order_is_every_candidate_once_whatever_order_they_came_in(
    candidates: list[Standing], shuffler: random.Random
) -> None:
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)

    order = assignment_order(candidates)

    assert order == assignment_order(shuffled)
    assert sorted(order) == sorted(one.host_id for one in candidates)


@settings(max_examples=300)
@given(standings)
def test_the_first_has_the_highest_priority_then_the_lowest_load(candidates: list[Standing]) -> None:
    if not candidates:
        return
    first = next(one for one in candidates if one.host_id == assignment_order(candidates)[0])
    top = max(one.member.priority for one in candidates)
    peers = [one for one in candidates if one.member.priority == top]

    assert first.member.priority == top
    assert Fraction(first.recent + 1, first.member.weight) == min(
        Fraction(one.recent + 1, one.member.weight) for one in peers
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.integers(1, 80))
def test_every_member_gets_at_least_their_quota_rounded_down_and_never_a_member_more_beyond_it(
    weights: list[int], bookings: int
) -> None:
    """Every member is free for every booking; a booking an hour, made a day ahead, tallied as it goes."""
    pool = [PoolMember(f"h{n}", weight) for n, weight in enumerate(weights)]
    tallies = {member.host_id: AssignmentTally() for member in pool}
    got: Counter[str] = Counter()
    for hour in range(bookings):
        now = hour * 3600
        chosen = assignment_order(standing(member, tallies[member.host_id], now) for member in pool)[0]
        tallies[chosen] = tallies[chosen].added(now)
        got[chosen] += 1

    total = sum(weights)
    for member in pool:
        quota = Fraction(bookings * member.weight, total)
        assert got[member.host_id] >= int(quota)  # lower quota
        assert got[member.host_id] < quota + len(pool)
    if len(set(weights)) == 1:
        assert max(got.values()) - min(got[member.host_id] for member in pool) <= 1
