"""Cloud Tasks' due tasks wait in a heap: adding one to thousands of pending tasks looks at a few heap entries,
never at all of them, while order, deletion, pause, RunTask, retries and max_concurrent_dispatches still hold.

Work is counted, not timed: `TaskQueues.entries_examined` counts the heap entries the dispatcher and drain
look at, and the task store below counts every walk over all tasks. (heapq's push itself is O(log n).)
The first tests drive the store directly, as the dispatcher thread does; the last goes through gRPC and
real HTTP deliveries.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport
from google.cloud.tasks_v2.types import cloudtasks, queue, target, task

from helpers import Receiver
from sandbox.clock import Clock
from sandbox.server import Sandbox
from sandbox.state import SandboxState
from sandbox.tasks import Dispatch, TaskQueues

LOCATION = "projects/kaleno-local/locations/us-central1"
QUEUE = f"{LOCATION}/queues/calendar-sync"
PENDING = 5000


class ScanCountingDict(dict[str, Any]):
    """The task store, counting every walk over all of it (a rescan of pending tasks would show here)."""

    scans = 0

    def __iter__(self) -> Iterator[str]:
        self.scans += 1
        return super().__iter__()

    def values(self) -> Any:
        self.scans += 1
        return super().values()

    def items(self) -> Any:
        self.scans += 1
        return super().items()

    def keys(self) -> Any:
        self.scans += 1
        return super().keys()


@pytest.fixture
def store() -> TaskQueues:
    queues = TaskQueues(SandboxState(Clock()))
    queues.create_queue(cloudtasks.CreateQueueRequest(parent=LOCATION, queue=queue.Queue(name=QUEUE)))
    queues.tasks = ScanCountingDict()
    return queues


def add(store: TaskQueues, name: str, at: float) -> None:
    store.create_task(
        cloudtasks.CreateTaskRequest(
            parent=QUEUE,
            task=task.Task(
                name=f"{QUEUE}/tasks/{name}",
                http_request=target.HttpRequest(url="http://127.0.0.1:9/target"),
                schedule_time=datetime.fromtimestamp(at, UTC),
            ),
        )
    )


def take(store: TaskQueues) -> list[Dispatch]:
    """What the dispatcher thread does when woken."""
    with store.changed:
        return store.take_due()


def names(dispatches: list[Dispatch]) -> list[str]:
    return [d.task.task_id for d in dispatches]


def cost_of_adding_one_due_task(store: TaskQueues) -> int:
    """Heap entries looked at to add a task due now, dispatch it, find the next wake-up and drain."""
    now = store.state.clock.time()
    before = store.entries_examined
    add(store, f"now-{before}", now)
    [dispatch] = take(store)
    with store.changed:
        assert store.seconds_until_due() is None or store.seconds_until_due() > 3600
    store.complete(dispatch, 200, None)
    with store.changed:
        assert store.idle(now + 60)  # what /_sandbox/tasks/drain asks, with a minute to go
    return store.entries_examined - before


def test_adding_a_task_to_5000_pending_ones_looks_at_a_few_entries_not_all(store: TaskQueues) -> None:
    now = store.state.clock.time()

    def pending(count: int) -> None:  # far-future tasks: nothing due for a day
        for index in range(len(store.tasks), count):
            add(store, f"later-{index}", now + 86400 + index)

    pending(10)
    with_ten = cost_of_adding_one_due_task(store)
    pending(PENDING)
    with_five_thousand = cost_of_adding_one_due_task(store)

    assert len(store.tasks) == PENDING
    assert with_five_thousand == with_ten <= 5  # the same few entries, whatever is pending
    assert isinstance(store.tasks, ScanCountingDict)
    assert store.tasks.scans == 0  # never a walk over every task


def test_due_tasks_leave_in_schedule_then_creation_order_and_deleted_ones_never(store: TaskQueues) -> None:
    now = store.state.clock.time()
    for name, seconds_ago in [("c", 3), ("a", 5), ("b", 4), ("d", 4), ("e", 4)]:
        add(store, name, now - seconds_ago)
    add(store, "later", now + 10)
    add(store, "gone-later", now + 5)
    store.delete_task(cloudtasks.DeleteTaskRequest(name=f"{QUEUE}/tasks/b"))
    store.delete_task(cloudtasks.DeleteTaskRequest(name=f"{QUEUE}/tasks/gone-later"))

    first = take(store)
    store.state.clock.advance(20)
    second = take(store)

    assert names(first) == ["a", "d", "e", "c"]  # b deleted; d and e tie on time: creation order
    assert names(second) == ["later"]  # the deleted task's entry surfaced and was skipped
    assert store.tasks.scans == 0


def test_paused_queue_holds_due_tasks_until_resumed_and_run_task_overrides(store: TaskQueues) -> None:
    now = store.state.clock.time()
    store.pause_queue(cloudtasks.PauseQueueRequest(name=QUEUE))
    add(store, "held", now - 1)
    add(store, "forced", now + 3600)

    while_paused = take(store)
    with store.changed:
        idle_while_paused = store.idle(now + 60)  # a paused queue's tasks do not keep drain waiting
    store.run_task(cloudtasks.RunTaskRequest(name=f"{QUEUE}/tasks/forced"))
    forced = take(store)
    store.resume_queue(cloudtasks.ResumeQueueRequest(name=QUEUE))
    resumed = take(store)

    assert (while_paused, idle_while_paused) == ([], True)
    assert names(forced) == ["forced"]
    assert names(resumed) == ["held"]


def test_failed_attempt_is_retried_after_its_backoff(store: TaskQueues) -> None:
    add(store, "flaky", store.state.clock.time())
    [first] = take(store)

    store.complete(first, 503, retry_after=30)
    too_early = take(store)
    store.state.clock.advance(31)
    [second] = take(store)

    assert too_early == []
    assert (second.task.task_id, second.retry_count, second.previous_response) == ("flaky", 1, 503)


def test_max_concurrent_dispatches_holds_the_rest_until_a_slot_frees(store: TaskQueues) -> None:
    store.update_queue(
        cloudtasks.UpdateQueueRequest(
            queue=queue.Queue(name=QUEUE, rate_limits=queue.RateLimits(max_concurrent_dispatches=1)),
            update_mask={"paths": ["rate_limits.max_concurrent_dispatches"]},
        )
    )
    now = store.state.clock.time()
    for name, seconds_ago in [("one", 3), ("two", 2), ("three", 1)]:
        add(store, name, now - seconds_ago)

    [one] = take(store)
    nothing = take(store)
    store.complete(one, 200, None)
    [two] = take(store)
    store.complete(two, 200, None)
    [three] = take(store)

    assert nothing == []
    assert [one.task.task_id, two.task.task_id, three.task.task_id] == ["one", "two", "three"]


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[tasks_v2.CloudTasksClient]:
    channel = grpc.insecure_channel(sandbox.tasks_target)
    yield tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    channel.close()


def test_real_deliveries_follow_schedule_order_after_a_resume(
    client: tasks_v2.CloudTasksClient, receiver: Receiver
) -> None:
    client.create_queue(
        parent=LOCATION,
        queue=tasks_v2.Queue(name=QUEUE, rate_limits=tasks_v2.RateLimits(max_concurrent_dispatches=1)),
    )
    client.pause_queue(name=QUEUE)
    now = datetime.now(UTC)
    for name, seconds_ago in [("third", 1), ("first", 3), ("deleted", 2), ("second", 2)]:
        client.create_task(
            parent=QUEUE,
            task=tasks_v2.Task(
                name=f"{QUEUE}/tasks/{name}",
                http_request=tasks_v2.HttpRequest(url=f"{receiver.url}/{name}"),
                schedule_time=now - timedelta(seconds=seconds_ago),
            ),
        )
    client.delete_task(name=f"{QUEUE}/tasks/deleted")

    client.resume_queue(name=QUEUE)
    delivered = receiver.wait_for(3)

    assert [r.path for r in delivered] == ["/first", "/second", "/third"]
