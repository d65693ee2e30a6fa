"""An offer: one event type of one host, with what is known of the host's time around some dates, and the
pure rules that decide from it which starts are free and which numbered places a booking takes.

No I/O: shared/services/availability.py reads the snapshot (one batch get) and asks these rules; the
booking writer asks the same ones for one start, so what is shown is what can be booked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from shared.domain.booking import Booking
from shared.domain.booking_page import BookingPage
from shared.domain.claims import (
    day_name,
    day_place,
    minute_run,
    minute_run_prefix,
    month_name,
    parse_minute_run,
    period_place,
    period_place_prefix,
    week_name,
)
from shared.domain.errors import (
    DailyLimitReached,
    MinutesLimitReached,
    PeriodLimitReached,
    SeatsFull,
    SlotNotOffered,
    SlotTaken,
)
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval, SpanSet
from shared.domain.links import BookingLink
from shared.domain.offsets import DAY, ZoneOffsets, epoch_seconds, epoch_seconds_up, instant
from shared.domain.periods import MINUTES_PER_PLACE, first_free_run, month_start, week_start
from shared.domain.schedule import Schedule
from shared.domain.slots import count_by_local_day_seconds, free_starts, invitee_range
from shared.domain.tallies import AssignmentTally

# ≥ a host-local day (25 h at most, on a DST change) and ≥ the longest meeting (12 h) plus buffer (4 h): a
# booking's read holds every booking of its day (a daily limit counts them) and every span it could touch.
LOOKAROUND = timedelta(hours=26)
_MINUTES_FULL = "this day or week has no booked minutes left for this kind of meeting"


class BookedSpan(NamedTuple):
    """A booking holding time as availability sees it: the time it occupies (buffers included), in epoch
    seconds, sortable by that time."""

    occupied_start: int
    occupied_end: int
    start: int  # the meeting's start (daily limits count these)
    booking_id: str
    event_type_id: str
    day_claim: str | None = None
    period_claims: tuple[str, ...] = ()  # its places in the host-local week and month (weekly/monthly limits)
    minute_places: tuple[str, ...] = ()  # its runs of 5-minute places in the day and week (minutes limits)

    @classmethod
    def of(cls, booking: Booking | None) -> BookedSpan | None:
        """The span a booking keeps in its month while it holds time (a cancelled one keeps none); the
        Firestore adapter and the test fake both store this."""
        if booking is None or not booking.holds_time:
            return None
        return cls(
            occupied_start=epoch_seconds(booking.occupied_start),
            occupied_end=epoch_seconds_up(booking.occupied_end),
            start=epoch_seconds(booking.start),
            booking_id=booking.id,
            event_type_id=booking.event_type_id,
            day_claim=booking.day_claim,
            period_claims=booking.period_claims,
            minute_places=booking.minute_places,
        )


def held_spans(booking: Booking | None) -> dict[str, BookedSpan]:
    """The span each holder's month keeps for a booking, by host id: the host's, and a collective team
    booking's co-hosts' too (each with their own limit places); none while it holds no time."""
    if booking is None:
        return {}
    spans = ((holder, BookedSpan.of(booking.as_holder(holder))) for holder in booking.holder_ids)
    return {holder: span for holder, span in spans if span is not None}


@dataclass(frozen=True, slots=True)
class AvailabilitySnapshot:
    """A host's page with the time known around some instants: the busy spans and booked spans that
    overlap them (nothing of the months beyond is decoded)."""

    page: BookingPage
    busy: SpanSet
    booked: list[BookedSpan]  # sorted by occupied_start
    # Of the write places asked for with the read (shared/domain/write_limits.py): those that exist.
    places_taken: frozenset[str] = frozenset()
    host_recent_bookings: int = 0  # bookings made on the host's pages in the bot gate's recent windows, if asked
    assignments: AssignmentTally | None = None  # the host's round-robin tally of the team type asked about, if asked
    slug: str = ""  # the page's slug (its id): a team's booking books a member's page by it without looking it up


@dataclass(frozen=True)
class FreeSlots:
    """What a slots read answers."""

    starts: list[int]  # epoch seconds, sorted
    duration_seconds: int
    complete: bool  # False: part of the range is not covered by the busy mirror yet (ask again shortly)
    seats_left: dict[int, int] | None = None  # group event types: free seats by start

    @property
    def slots(self) -> list[Interval]:
        return [Interval(instant(start), instant(start + self.duration_seconds)) for start in self.starts]


@dataclass(frozen=True)
class Offer:
    """One event type of one host, with everything known about the host's time around some dates."""

    snapshot: AvailabilitySnapshot
    event_type_id: str
    event_type: EventType
    link: BookingLink | None = None  # the single-use link the visitor opened it with

    @property
    def page(self) -> BookingPage:
        return self.snapshot.page

    @property
    def schedule(self) -> Schedule:
        """The hours of this event type (its own schedule, or the host's default): also the zone its days,
        weeks and months are counted in."""
        return self.page.schedule_of(self.event_type)

    @property
    def duration_seconds(self) -> int:
        return self.event_type.duration_minutes * 60

    def starts(
        self,
        first_day: date,
        last_day: date,
        zone: ZoneInfo,
        now: datetime,
        *,
        moving: Booking | None = None,
        ignore_conflicts: bool = False,
        ignore_limits: bool = False,
    ) -> list[int]:
        """Free slot starts (epoch seconds). `moving`: a booking being rescheduled, whose own time (and own
        event in the busy mirror) is free, and whose own places do not count. A group event type also offers
        the starts of its live sessions that have a seat left (their time is taken for everything else)."""
        taken = SpanSet() if ignore_conflicts else self._taken(moving)
        limits = self._bookings_per_period(moving, ignore_limits)
        closed = None if ignore_limits else self._minutes_closed(moving)
        found = self._free_starts(taken, first_day, last_day, zone, now, limits, closed)
        joinable = [] if ignore_conflicts else self._joinable_sessions(moving)
        if not joinable:
            return found
        open_taken = taken.copy()
        for _, occupied_start, occupied_end in joinable:
            open_taken.remove(occupied_start, occupied_end)  # the session's own spans and its event in Google
        starts = {start for start, _, _ in joinable}
        again = self._free_starts(open_taken, first_day, last_day, zone, now, limits, closed)
        return sorted({*found, *(start for start in again if start in starts)})

    def free_slots(
        self, first_day: date, last_day: date, zone: ZoneInfo, now: datetime, moving: Booking | None = None
    ) -> FreeSlots:
        """The free slots from `first_day` to `last_day` (dates in `zone`). `moving`: the booking its holder is
        picking a new time for (counted as moved; its own time is no new time to move to). Complete when the
        busy mirror covers what the event type can offer: up to the end of its booking window."""
        needed_until = min(
            invitee_range(first_day, last_day, zone).end, now + timedelta(days=self.event_type.booking_window_days + 1)
        )
        horizon_end = self.page.calendar.horizon_end
        complete = (horizon_end is not None and horizon_end >= needed_until) or needed_until <= now
        starts = self.starts(first_day, last_day, zone, now, moving=moving)
        if moving is not None:
            starts = [start for start in starts if start != epoch_seconds(moving.start)]
        return FreeSlots(starts, self.duration_seconds, complete, self.seats_left(starts))

    def _free_starts(
        self,
        taken: SpanSet,
        first_day: date,
        last_day: date,
        zone: ZoneInfo,
        now: datetime,
        limits: dict[str, dict[date, int]],
        closed: Callable[[date], bool] | None,
    ) -> list[int]:
        return free_starts(
            self.event_type,
            self.schedule,
            taken,
            now=now,
            first_day=first_day,
            last_day=last_day,
            invitee_tz=zone,
            horizon_end=self.page.calendar.horizon_end or now,  # never synced: nothing is known, nothing is offered
            closed_days=closed,
            **limits,
        )

    def session_holders(self, moving: Booking | None = None) -> Counter[int]:
        """For a group event type: bookings holding a seat, by session start (epoch seconds). A session counts
        only while it has this event type's shape (an edited duration or buffer makes it plain taken time)."""
        if not self.event_type.group:
            return Counter()
        before, after = self.event_type.buffer_before_minutes * 60, self.event_type.buffer_after_minutes * 60
        duration = self.duration_seconds
        return Counter(
            span.start
            for span in self.snapshot.booked
            if span.event_type_id == self.event_type_id
            and (moving is None or span.booking_id != moving.id)
            and span.occupied_start == span.start - before
            and span.occupied_end == span.start + duration + after
        )

    def seats_left(self, starts: list[int]) -> dict[int, int] | None:
        """Seats still free at each start, for a group event type (None otherwise)."""
        if not self.event_type.group:
            return None
        held = self.session_holders(None)
        return {start: self.event_type.seats - held.get(start, 0) for start in starts}

    def _joinable_sessions(self, moving: Booking | None) -> list[tuple[int, int, int]]:
        """(start, occupied start, occupied end) of this event type's live sessions with a free seat."""
        held = self.session_holders(moving)
        if not held:
            return []
        before, after = self.event_type.buffer_before_minutes * 60, self.event_type.buffer_after_minutes * 60
        end = self.duration_seconds + after
        return [(start, start - before, start + end) for start, count in held.items() if count < self.event_type.seats]

    def _taken(self, moving: Booking | None) -> SpanSet:
        """Busy and booked time together; the snapshot's own busy spans when nothing is to be added."""
        booked = self.snapshot.booked
        if moving is None and not booked:
            return self.snapshot.busy
        taken = self.snapshot.busy.copy()
        if moving is not None:
            taken.remove(epoch_seconds(moving.start), epoch_seconds_up(moving.end))
            if moving.moved_start is not None and moving.moved_end is not None:  # its event, moved there in Google
                taken.remove(epoch_seconds(moving.moved_start), epoch_seconds_up(moving.moved_end))
        for span in booked:
            if moving is None or span.booking_id != moving.id:
                taken.add(span.occupied_start, span.occupied_end)
        return taken

    def _bookings_per_period(self, moving: Booking | None, ignore_limits: bool) -> dict[str, dict[date, int]]:
        """The engine's `bookings_per_day` / `_week` / `_month`, for the limits the event type has."""
        event_type = self.event_type
        limited = (event_type.daily_limit, event_type.weekly_limit, event_type.monthly_limit)
        if ignore_limits or all(limit is None for limit in limited):
            return {}
        per_day = self._bookings_per_day(moving)
        counts = {"bookings_per_day": per_day}
        for limit, name, first_day in (
            (event_type.weekly_limit, "bookings_per_week", week_start),
            (event_type.monthly_limit, "bookings_per_month", month_start),
        ):
            if limit is not None:
                per_period: Counter[date] = Counter()
                for day, count in per_day.items():
                    per_period[first_day(day)] += count
                counts[name] = dict(per_period)
        return counts

    def _bookings_per_day(self, moving: Booking | None) -> dict[date, int]:
        starts = [
            span.start
            for span in self.snapshot.booked
            if span.event_type_id == self.event_type_id and (moving is None or span.booking_id != moving.id)
        ]
        if not starts:
            return {}
        offsets = ZoneOffsets(self.schedule.zone, min(starts) - DAY, max(starts) + DAY)
        return count_by_local_day_seconds(starts, offsets)

    def limit_reached(self, start: datetime, moving: Booking | None = None) -> SlotNotOffered:
        """The error for a start its day's (week's, month's) limit closes: which limit it is."""
        day = start.astimezone(self.schedule.zone).date()
        limit = self.event_type.daily_limit
        if limit is not None and self._bookings_per_day(moving).get(day, 0) >= limit:
            return DailyLimitReached("this day is fully booked for this kind of meeting")
        closed = self._minutes_closed(moving)
        if closed is not None and closed(day):
            return MinutesLimitReached(_MINUTES_FULL)
        return PeriodLimitReached("this week or month is fully booked for this kind of meeting")

    def held_runs(self, period: str, moving: Booking | None = None) -> list[tuple[int, int]]:
        """(first place, length) of the minute runs this event type's bookings hold in `period` (a day or
        week name), the one being moved excepted."""
        return self._held_runs(moving).get(period, [])

    def _held_runs(self, moving: Booking | None) -> dict[str, list[tuple[int, int]]]:
        held: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for span in self.snapshot.booked:
            if span.event_type_id == self.event_type_id and (moving is None or span.booking_id != moving.id):
                for run in span.minute_places:
                    period, first, count = parse_minute_run(run)
                    held[period].append((first, count))
        return held

    def _minutes_closed(self, moving: Booking | None) -> Callable[[date], bool] | None:
        """For the engine: whether a host-local day has no run of places left for one more meeting, in
        the day or in its week (exactly the question `minute_runs` asks when booking)."""
        daily, weekly = self.event_type.daily_minutes_limit, self.event_type.weekly_minutes_limit
        if daily is None and weekly is None:
            return None
        held, count = self._held_runs(moving), self.event_type.duration_minutes // MINUTES_PER_PLACE

        def closed(day: date) -> bool:
            return any(
                limit is not None and first_free_run(held.get(period, ()), count, limit // MINUTES_PER_PLACE) is None
                for limit, period in ((daily, day_name(day)), (weekly, week_name(day)))
            )

        return closed


def day_claim(offer: Offer, start: datetime, moving: Booking | None = None) -> str | None:
    """A free numbered place in the host-local day, for event types with a daily limit.

    Created with the booking under "must not exist", like the time claims: of two bookings racing for the
    last place of a day, the second commit fails, so the limit holds under concurrency too.
    """
    limit = offer.event_type.daily_limit
    if limit is None:
        return None
    zone = offer.schedule.zone
    day = start.astimezone(zone).date()
    held = {
        span.day_claim
        for span in offer.snapshot.booked
        if span.event_type_id == offer.event_type_id
        and instant(span.start).astimezone(zone).date() == day
        and (moving is None or span.booking_id != moving.id)
    }
    for place in range(1, limit + 1):
        claim = day_place(offer.page.host_id, offer.event_type_id, day, place)
        if claim not in held:
            return claim
    raise DailyLimitReached("this day is fully booked for this kind of meeting")


def period_claims(offer: Offer, start: datetime, moving: Booking | None = None) -> tuple[str, ...]:
    """Free numbered places in the host-local ISO week and month, for event types with those limits.

    Created with the booking under "must not exist", like the day place. A booking being moved keeps the
    places it holds in a week or month it stays in.
    """
    event_type, host_id, event_type_id = offer.event_type, offer.page.host_id, offer.event_type_id
    day = start.astimezone(offer.schedule.zone).date()
    claims: list[str] = []
    for limit, period in ((event_type.weekly_limit, week_name(day)), (event_type.monthly_limit, month_name(day))):
        if limit is None:
            continue
        prefix = period_place_prefix(host_id, event_type_id, period)
        kept = [claim for claim in (moving.period_claims if moving else ()) if claim.startswith(prefix)]
        if kept:
            claims.append(kept[0])
            continue
        held = {
            claim
            for span in offer.snapshot.booked
            if span.event_type_id == event_type_id and (moving is None or span.booking_id != moving.id)
            for claim in span.period_claims
            if claim.startswith(prefix)
        }
        places = (period_place(host_id, event_type_id, period, n) for n in range(1, limit + 1))
        place = next((place for place in places if place not in held), None)
        if place is None:
            raise PeriodLimitReached("this week or month is fully booked for this kind of meeting")
        claims.append(place)
    return tuple(claims)


def minute_runs(offer: Offer, start: datetime, moving: Booking | None = None) -> tuple[str, ...]:
    """Runs of free numbered 5-minute places in the host-local day and ISO week, as many places as the
    meeting has 5 minutes, for event types with minutes limits; created with the booking under "must not
    exist" like the other places. A booking being moved keeps a run in a day or week it stays in."""
    event_type, host_id, event_type_id = offer.event_type, offer.page.host_id, offer.event_type_id
    day = start.astimezone(offer.schedule.zone).date()
    count = event_type.duration_minutes // MINUTES_PER_PLACE
    runs: list[str] = []
    limits = ((event_type.daily_minutes_limit, day_name(day)), (event_type.weekly_minutes_limit, week_name(day)))
    for limit, period in limits:
        if limit is None:
            continue
        prefix = minute_run_prefix(host_id, event_type_id, period)
        kept = [run for run in (moving.minute_places if moving else ()) if run.startswith(prefix)]
        if kept and parse_minute_run(kept[0])[2] == count:
            runs.append(kept[0])
            continue
        first = first_free_run(offer.held_runs(period, moving), count, limit // MINUTES_PER_PLACE)
        if first is None:
            raise MinutesLimitReached(_MINUTES_FULL)
        runs.append(minute_run(host_id, event_type_id, period, first, count))
    return tuple(runs)


def periods_around(around: Interval, event_type: EventType, zone: ZoneInfo) -> Interval:
    """`around` widened to the host-local weeks and months it touches, for the limits the event type has (a
    weekly minutes limit counts every booking of its week). Its days need no widening: every read reaches
    LOOKAROUND beyond its range, which holds the whole host-local day."""
    first, last = around.start.astimezone(zone).date(), around.end.astimezone(zone).date()
    counted = (event_type.weekly_limit, event_type.monthly_limit, event_type.weekly_minutes_limit)
    if all(limit is None for limit in counted):
        return around
    if event_type.weekly_limit is not None or event_type.weekly_minutes_limit is not None:
        first, last = min(first, week_start(first)), max(last, week_start(last) + timedelta(days=6))
    if event_type.monthly_limit is not None:
        next_month = (month_start(last) + timedelta(days=32)).replace(day=1)
        first, last = min(first, month_start(first)), max(last, next_month - timedelta(days=1))
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return Interval(min(around.start, start), max(around.end, end))


def check_start(offer: Offer, start: datetime, now: datetime, moving: Booking | None = None) -> None:
    """Nothing if `start` is a free slot of the offer now; otherwise whether it is taken or was never offered."""
    zone = offer.schedule.zone
    day = start.astimezone(zone).date()
    second = epoch_seconds(start)
    if instant(second) == start:  # slots start on whole seconds
        if second in offer.starts(day, day, zone, now, moving=moving):
            return
        if offer.event_type.group and offer.session_holders(moving)[second] >= offer.event_type.seats:
            raise SeatsFull("every seat at this time is booked; please pick another slot")
        if second in offer.starts(day, day, zone, now, ignore_conflicts=True, moving=moving):
            raise SlotTaken("this time is no longer free; please pick another slot")
        if second in offer.starts(day, day, zone, now, ignore_conflicts=True, ignore_limits=True):
            raise offer.limit_reached(start, moving)
    raise SlotNotOffered("this start time is not one of the offered slots")
