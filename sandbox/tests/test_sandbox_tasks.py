"""Cloud Tasks through the official gRPC client; tasks arrive as real HTTP requests with OIDC tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import google.auth.transport.requests
import grpc
import pytest
from google.api_core import exceptions
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport
from google.oauth2 import id_token

from helpers import Receiver
from sandbox.client import SandboxClient, SandboxError
from sandbox.server import Sandbox

LOCATION = "projects/kaleno-local/locations/europe-west1"
QUEUE = f"{LOCATION}/queues/calendar-sync"
SERVICE_ACCOUNT = "tasks@kaleno-local.iam.gserviceaccount.com"


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[tasks_v2.CloudTasksClient]:
    channel = grpc.insecure_channel(sandbox.tasks_target)
    tasks = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    tasks.create_queue(
        parent=LOCATION,
        queue=tasks_v2.Queue(
            name=QUEUE,
            retry_config=tasks_v2.RetryConfig(min_backoff=timedelta(seconds=0.05), max_backoff=timedelta(seconds=0.2)),
        ),
    )
    yield tasks
    channel.close()


def http_task(url: str, name: str | None = None, **extra: object) -> tasks_v2.Task:
    task = tasks_v2.Task(
        http_request=tasks_v2.HttpRequest(
            url=url,
            http_method=tasks_v2.HttpMethod.POST,
            headers={"Content-Type": "application/json"},
            body=b'{"booking": "b-1"}',
            oidc_token=tasks_v2.OidcToken(service_account_email=SERVICE_ACCOUNT),
        ),
        **extra,
    )
    if name:
        task.name = f"{QUEUE}/tasks/{name}"
    return task


def test_task_arrives_as_a_post_with_a_verifiable_oidc_token(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, url: str, control: SandboxClient
) -> None:
    target = f"{receiver.url}/calendar_sync"

    created = client.create_task(parent=QUEUE, task=http_task(target, "b-1-v1"))
    [delivered] = receiver.wait_for(1)

    assert created.name == f"{QUEUE}/tasks/b-1-v1"
    assert delivered.method == "POST"
    assert delivered.path == "/calendar_sync"
    assert delivered.body == b'{"booking": "b-1"}'
    assert delivered.headers["Content-Type"] == "application/json"
    assert delivered.headers["X-Cloudtasks-Queuename"] == "calendar-sync"
    assert delivered.headers["X-Cloudtasks-Taskname"] == "b-1-v1"
    assert delivered.headers["User-Agent"] == "Google-Cloud-Tasks"
    scheme, token = delivered.headers["Authorization"].split(" ", 1)
    claims = id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience=target, certs_url=f"{url}/oauth2/v1/certs"
    )
    assert scheme == "Bearer"
    assert claims["iss"] == "https://accounts.google.com"
    assert (claims["email"], claims["email_verified"]) == (SERVICE_ACCOUNT, True)
    control.drain_tasks(timeout=5)
    assert control.state()["tasks"] == {"queued": 0, "dispatched": 1, "succeeded": 1, "failed": 0}


def test_failing_task_is_retried_with_backoff_until_it_succeeds(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    receiver.statuses.extend([500, 500, 200])

    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/flaky"))
    attempts = receiver.wait_for(3)
    control.drain_tasks(timeout=5)

    assert [a.headers["X-Cloudtasks-Taskretrycount"] for a in attempts] == ["0", "1", "2"]
    assert [a.headers["X-Cloudtasks-Taskexecutioncount"] for a in attempts] == ["0", "0", "0"]  # 5xx don't count
    assert attempts[2].headers["X-Cloudtasks-Taskpreviousresponse"] == "500"
    assert control.state()["tasks"] == {"queued": 0, "dispatched": 3, "succeeded": 1, "failed": 0}


def test_named_tasks_are_deduplicated_for_an_hour(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/x", "b-2-v1"))
    with pytest.raises(exceptions.AlreadyExists):
        client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/x", "b-2-v1"))
    receiver.wait_for(1)
    control.drain_tasks(timeout=5)

    with pytest.raises(exceptions.AlreadyExists):  # done, but the name is still a tombstone
        client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/x", "b-2-v1"))
    control.advance_clock(3601)
    again = client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/x", "b-2-v1"))

    assert again.name.endswith("/b-2-v1")


def test_scheduled_task_runs_when_the_clock_reaches_it(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    later = datetime.now(UTC) + timedelta(hours=2)
    created = client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/later", schedule_time=later))
    pending = control.tasks()
    control.drain_tasks(timeout=0.2)  # due in two hours: nothing to wait for

    control.advance_clock(2 * 3600 + 1)
    [delivered] = receiver.wait_for(1)

    assert [(p["name"], p["queue"], p["method"], p["attempts"], p["in_flight"]) for p in pending] == [
        (created.name, QUEUE, "POST", 0, False)
    ]
    assert datetime.fromisoformat(pending[0]["schedule_time"]).timestamp() == pytest.approx(later.timestamp())
    assert float(delivered.headers["X-Cloudtasks-Tasketa"]) == pytest.approx(later.timestamp(), abs=1e-3)


def test_task_in_a_missing_queue_and_queue_management(client: tasks_v2.CloudTasksClient, receiver: Receiver) -> None:
    with pytest.raises(exceptions.NotFound):
        client.create_task(parent=f"{LOCATION}/queues/nope", task=http_task(f"{receiver.url}/x"))
    with pytest.raises(exceptions.AlreadyExists):
        client.create_queue(parent=LOCATION, queue=tasks_v2.Queue(name=QUEUE))

    client.pause_queue(name=QUEUE)
    task = client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/paused"))
    listed = [t.name for t in client.list_tasks(parent=QUEUE)]
    queue = client.get_queue(name=QUEUE)
    client.delete_task(name=task.name)

    assert listed == [task.name]
    assert queue.state == tasks_v2.Queue.State.PAUSED
    assert queue.retry_config.max_attempts == 100  # Google's default where unset
    assert queue.retry_config.min_backoff == timedelta(seconds=0.05)
    assert list(client.list_tasks(parent=QUEUE)) == []
    assert receiver.received() == []
    with pytest.raises(exceptions.MethodNotImplemented):  # nothing of ours purges queues: not modelled
        client.purge_queue(name=QUEUE)


def test_a_paused_queue_dispatches_nothing_until_resumed(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    client.pause_queue(name=QUEUE)
    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/held"))
    control.drain_tasks(timeout=0.3)  # a paused queue's due task does not keep the sandbox busy

    resumed = client.resume_queue(name=QUEUE)
    [delivered] = receiver.wait_for(1)

    assert resumed.state == tasks_v2.Queue.State.RUNNING
    assert delivered.path == "/held"
    assert control.state()["tasks"]["dispatched"] == 1


def test_update_queue_with_a_mask_and_run_task_on_a_paused_queue(
    client: tasks_v2.CloudTasksClient, receiver: Receiver
) -> None:
    updated = client.update_queue(
        queue=tasks_v2.Queue(name=QUEUE, retry_config=tasks_v2.RetryConfig(max_attempts=3, max_doublings=2)),
        update_mask={"paths": ["retry_config.max_attempts"]},
    )
    client.pause_queue(name=QUEUE)
    task = client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/forced"))

    client.run_task(name=task.name)
    [delivered] = receiver.wait_for(1)

    assert updated.retry_config.max_attempts == 3
    assert updated.retry_config.max_doublings == 16  # not in the mask: unchanged
    assert delivered.path == "/forced"


def test_task_is_dropped_after_its_last_attempt(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    client.update_queue(
        queue=tasks_v2.Queue(name=QUEUE, retry_config=tasks_v2.RetryConfig(max_attempts=2)),
        update_mask={"paths": ["retry_config.max_attempts"]},
    )
    receiver.statuses.extend([503, 404])

    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/doomed"))
    control.drain_tasks(timeout=5)

    assert len(receiver.received()) == 2
    assert control.state()["tasks"] == {"queued": 0, "dispatched": 2, "succeeded": 0, "failed": 1}


def test_drain_reports_a_queue_that_stays_busy(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    receiver.callback = lambda _: time.sleep(1.0)  # a slow target: the attempt is still in flight
    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/slow"))

    with pytest.raises(SandboxError) as busy:
        control.drain_tasks(timeout=0.3)
    control.drain_tasks(timeout=5)

    assert busy.value.status == 408
    assert busy.value.body == {"idle": False}
    assert control.state()["tasks"]["succeeded"] == 1


def test_reset_waits_for_the_attempts_in_flight_so_they_cannot_touch_the_next_test(
    client: tasks_v2.CloudTasksClient, receiver: Receiver, control: SandboxClient
) -> None:
    arrived, answered = threading.Event(), []

    def slow_target(_: object) -> None:
        arrived.set()
        time.sleep(0.5)
        answered.append("done")

    receiver.callback = slow_target
    client.create_task(parent=QUEUE, task=http_task(f"{receiver.url}/slow"))
    assert arrived.wait(5)

    control.reset()

    assert answered == ["done"]  # the old attempt answered before the reset took effect
    assert control.state()["tasks"] == {"queued": 0, "dispatched": 0, "succeeded": 0, "failed": 0}
