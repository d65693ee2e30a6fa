"""Secondary calendars: listed by calendarList.list (with its own scope), each with its own events, free/busy
and push channels, edited by the owner through the control API, and gone after a reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from helpers import EVENTS_OWNED, FREEBUSY, Receiver
from sandbox.client import SandboxClient

ADA = "ada@example.com"
LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
ALL_SCOPES = [EVENTS_OWNED, FREEBUSY, LIST]


def event(day: str, hour: int, summary: str = "Private") -> dict[str, Any]:
    return {
        "summary": summary,
        "start": {"dateTime": f"{day}T{hour:02d}:00:00Z"},
        "end": {"dateTime": f"{day}T{hour + 1:02d}:00:00Z"},
    }


def test_calendar_list_shows_the_primary_first_then_own_and_shared_calendars(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    calendar = app_calendar(ADA, ALL_SCOPES, time_zone="Europe/Berlin")
    work = control.add_calendar(ADA, "Work")
    family = control.add_calendar(ADA, "Family", access_role="reader")
    control.create_account("bob@example.com")
    control.add_calendar("bob@example.com", "Bob's")  # another account's: never in Ada's list

    listed = calendar.calendarList().list().execute()
    owned = calendar.calendarList().list(minAccessRole="owner").execute()

    assert listed["kind"] == "calendar#calendarList"
    assert [(i["id"], i["summary"], i["accessRole"], i.get("primary", False)) for i in listed["items"]] == [
        (ADA, ADA, "owner", True),
        (work, "Work", "owner", False),
        (family, "Family", "reader", False),
    ]
    assert work.endswith("@group.calendar.google.com")
    assert {i["timeZone"] for i in listed["items"]} == {"Europe/Berlin"}
    assert [i["id"] for i in owned["items"]] == [ADA, work]
    assert control.state()["calls"]["calendar.calendarList.list"] == 2


def test_calendar_list_needs_a_calendar_list_scope(control: SandboxClient, app_calendar: Callable[..., Any]) -> None:
    calendar = app_calendar(ADA, [EVENTS_OWNED, FREEBUSY])

    with pytest.raises(HttpError) as refused:
        calendar.calendarList().list().execute()

    assert refused.value.resp.status == 403
    assert b"insufficientPermissions" in refused.value.content


def test_events_live_in_their_own_calendar_and_a_shared_one_is_read_only(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA, ALL_SCOPES).events()
    work = control.add_calendar(ADA, "Work")
    family = control.add_calendar(ADA, "Family", access_role="reader")
    body = {"id": "kal0123456789", **event("2026-03-12", 9, "Booked")}

    inserted = events.insert(calendarId=work, body=body).execute()
    events.patch(calendarId=work, eventId="kal0123456789", body={"summary": "Moved"}).execute()
    with pytest.raises(HttpError) as missing_in_primary:
        events.get(calendarId="primary", eventId="kal0123456789").execute()
    with pytest.raises(HttpError) as read_only:
        events.insert(calendarId=family, body=event("2026-03-12", 9)).execute()
    with pytest.raises(HttpError) as unknown:
        events.insert(calendarId="c_nope@group.calendar.google.com", body=event("2026-03-12", 9)).execute()

    assert inserted["id"] == "kal0123456789"
    assert [e["summary"] for e in control.events(ADA, calendar_id=work)] == ["Moved"]
    assert control.events(ADA) == []
    assert missing_in_primary.value.resp.status == 404
    assert read_only.value.resp.status == 403
    assert b"requiredAccessLevel" in read_only.value.content
    assert unknown.value.resp.status == 404
    events.delete(calendarId=work, eventId="kal0123456789").execute()
    assert control.events(ADA, calendar_id=work) == []


def test_freebusy_answers_per_calendar_in_one_query(control: SandboxClient, app_calendar: Callable[..., Any]) -> None:
    calendar = app_calendar(ADA, ALL_SCOPES)
    work = control.add_calendar(ADA, "Work")
    family = control.add_calendar(ADA, "Family", access_role="reader")
    control.add_event(ADA, event("2026-03-12", 8))
    control.add_event(ADA, event("2026-03-12", 10), calendar_id=work)
    control.add_event(ADA, event("2026-03-12", 12), calendar_id=family)

    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": "2026-03-12T00:00:00Z",
                "timeMax": "2026-03-13T00:00:00Z",
                "items": [{"id": "primary"}, {"id": work}, {"id": family}, {"id": "c_gone@group.calendar.google.com"}],
            }
        )
        .execute()
    )

    calendars = answer["calendars"]
    assert calendars["primary"]["busy"] == [{"start": "2026-03-12T08:00:00Z", "end": "2026-03-12T09:00:00Z"}]
    assert calendars[work]["busy"] == [{"start": "2026-03-12T10:00:00Z", "end": "2026-03-12T11:00:00Z"}]
    assert calendars[family]["busy"] == [{"start": "2026-03-12T12:00:00Z", "end": "2026-03-12T13:00:00Z"}]
    assert calendars["c_gone@group.calendar.google.com"]["errors"] == [{"domain": "global", "reason": "notFound"}]
    assert control.state()["foreign_events_read"] == 0


def test_listing_owner_events_of_a_secondary_calendar_counts_as_a_foreign_read(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA, ALL_SCOPES).events()
    work = control.add_calendar(ADA, "Work")
    control.add_event(ADA, event("2026-03-12", 10), calendar_id=work)
    events.insert(calendarId=work, body=event("2026-03-12", 12, "Ours")).execute()

    listed = events.list(calendarId=work).execute()

    assert listed["summary"] == "Work"
    assert len(listed["items"]) == 2
    assert control.state()["foreign_events_read"] == 1


def test_a_watch_on_a_secondary_calendar_hears_only_that_calendar(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA, ALL_SCOPES).events()
    work = control.add_calendar(ADA, "Work")
    body = {"id": "chan-work", "type": "web_hook", "address": f"{receiver.url}/work"}
    channel = events.watch(calendarId=work, body=body).execute()
    primary = events.watch(
        calendarId="primary", body={"id": "chan-primary", "type": "web_hook", "address": f"{receiver.url}/primary"}
    ).execute()
    receiver.wait_for(2)

    control.add_event(ADA, event("2026-03-12", 10), calendar_id=work)
    receiver.wait_for(3)

    states = [(p.path, p.headers["X-Goog-Resource-State"]) for p in receiver.received()]
    assert sorted(states) == [("/primary", "sync"), ("/work", "exists"), ("/work", "sync")]
    assert channel["resourceId"] != primary["resourceId"]
    assert {c["calendar"] for c in control.channels()} == {work, ADA}


def test_reset_forgets_secondary_calendars(control: SandboxClient, app_calendar: Callable[..., Any]) -> None:
    app_calendar(ADA, ALL_SCOPES)
    control.add_calendar(ADA, "Work")

    control.reset()
    control.create_account(ADA)

    assert control.calendars(ADA) == []
