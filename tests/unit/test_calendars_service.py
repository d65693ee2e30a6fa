"""Conflict calendars and the write calendar, against dict-backed fakes: the choice's rules, free/busy over
every conflict calendar, channels per calendar, and booking events kept in the calendar first written to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.calendars import (
    CALENDAR_LIST_SCOPE,
    CalendarChoice,
    CalendarChoiceRequest,
    ListedCalendar,
    choose_calendars,
)
from shared.domain.errors import CalendarListNotGranted, InvalidCalendarChoice
from shared.domain.host import Host
from shared.domain.intervals import Interval
from shared.services import calendars as calendar_settings
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.busy_refresh import refresh_busy
from shared.services.channels import start_watching
from shared.services.errors import GoogleRejected
from shared.services.renewal import RenewChannels, renew
from tests.unit.fakes import FakePorts, a_booking, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
WORK = "c_work@group.calendar.google.com"
SHARED = "c_team@group.calendar.google.com"
LISTED = [
    ListedCalendar(id="ada@example.com", summary="ada@example.com", primary=True, owned=True),
    ListedCalendar(id=WORK, summary="Work", owned=True),
    ListedCalendar(id=SHARED, summary="Team", owned=False),
]


def wanted(conflict: list[str], write: str) -> CalendarChoiceRequest:
    return CalendarChoiceRequest(conflict=conflict, write=write)


def ports_with(host: Host | None = None) -> FakePorts:
    ports = FakePorts()
    ports.calendar.listed = LISTED
    host = host or a_host().model_copy(update={"granted_scopes": (CALENDAR_LIST_SCOPE,)})
    given(ports.db, hosts=[host], pages={"ada": a_page()})
    return ports


def choose(host: Host, wanted: CalendarChoiceRequest, ports: FakePorts) -> calendar_settings.HostCalendars:
    """The host saves this choice, now."""
    return calendar_settings.choose_calendars(calendar_settings.ChooseCalendars(host, wanted), ports.at(NOW))


def stored_host(ports: FakePorts) -> Host:
    host = ports.uow().hosts.get("h1")
    assert host is not None
    return host


def test_the_primary_is_stored_as_primary_and_duplicates_are_dropped() -> None:
    choice = choose_calendars(CalendarChoice(), LISTED, wanted(["ada@example.com", WORK, WORK, "primary"], WORK))

    assert choice == CalendarChoice(conflict=("primary", WORK), write=WORK, event_calendars=("primary", WORK))


def test_unknown_and_unowned_calendars_are_named_field_by_field() -> None:
    with pytest.raises(InvalidCalendarChoice, match="cannot be used") as refused:
        choose_calendars(CalendarChoice(), LISTED, wanted([WORK, "c_gone@group.calendar.google.com"], SHARED))

    assert [problem.field for problem in refused.value.problems] == ["conflict.1", "write"]


def test_more_than_ten_conflict_calendars_are_refused_at_the_edge() -> None:
    with pytest.raises(ValueError, match="at most 10"):
        wanted([WORK] * 11, WORK)


def test_a_host_without_the_list_permission_is_told_which_scope_is_missing() -> None:
    ports = ports_with(a_host())

    with pytest.raises(CalendarListNotGranted) as refused:
        calendar_settings.host_calendars(a_host(), ports.at(NOW))

    assert refused.value.missing_scope == CALENDAR_LIST_SCOPE
    assert refused.value.consent_path.startswith("/oauth/start?purpose=calendars")
    assert ports.calendar.calls == []


def test_a_list_refused_once_is_asked_again_with_fresh_credentials() -> None:
    ports = ports_with()
    ports.calendar.failure = GoogleRejected(403, "insufficientPermissions")

    with pytest.raises(CalendarListNotGranted):
        calendar_settings.host_calendars(stored_host(ports), ports.at(NOW))

    assert ports.calendar.calls == ["calendars", "calendars"]
    assert ports.calendar.forgotten == ["h1"]


def test_the_write_calendar_is_watched_even_when_its_busy_times_do_not_count() -> None:
    ports = ports_with()

    choose(stored_host(ports), wanted([SHARED], WORK), ports)

    assert sorted(c.calendar_id for c in ports.uow().channels.of_host("h1")) == sorted([SHARED, WORK])
    assert ports.calendar.busy_asked == [(SHARED,)]


def test_a_new_choice_watches_each_conflict_calendar_and_refreshes_over_all_of_them() -> None:
    ports = ports_with()
    ports.calendar.busy_times = [Interval(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1))]
    ports.calendar.calendar_busy = {WORK: [Interval(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1))]}

    chosen = choose(stored_host(ports), wanted(["ada@example.com", WORK], WORK), ports)

    assert chosen.choice.conflict == ("primary", WORK)
    assert sorted(c.calendar_id for c in ports.calendar.channels.values()) == sorted(["primary", WORK])
    assert ports.calendar.busy_asked == [("primary", WORK)]
    snapshot = ports.uow().months.snapshot("ada", NOW, NOW + timedelta(days=3))
    assert snapshot is not None
    assert len(list(snapshot.busy)) == 2


def test_calendars_no_longer_chosen_lose_their_channels() -> None:
    ports = ports_with()
    host = stored_host(ports)
    choose(host, wanted(["primary", WORK], "primary"), ports)

    choose(stored_host(ports), wanted([WORK], WORK), ports)

    assert [c.calendar_id for c in ports.calendar.channels.values()] == [WORK]
    assert [c.calendar_id for c in ports.uow().channels.of_host("h1")] == [WORK]


def test_renewal_opens_a_channel_only_for_the_calendar_that_lacks_one() -> None:
    ports = ports_with()
    start_watching("h1", ports.at(NOW))  # the primary's channel, as at sign-in
    with ports.uow() as uow:
        uow.hosts.save(stored_host(ports).model_copy(update={"calendars": CalendarChoice(conflict=("primary", WORK))}))
        uow.commit()
    ports.calendar.calls.clear()

    counts = renew(RenewChannels(), ports.at(NOW))

    assert counts["channels_renewed"] == 1
    assert ports.calendar.calls == ["watch"]
    assert sorted(c.calendar_id for c in ports.uow().channels.of_host("h1")) == sorted(["primary", WORK])


def test_a_booking_is_written_to_its_calendar_and_stays_there_after_the_choice_changes() -> None:
    ports = ports_with()
    with ports.uow() as uow:
        uow.bookings.add(a_booking(calendar_id=WORK), None)  # made while Work was the write calendar
        uow.commit()

    reconcile_booking(ReconcileBooking("b1", 1), ports.at(NOW))
    with ports.uow() as uow:
        uow.hosts.save(stored_host(ports).model_copy(update={"calendars": CalendarChoice()}))
        booking = uow.bookings.get("b1")
        assert booking is not None
        uow.bookings.save(booking.model_copy(update={"version": 2}))
        uow.commit()
    reconcile_booking(ReconcileBooking("b1", 2), ports.at(NOW))

    assert ports.calendar.events_calendar == {"kalb1": WORK}
    assert ports.calendar.calls == ["insert", "patch"]


def test_a_new_write_calendar_is_kept_on_the_page_new_bookings_are_made_on() -> None:
    ports = ports_with()

    choose(stored_host(ports), wanted(["primary"], WORK), ports)

    page = ports.uow().pages.get("ada")
    assert page is not None
    assert page.calendar.write_calendar == WORK


def test_our_events_are_looked_for_in_every_calendar_bookings_were_written_to() -> None:
    ports = ports_with()
    host = stored_host(ports).model_copy(
        update={"calendars": CalendarChoice(conflict=(SHARED,), write="primary", event_calendars=("primary", WORK))}
    )
    with ports.uow() as uow:
        uow.hosts.save(host)
        uow.commit()

    refresh_busy(host, NOW, ports)

    assert ports.calendar.busy_asked == [(SHARED,)]
    assert ports.calendar.changes_asked == [("primary", WORK)]


def test_a_booking_made_before_calendars_could_be_chosen_is_looked_for_in_the_primary() -> None:
    ports = ports_with()
    earlier = a_booking(version=2, synced_version=1)  # no calendar recorded: in Google's primary calendar
    with ports.uow() as uow:
        uow.hosts.save(stored_host(ports).model_copy(update={"calendars": CalendarChoice(write=WORK)}))
        uow.bookings.add(earlier, None)
        uow.commit()
    ports.calendar.events["kalb1"] = earlier

    outcome = reconcile_booking(ReconcileBooking("b1", 2), ports.at(NOW))

    assert outcome == "synced"
    assert ports.calendar.calls == ["patch"]
    assert ports.calendar.events_calendar == {}  # patched where the test put it: the primary
