"""Booking rules: the time a booking occupies, and every claim and place name, built here and nowhere else.

A booking claims every 5-minute UTC granule its occupied span touches, one `slot_claims` document per
granule, created with "must not exist" in the same commit as the booking: of two overlapping bookings the
second commit fails. Buffers are part of the span, so two bookings never sit inside each other's buffers.

Limits are numbered places created the same way (a day's, week's or month's places, runs of 5-minute
places, a group session's seats, an invitee's open bookings, a client's writes in a window), and so are
single-use things (an Idempotency-Key's first answer, a link's use, a spent proof). These names are
document ids stored in Firestore: a changed format is a migration, so each format is written once, here,
and pinned by tests/unit/test_claims.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta

from shared.domain.event_type import EventType
from shared.domain.intervals import EPOCH, Interval, as_utc

GRANULE_MINUTES = 5


def meeting(start: datetime, event_type: EventType) -> Interval:
    """The meeting itself: [start, start + duration)."""
    return Interval(start, start + timedelta(minutes=event_type.duration_minutes))


def occupied_span(start: datetime, event_type: EventType) -> Interval:
    """The meeting widened by its buffers: [start - buffer_before, end + buffer_after)."""
    return Interval(
        start - timedelta(minutes=event_type.buffer_before_minutes),
        start + timedelta(minutes=event_type.duration_minutes + event_type.buffer_after_minutes),
    )


def claim_granules(span: Interval, minutes: int = GRANULE_MINUTES) -> list[datetime]:
    """Starts of the UTC-aligned `minutes` granules that [span.start, span.end) touches, in order."""
    if minutes <= 0:
        raise ValueError("granule length must be positive")
    granule = timedelta(minutes=minutes)
    first = (span.start - EPOCH) // granule
    after_last = -((EPOCH - span.end) // granule)  # ceiling: a partly covered last granule counts
    return [EPOCH + index * granule for index in range(first, after_last)]


# --- time ----------------------------------------------------------------------------------------------
def claim_id(host_id: str, granule: datetime) -> str:
    """Document id of the claim on one granule, e.g. "h123:20270314T0700Z"; readable and sortable."""
    if not host_id or "/" in host_id:
        raise ValueError("host id must be non-empty and contain no '/' (it becomes a document id)")
    return f"{host_id}:{as_utc(granule):%Y%m%dT%H%MZ}"


def claim_ids(host_id: str, span: Interval) -> list[str]:
    """Every claim document id a booking occupying `span` must create."""
    return [claim_id(host_id, granule) for granule in claim_granules(span)]


# --- periods: how days, ISO weeks and months are named inside place names ---------------------------------
def day_name(day: date) -> str:
    """`d20270308`: a host-local day, in the names of minute runs."""
    return f"d{day:%Y%m%d}"


def week_name(day: date) -> str:
    """`w2027-W10`: the host-local ISO week of `day`."""
    year, week, _ = day.isocalendar()
    return f"w{year:04d}-W{week:02d}"


def month_name(day: date) -> str:
    """`m2027-03`: the host-local month of `day`."""
    return f"m{day:%Y-%m}"


# --- numbered places of the booking limits -----------------------------------------------------------------
def day_place(host_id: str, event_type_id: str, day: date, number: int) -> str:
    """`{host}:{type}:20270308:place{n}`: one of the numbered places of a host-local day (daily limit)."""
    return f"{host_id}:{event_type_id}:{day:%Y%m%d}:place{number}"


def period_place(host_id: str, event_type_id: str, period: str, number: int) -> str:
    """`{host}:{type}:{period}:place{n}`: one numbered place in a week or month (`week_name` / `month_name`)."""
    return f"{period_place_prefix(host_id, event_type_id, period)}{number}"


def period_place_prefix(host_id: str, event_type_id: str, period: str) -> str:
    """What every place of one period starts with (the number follows)."""
    return f"{host_id}:{event_type_id}:{period}:place"


# The shapes the booked spans' packed form accepts (shared/adapters/firestore/codec.py): places of the
# event type ids we issue ("et" + 10 hex digits), numbered as high as a limit goes.
DAY_PLACE = re.compile(r"(?P<host>.+):(?P<type>et[0-9a-f]{10}):(?P<day>[0-9]{8}):place(?P<number>[0-9]{1,3})")
PERIOD_PLACE = re.compile(
    r"(?P<host>.+):(?P<type>et[0-9a-f]{10}):(?P<period>w[0-9]{4}-W[0-9]{2}|m[0-9]{4}-[0-9]{2}):place(?P<number>[0-9]{1,4})"
)


# --- booked minutes (daily_minutes_limit, weekly_minutes_limit) -------------------------------------------
# A limit of L minutes is L / 5 numbered 5-minute places in the host-local day or ISO week; a booking of D
# minutes holds D / 5 consecutive places (a run), every one a claim created with it under "must not exist".
# The run is named by its first place and length: `{host}:{type}:{period}:min{first}+{count}` (`period`:
# `day_name` or `week_name`); each of its places is `{host}:{type}:{period}:min{n}`.
MINUTE_RUN = re.compile(
    r"(?P<host>.+):(?P<type>et[0-9a-f]{10}):(?P<period>d[0-9]{8}|w[0-9]{4}-W[0-9]{2}):min(?P<first>[0-9]{1,4})"
    r"\+(?P<count>[0-9]{1,3})"
)


def minute_run(host_id: str, event_type_id: str, period: str, first: int, count: int) -> str:
    return f"{minute_run_prefix(host_id, event_type_id, period)}{first}+{count}"


def minute_run_prefix(host_id: str, event_type_id: str, period: str) -> str:
    return f"{host_id}:{event_type_id}:{period}:min"


def _split_run(run: str) -> tuple[str, int, int]:
    """(`{host}:{type}:{period}`, first place, count) of a run named by `minute_run`."""
    head, _, places = run.rpartition(":min")
    first, _, count = places.partition("+")
    return head, int(first), int(count)


def parse_minute_run(run: str) -> tuple[str, int, int]:
    """(period name, first place, count) of a run named by `minute_run`."""
    head, first, count = _split_run(run)
    return head.rpartition(":")[2], first, count


def places_of_run(run: str) -> list[str]:
    """The claim ids of every place of a run: `{host}:{type}:{period}:min{n}`."""
    head, first, count = _split_run(run)
    return [f"{head}:min{number}" for number in range(first, first + count)]


def holder_of_place(place: str) -> tuple[str, str] | None:
    """(kind, host id) of a limit place a booking holds: "day" (`day_place`), "period" (`period_place`) or
    "minutes" (a run, `minute_run`); None for any other name."""
    for kind, pattern in (("day", DAY_PLACE), ("period", PERIOD_PLACE), ("minutes", MINUTE_RUN)):
        if (found := pattern.fullmatch(place)) is not None:
            return kind, found["host"]
    return None


# --- group sessions ----------------------------------------------------------------------------------------
def session_id(host_id: str, event_type_id: str, start: datetime) -> str:
    """`{host}:{event type}:s{start}`: the document id of the session and the stem of its seats' ids."""
    return f"{host_id}:{event_type_id}:s{as_utc(start):%Y%m%dT%H%M%SZ}"


def seat_claim(session: str, seat: int) -> str:
    """`{session}:seat{k}`: one numbered seat of a group session."""
    return f"{session}:seat{seat}"


# --- the invitee's open bookings, and a client's or invitee's writes ----------------------------------------
def invitee_place(host_id: str, person: str, number: int) -> str:
    """`{host}:inv{hash}:{n}`: one of an invitee's numbered places with a host. `person`: their address as
    limits see it (`normalised_email(email, for_limits=True)`), hashed: document ids are no place for
    addresses."""
    invitee = hashlib.sha256(f"invitee:{person}".encode()).hexdigest()[:24]
    return f"{host_id}:inv{invitee}:{number}"


def write_place(scope: str, key: str, window: int, number: int) -> str:
    """`{scope}:{key}:{window}:{n}`: one of a key's numbered write places in a window (`key`: a keyed hash of
    the client's address or the invitee's email, shared/domain/write_limits.py)."""
    return f"{scope}:{key}:{window}:{number}"


# --- single-use things and the bot gate's counters ------------------------------------------------------
def idempotency_record_id(key: str) -> str:
    """`idempotency/{hash}`: the first answer to an Idempotency-Key, named by a hash of the key."""
    return hashlib.sha256(f"idem:{key}".encode()).hexdigest()


def link_claim(link_id: str) -> str:
    """`link_claims/{link id}`: a single-use link's one use (or its revocation), named by the link itself."""
    return link_id


def spent_proof_id(challenge: str) -> str:
    """The document naming a spent proof: a hash of its challenge (each challenge has one solution)."""
    return hashlib.sha256(f"proof:{challenge}".encode()).hexdigest()


def team_count_id(host_id: str) -> str:
    """`team_counts/{host id}`: rewritten by every team the host joins, on condition it is unchanged since read:
    of two joins that counted the host's teams at once, one commit fails and counts again (so the bound of
    teams a host may be in is hard)."""
    return host_id


def host_velocity_id(host_id: str, window: int) -> str:
    """`{hash of the host id}:{window}`: a host's bookings counted in one bot-gate window. Named by a hash,
    holding nothing else about the host: a count that lives twenty minutes is nobody's record."""
    host = hashlib.sha256(f"velocity:{host_id}".encode()).hexdigest()[:24]
    return f"{host}:{window}"


# --- round-robin fairness ----------------------------------------------------------------------------------
def assignment_tally_id(host_id: str, event_type_id: str) -> str:
    """`{host}:{team type}:assigned`: a member's round-robin tally of one team type (shared/domain/tallies.py)."""
    return f"{host_id}:{event_type_id}:assigned"
