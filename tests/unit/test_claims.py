from datetime import datetime, timedelta

import pytest

from shared.domain.claims import claim_granules, claim_id, claim_ids, meeting, occupied_span
from tests.unit.builders import event_type, span, utc


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
