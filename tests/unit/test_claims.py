import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shared.domain.claims import (
    DAY_PLACE,
    MINUTE_RUN,
    PERIOD_PLACE,
    assignment_tally_id,
    claim_granules,
    claim_id,
    claim_ids,
    day_name,
    day_place,
    host_velocity_id,
    idempotency_record_id,
    invitee_place,
    link_claim,
    meeting,
    minute_run,
    month_name,
    occupied_span,
    parse_minute_run,
    period_place,
    period_place_prefix,
    places_of_run,
    seat_claim,
    session_id,
    spent_proof_id,
    team_count_id,
    week_name,
    write_place,
)
from shared.domain.write_limits import Allowance, WritePlaces
from tests.unit.builders import event_type, span, utc

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2027, 3, 8)
TYPE = "et0123456789"


def test_the_occupied_span_adds_both_buffers_to_the_meeting() -> None:
    intro = event_type(30, buffer_before_minutes=15, buffer_after_minutes=10)

    occupied = occupied_span(utc("2027-03-15T10:00"), intro)

    assert occupied == span("2027-03-15T09:45", "2027-03-15T10:40")
    assert meeting(utc("2027-03-15T10:00"), intro) == span("2027-03-15T10:00", "2027-03-15T10:30")


def test_granules_cover_a_span_with_buffers_granule_by_granule() -> None:
    occupied = occupied_span(utc("2027-03-15T10:00"), event_type(30, buffer_before_minutes=5, buffer_after_minutes=10))

    granules = claim_granules(occupied)

    assert granules == [utc("2027-03-15T09:55") + timedelta(minutes=5 * i) for i in range(9)]  # 09:55 .. 10:35


def test_granules_are_utc_aligned_and_include_partly_covered_ends() -> None:
    granules = claim_granules(span("2027-03-15T10:02", "2027-03-15T10:07"))

    assert granules == [utc("2027-03-15T10:00"), utc("2027-03-15T10:05")]


def test_a_span_ending_on_a_granule_boundary_does_not_claim_the_next_granule() -> None:
    granules = claim_granules(span("2027-03-15T10:00", "2027-03-15T10:10"))

    assert granules == [utc("2027-03-15T10:00"), utc("2027-03-15T10:05")]


def test_back_to_back_bookings_claim_disjoint_granules() -> None:
    first, second = span("2027-03-15T10:00", "2027-03-15T10:30"), span("2027-03-15T10:30", "2027-03-15T11:00")

    assert not set(claim_granules(first)) & set(claim_granules(second))


def test_granule_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="granule length must be positive"):
        claim_granules(span("2027-03-15T10:00", "2027-03-15T10:10"), minutes=0)


def test_a_claim_id_names_the_host_and_the_utc_granule() -> None:
    from zoneinfo import ZoneInfo

    granule = datetime(2027, 3, 14, 3, 0, tzinfo=ZoneInfo("America/New_York"))  # 07:00Z

    assert claim_id("h123", granule) == "h123:20270314T0700Z"


def test_claim_ids_list_every_granule_of_the_span() -> None:
    ids = claim_ids("h1", span("2027-03-15T10:00", "2027-03-15T10:15"))

    assert ids == ["h1:20270315T1000Z", "h1:20270315T1005Z", "h1:20270315T1010Z"]


@pytest.mark.parametrize("host_id", ["", "a/b"])
def test_a_host_id_that_cannot_be_a_document_id_is_refused(host_id: str) -> None:
    with pytest.raises(ValueError, match="host id must be non-empty"):
        claim_id(host_id, utc("2027-03-15T10:00"))


# --- every stored name, pinned: these are document ids in Firestore, so a changed byte is a migration -------
SESSION = session_id("h1", TYPE, datetime(2027, 3, 8, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("built", "stored"),
    [
        (day_place("h1", TYPE, MONDAY, 2), "h1:et0123456789:20270308:place2"),
        (period_place("h1", TYPE, week_name(MONDAY), 3), "h1:et0123456789:w2027-W10:place3"),
        (period_place("h1", TYPE, month_name(MONDAY), 12), "h1:et0123456789:m2027-03:place12"),
        (period_place_prefix("h1", TYPE, week_name(MONDAY)), "h1:et0123456789:w2027-W10:place"),
        (minute_run("h1", TYPE, day_name(MONDAY), 7, 6), "h1:et0123456789:d20270308:min7+6"),
        (minute_run("h1", TYPE, week_name(MONDAY), 1, 12), "h1:et0123456789:w2027-W10:min1+12"),
        (SESSION, "h1:et0123456789:s20270308T100000Z"),
        (seat_claim(SESSION, 2), "h1:et0123456789:s20270308T100000Z:seat2"),
        (invitee_place("h1", "ada@example.org", 2), "h1:inveef091ec50a036fffbe28fa3:2"),
        (write_place("client", "k1", 4711, 2), "client:k1:4711:2"),
        (idempotency_record_id("key-1"), "514759b74f01efdabe084531a37619896248c1b641d340cfc38ff68cc6e2c39f"),
        (link_claim("lk0123456789abcdef0123"), "lk0123456789abcdef0123"),
        (spent_proof_id("abc"), "1426e914ff4ee2bec3b2e8799cc7b0190e6e377a8d38f0863a059b353ef81a5c"),
        (host_velocity_id("h1", 42), "ae9a6d193cbc29af56548ab1:42"),
        (team_count_id("h1"), "h1"),
        (assignment_tally_id("h1", TYPE), "h1:et0123456789:assigned"),
    ],
)
def test_each_stored_name_keeps_its_format(built: str, stored: str) -> None:
    assert built == stored


def test_periods_are_named_by_their_host_local_iso_week_and_month() -> None:
    assert (day_name(MONDAY), week_name(MONDAY), month_name(MONDAY)) == ("d20270308", "w2027-W10", "m2027-03")
    assert week_name(date(2027, 1, 1)) == week_name(date(2026, 12, 31)) == "w2026-W53"  # ISO years


def test_a_run_names_its_places_and_reads_back() -> None:
    run = minute_run("h1", TYPE, week_name(MONDAY), 7, 2)

    assert places_of_run(run) == ["h1:et0123456789:w2027-W10:min7", "h1:et0123456789:w2027-W10:min8"]
    assert parse_minute_run(run) == ("w2027-W10", 7, 2)


def test_the_write_places_of_a_key_are_write_place_names() -> None:
    places = WritePlaces("invitee", "k2", 9, Allowance(writes=2, seconds=60))

    assert places.names() == [write_place("invitee", "k2", 9, 1), write_place("invitee", "k2", 9, 2)]


def test_the_packed_form_reads_back_what_the_builders_write() -> None:
    day = DAY_PLACE.fullmatch(day_place("h1", TYPE, MONDAY, 288))
    week = PERIOD_PLACE.fullmatch(period_place("h1", TYPE, week_name(MONDAY), 2000))
    run = MINUTE_RUN.fullmatch(minute_run("h1", TYPE, day_name(MONDAY), 7, 6))

    assert day is not None
    assert week is not None
    assert run is not None
    assert (day["host"], day["type"], day["day"], day["number"]) == ("h1", TYPE, "20270308", "288")
    assert (week["period"], week["number"]) == ("w2027-W10", "2000")
    assert (run["period"], run["first"], run["count"]) == ("d20270308", "7", "6")


# Pieces only a name format writes: outside shared/domain/claims.py they would be a second copy of one.
_NAME_PIECES = (":place", ":min", ":seat", ":inv", "velocity:", "proof:", "idem:")


def _formatted_strings(path: Path) -> list[str]:
    """The literal parts of every f-string in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        part.value
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
        if isinstance(part, ast.Constant) and isinstance(part.value, str)
    ]


def test_claim_and_place_names_are_formatted_only_in_the_claims_module() -> None:
    claims_module = ROOT / "shared" / "domain" / "claims.py"
    offenders = {
        str(path.relative_to(ROOT)): piece
        for path in sorted((ROOT / "shared").rglob("*.py"))
        if path != claims_module
        for literal in _formatted_strings(path)
        for piece in _NAME_PIECES
        if piece in literal
    }

    assert offenders == {}
