"""The largest booking page a host can build stays well under Firestore's 1 MiB document limit (issue 26).

Every text below is as long as its field allows, in a 4-byte UTF-8 character (what Firestore counts is
bytes, not characters), and every list as long as allowed: one such event type or schedule alone fits,
but together they would not, and the page's byte budget refuses the one that would outgrow it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.adapters.firestore.codec import page_document, stored_page
from shared.adapters.firestore.collections import PAGES
from shared.domain.booking_form import Location, LocationKind, Question, QuestionKind
from shared.domain.booking_page import MAX_EVENT_TYPES, PAGE_BYTES, BookingPage, CalendarView
from shared.domain.errors import EventTypeLimitReached, PageFull
from shared.domain.event_type import EventType
from shared.domain.schedule import MAX_OVERRIDES, MAX_SCHEDULES, MAX_TIME_OFF_ENTRIES, NamedSchedule, Schedule, TimeOff
from shared.domain.sizes import document_size, stored_size

WIDE = "\U0001d11e"  # 𝄞: four bytes in UTF-8
FIRESTORE_LIMIT = 1024 * 1024
SLUG = "a" * 60


def wide(length: int, prefix: str = "") -> str:
    return prefix + WIDE * (length - len(prefix))


def largest_event_type(number: int, questions: int = 20) -> EventType:
    asked = [
        Question(
            id=f"q{question:02d}" + "x" * 36,
            label=wide(200),
            kind=QuestionKind.MULTIPLE_CHOICE,
            required=True,
            options=[wide(100, f"{option}-") for option in range(20)],
        )
        for question in range(questions)
    ]
    return EventType(
        slug=f"type-{number}" + "x" * (60 - len(f"type-{number}")),
        title=wide(200),
        description=wide(2000),
        duration_minutes=30,
        location=Location(kind=LocationKind.IN_PERSON, value=wide(500)),
        questions=asked,
    )


def fifth_event_type(number: int) -> EventType:
    return largest_event_type(number, questions=4)


def small_event_type(number: int) -> EventType:
    return largest_event_type(number, questions=1)


def smallest_event_type(number: int) -> EventType:
    return EventType(slug=f"s{number}", title="x", duration_minutes=5)


def every_five_minutes() -> list[tuple[str, str]]:
    """48 ranges (the most a day may hold) of 5 minutes each."""
    clock = "{:02d}:{:02d}".format
    return [(clock(*divmod(minute, 60)), clock(*divmod(minute + 5, 60))) for minute in range(0, 480, 10)]


def largest_schedule() -> NamedSchedule:
    first = date(2027, 1, 1)
    day_ranges = every_five_minutes()
    return NamedSchedule(
        name=wide(60),
        time_zone="America/Argentina/ComodRivadavia",
        weekly={day: day_ranges for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        overrides={first + timedelta(days=offset): day_ranges for offset in range(MAX_OVERRIDES)},
        time_off=[
            TimeOff(first_day=first + timedelta(days=i), last_day=first + timedelta(days=i + 365), reason=wide(200))
            for i in range(MAX_TIME_OFF_ENTRIES)
        ],
    )


def largest_page() -> BookingPage:
    """Filled greedily: the largest schedules, the largest event types, then smaller ones, each until the
    page refuses the next (by its byte budget or its count of event types)."""
    now = datetime(2027, 1, 1, tzinfo=UTC)
    page = BookingPage(
        host_id="h" + "f" * 24,
        display_name=wide(100),
        schedule=Schedule.model_validate(largest_schedule().model_dump(exclude={"name"})),
        default_schedule_name=wide(60),
        calendar=CalendarView(connected=True, synced_at=now, horizon_end=now, write_calendar="c" * 254),
    )
    for number in range(1, MAX_SCHEDULES):
        try:
            page = page.with_schedule(f"sc{number:010x}", largest_schedule())
        except PageFull:
            break
    for size, make in enumerate((largest_event_type, fifth_event_type, small_event_type)):
        for number in range(MAX_EVENT_TYPES):
            try:
                page = page.with_event_type(f"et{size:02x}{number:08x}", make(100 * size + number))
            except (PageFull, EventTypeLimitReached):
                break
    return page


@pytest.fixture(scope="module")
def page() -> BookingPage:
    return largest_page()


def test_each_largest_part_alone_fits_an_empty_page() -> None:
    assert stored_size(largest_event_type(0)) < PAGE_BYTES // 4
    assert stored_size(largest_schedule()) < PAGE_BYTES // 2


def test_the_largest_page_a_host_can_build_is_well_under_the_document_limit(page: BookingPage) -> None:
    written = document_size((PAGES, SLUG), page_document(page))

    assert PAGE_BYTES * 0.95 < stored_size(page) <= PAGE_BYTES  # filled up to its budget
    assert written < 900 * 1024 < FIRESTORE_LIMIT
    assert stored_size(page_document(page)) == stored_size(page)  # the budget counts what the adapter writes


def test_the_largest_page_reads_back_as_it_was_written(page: BookingPage) -> None:
    assert stored_page(page_document(page)) == page


def test_growing_a_full_page_is_refused_naming_the_largest_field(page: BookingPage) -> None:
    heavy = largest_event_type(99)
    full = page.without_event_type(list(page.event_types)[-1])  # room for a small type, not a heavy one

    with pytest.raises(PageFull) as refusal:
        full.with_event_type("etzz00000001", heavy)

    assert [(problem.field, problem.code) for problem in refusal.value.problems] == [("questions", "page-full")]


def test_a_change_that_does_not_grow_a_full_page_is_taken(page: BookingPage) -> None:
    event_type_id, event_type = next(iter(page.event_types.items()))

    renamed = page.with_event_type(event_type_id, event_type.model_copy(update={"title": "x"}))

    assert stored_size(renamed) < stored_size(page)


def test_event_types_per_host_are_limited() -> None:
    page = BookingPage(host_id="h1", display_name="Ada", schedule=Schedule(time_zone="UTC"))
    for number in range(MAX_EVENT_TYPES):
        page = page.with_event_type(f"et{number:010x}", smallest_event_type(number))

    with pytest.raises(EventTypeLimitReached):
        page.with_event_type("etffffffffff", smallest_event_type(999))
