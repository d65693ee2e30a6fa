"""A team event type's pure rules: which starts the team offers, who a round-robin booking goes to, and which
claims a team booking holds. No I/O, and nothing of the Team aggregate: the inputs are the members' own
offers (shared/domain/offer.py) and their standings, which the services will read.

How a team booking will use these (the wiring, issue 28):

- **Slots.** Each chosen member gets an ordinary `Offer` for the team event type: their own booking page
  snapshot (busy mirror, booked spans, their default hours and zone), read for all members in one batch get.
  `Offer.free_slots` answers each member's free starts, limits included (a team type's daily, weekly and
  monthly limits are per member: the places are named by the member's host id and the team type's id);
  `team_free_slots` combines them: round-robin offers a start at which at least one member is free,
  collective one at which every member is free. A set union, or set lookups: no pairwise loops.
- **Round-robin choice.** At booking time `check_team_start` asks each member's offer about the one start
  (collective: every member must be free), and `round_robin_order(free, standings)` lists the free ones in
  the order to try: higher `priority` first; then the lowest load once this booking is theirs,
  (bookings of this type in the last 30 days + 1) / `weight`, so weight 2 gets about twice the bookings of
  weight 1 from the first bookings on; then whoever was booked least recently (never booked first); then
  the host id, so the order is stable. The booking commits with the first member's claims; if a racer took
  them (a claim that must not exist did), it tries the next member, and answers 409 only when none is left.
- **Counts.** The 30-day counts are read per member, not per team: fairness is per member and per type, and
  a member's count changes in the commit that assigns them. Each is one small counter document per (team
  type, member) (`AssignmentTally`, shared/domain/tallies.py: counts by UTC day, the latest assignment's
  instant), read in the offers' batch get (k more documents, no query, no index), written with the booking
  as field transforms (increment the day's count, maximum of `last_at`) so two bookings of one member at
  different times never lose a count, and given back (the day's count decremented) when the booking is
  cancelled. Days older than the window are ignored by `count` and dropped by the member's next assignment
  (`stale_days`); a tally nobody was assigned by for the whole window goes with the retention purge.
- **Claims.** `team_claims(offers, start)` for the `holders`' offers: a round-robin booking holds the
  assigned member's claims (exactly what a booking on that member's own page would create); a collective
  one every member's, in one commit, so any member's own page booking of that time (or another team's)
  conflicts on the same document ids.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from shared.domain.claims import claim_ids, occupied_span, places_of_run
from shared.domain.errors import SlotNotOffered, SlotTaken
from shared.domain.intervals import Interval
from shared.domain.offer import FreeSlots, Offer, check_start, day_claim, minute_runs, period_claims
from shared.domain.tallies import RECENT_DAYS as RECENT_DAYS  # re-exported: the window is this module's rule too
from shared.domain.tallies import AssignmentTally as AssignmentTally


class Assignment(StrEnum):
    """How a team event type's bookings are given to its chosen members."""

    ROUND_ROBIN = "round_robin"  # to one free member, chosen for fairness
    COLLECTIVE = "collective"  # to every member together


# --- the team's offered starts -------------------------------------------------------------------------------
def team_starts(assignment: Assignment, free: Mapping[str, Sequence[int]]) -> list[int]:
    """The starts the team offers, from each member's free starts (epoch seconds, sorted, no repeats, as
    `FreeSlots.starts` are): round-robin, a start at least one member has; collective, a start every member
    has. No members: no starts (a collective of nobody offers nothing)."""
    if not free:
        return []
    if assignment is Assignment.ROUND_ROBIN:  # a union and a sort run in C: a fifth of a k-way merge's time
        return sorted(set().union(*free.values()))
    # Walk the shortest list once and look each start up in the others' sets: linear, and already sorted.
    shortest, *others = sorted(free.values(), key=len)
    if not shortest:
        return []
    other_sets = [set(starts) for starts in others]
    return [start for start in shortest if all(start in starts for starts in other_sets)]


def team_free_slots(assignment: Assignment, free: Mapping[str, FreeSlots]) -> FreeSlots:
    """`team_starts` for the members' `FreeSlots` (one event type, so one duration): complete only when every
    member's answer is (a collective start a member's unsynced range may yet take is no sure start, and a
    round-robin range waiting on a member may yet gain starts). Group (seated) team types are not offered."""
    if any(slots.seats_left is not None for slots in free.values()):
        raise ValueError("team event types have no seats")
    durations = {slots.duration_seconds for slots in free.values()}
    if len(durations) > 1:
        raise ValueError("the members' slots are of different event types")
    starts = team_starts(assignment, {member: slots.starts for member, slots in free.items()})
    complete = all(slots.complete for slots in free.values())
    return FreeSlots(starts, durations.pop() if durations else 0, complete)


def free_members_at(start: int, free: Mapping[str, Sequence[int]]) -> list[str]:
    """The members whose free starts include `start`, in the mapping's order (a bisect per member)."""
    return [member for member, starts in free.items() if _holds(starts, start)]


def check_team_start(assignment: Assignment, offers: Mapping[str, Offer], start: datetime, now: datetime) -> list[str]:
    """`offer.check_start` for a team: the members who can take `start` now, each asked by their own offer.
    Round-robin needs one of them, collective every one; otherwise it raises what a single host's page would,
    judged for the team: round-robin, the mildest of the members' refusals (taken, then a limit, then never
    offered: a racer may free a time, a limit will not); collective, the gravest (never offered by one member
    is never offered by the team)."""
    free: list[str] = []
    refusals: list[SlotNotOffered | SlotTaken] = []
    for member, offer in offers.items():
        try:
            check_start(offer, start, now)
        except (SlotNotOffered, SlotTaken) as refusal:
            refusals.append(refusal)
        else:
            free.append(member)
    if not offers:
        raise SlotNotOffered("this start time is not one of the offered slots")
    if not refusals or (assignment is Assignment.ROUND_ROBIN and free):
        return free
    raise (min if assignment is Assignment.ROUND_ROBIN else max)(refusals, key=_gravity)


def _gravity(refusal: SlotNotOffered | SlotTaken) -> int:
    if isinstance(refusal, SlotTaken):
        return 0
    return 2 if type(refusal) is SlotNotOffered else 1  # its subclasses are the limits


def _holds(starts: Sequence[int], start: int) -> bool:
    index = bisect_left(starts, start)
    return index < len(starts) and starts[index] == start


# --- round-robin fairness ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PoolMember:
    """A member chosen for a round-robin type, as the team's admins set them up."""

    host_id: str
    weight: int = 1  # a member of weight 2 gets about twice the bookings of one of weight 1
    priority: int = 0  # higher first: a free member of higher priority is chosen before any of lower priority

    def __post_init__(self) -> None:
        if not self.host_id:
            raise ValueError("a pool member needs a host id")
        if self.weight < 1:
            raise ValueError("a member's weight is at least 1")


@dataclass(frozen=True, slots=True)
class Standing:
    """A pool member with their assignments of this type in the last `RECENT_DAYS` days."""

    member: PoolMember
    recent: int = 0
    last_booked: int | None = None  # epoch seconds the latest assignment was made (None: never)

    def __post_init__(self) -> None:
        if self.recent < 0:
            raise ValueError("a count of bookings is never negative")

    @property
    def host_id(self) -> str:
        return self.member.host_id


def _assignment_key(standing: Standing) -> tuple[int, Fraction, bool, int, str]:
    member, last = standing.member, standing.last_booked
    load_after = Fraction(standing.recent + 1, member.weight)  # exact: 3/2 and 6/4 tie, as they should
    return -member.priority, load_after, last is not None, last or 0, member.host_id


def assignment_order(candidates: Iterable[Standing]) -> list[str]:
    """The host ids of `candidates` (the members free at one start) in the order a booking tries them:
    1. higher priority first (priority is strict: fairness applies among members of equal priority);
    2. the lowest load once this booking is theirs, (recent + 1) / weight, compared exactly;
    3. booked least recently first, never booked before any booked;
    4. the host id: equal standings order the same way every time, whatever order they came in."""
    return [standing.host_id for standing in sorted(candidates, key=_assignment_key)]


def round_robin_order(free_members: Iterable[str], standings: Mapping[str, Standing]) -> list[str]:
    """The pool members among `free_members` (those free at one start, as `check_team_start` or
    `free_members_at` answer them), in the order to try them. A member with free time but no standing is not
    in the pool, so never chosen."""
    return assignment_order(standings[member] for member in free_members if member in standings)


def standing(member: PoolMember, tally: AssignmentTally, now: int) -> Standing:
    """A member's standing at `now` from their tally."""
    return Standing(member, tally.count(now), tally.last_at)


# --- claims --------------------------------------------------------------------------------------------------
def holders(assignment: Assignment, members: Sequence[str], assigned: str | None = None) -> tuple[str, ...]:
    """Whose time a team booking holds: round-robin, the `assigned` member (one of `members`); collective,
    every member (`assigned` must be None: nobody is picked)."""
    if assignment is Assignment.COLLECTIVE:
        if assigned is not None:
            raise ValueError("a collective booking is assigned to nobody in particular")
        return tuple(members)
    if assigned is None or assigned not in members:
        raise ValueError("a round-robin booking goes to one of the type's members")
    return (assigned,)


def time_claims(hosts: Iterable[str], span: Interval) -> list[str]:
    """The granule claims of `span` for each of `hosts`: the very ids each host's own booking of that time
    would create (`claims.claim_ids`), so the two can never both commit."""
    return [claim for host in dict.fromkeys(hosts) for claim in claim_ids(host, span)]


def member_places(offer: Offer, start: datetime) -> list[str]:
    """The numbered places (day, week, month, booked minutes) a booking at `start` takes in one member's
    limits, from that member's offer: what `Booking.claims` lists beside the granules."""
    places = [place for place in (day_claim(offer, start), *period_claims(offer, start)) if place]
    return places + [place for run in minute_runs(offer, start) for place in places_of_run(run)]


def team_claims(offers: Sequence[Offer], start: datetime) -> list[str]:
    """Every claim a team booking at `start` holds, for the holders' offers (one per `holders`): each one's
    granules over the occupied span (buffers included) and each one's limit places, all created in one
    commit. Raises what `offer.day_claim` and friends raise when a holder's limit is full."""
    claims: list[str] = []
    for offer in offers:
        claims += time_claims((offer.page.host_id,), occupied_span(start, offer.event_type))
        claims += member_places(offer, start)
    return claims
