"""Cloud Tasks target: Kaleno's own mail (booking notices, reminders, the host's connection alerts, a team's
admins told of a member's disconnect), and the hand-off of each booking change to the host's webhooks.

2xx: sent, or deliberately not (superseded, cancelled, nothing configured); 503 with Retry-After: the relay
could not take it now, and Cloud Tasks retries with backoff. A booking records what was sent, so a task
delivered twice sends once.
"""

from __future__ import annotations

from typing import Annotated, Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, Field, RootModel

from shared.bootstrap import adapters
from shared.domain.ids import BOOKING_ID_PATTERN, HOST_ID_PATTERN
from shared.services import notifications as mail
from shared.services import teams
from shared.services.errors import MailDeferred
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import TASKS, TaskCaller
from shared.web.problems import Problem

api = Endpoints("notifications")


class NotifyBookingTask(BaseModel):
    action: Literal["notify_booking"]
    booking_id: str = Field(pattern=BOOKING_ID_PATTERN)
    version: int = Field(ge=1)


class RemindTask(BaseModel):
    action: Literal["remind"]
    booking_id: str = Field(pattern=BOOKING_ID_PATTERN)
    start: int = Field(description="The booking's start (Unix seconds) the reminder is for.")


class AlertHostTask(BaseModel):
    action: Literal["alert_host"]
    host_id: str = Field(pattern=HOST_ID_PATTERN)
    incident: str = Field(max_length=80)


class TellTeamAdminsTask(BaseModel):
    action: Literal["tell_team_admins"]
    host_id: str = Field(pattern=HOST_ID_PATTERN)
    incident: str = Field(max_length=80)


_Task = NotifyBookingTask | RemindTask | AlertHostTask | TellTeamAdminsTask


class MailTask(RootModel[Annotated[_Task, Field(discriminator="action")]]):
    pass


@api.queue("/", callers=TASKS, body=MailTask)
def send(request: Request, principal: TaskCaller, body: MailTask) -> Response:
    """Send what the task names, as the records stand now."""
    ports, task = adapters(), body.root
    try:
        if isinstance(task, NotifyBookingTask):  # webhooks too, so it runs without a relay
            retries = request.headers.get("X-CloudTasks-TaskRetryCount", 0, type=int)
            outcome = mail.notify(mail.NotifyBooking(task.booking_id, task.version, retries), ports)
        elif isinstance(task, RemindTask):
            outcome = mail.remind(mail.SendReminder(task.booking_id, task.start), ports)
        elif isinstance(task, TellTeamAdminsTask):
            outcome = teams.tell_team_admins(teams.TellTeamAdmins(task.host_id, task.incident), ports)
        else:
            outcome = mail.alert_host(mail.AlertHost(task.host_id, task.incident), ports)
    except (MailDeferred, mail.NotYetStored) as error:
        detail = "Not sent yet (the relay could not take it, or the booking is still being stored); retry later."
        raise Problem(503, "mail-deferred", "Mail not sent yet", detail, headers={"Retry-After": "2"}) from error
    return json_response({"outcome": outcome})


@functions_framework.http
def notifications(request: Request) -> Response:
    return api(request)
