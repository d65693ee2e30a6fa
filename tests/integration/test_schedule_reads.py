"""A slots read of an event type on a named schedule, with minutes limits, costs what any slots read costs:
one batch get of the page and the months (the page holds every schedule), on the official emulator."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.adapters.firestore import FirestoreUnitOfWork
from shared.adapters.firestore.codec import page_document, stored_page
from shared.bootstrap import GoogleCloudAdapters
from shared.config import get_settings
from shared.domain.event_type import EventType
from shared.domain.schedule import NamedSchedule, TimeOff
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.ports import UnitOfWork
from tests.unit.fakes import a_page

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
MONDAY = date(2027, 3, 8)
MORNINGS = NamedSchedule(
    name="Mornings",
    time_zone="UTC",
    weekly={"mon": [("07:00", "09:00")]},
    overrides={date(2027, 3, 9): [("06:00", "07:00")]},
    time_off=[TimeOff(first_day=date(2027, 3, 15), last_day=date(2027, 3, 16), reason="Dentist")],
)


class CountingUnitOfWork(FirestoreUnitOfWork):
    """The real unit of work, with its round trips counted: single gets and batch gets."""

    gets = batch_gets = 0

    def read(self, ref: Any) -> Any:
        CountingUnitOfWork.gets += 1
        return super().read(ref)

    def read_fields(self, refs: list[Any], fields: list[str]) -> Any:
        CountingUnitOfWork.batch_gets += 1
        return super().read_fields(refs, fields)


class CountingPorts(GoogleCloudAdapters):
    """The production wiring on the emulator and the sandbox, with the counted unit of work, at `NOW`."""

    def __init__(self, uow: CountingUnitOfWork) -> None:
        super().__init__(get_settings())
        self._counted = uow

    def uow(self) -> UnitOfWork:
        return self._counted

    def now(self) -> datetime:
        return NOW


def test_a_page_with_named_schedules_round_trips_through_its_stored_form() -> None:
    page = a_page().with_schedule("sc0000000001", MORNINGS)

    assert stored_page(page_document(page)) == page


def test_a_slots_read_on_a_named_schedule_costs_what_a_read_on_the_default_schedule_costs(db: Any) -> None:
    early = EventType(slug="early", title="Early", duration_minutes=60, schedule_id="sc0000000001")
    intro = EventType(slug="intro", title="Intro call", duration_minutes=30)
    page = a_page(f"h{uuid.uuid4().hex[:12]}", synced_at=NOW).with_schedule("sc0000000001", MORNINGS)
    page = page.with_event_type("et0000000002", early)
    # Weekly limits count whole weeks, so a read for fewer days widens once (a second batch get, as before):
    # a weekly minutes limit on a named schedule costs what a weekly limit on the default one does.
    page = page.with_event_type("et0000000003", intro.model_copy(update={"slug": "weekly", "weekly_limit": 5}))
    minutes = early.model_copy(update={"slug": "minutes", "daily_minutes_limit": 120, "weekly_minutes_limit": 600})
    page = page.with_event_type("et0000000004", minutes)
    slug = f"s{uuid.uuid4().hex[:12]}"
    uow = CountingUnitOfWork(db)
    with uow:
        uow.pages.add(slug, page)
        uow.commit()
    ports = CountingPorts(uow)

    def read(event_type: str) -> tuple[list[int], int, int]:
        CountingUnitOfWork.gets = CountingUnitOfWork.batch_gets = 0
        found = free_slots(FindFreeSlots(slug, event_type, MONDAY, MONDAY, ZoneInfo("UTC")), ports)
        return [slot.start.hour for slot in found.slots], CountingUnitOfWork.gets, CountingUnitOfWork.batch_gets

    read("intro")  # the first read of an instance learns the slug's host
    default_read = read("intro")
    named_read = read("early")
    weekly_read = read("weekly")
    minutes_read = read("minutes")

    assert default_read == ([9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16], 0, 1)
    assert named_read == ([7, 8], 0, 1)
    assert weekly_read[1:] == minutes_read[1:] == (0, 2)
    assert minutes_read[0] == [7, 8]
