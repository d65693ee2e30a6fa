"""Calendar v3 events through google-api-python-client, as the app's calendar adapter uses it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError

from helpers import FREEBUSY
from sandbox.client import SandboxClient, SandboxError

ADA = "ada@example.com"
EVENT = {
    "summary": "Intro call with Grace",
    "start": {"dateTime": "2026-03-12T10:00:00+01:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2026-03-12T10:30:00+01:00", "timeZone": "Europe/Berlin"},
    "attendees": [{"email": "grace@example.com"}],
    "extendedProperties": {"private": {"kaleno": "1", "booking": "b-1"}},
}


def reason(error: HttpError) -> str:
    body: dict[str, Any] = json.loads(error.content)
    return str(body["error"]["errors"][0]["reason"])


def test_insert_duplicate_patch_delete_lifecycle(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()

    created = events.insert(calendarId="primary", body={**EVENT, "id": "kaleno0booking1"}, sendUpdates="none").execute()
    with pytest.raises(HttpError) as duplicate:
        events.insert(calendarId="primary", body={**EVENT, "id": "kaleno0booking1"}).execute()
    patched = events.patch(calendarId="primary", eventId="kaleno0booking1", body={"summary": "Moved"}).execute()
    events.delete(calendarId="primary", eventId="kaleno0booking1").execute()
    deleted = events.get(calendarId=ADA, eventId="kaleno0booking1").execute()
    with pytest.raises(HttpError) as gone:
        events.delete(calendarId="primary", eventId="kaleno0booking1").execute()
    with pytest.raises(HttpError) as reinserted:
        events.insert(calendarId="primary", body={**EVENT, "id": "kaleno0booking1"}).execute()

    assert created["id"] == "kaleno0booking1"
    assert created["status"] == "confirmed"
    assert created["organizer"] == {"email": ADA, "self": True}
    assert created["attendees"] == [{"email": "grace@example.com", "responseStatus": "needsAction"}]
    assert created["iCalUID"] == "kaleno0booking1@google.com"
    assert duplicate.value.resp.status == 409
    assert reason(duplicate.value) == "duplicate"
    assert patched["summary"] == "Moved"
    assert patched["extendedProperties"]["private"] == {"kaleno": "1", "booking": "b-1"}
    assert patched["etag"] != created["etag"]
    assert deleted["status"] == "cancelled"
    assert gone.value.resp.status == 410
    assert reason(gone.value) == "deleted"
    assert reinserted.value.resp.status == 409  # Google keeps deleted ids taken


def test_invalid_ids_and_unknown_events_are_refused(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()

    with pytest.raises(HttpError) as invalid:
        events.insert(calendarId="primary", body={**EVENT, "id": "Not-Base32hex"}).execute()
    with pytest.raises(HttpError) as missing:
        events.get(calendarId="primary", eventId="abcdef12345").execute()
    with pytest.raises(HttpError) as other_calendar:
        events.list(calendarId="someone-else@example.com").execute()

    assert invalid.value.resp.status == 400
    assert reason(invalid.value) == "invalid"
    assert missing.value.resp.status == 404
    assert reason(missing.value) == "notFound"
    assert other_calendar.value.resp.status == 404


def test_update_replaces_the_event(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    created = events.insert(calendarId="primary", body=EVENT).execute()

    replaced = events.update(
        calendarId="primary",
        eventId=created["id"],
        body={"summary": "Only this", "start": {"date": "2026-03-13"}, "end": {"date": "2026-03-14"}},
    ).execute()

    assert replaced["id"] == created["id"]
    assert replaced["created"] == created["created"]
    assert "attendees" not in replaced
    assert "extendedProperties" not in replaced
    assert replaced["sequence"] == 1  # its time changed


def test_a_freebusy_only_token_cannot_touch_events(app_calendar: Callable[..., Any]) -> None:
    calendar = app_calendar(ADA, [FREEBUSY])

    with pytest.raises(HttpError) as refused:
        calendar.events().insert(calendarId="primary", body=EVENT).execute()
    with pytest.raises(HttpError) as refused_list:
        calendar.events().list(calendarId="primary").execute()

    assert refused.value.resp.status == 403
    assert reason(refused.value) == "insufficientPermissions"
    assert "insufficient authentication scopes" in str(refused.value)
    assert refused_list.value.resp.status == 403


def test_requests_without_a_valid_token_get_401(url: str, app_calendar: Callable[..., Any]) -> None:
    app_calendar(ADA)

    response = requests.get(
        f"{url}/calendar/v3/calendars/primary/events", headers={"Authorization": "Bearer ya29.forged"}, timeout=5
    )

    assert response.status_code == 401
    assert response.json()["error"]["errors"][0]["reason"] == "authError"
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_injected_faults_fail_the_next_calls_then_clear(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA).events()
    control.fault("calendar.events.insert", 503, count=2, retry_after=7)

    failures = []
    for _ in range(2):
        with pytest.raises(HttpError) as failed:
            events.insert(calendarId="primary", body=EVENT).execute()
        failures.append(failed.value)
    created = events.insert(calendarId="primary", body=EVENT).execute()

    assert [f.resp.status for f in failures] == [503, 503]
    assert failures[0].resp["retry-after"] == "7"
    assert reason(failures[0]) == "backendError"
    assert created["status"] == "confirmed"
    assert control.state()["calls"]["calendar.events.insert"] == 3


def test_listing_only_app_events_reads_nothing_foreign(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA).events()
    for summary in ("Dentist", "Therapy"):
        owner_event = {
            "summary": summary,
            "start": {"dateTime": "2026-03-12T08:00:00Z"},
            "end": {"dateTime": "2026-03-12T09:00:00Z"},
        }
        control.add_event(ADA, owner_event)
    ours = events.insert(calendarId="primary", body=EVENT).execute()

    filtered = events.list(calendarId="primary", privateExtendedProperty=["kaleno=1", "booking=b-1"]).execute()
    foreign_after_filtered = control.state()["foreign_events_read"]
    everything = events.list(calendarId="primary").execute()

    assert [e["id"] for e in filtered["items"]] == [ours["id"]]
    assert foreign_after_filtered == 0
    assert len(everything["items"]) == 3
    assert control.state()["foreign_events_read"] == 2


def test_list_filters_by_time_updates_and_deletions(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    early = events.insert(
        calendarId="primary",
        body={**EVENT, "start": {"dateTime": "2026-03-10T09:00:00Z"}, "end": {"dateTime": "2026-03-10T10:00:00Z"}},
    ).execute()
    late = events.insert(calendarId="primary", body=EVENT).execute()
    events.delete(calendarId="primary", eventId=early["id"]).execute()

    in_window = events.list(
        calendarId="primary", timeMin="2026-03-12T00:00:00Z", timeMax="2026-03-13T00:00:00Z"
    ).execute()
    with_deleted = events.list(calendarId="primary", showDeleted=True, singleEvents=True, orderBy="startTime").execute()
    changed = events.list(calendarId="primary", updatedMin=late["updated"]).execute()
    page = events.list(calendarId="primary", showDeleted=True, maxResults=1).execute()
    second = events.list(
        calendarId="primary", showDeleted=True, maxResults=1, pageToken=page["nextPageToken"]
    ).execute()

    assert [e["id"] for e in in_window["items"]] == [late["id"]]
    assert [(e["id"], e["status"]) for e in with_deleted["items"]] == [
        (early["id"], "cancelled"),
        (late["id"], "confirmed"),
    ]
    assert "summary" not in with_deleted["items"][0]  # deleted events are minimal
    assert {e["id"] for e in changed["items"]} == {early["id"], late["id"]}  # deleted since: included
    assert len(page["items"]) == len(second["items"]) == 1
    assert "nextPageToken" not in second


def test_owner_edits_through_the_control_api(control: SandboxClient, app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    ours = events.insert(calendarId="primary", body=EVENT).execute()
    listed_before = control.events(ADA)

    moved = control.patch_event(
        ADA,
        ours["id"],
        {"start": {"dateTime": "2026-03-12T11:00:00+01:00"}, "end": {"dateTime": "2026-03-12T11:30:00+01:00"}},
    )
    control.delete_event(ADA, ours["id"])

    assert [e["id"] for e in listed_before] == [ours["id"]]
    assert moved["start"]["dateTime"] == "2026-03-12T11:00:00+01:00"
    assert moved["start"]["timeZone"] == "Europe/Berlin"  # patch merges nested objects
    assert control.events(ADA) == []
    assert events.get(calendarId="primary", eventId=ours["id"]).execute()["status"] == "cancelled"
    assert control.state()["foreign_events_read"] == 0  # the app's own event, and control reads don't count
    with pytest.raises(SandboxError) as missing:
        control.delete_event("nobody@example.com", ours["id"])
    assert missing.value.status == 404


def test_a_fault_with_count_zero_clears_it_at_once(control: SandboxClient, app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    control.fault("calendar.events.insert", 503, count=1000)

    with pytest.raises(HttpError):
        events.insert(calendarId="primary", body=EVENT).execute()
    control.fault("calendar.events.insert", 503, count=0)
    created = events.insert(calendarId="primary", body=EVENT).execute()

    assert created["status"] == "confirmed"


def test_a_hanging_fault_holds_its_call_but_not_the_others(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    import threading
    import time

    events = app_calendar(ADA).events()
    control.fault("calendar.events.insert", 503, count=1, hang_seconds=1.0)
    failed: list[int] = []

    def hanging_insert() -> None:
        with pytest.raises(HttpError) as error:
            events.insert(calendarId="primary", body=EVENT).execute()
        failed.append(error.value.resp.status)

    started = time.monotonic()
    hanging = threading.Thread(target=hanging_insert)
    hanging.start()
    time.sleep(0.1)
    state = control.state()  # answered while the insert hangs
    answered_after = time.monotonic() - started
    hanging.join()
    hung_for = time.monotonic() - started

    assert state["calls"]["calendar.events.insert"] == 1
    assert answered_after < 0.8
    assert failed == [503]
    assert hung_for >= 1.0


def test_a_misspelt_fault_method_is_refused(control: SandboxClient) -> None:
    with pytest.raises(SandboxError) as refused:
        control.fault("calendar.event.insert", 503)

    assert refused.value.status == 400
    assert "calendar.events.insert" in refused.value.body["methods"]
    assert "cloudtasks.create_task" in refused.value.body["methods"]
    assert "secretmanager.access_secret_version" in refused.value.body["methods"]
