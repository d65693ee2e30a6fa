"""events.watch: real push notifications to a local receiver, as the calendar_webhook function gets them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from helpers import Receiver, wait_until
from sandbox.client import SandboxClient

ADA = "ada@example.com"
OWNER_EVENT = {
    "summary": "Dentist",
    "start": {"dateTime": "2026-03-12T08:00:00Z"},
    "end": {"dateTime": "2026-03-12T09:00:00Z"},
}


def watch(events: Any, receiver: Receiver, channel_id: str, **extra: Any) -> dict[str, Any]:
    body = {"id": channel_id, "type": "web_hook", "address": f"{receiver.url}/{channel_id}", **extra}
    channel: dict[str, Any] = events.watch(calendarId="primary", body=body).execute()
    return channel


def test_watch_sends_sync_then_exists_on_owner_changes(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA).events()

    channel = watch(events, receiver, "chan-1", token="signed-token")
    receiver.wait_for(1)
    control.add_event(ADA, OWNER_EVENT)
    events.insert(calendarId="primary", body=OWNER_EVENT).execute()  # the app's own change notifies too
    pushes = receiver.wait_for(3)

    assert channel["kind"] == "api#channel"
    assert channel["id"] == "chan-1"
    assert channel["token"] == "signed-token"
    assert [p.headers["X-Goog-Resource-State"] for p in pushes] == ["sync", "exists", "exists"]
    assert [int(p.headers["X-Goog-Message-Number"]) for p in pushes] == [1, 2, 3]
    first = pushes[0]
    assert first.method == "POST"
    assert first.body == b""
    assert first.path == "/chan-1"
    assert first.headers["X-Goog-Channel-Id"] == "chan-1"
    assert first.headers["X-Goog-Channel-Token"] == "signed-token"
    assert first.headers["X-Goog-Resource-Id"] == channel["resourceId"]
    assert first.headers["X-Goog-Resource-Uri"] == channel["resourceUri"]
    expires = parsedate_to_datetime(first.headers["X-Goog-Channel-Expiration"]).timestamp()
    assert expires == int(channel["expiration"]) // 1000
    assert control.state()["active_channels"] == 1
    [listed] = control.channels()
    assert (listed["id"], listed["resourceId"], listed["calendar"]) == ("chan-1", channel["resourceId"], ADA)
    assert (listed["address"], listed["expiration"], listed["messages_sent"]) == (
        f"{receiver.url}/chan-1",
        channel["expiration"],
        3,
    )


def test_stopped_channel_gets_no_more_pushes(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    calendar = app_calendar(ADA)
    stopped = watch(calendar.events(), receiver, "stopped")
    watch(calendar.events(), receiver, "witness")
    receiver.wait_for(1, "/stopped")

    calendar.channels().stop(body={"id": "stopped", "resourceId": stopped["resourceId"]}).execute()
    control.add_event(ADA, OWNER_EVENT)
    receiver.wait_for(2, "/witness")  # the change was processed for every channel

    assert len(receiver.received("/stopped")) == 1
    assert control.state()["active_channels"] == 1
    assert [c["id"] for c in control.channels()] == ["witness"]
    with pytest.raises(HttpError) as unknown:
        calendar.channels().stop(body={"id": "stopped", "resourceId": stopped["resourceId"]}).execute()
    assert unknown.value.resp.status == 404


def test_expired_channel_gets_no_pushes(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA).events()
    watch(events, receiver, "short")
    receiver.wait_for(1, "/short")

    control.advance_clock(7 * 86400 + 1)  # past the 7-day maximum lifetime
    watch(events, receiver, "witness")
    control.add_event(ADA, OWNER_EVENT)
    receiver.wait_for(2, "/witness")

    assert len(receiver.received("/short")) == 1
    assert control.state()["active_channels"] == 1


def test_requested_expiration_is_capped_at_seven_days(app_calendar: Callable[..., Any], receiver: Receiver) -> None:
    events = app_calendar(ADA).events()
    sync = watch(events, receiver, "probe")
    issued = int(sync["expiration"])

    capped = watch(events, receiver, "capped", expiration=str(issued + 30 * 86400 * 1000))
    with pytest.raises(HttpError) as duplicate:
        watch(events, receiver, "capped")

    assert abs(int(capped["expiration"]) - issued) < 5000
    assert duplicate.value.resp.status == 400


def test_a_receiver_calling_back_into_the_sandbox_does_not_block_it(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA).events()
    seen: list[int] = []
    receiver.callback = lambda _: seen.append(control.state()["active_channels"])

    watch(events, receiver, "chan")
    control.add_event(ADA, OWNER_EVENT)
    receiver.wait_for(2)

    assert seen == [1, 1]


def test_state_counts_pushes_pending_until_answered_and_those_that_found_no_receiver(
    control: SandboxClient, app_calendar: Callable[..., Any], receiver: Receiver
) -> None:
    events = app_calendar(ADA).events()
    gate = threading.Event()
    receiver.callback = lambda _: gate.wait(5)  # the receiver holds every push until the gate opens
    watch(events, receiver, "held")
    control.add_event(ADA, OWNER_EVENT)
    control.add_event(ADA, OWNER_EVENT)

    held = control.state()["pushes"]
    gate.set()
    wait_until(lambda: control.state()["pushes"]["pending"] == 0)
    answered = control.state()["pushes"]
    events.watch(
        calendarId="primary", body={"id": "nobody", "type": "web_hook", "address": "http://127.0.0.1:1/"}
    ).execute()
    wait_until(lambda: control.state()["pushes"]["pending"] == 0)
    unanswered = control.state()["pushes"]
    control.reset()

    assert held == {"pending": 3, "delivered": 0, "failed": 0}  # sync + two changes, one posted and waiting
    assert answered == {"pending": 0, "delivered": 3, "failed": 0}
    assert len(receiver.received("/held")) == 3
    assert unanswered == {"pending": 0, "delivered": 3, "failed": 1}  # the new channel's sync found no one
    assert control.state()["pushes"] == {"pending": 0, "delivered": 0, "failed": 0}
