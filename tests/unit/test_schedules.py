"""Several named schedules per host, kept on the booking page; each event type points at one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shared.domain.booking_page import BookingPage
from shared.domain.errors import ScheduleInUse, ScheduleLimitReached, ScheduleNotFound, UnknownSchedule
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.schedule import MAX_SCHEDULES, NamedSchedule, Schedule, ScheduleCreate, ScheduleUpdate
from shared.services import hosts as host_settings
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.hosts import CreateSchedule
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
MONDAY = date(2027, 3, 8)
MORNINGS = NamedSchedule(name="Mornings", time_zone="UTC", weekly={"mon": [("07:00", "09:00")]})
INTRO = EventType(slug="intro", title="Intro call", duration_minutes=60)


def page_with_mornings() -> BookingPage:
    page = a_page(event_types={"et1": INTRO}, synced_at=NOW).with_schedule("sc0000000001", MORNINGS)
    return page.with_event_type("et2", INTRO.model_copy(update={"slug": "early", "schedule_id": "sc0000000001"}))


def test_an_event_type_takes_the_hours_of_its_schedule_and_without_one_the_default() -> None:
    page = page_with_mornings()

    assert page.schedule_of(page.event_types["et1"]) == page.schedule
    assert page.schedule_of(page.event_types["et2"]) == MORNINGS
    assert page.schedule_of(INTRO.model_copy(update={"schedule_id": "default"})) == page.schedule


def test_two_event_types_on_two_schedules_offer_different_slots() -> None:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": page_with_mornings()})

    def starts(slug: str) -> list[int]:
        found = free_slots(FindFreeSlots("ada", slug, MONDAY, MONDAY, ZoneInfo("UTC")), ports)
        return [slot.start.hour for slot in found.slots]

    assert starts("intro") == [9, 10, 11, 12, 13, 14, 15, 16]
    assert starts("early") == [7, 8]


def test_an_event_type_naming_an_unknown_schedule_is_refused_on_its_field() -> None:
    with pytest.raises(UnknownSchedule, match="no schedule 'sc00000000ff'") as refused:
        page_with_mornings().with_event_type(
            "et3", INTRO.model_copy(update={"slug": "x", "schedule_id": "sc00000000ff"})
        )

    assert refused.value.problems == [("schedule_id", "schedule-unknown", {})]


def test_a_malformed_schedule_id_is_refused_at_the_edge() -> None:
    with pytest.raises(ValidationError, match=r"schedule_id\n.*should match pattern"):
        EventTypeUpdate.model_validate({"schedule_id": "../default"})


def test_a_schedule_in_use_and_the_default_schedule_cannot_be_deleted_an_unused_one_can() -> None:
    page = page_with_mornings()

    with pytest.raises(ScheduleInUse, match="event types use this schedule: early"):
        page.without_schedule("sc0000000001")
    with pytest.raises(ScheduleInUse, match="default schedule cannot be deleted"):
        page.without_schedule("default")
    with pytest.raises(ScheduleNotFound):
        page.without_schedule("sc00000000ff")
    freed = page.with_event_type("et2", page.event_types["et2"].updated(EventTypeUpdate(schedule_id=None)))

    assert freed.without_schedule("sc0000000001").schedules == {}


def test_the_default_schedule_is_listed_first_under_its_name_and_is_renamed_without_moving() -> None:
    page = page_with_mornings()

    renamed = page.with_schedule(
        "default", ScheduleUpdate(name="Office hours").applied_to(page.named_schedule("default"))
    )

    assert list(page.named_schedules()) == ["default", "sc0000000001"]
    assert page.named_schedule("default").name == "Working hours"
    assert renamed.named_schedule("default").name == "Office hours"
    assert renamed.schedule == page.schedule
    assert page.schedule_users("default") == ["et1"]
    assert page.schedule_users("sc0000000001") == ["et2"]


def test_a_host_has_at_most_twenty_schedules_with_the_default() -> None:
    page = a_page()
    for n in range(MAX_SCHEDULES - 1):
        page = page.with_schedule(f"sc{n:010x}", MORNINGS)

    with pytest.raises(ScheduleLimitReached, match="at most 20 schedules"):
        page.with_schedule("sc00000000ff", MORNINGS)
    assert page.with_schedule("sc0000000000", MORNINGS.model_copy(update={"name": "Renamed"}))  # replacing is fine


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_schedule_name_has_1_to_60_characters(name: str) -> None:
    with pytest.raises(ValidationError, match=r"name\n"):
        ScheduleCreate(name=name)


def test_a_patch_changes_only_the_fields_present_and_refuses_null() -> None:
    patched = ScheduleUpdate.model_validate({"name": "  Late  "}).applied_to(MORNINGS)

    assert patched == MORNINGS.model_copy(update={"name": "Late"})
    with pytest.raises(ValidationError, match=r"weekly\n.*cannot be null"):
        ScheduleUpdate.model_validate({"weekly": None})


def test_a_new_schedule_without_hours_offers_weekdays_9_to_5_in_the_host_s_zone() -> None:
    ports = FakePorts()
    host = a_host().model_copy(update={"time_zone": "Europe/Berlin"})
    given(ports.db, hosts=[host], pages={"ada": a_page()})

    schedule_id, page = host_settings.create_schedule(CreateSchedule(host, ScheduleCreate(name="Berlin")), ports)

    assert schedule_id.startswith("sc")
    created = page.named_schedule(schedule_id)
    assert created.time_zone == "Europe/Berlin"
    assert created.weekly["mon"] == [("09:00", "17:00")]
    assert host_settings.named_schedule(host, schedule_id, ports)[1] == created


def test_schedules_in_the_host_s_old_zone_follow_a_new_zone_and_others_stay() -> None:
    page = page_with_mornings().with_schedule("sc0000000002", MORNINGS.model_copy(update={"time_zone": "Asia/Tokyo"}))
    before = a_host().model_copy(update={"time_zone": "UTC"})
    after = before.model_copy(update={"time_zone": "Europe/Berlin"})

    moved = page.following_profile(before, after)

    assert moved.schedule.time_zone == "Europe/Berlin"
    assert moved.schedules["sc0000000001"].time_zone == "Europe/Berlin"
    assert moved.schedules["sc0000000002"].time_zone == "Asia/Tokyo"


def test_a_page_stored_before_named_schedules_reads_with_the_default_alone() -> None:
    stored = a_page().model_dump()
    del stored["schedules"], stored["default_schedule_name"]

    page = BookingPage.model_validate(stored)

    assert list(page.named_schedules()) == ["default"]
    assert Schedule.model_validate(page.named_schedule("default").model_dump(exclude={"name"})) == page.schedule
