"""Google Meet through conferenceData, `fields` partial responses, and attendees' replies, through
google-api-python-client as the app's calendar adapter uses it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError

from helpers import EVENTS_OWNED, Receiver, sign_in
from sandbox.client import SandboxClient

ADA = "ada@example.com"
GRACE = "grace@example.com"
EVENT = {
    "summary": "Intro call with Grace",
    "start": {"dateTime": "2026-03-12T10:00:00+01:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2026-03-12T10:30:00+01:00", "timeZone": "Europe/Berlin"},
    "attendees": [{"email": GRACE, "displayName": "Grace Hopper"}],
}
MEET_URI = re.compile(r"^https://meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}$")


def meet_request(request_id: str) -> dict[str, Any]:
    return {"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def reason(error: HttpError) -> str:
    body: dict[str, Any] = json.loads(error.content)
    return str(body["error"]["errors"][0]["reason"])


def test_insert_with_a_create_request_answers_pending_then_reads_show_the_meet(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA).events()

    created = events.insert(
        calendarId="primary", body={**EVENT, "conferenceData": meet_request("req-1")}, conferenceDataVersion=1
    ).execute()
    read = events.get(calendarId="primary", eventId=created["id"]).execute()
    listed = events.list(calendarId="primary").execute()["items"]
    owner_view = control.events(ADA)

    assert "hangoutLink" not in created
    assert created["conferenceData"] == {
        "createRequest": {
            "requestId": "req-1",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "pending"},
        }
    }
    conference = read["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    assert conference["createRequest"]["requestId"] == "req-1"
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    assert conference["conferenceSolution"]["name"] == "Google Meet"
    [entry] = conference["entryPoints"]
    assert entry["entryPointType"] == "video"
    assert MEET_URI.match(entry["uri"])
    assert entry["label"] == entry["uri"].removeprefix("https://")
    assert conference["conferenceId"] == entry["uri"].rsplit("/", 1)[1]
    assert read["hangoutLink"] == entry["uri"]
    assert listed[0]["hangoutLink"] == entry["uri"]
    assert listed[0]["conferenceData"] == conference
    assert owner_view[0]["hangoutLink"] == entry["uri"]
    assert control.state()["calls"]["calendar.events.get"] == 1


def test_without_conference_data_version_1_the_request_is_ignored(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()

    plain = events.insert(calendarId="primary", body={**EVENT, "conferenceData": meet_request("req-1")}).execute()
    version0 = events.insert(
        calendarId="primary", body={**EVENT, "conferenceData": meet_request("req-2")}, conferenceDataVersion=0
    ).execute()
    read = events.get(calendarId="primary", eventId=plain["id"]).execute()

    for event in (plain, version0, read):
        assert "conferenceData" not in event
        assert "hangoutLink" not in event


def test_patch_adds_a_meet_idempotently_and_null_removes_it(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    created = events.insert(calendarId="primary", body=EVENT).execute()

    added = events.patch(
        calendarId="primary",
        eventId=created["id"],
        body={"conferenceData": meet_request("req-1")},
        conferenceDataVersion=1,
    ).execute()
    first = events.get(calendarId="primary", eventId=created["id"]).execute()
    again = events.patch(
        calendarId="primary",
        eventId=created["id"],
        body={"conferenceData": meet_request("req-1")},
        conferenceDataVersion=1,
    ).execute()
    other_edit = events.patch(
        calendarId="primary", eventId=created["id"], body={"summary": "Renamed", "conferenceData": None}
    ).execute()  # version 0: conferenceData (even null) is ignored, the Meet stays
    new_request = events.patch(
        calendarId="primary",
        eventId=created["id"],
        body={"conferenceData": meet_request("req-2")},
        conferenceDataVersion=1,
    ).execute()
    second = events.get(calendarId="primary", eventId=created["id"]).execute()
    removed = events.patch(
        calendarId="primary", eventId=created["id"], body={"conferenceData": None}, conferenceDataVersion=1
    ).execute()
    after = events.get(calendarId="primary", eventId=created["id"]).execute()

    assert added["conferenceData"]["createRequest"]["status"] == {"statusCode": "pending"}
    assert "hangoutLink" not in added
    assert MEET_URI.match(first["hangoutLink"])
    assert again["hangoutLink"] == first["hangoutLink"]  # same requestId: the same Meet, already made
    assert again["conferenceData"]["createRequest"]["status"] == {"statusCode": "success"}
    assert other_edit["summary"] == "Renamed"
    assert other_edit["hangoutLink"] == first["hangoutLink"]
    assert new_request["conferenceData"]["createRequest"]["status"] == {"statusCode": "pending"}
    assert MEET_URI.match(second["hangoutLink"])
    assert second["hangoutLink"] != first["hangoutLink"]  # a new requestId makes a new Meet
    assert "conferenceData" not in removed
    assert "hangoutLink" not in removed
    assert "conferenceData" not in after
    assert "hangoutLink" not in after


def test_update_keeps_the_meet_at_version_0_and_drops_it_at_version_1(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    created = events.insert(
        calendarId="primary", body={**EVENT, "conferenceData": meet_request("req-1")}, conferenceDataVersion=1
    ).execute()
    link = events.get(calendarId="primary", eventId=created["id"]).execute()["hangoutLink"]

    kept = events.update(calendarId="primary", eventId=created["id"], body=EVENT).execute()
    copied_back = events.update(
        calendarId="primary",
        eventId=created["id"],
        body={**EVENT, "conferenceData": kept["conferenceData"]},
        conferenceDataVersion=1,
    ).execute()
    dropped = events.update(calendarId="primary", eventId=created["id"], body=EVENT, conferenceDataVersion=1).execute()

    assert kept["hangoutLink"] == link
    assert copied_back["hangoutLink"] == link
    assert "hangoutLink" not in dropped
    assert "conferenceData" not in dropped


def test_bad_conference_requests_are_refused(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    wrong_type = {"createRequest": {"requestId": "r", "conferenceSolutionKey": {"type": "eventHangout"}}}

    with pytest.raises(HttpError) as bad_type:
        events.insert(
            calendarId="primary", body={**EVENT, "conferenceData": wrong_type}, conferenceDataVersion=1
        ).execute()
    with pytest.raises(HttpError) as no_request_id:
        events.insert(
            calendarId="primary",
            body={**EVENT, "conferenceData": {"createRequest": {"conferenceSolutionKey": {"type": "hangoutsMeet"}}}},
            conferenceDataVersion=1,
        ).execute()

    assert bad_type.value.resp.status == 400
    assert "Invalid conference type value." in str(bad_type.value)
    assert no_request_id.value.resp.status == 400
    assert reason(no_request_id.value) == "invalid"
    assert events.list(calendarId="primary").execute()["items"] == []


def test_a_conference_data_version_out_of_range_is_400(url: str, control: SandboxClient) -> None:
    control.create_account(ADA)
    token = sign_in(url, [EVENTS_OWNED], login_hint=ADA)["access_token"]

    response = requests.post(
        f"{url}/calendar/v3/calendars/primary/events",
        params={"conferenceDataVersion": "2"},
        json=EVENT,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["location"] == "conferenceDataVersion"
    assert control.events(ADA) == []


def test_fields_selects_meet_link_and_nested_attendee_fields(app_calendar: Callable[..., Any]) -> None:
    events = app_calendar(ADA).events()
    created = events.insert(
        calendarId="primary", body={**EVENT, "conferenceData": meet_request("req-1")}, conferenceDataVersion=1
    ).execute()

    got = events.get(
        calendarId="primary", eventId=created["id"], fields="id,hangoutLink,attendees(email,responseStatus)"
    ).execute()
    conference_only = events.get(
        calendarId="primary", eventId=created["id"], fields="conferenceData/entryPoints(uri),status"
    ).execute()
    listed = events.list(
        calendarId="primary",
        fields="items(id,hangoutLink,conferenceData,attendees(email,responseStatus)),nextPageToken",
    ).execute()
    written = events.patch(
        calendarId="primary", eventId=created["id"], body={"summary": "x"}, fields="id,summary"
    ).execute()

    assert got == {
        "id": created["id"],
        "hangoutLink": got["hangoutLink"],
        "attendees": [{"email": GRACE, "responseStatus": "needsAction"}],
    }
    assert MEET_URI.match(got["hangoutLink"])
    assert conference_only == {"status": "confirmed", "conferenceData": {"entryPoints": [{"uri": got["hangoutLink"]}]}}
    [item] = listed["items"]
    assert listed == {"items": [item]}  # no kind, etag, summary...: only what was selected
    assert set(item) == {"id", "hangoutLink", "conferenceData", "attendees"}
    assert item["conferenceData"]["conferenceId"]
    assert item["attendees"] == [{"email": GRACE, "responseStatus": "needsAction"}]
    assert written == {"id": created["id"], "summary": "x"}


def test_an_unknown_field_selection_is_refused_before_any_change(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    events = app_calendar(ADA).events()

    with pytest.raises(HttpError) as unknown:
        events.insert(calendarId="primary", body=EVENT, fields="id,meetingUrl").execute()
    with pytest.raises(HttpError) as nested_unknown:
        events.list(calendarId="primary", fields="items(attendees(email,answer))").execute()
    with pytest.raises(HttpError) as malformed:
        events.list(calendarId="primary", fields="items(id").execute()

    assert unknown.value.resp.status == 400
    assert reason(unknown.value) == "invalidParameter"
    assert "Invalid field selection meetingUrl" in str(unknown.value)
    assert "Invalid field selection items/attendees/answer" in str(nested_unknown.value)
    assert malformed.value.resp.status == 400
    assert control.events(ADA) == []


def test_an_attendee_declining_through_the_control_api_is_seen_with_updated_min_and_pushed(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA).events()
    created = events.insert(
        calendarId="primary",
        body={**EVENT, "attendees": [{"email": ADA}, {"email": GRACE, "displayName": "Grace Hopper"}]},
    ).execute()
    events.watch(calendarId="primary", body={"id": "chan-1", "type": "web_hook", "address": receiver.url}).execute()
    receiver.wait_for(1)  # the sync message
    control.advance_clock(5)

    declined = control.patch_event(ADA, created["id"], {"attendees": [{"email": GRACE, "responseStatus": "declined"}]})
    pushes = receiver.wait_for(2)
    changed = events.list(
        calendarId="primary", updatedMin=declined["updated"], fields="items(id,attendees(email,responseStatus))"
    ).execute()

    assert declined["updated"] > created["updated"]
    assert declined["etag"] != created["etag"]
    assert declined["attendees"] == [
        {"email": ADA, "responseStatus": "needsAction", "self": True},
        {"email": GRACE, "displayName": "Grace Hopper", "responseStatus": "declined"},
    ]  # only Grace's entry changed; the rest of the list stays
    assert pushes[1].headers["X-Goog-Resource-State"] == "exists"
    assert changed["items"] == [
        {
            "id": created["id"],
            "attendees": [
                {"email": ADA, "responseStatus": "needsAction"},
                {"email": GRACE, "responseStatus": "declined"},
            ],
        }
    ]
    assert control.state()["foreign_events_read"] == 0


def test_the_owner_can_add_a_meet_through_the_control_api(control: SandboxClient) -> None:
    control.create_account(ADA)

    created = control.add_event(ADA, {**EVENT, "conferenceData": meet_request("owner-1")})

    assert MEET_URI.match(created["hangoutLink"])
    assert created["conferenceData"]["createRequest"]["status"] == {"statusCode": "success"}
