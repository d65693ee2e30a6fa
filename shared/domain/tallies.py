"""Round-robin fairness counts: how many bookings of one team type a member was assigned lately.

One small counter per (team type, member) (`claims.assignment_tally_id`), read in the batch get of the
members' offers and changed in the commit of the booking that assigns (or gives back) one, as field
transforms: racing bookings of one member each add their own one, and none is lost. It is kept in this module
of its own so a host's availability snapshot (shared/domain/offer.py) can carry it; the rules that use it
are shared/domain/team_offer.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

RECENT_DAYS = 30  # round-robin fairness counts the assignments made in this many days (today included)
_DAY_SECONDS = 86_400


def day_number(at: int) -> int:
    """The UTC day number of an instant (epoch seconds): the key a tally counts it under."""
    return at // _DAY_SECONDS


@dataclass(frozen=True, slots=True)
class AssignmentTally:
    """One member's round-robin assignments of one team type, as the counter document keeps them: counts
    by UTC day number (epoch seconds // 86 400), only the last `RECENT_DAYS` days kept, and the instant of
    the latest. Each change answers a new tally (written in the commit of the booking that changed it)."""

    # (UTC day number, count), ascending. Counts are positive, but a stored tally may also hold a day older than
    # the window at zero or below (one given back after its day was dropped): never counted, dropped next.
    by_day: tuple[tuple[int, int], ...] = ()
    last_at: int | None = None

    def count(self, now: int) -> int:
        """Assignments made in the `RECENT_DAYS` UTC days up to and including `now`'s."""
        first = _first_recent_day(now)
        return max(0, sum(count for day, count in self.by_day if day >= first))

    def added(self, at: int) -> AssignmentTally:
        """With one more assignment made at `at` (days that fell out of the window are dropped)."""
        days = dict(self._recent(at))
        days[day_number(at)] = days.get(day_number(at), 0) + 1
        return AssignmentTally(tuple(sorted(days.items())), max(at, self.last_at or at))

    def removed(self, made_at: int) -> AssignmentTally:
        """Without an assignment made at `made_at` (its booking was cancelled or handed on): its day counts one
        less, if that day is still kept. `last_at` stays: the member was still booked then."""
        made_day = day_number(made_at)
        days = tuple((day, count - (day == made_day)) for day, count in self.by_day)
        return AssignmentTally(tuple((day, count) for day, count in days if count > 0), self.last_at)

    def stale_days(self, now: int) -> tuple[int, ...]:
        """The days this tally still holds that are older than the window at `now`: what the next write drops."""
        first = _first_recent_day(now)
        return tuple(day for day, _ in self.by_day if day < first)

    def _recent(self, now: int) -> tuple[tuple[int, int], ...]:
        first = _first_recent_day(now)
        return tuple((day, count) for day, count in self.by_day if day >= first)


def _first_recent_day(now: int) -> int:
    return day_number(now) - (RECENT_DAYS - 1)


@dataclass(frozen=True, slots=True)
class TallyChange:
    """One change to a member's tally of a team type, staged in a booking's own commit as field transforms:
    an assignment made at `at` (`step` 1: the day's count up, `last_at` at least `at`, the `stale` days
    dropped), or one given back (`step` -1: the count of the day of `at`, when it was made, down)."""

    host_id: str
    event_type_id: str
    at: int  # epoch seconds
    step: int = 1
    stale: tuple[int, ...] = ()

    @property
    def day(self) -> int:
        return day_number(self.at)

    @classmethod
    def assigned(cls, host_id: str, event_type_id: str, read: AssignmentTally | None, at: int) -> TallyChange:
        """One more assignment at `at`, to the tally as it was `read` with the offers (None: none yet)."""
        return cls(host_id, event_type_id, at, stale=read.stale_days(at) if read else ())

    @classmethod
    def given_back(cls, host_id: str, event_type_id: str, made_at: int) -> TallyChange:
        """An assignment made at `made_at` given back (its booking was cancelled). A day already dropped
        from the window counts below zero then: never counted, and dropped with the next assignment."""
        return cls(host_id, event_type_id, made_at, step=-1)
