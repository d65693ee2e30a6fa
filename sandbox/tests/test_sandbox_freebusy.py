"""freeBusy: only busy intervals leave the calendar, computed as Google does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError

from helpers import EVENTS_OWNED, FREEBUSY, sign_in
from sandbox.client import SandboxClient

ADA = "ada@example.com"


def test_busy_covers_all_day_events_in_the_calendar_zone_and_skips_free_ones(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    calendar = app_calendar(ADA, [FREEBUSY], time_zone="America/New_York")
    # 2026-03-10 is after New York's switch to daylight time (UTC-4).
    control.add_event(ADA, {"summary": "Off", "start": {"date": "2026-03-10"}, "end": {"date": "2026-03-11"}})
    control.add_event(ADA, {"start": {"dateTime": "2026-03-12T10:00:00Z"}, "end": {"dateTime": "2026-03-12T11:00:00Z"}})
    control.add_event(
        ADA,
        {
            "start": {"dateTime": "2026-03-12T10:30:00Z"},
            "end": {"dateTime": "2026-03-12T11:30:00Z"},
            "status": "tentative",
        },
    )
    control.add_event(
        ADA,
        {
            "start": {"dateTime": "2026-03-12T13:00:00Z"},
            "end": {"dateTime": "2026-03-12T14:00:00Z"},
            "transparency": "transparent",
        },
    )
    control.add_event(
        ADA,
        {
            "start": {"dateTime": "2026-03-12T15:00:00Z"},
            "end": {"dateTime": "2026-03-12T16:00:00Z"},
            "attendees": [{"email": ADA, "responseStatus": "declined"}],
        },
    )

    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": "2026-03-09T00:00:00Z",
                "timeMax": "2026-03-13T00:00:00Z",
                "items": [{"id": "primary"}, {"id": "stranger@example.com"}],
            }
        )
        .execute()
    )

    assert answer["kind"] == "calendar#freeBusy"
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2026-03-10T04:00:00Z", "end": "2026-03-11T04:00:00Z"},
        {"start": "2026-03-12T10:00:00Z", "end": "2026-03-12T11:30:00Z"},
    ]
    assert answer["calendars"]["stranger@example.com"]["errors"][0]["reason"] == "notFound"
    assert control.state()["foreign_events_read"] == 0  # busy intervals are not event contents


def test_busy_is_clipped_to_the_range_and_shown_in_the_requested_zone(
    control: SandboxClient, app_calendar: Callable[..., Any]
) -> None:
    calendar = app_calendar(ADA, [FREEBUSY])
    control.add_event(ADA, {"start": {"dateTime": "2026-06-01T08:00:00Z"}, "end": {"dateTime": "2026-06-01T12:00:00Z"}})

    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": "2026-06-01T10:00:00Z",
                "timeMax": "2026-06-02T00:00:00Z",
                "timeZone": "Europe/Berlin",
                "items": [{"id": ADA}],
            }
        )
        .execute()
    )

    assert answer["calendars"][ADA]["busy"] == [
        {"start": "2026-06-01T12:00:00+02:00", "end": "2026-06-01T14:00:00+02:00"}
    ]


@pytest.mark.parametrize(
    ("time_max", "expected_reason"),
    [("2026-06-01T00:00:00Z", "timeRangeEmpty"), ("2026-09-01T00:00:00Z", "timeRangeTooLong")],
)
def test_bad_ranges_are_refused(app_calendar: Callable[..., Any], time_max: str, expected_reason: str) -> None:
    calendar = app_calendar(ADA, [FREEBUSY])

    with pytest.raises(HttpError) as refused:
        calendar.freebusy().query(
            body={"timeMin": "2026-06-01T00:00:00Z", "timeMax": time_max, "items": [{"id": "primary"}]}
        ).execute()

    assert refused.value.resp.status == 400
    assert json.loads(refused.value.content)["error"]["errors"][0]["reason"] == expected_reason


def test_events_owned_scope_cannot_query_freebusy(url: str, control: SandboxClient) -> None:
    control.create_account(ADA)
    token = sign_in(url, [EVENTS_OWNED])["access_token"]

    response = requests.post(
        f"{url}/calendar/v3/freeBusy",
        headers={"Authorization": f"Bearer {token}"},
        json={"timeMin": "2026-06-01T00:00:00Z", "timeMax": "2026-06-02T00:00:00Z"},
        timeout=5,
    )

    assert response.status_code == 403
