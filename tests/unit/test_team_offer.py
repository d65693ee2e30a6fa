"""A team event type's pure rules (shared/domain/team_offer.py), asked directly with the members' real offers:
no unit of work, no fakes of Google or Firestore, no I/O."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.booking import Booking
from shared.domain.claims import claim_ids, occupied_span
from shared.domain.errors import DailyLimitReached, SlotNotOffered, SlotTaken
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval, SpanSet
from shared.domain.offer import (
    AvailabilitySnapshot,
    BookedSpan,
    FreeSlots,
    Offer,
    day_claim,
    minute_runs,
    period_claims,
)
from shared.domain.offsets import epoch_seconds
from shared.domain.team_offer import (
    RECENT_DAYS,
    Assignment,
    AssignmentTally,
    PoolMember,
    Standing,
    assignment_order,
    check_team_start,
    free_members_at,
    holders,
    member_places,
    round_robin_order,
    standing,
    team_claims,
    team_free_slots,
    team_starts,
    time_claims,
)
from tests.unit.fakes import a_booking, a_page

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
MONDAY = datetime(2027, 3, 8, tzinfo=UTC)  # every member's hours: weekdays 09:00-17:00 UTC
TEN = MONDAY + timedelta(hours=10)
UTC_ZONE = ZoneInfo("UTC")
TEAM_TYPE = "et00000000aa"
CALL = EventType(slug="call", title="Team call", duration_minutes=30, buffer_after_minutes=10)
DAY = 86_400
ROUND_ROBIN, COLLECTIVE = Assignment.ROUND_ROBIN, Assignment.COLLECTIVE


def member_offer(
    host_id: str,
    *,
    busy: tuple[tuple[datetime, datetime], ...] = (),
    event_type: EventType = CALL,
    bookings: tuple[Booking, ...] = (),
) -> Offer:
    """The team type as one member's page offers it: their hours, their busy mirror, their bookings of it."""
    spans = SpanSet.of((epoch_seconds(start), epoch_seconds(end)) for start, end in busy)
    booked = sorted(span for span in map(BookedSpan.of, bookings) if span is not None)
    page = a_page(host_id, event_types={TEAM_TYPE: event_type}, synced_at=NOW)
    return Offer(AvailabilitySnapshot(page, spans, booked), TEAM_TYPE, event_type)


def monday_slots(offer: Offer) -> FreeSlots:
    return offer.free_slots(MONDAY.date(), MONDAY.date(), UTC_ZONE, NOW)


def at(hour: float) -> int:
    return epoch_seconds(MONDAY + timedelta(hours=hour))


# --- offered starts --------------------------------------------------------------------------------------------
def test_round_robin_offers_a_time_one_member_is_free_and_collective_only_a_time_all_are() -> None:
    offers = {
        "h1": member_offer("h1", busy=((TEN, TEN + timedelta(hours=1)),)),
        "h2": member_offer("h2", busy=((TEN, TEN + timedelta(hours=2)),)),
        "h3": member_offer("h3", busy=((TEN + timedelta(hours=1), TEN + timedelta(hours=2)),)),
    }
    free = {member: monday_slots(offer) for member, offer in offers.items()}

    anyone = team_free_slots(ROUND_ROBIN, free)
    everyone = team_free_slots(COLLECTIVE, free)

    assert at(10) in anyone.starts
    assert at(11) in anyone.starts
    assert at(10) not in everyone.starts
    assert at(11) not in everyone.starts
    assert at(9) in everyone.starts
    assert at(12) in everyone.starts
    assert set(anyone.starts) == set().union(*(slots.starts for slots in free.values()))
    assert set(everyone.starts) == set.intersection(*(set(slots.starts) for slots in free.values()))
    assert anyone.starts == sorted(anyone.starts)
    assert everyone.starts == sorted(everyone.starts)
    assert anyone.duration_seconds == everyone.duration_seconds == 30 * 60
    assert anyone.complete
    assert everyone.complete
    assert anyone.seats_left is None


def test_a_members_own_limit_closes_only_their_day() -> None:
    """Limits are per member: h1's day is full, so round-robin still offers h2, and collective nothing."""
    limited = CALL.model_copy(update={"daily_limit": 1})
    booked = a_booking(TEN, host_id="h1", event_type_id=TEAM_TYPE, day_claim=f"h1:{TEAM_TYPE}:20270308:place1")
    free = {
        "h1": monday_slots(member_offer("h1", event_type=limited, bookings=(booked,))),
        "h2": monday_slots(member_offer("h2", event_type=limited)),
    }

    assert free["h1"].starts == []
    assert team_free_slots(ROUND_ROBIN, free).starts == free["h2"].starts != []
    assert team_free_slots(COLLECTIVE, free).starts == []


def test_merges_of_plain_starts() -> None:
    free = {"a": [1, 3, 5, 7], "b": [2, 3, 7, 9], "c": [3, 4, 7]}

    assert team_starts(ROUND_ROBIN, free) == [1, 2, 3, 4, 5, 7, 9]
    assert team_starts(COLLECTIVE, free) == [3, 7]
    assert free_members_at(7, free) == ["a", "b", "c"]
    assert free_members_at(9, free) == ["b"]
    assert free_members_at(6, free) == []


def test_empty_inputs_offer_nothing() -> None:
    assert team_starts(ROUND_ROBIN, {}) == [] == team_starts(COLLECTIVE, {})
    assert team_starts(COLLECTIVE, {"a": [1, 2], "b": []}) == []
    assert team_starts(ROUND_ROBIN, {"a": [1, 2], "b": []}) == [1, 2]
    assert team_free_slots(COLLECTIVE, {}) == FreeSlots([], 0, True)
    assert round_robin_order([], {}) == []
    assert assignment_order([]) == []


def test_the_team_is_complete_only_when_every_member_is() -> None:
    free = {"a": FreeSlots([1], 1800, True), "b": FreeSlots([1], 1800, False)}

    assert not team_free_slots(ROUND_ROBIN, free).complete
    assert not team_free_slots(COLLECTIVE, free).complete


def test_members_slots_of_different_types_or_with_seats_are_refused() -> None:
    with pytest.raises(ValueError, match="different event types"):
        team_free_slots(ROUND_ROBIN, {"a": FreeSlots([1], 1800, True), "b": FreeSlots([1], 3600, True)})
    with pytest.raises(ValueError, match="no seats"):
        team_free_slots(ROUND_ROBIN, {"a": FreeSlots([1], 1800, True, {1: 3})})


def test_a_ten_member_month_is_merged_in_linear_time() -> None:
    """Every 5 minutes for 31 days for 10 members (8 928 starts each, every other one for half of them):
    a sorted merge, not pairwise loops.
    The bound is generous (a shared machine); quadratic work would take minutes."""
    month = list(range(0, 31 * DAY, 300))
    free = {f"h{n}": month[1::2] if n % 2 else month for n in range(10)}

    began = time.perf_counter()
    union, common = team_starts(ROUND_ROBIN, free), team_starts(COLLECTIVE, free)
    elapsed = time.perf_counter() - began

    assert union == month
    assert common == month[1::2]
    assert elapsed < 2.0


def test_one_start_asks_each_members_offer() -> None:
    offers = {"h1": member_offer("h1", busy=((TEN, TEN + timedelta(hours=1)),)), "h2": member_offer("h2")}

    assert check_team_start(ROUND_ROBIN, offers, TEN, NOW) == ["h2"]
    assert check_team_start(ROUND_ROBIN, offers, TEN + timedelta(hours=1), NOW) == ["h1", "h2"]
    assert check_team_start(COLLECTIVE, offers, TEN + timedelta(hours=1), NOW) == ["h1", "h2"]
    with pytest.raises(SlotTaken):
        check_team_start(COLLECTIVE, offers, TEN, NOW)


def test_a_refused_start_says_why_as_a_single_hosts_page_would() -> None:
    """h1's day is full, h2's time is taken: round-robin answers the mildest (taken: a racer may free it),
    collective the gravest (h1 offers nothing that day); off the grid, nobody ever offered it."""
    limited = CALL.model_copy(update={"daily_limit": 1})
    full_day = a_booking(TEN, host_id="h1", event_type_id=TEAM_TYPE, day_claim=f"h1:{TEAM_TYPE}:20270308:place1")
    eleven = TEN + timedelta(hours=1)
    offers = {
        "h1": member_offer("h1", event_type=limited, bookings=(full_day,)),
        "h2": member_offer("h2", event_type=limited, busy=((eleven, eleven + timedelta(hours=1)),)),
    }

    with pytest.raises(SlotTaken):
        check_team_start(ROUND_ROBIN, offers, eleven, NOW)
    with pytest.raises(DailyLimitReached):
        check_team_start(COLLECTIVE, offers, eleven, NOW)
    for assignment in Assignment:
        with pytest.raises(SlotNotOffered) as refused:
            check_team_start(assignment, offers, eleven + timedelta(minutes=7), NOW)
        assert type(refused.value) is SlotNotOffered
        with pytest.raises(SlotNotOffered):
            check_team_start(assignment, {}, eleven, NOW)


# --- round-robin fairness --------------------------------------------------------------------------------------
def book_in_turn(
    pool: Sequence[PoolMember], free_at: Mapping[int, Sequence[str]], *, tallies: dict[str, AssignmentTally]
) -> Counter[str]:
    """Book each start of `free_at` in time order, the first in `round_robin_order` taking it, and keep the
    tallies as the counter documents would be kept; who got how many."""
    got: Counter[str] = Counter()
    for start, free_members in sorted(free_at.items()):
        now = start - DAY  # booked a day ahead
        standings = {member.host_id: standing(member, tallies[member.host_id], now) for member in pool}
        chosen = round_robin_order(free_members, standings)[0]
        tallies[chosen] = tallies[chosen].added(now)
        got[chosen] += 1
    return got


def test_twelve_bookings_over_three_equal_members_give_four_each() -> None:
    pool = [PoolMember("h1"), PoolMember("h2"), PoolMember("h3")]
    starts = {at(9) + n * 3 * 3600: ["h1", "h2", "h3"] for n in range(12)}  # every 3 hours for a day and a half

    got = book_in_turn(pool, starts, tallies={member.host_id: AssignmentTally() for member in pool})

    assert sorted(got.values()) == [4, 4, 4]


def test_weights_two_one_one_over_forty_bookings_give_about_twenty_ten_ten() -> None:
    pool = [PoolMember("h1", weight=2), PoolMember("h2"), PoolMember("h3")]
    starts = {at(9) + n * 1800: ["h1", "h2", "h3"] for n in range(40)}

    got = book_in_turn(pool, starts, tallies={member.host_id: AssignmentTally() for member in pool})

    assert abs(got["h1"] - 20) <= 1
    assert abs(got["h2"] - 10) <= 1
    assert abs(got["h3"] - 10) <= 1
    assert sum(got.values()) == 40


def test_a_member_busy_at_some_times_is_made_up_to_when_free_again() -> None:
    """h1 is away for the first six bookings; the next ones go to h1 until the counts even out."""
    pool = [PoolMember("h1"), PoolMember("h2")]
    starts = {at(9) + n * 3600: (["h2"] if n < 6 else ["h1", "h2"]) for n in range(12)}

    got = book_in_turn(pool, starts, tallies={member.host_id: AssignmentTally() for member in pool})

    assert got == Counter({"h1": 6, "h2": 6})


def test_higher_priority_is_chosen_whenever_free_and_fairness_applies_among_equals() -> None:
    pool = [PoolMember("lead", priority=2), PoolMember("h2", priority=1), PoolMember("h3", priority=1)]
    # The lead is free for the first 5 bookings only; then h2 and h3 share the rest.
    starts = {at(9) + n * 3600: (["lead", "h2", "h3"] if n < 5 else ["h2", "h3"]) for n in range(11)}

    got = book_in_turn(pool, starts, tallies={member.host_id: AssignmentTally() for member in pool})

    assert got == Counter({"lead": 5, "h2": 3, "h3": 3})


def test_the_order_lists_every_free_pool_member_so_a_lost_race_falls_to_the_next() -> None:
    standings = {
        "h1": Standing(PoolMember("h1"), recent=0),
        "h2": Standing(PoolMember("h2"), recent=1, last_booked=100),
        "h3": Standing(PoolMember("h3"), recent=3, last_booked=50),
    }
    free = {"h1": [at(10)], "h2": [at(10)], "h3": [at(10)], "guest": [at(10)]}  # guest: free, not in the pool

    order = round_robin_order(free_members_at(at(10), free), standings)
    taken_by_racer = set(claim_ids("h1", Interval(TEN, TEN + timedelta(minutes=40))))  # h1 went to a racer
    first_whose_claims_are_free = next(
        host for host in order if not taken_by_racer & set(time_claims((host,), occupied_span(TEN, CALL)))
    )

    assert order == ["h1", "h2", "h3"]
    assert first_whose_claims_are_free == "h2"


def test_ties_go_to_whoever_was_booked_least_recently_then_by_host_id() -> None:
    never = Standing(PoolMember("h9"), recent=2)
    long_ago = Standing(PoolMember("h5"), recent=2, last_booked=1_000)
    lately = Standing(PoolMember("h1"), recent=2, last_booked=2_000)
    twins = [Standing(PoolMember("hb"), recent=1, last_booked=5), Standing(PoolMember("ha"), recent=1, last_booked=5)]

    assert assignment_order([lately, long_ago, never]) == ["h9", "h5", "h1"]
    assert assignment_order(twins) == ["ha", "hb"] == assignment_order(list(reversed(twins)))


def test_load_is_compared_exactly_per_weight() -> None:
    """(recent + 1) / weight: 5 bookings at weight 2 (load 3) ties with 2 at weight 1 (load 3)."""
    heavy = Standing(PoolMember("hz", weight=2), recent=5, last_booked=1)
    light = Standing(PoolMember("ha"), recent=2, last_booked=1)
    lighter = Standing(PoolMember("hm", weight=2), recent=4, last_booked=1)

    assert assignment_order([heavy, light, lighter]) == ["hm", "ha", "hz"]


def test_a_pool_member_needs_a_host_a_weight_and_a_count() -> None:
    with pytest.raises(ValueError, match="weight"):
        PoolMember("h1", weight=0)
    with pytest.raises(ValueError, match="host id"):
        PoolMember("")
    with pytest.raises(ValueError, match="never negative"):
        Standing(PoolMember("h1"), recent=-1)


def test_a_tally_counts_the_last_thirty_days_only_and_gives_a_cancelled_one_back() -> None:
    start = epoch_seconds(NOW)
    tally = AssignmentTally().added(start).added(start + 3600).added(start + 2 * DAY)

    assert tally.count(start + 2 * DAY) == 3
    assert tally.last_at == start + 2 * DAY
    assert tally.count(start + RECENT_DAYS * DAY) == 1  # the first day has left the window
    assert tally.removed(start).count(start + 2 * DAY) == 2
    assert tally.removed(start).removed(start).by_day == ((start // DAY + 2, 1),)
    assert tally.removed(start - 40 * DAY) == tally  # made before anything kept: nothing to give back
    later = tally.added(start + 31 * DAY)
    assert later.by_day == ((start // DAY + 2, 1), (start // DAY + 31, 1))  # old days are dropped on write
    assert AssignmentTally().added(start).removed(start + 60).last_at == start


# --- claims ----------------------------------------------------------------------------------------------------
def limited_call() -> EventType:
    return CALL.model_copy(update={"daily_limit": 3, "weekly_limit": 5, "daily_minutes_limit": 120})


def test_a_round_robin_booking_holds_exactly_what_the_members_own_booking_would() -> None:
    offer = member_offer("h2", event_type=limited_call())
    span = occupied_span(TEN, offer.event_type)
    own = a_booking(
        TEN,
        host_id="h2",
        event_type_id=TEAM_TYPE,
        occupied_end=span.end,
        day_claim=day_claim(offer, TEN),
        period_claims=period_claims(offer, TEN),
        minute_places=minute_runs(offer, TEN),
    )
    who = holders(ROUND_ROBIN, ["h1", "h2", "h3"], "h2")

    claims = team_claims([member_offer(host, event_type=limited_call()) for host in who], TEN)

    assert who == ("h2",)
    assert sorted(claims) == sorted(own.claims())
    assert f"h2:{TEAM_TYPE}:20270308:place1" in claims
    assert "h2:20270308T1035Z" in claims
    assert not any(claim.startswith("h1") or claim.startswith("h3") for claim in claims)


def test_a_collective_booking_holds_every_members_claims_so_any_own_page_booking_conflicts() -> None:
    members = ["h1", "h2", "h3"]
    offers = [member_offer(host) for host in holders(COLLECTIVE, members)]

    claims = set(team_claims(offers, TEN))
    h3_own_page = a_booking(TEN + timedelta(minutes=20), host_id="h3", id="b9")  # overlaps the team meeting

    assert claims == {claim for host in members for claim in claim_ids(host, occupied_span(TEN, CALL))}
    assert claims & set(h3_own_page.claims())
    assert not claims & set(a_booking(TEN + timedelta(minutes=40), host_id="h3").claims())  # after the buffer


def test_a_collective_booking_takes_each_members_own_limit_places() -> None:
    offers = [member_offer(host, event_type=limited_call()) for host in ("h1", "h2")]

    places = member_places(offers[0], TEN) + member_places(offers[1], TEN)

    assert places == [
        f"h1:{TEAM_TYPE}:20270308:place1",
        f"h1:{TEAM_TYPE}:w2027-W10:place1",
        *(f"h1:{TEAM_TYPE}:d20270308:min{n}" for n in range(1, 7)),
        f"h2:{TEAM_TYPE}:20270308:place1",
        f"h2:{TEAM_TYPE}:w2027-W10:place1",
        *(f"h2:{TEAM_TYPE}:d20270308:min{n}" for n in range(1, 7)),
    ]
    assert set(places) <= set(team_claims(offers, TEN))


def test_a_members_full_day_refuses_the_collective_claims() -> None:
    full = CALL.model_copy(update={"daily_limit": 1})
    booked = a_booking(TEN, host_id="h2", event_type_id=TEAM_TYPE, day_claim=f"h2:{TEAM_TYPE}:20270308:place1")
    offers = [member_offer("h1", event_type=full), member_offer("h2", event_type=full, bookings=(booked,))]

    with pytest.raises(DailyLimitReached):
        team_claims(offers, TEN + timedelta(hours=2))


def test_who_holds_the_time() -> None:
    assert holders(COLLECTIVE, ["h1", "h2"]) == ("h1", "h2")
    assert holders(ROUND_ROBIN, ["h1", "h2"], "h1") == ("h1",)
    with pytest.raises(ValueError, match="one of the type's members"):
        holders(ROUND_ROBIN, ["h1", "h2"], "h7")
    with pytest.raises(ValueError, match="one of the type's members"):
        holders(ROUND_ROBIN, ["h1", "h2"])
    with pytest.raises(ValueError, match="nobody in particular"):
        holders(COLLECTIVE, ["h1", "h2"], "h1")
    assert time_claims(("h1", "h1"), Interval(TEN, TEN + timedelta(minutes=5))) == ["h1:20270308T1000Z"]
