"""Cloud Tasks v2 over gRPC (`google.cloud.tasks.v2.CloudTasks`): queues and HTTP-target tasks.

This module keeps queues and tasks and answers the RPCs; `sandbox.dispatch` sends due tasks as real
HTTP requests. Tasks wait in a heap keyed by schedule time, so adding one costs O(log n) whatever is
pending, and the dispatcher only ever looks at the earliest; a deleted or rescheduled task's old heap
entry is skipped when it surfaces (lazy deletion) rather than searched for. Named tasks are
de-duplicated against live tasks and against names that finished or were deleted within
TASK_NAME_TOMBSTONE seconds. App Engine targets, queue-level http_target overrides, oauth_token, rate
limits and Batch* RPCs are not modelled.
"""

from __future__ import annotations

import heapq
import itertools
import re
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.cloud.tasks_v2.types import cloudtasks, queue, target, task
from google.protobuf import empty_pb2

from sandbox.errors import RpcFailure, grpc_code_for
from sandbox.grpc_service import Rpc, generic_handler
from sandbox.state import SandboxState

METHOD_PREFIX = "cloudtasks"  # fault and call-count names: cloudtasks.<snake_case rpc>
SERVICE = "google.cloud.tasks.v2.CloudTasks"
TASK_NAME_TOMBSTONE = 3600  # seconds a finished or deleted task's name stays taken
MAX_SCHEDULE_AHEAD = 30 * 86400  # Google refuses schedule_time further ahead than 30 days
DEFAULT_DISPATCH_DEADLINE = 600.0
_PARENT = re.compile(r"^projects/[^/]+/locations/[^/]+$")
_QUEUE_ID = re.compile(r"^[A-Za-z0-9-]{1,100}$")
_TASK_ID = re.compile(r"^[A-Za-z0-9_-]{1,500}$")
QueueState = queue.Queue.State
View = task.Task.View
METHOD_NAMES = {1: "POST", 2: "GET", 3: "HEAD", 4: "PUT", 5: "DELETE", 6: "PATCH", 7: "OPTIONS"}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 100  # -1: unlimited
    min_backoff: float = 0.1
    max_backoff: float = 3600.0
    max_doublings: int = 16
    max_retry_duration: float = 0.0  # 0: unlimited

    def delay(self, attempts: int) -> float:
        """Wait before the next attempt after `attempts` failed ones: doubles, then linear, capped.

        With min 10 s, max 300 s and 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 ...
        """
        retry = max(attempts, 1) - 1
        if retry <= self.max_doublings:
            interval = self.min_backoff * 2.0**retry
        else:
            step = self.min_backoff * 2.0**self.max_doublings
            interval = step + (retry - self.max_doublings) * step
        return min(interval, self.max_backoff)

    def exhausted(self, attempts: int, first_attempt: float, now: float) -> bool:
        """Both limits must be reached (a zero duration or -1 attempts count as no limit)."""
        attempts_done = self.max_attempts != -1 and attempts >= self.max_attempts
        duration_done = self.max_retry_duration == 0 or now - first_attempt >= self.max_retry_duration
        if self.max_attempts == -1:
            return self.max_retry_duration > 0 and duration_done
        return attempts_done and duration_done


@dataclass
class QueueRecord:
    name: str
    state: int
    retry: RetryPolicy
    max_dispatches_per_second: float = 500.0
    max_burst_size: int = 100
    max_concurrent_dispatches: int = 1000


@dataclass
class AttemptRecord:
    schedule_time: float
    dispatch_time: float
    response_time: float | None = None
    status: int | None = None  # HTTP status; None when no response arrived


@dataclass
class TaskRecord:
    name: str
    queue_name: str
    url: str
    method: int
    headers: dict[str, str]
    body: bytes
    schedule_time: float
    create_time: float
    dispatch_deadline: float
    oidc_email: str | None = None
    oidc_audience: str | None = None
    retry_override: RetryPolicy | None = None
    dispatch_count: int = 0
    response_count: int = 0
    execution_count: int = 0  # responses other than 5xx, as X-CloudTasks-TaskExecutionCount counts
    previous_response: int | None = None
    first_attempt: float | None = None
    last_attempt: AttemptRecord | None = None
    in_flight: bool = False
    forced: bool = False  # RunTask: dispatch now even if the queue is paused
    heap_seq: int | None = None  # the sequence number of its live entry in the due heap; None: not in it

    @property
    def task_id(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def queue_id(self) -> str:
        return self.queue_name.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Dispatch:
    """Everything one attempt needs, copied out of the store so it runs without the lock."""

    task: TaskRecord
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    deadline: float
    schedule_time: float
    retry_count: int
    execution_count: int
    previous_response: int | None
    oidc_email: str | None
    oidc_audience: str | None
    generation: int  # TaskQueues' generation when it started (a reset starts a new one)


# (schedule_time, create_time, sequence number, task): ordered by due time, then creation; the unique
# sequence number keeps tuples from ever comparing records.
HeapEntry = tuple[float, float, int, TaskRecord]


def _seconds(value: Any) -> float:
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    return float(seconds)


RETRY_FIELDS = ("max_attempts", "max_doublings", "min_backoff", "max_backoff", "max_retry_duration")
DURATION_FIELDS = frozenset({"min_backoff", "max_backoff", "max_retry_duration"})
RATE_FIELDS = ("max_dispatches_per_second", "max_burst_size", "max_concurrent_dispatches")


def _retry_from(message: Any, base: RetryPolicy, only: set[str] | None = None) -> RetryPolicy:
    """Apply a RetryConfig message to `base`.

    Without `only`, fields set in the message override (proto3 zero ints count as unset). With
    `only` (an update mask), exactly those fields change, and an unset one returns to the default.
    """
    defaults = RetryPolicy()
    changes: dict[str, Any] = {}
    for name in RETRY_FIELDS:
        duration = name in DURATION_FIELDS
        present = name in message if duration else getattr(message, name) != 0
        if present:
            value = getattr(message, name)
            changes[name] = _seconds(value) if duration else value
        elif only is not None:
            changes[name] = getattr(defaults, name)
    if only is not None:
        changes = {k: v for k, v in changes.items() if k in only}
    return replace(base, **changes)


class TaskQueues:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        # Signalled whenever dispatch eligibility may have changed (new task, finished attempt,
        # resumed queue, clock advanced); the dispatcher and drain() wait on it.
        self.changed = threading.Condition(state.lock)
        self.queues: dict[str, QueueRecord] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self.tombstones: dict[str, float] = {}
        # Every stored task not in flight and not held has exactly one live entry here (see HeapEntry).
        self._due: list[HeapEntry] = []
        self._seq = itertools.count()
        # Tasks that fell due while their queue could not take them, put back into the heap when it can:
        # all at once on ResumeQueue (paused), or the earliest as dispatch slots free up (the queue was at
        # max_concurrent_dispatches; these wait in a heap of their own, per queue).
        self._paused: dict[str, list[TaskRecord]] = {}
        self._waiting: dict[str, list[HeapEntry]] = {}
        self._in_flight: Counter[str] = Counter()  # attempts running per queue, this generation
        self._generation = 0
        self._attempts_running = 0  # of every generation: what settle() waits for
        self._settling = False  # no new attempts start while a reset waits for the running ones
        self.entries_examined = 0  # heap entries looked at while dispatching or draining: the work done
        state.clock.on_change(self.wake)

    def wake(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def settle(self, timeout: float) -> bool:
        """Start no new attempts and wait (up to `timeout`) for the running ones to answer.

        A reset that does not wait lets a test's last task call Google after the next test began, where its
        calls count against that test (reset() lifts the hold).
        """
        with self.changed:
            self._settling = True
            return self.changed.wait_for(lambda: self._attempts_running == 0, timeout)

    def reset(self) -> None:
        with self.changed:
            self._settling = False
            self.queues.clear()
            self.tasks.clear()
            self.tombstones.clear()
            self._due.clear()
            self._paused.clear()
            self._waiting.clear()
            self._in_flight.clear()
            self._generation += 1  # attempts still running belong to the old generation
            self.changed.notify_all()

    # -- the due heap and held tasks (callers hold the lock) ---------------------------------------

    def _push(self, record: TaskRecord) -> None:
        """(Re)index `record` at its schedule time; any older entry of it becomes stale."""
        seq = next(self._seq)
        record.heap_seq = seq
        heapq.heappush(self._due, (record.schedule_time, record.create_time, seq, record))

    def _live(self, entry: HeapEntry) -> bool:
        record = entry[3]
        return record.heap_seq == entry[2] and self.tasks.get(record.name) is record

    def _earliest(self) -> HeapEntry | None:
        """The live entry due first, dropping stale entries on the way."""
        while self._due:
            self.entries_examined += 1
            if self._live(self._due[0]):
                return self._due[0]
            heapq.heappop(self._due)
        return None

    def _held(self, record: TaskRecord) -> bool:
        """Still held: not deleted, rescheduled (RunTask) or running since it was held back."""
        return record.heap_seq is None and not record.in_flight and self.tasks.get(record.name) is record

    def _release_paused(self, queue_name: str) -> None:
        for record in self._paused.pop(queue_name, []):
            if self._held(record):
                self._push(record)

    def _release_waiting(self, queue_name: str) -> None:
        """Move as many waiting tasks as the queue has free dispatch slots back into the heap, earliest first."""
        waiting = self._waiting.get(queue_name)
        owner = self.queues.get(queue_name)
        if not waiting or owner is None:
            return
        free = owner.max_concurrent_dispatches - self._in_flight[queue_name]
        while waiting and free > 0:
            record = heapq.heappop(waiting)[3]
            if self._held(record):
                self._push(record)
                free -= 1

    def _entries_due_by(self, horizon: float) -> Iterator[HeapEntry]:
        """Entries (stale ones too) due by `horizon`: the top of the heap, walked as a tree and cut below
        any entry due later, so this costs what is due, not what is pending."""
        heap, stack = self._due, [0]
        while stack:
            index = stack.pop()
            if index < len(heap) and heap[index][0] <= horizon:
                self.entries_examined += 1
                yield heap[index]
                stack.extend((2 * index + 1, 2 * index + 2))

    # -- dispatch support ---------------------------------------------------------------------------

    def take_due(self) -> list[Dispatch]:
        """Mark due tasks in flight (respecting pause and max_concurrent_dispatches); caller holds lock."""
        now = self.state.clock.time()
        dispatches: list[Dispatch] = []
        while not self._settling and (entry := self._earliest()) is not None and entry[0] <= now:
            heapq.heappop(self._due)
            record = entry[3]
            record.heap_seq = None
            owner = self.queues[record.queue_name]
            if owner.state != QueueState.RUNNING and not record.forced:
                self._paused.setdefault(record.queue_name, []).append(record)
            elif self._in_flight[record.queue_name] >= owner.max_concurrent_dispatches:
                heapq.heappush(self._waiting.setdefault(record.queue_name, []), entry)
            else:
                self._in_flight[record.queue_name] += 1
                dispatches.append(self._start_attempt(record, now))
        return dispatches

    def _start_attempt(self, record: TaskRecord, now: float) -> Dispatch:
        dispatch = Dispatch(
            task=record,
            url=record.url,
            method=METHOD_NAMES.get(record.method, "POST"),
            headers=dict(record.headers),
            body=record.body,
            deadline=record.dispatch_deadline,
            schedule_time=record.schedule_time,
            retry_count=record.dispatch_count,
            execution_count=record.execution_count,
            previous_response=record.previous_response,
            oidc_email=record.oidc_email,
            oidc_audience=record.oidc_audience,
            generation=self._generation,
        )
        record.in_flight = True
        self._attempts_running += 1
        record.dispatch_count += 1
        if record.first_attempt is None:
            record.first_attempt = now
        record.last_attempt = AttemptRecord(schedule_time=record.schedule_time, dispatch_time=now)
        self.state.counters.tasks_dispatched += 1
        return dispatch

    def seconds_until_due(self) -> float | None:
        """Real seconds until the earliest task in the heap is due (the clock runs at real speed)."""
        entry = self._earliest()
        return None if entry is None else max(0.0, entry[0] - self.state.clock.time())

    def complete(self, dispatch: Dispatch, status: int | None, retry_after: float | None) -> None:
        with self.changed:
            record = dispatch.task
            record.in_flight = False
            self._attempts_running -= 1
            self.changed.notify_all()
            if dispatch.generation == self._generation:
                self._in_flight[record.queue_name] -= 1
                self._release_waiting(record.queue_name)  # a dispatch slot of its queue is free
            if self.tasks.get(record.name) is not record:
                return  # deleted or reset while the request was in flight
            now = self.state.clock.time()
            if record.last_attempt is not None:
                record.last_attempt.response_time = now
                record.last_attempt.status = status
            if status is not None:
                record.response_count += 1
            if status is not None and 200 <= status < 300:
                self._remove(record.name)
                self.state.counters.tasks_succeeded += 1
                return
            if status is not None and status < 500:
                record.execution_count += 1
            record.previous_response = status
            record.forced = False
            owner = self.queues.get(record.queue_name)
            policy = record.retry_override or (owner.retry if owner else RetryPolicy())
            if policy.exhausted(record.dispatch_count, record.first_attempt or now, now):
                self._remove(record.name)
                self.state.counters.tasks_failed += 1
                return
            delay = policy.delay(record.dispatch_count)
            if retry_after is not None and retry_after > delay:
                delay = retry_after  # the target asked for a longer pause
            record.schedule_time = now + delay
            self._push(record)

    def idle(self, horizon: float) -> bool:
        """Nothing in flight and nothing runnable due before `horizon` (sandbox seconds); caller holds lock.

        Tasks held back by a paused queue are not runnable; those held by max_concurrent_dispatches wait
        for an attempt in flight, so that attempt already makes the queues busy.
        """
        if any(count > 0 for count in self._in_flight.values()):
            return False
        for entry in self._entries_due_by(horizon):
            record = entry[3]
            if self._live(entry) and (self.queues[record.queue_name].state == QueueState.RUNNING or record.forced):
                return False
        return True

    def pending(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                {
                    "name": r.name,
                    "queue": r.queue_name,
                    "url": r.url,
                    "method": METHOD_NAMES.get(r.method, "POST"),
                    "schedule_time": datetime.fromtimestamp(r.schedule_time, tz=UTC).isoformat(),
                    "attempts": r.dispatch_count,
                    "in_flight": r.in_flight,
                }
                for r in sorted(self.tasks.values(), key=lambda r: (r.schedule_time, r.name))
            ]

    def queued_count(self) -> int:
        with self.state.lock:
            return len(self.tasks)

    def _remove(self, name: str) -> None:
        self.tasks.pop(name, None)
        self.tombstones[name] = self.state.clock.time() + TASK_NAME_TOMBSTONE

    # -- messages -------------------------------------------------------------------------------------

    @staticmethod
    def _time(ts: float) -> datetime:
        return datetime.fromtimestamp(ts, tz=UTC)

    def _queue_message(self, record: QueueRecord) -> Any:
        message = queue.Queue(
            name=record.name,
            state=record.state,
            rate_limits=queue.RateLimits(
                max_dispatches_per_second=record.max_dispatches_per_second,
                max_burst_size=record.max_burst_size,
                max_concurrent_dispatches=record.max_concurrent_dispatches,
            ),
            retry_config=queue.RetryConfig(
                max_attempts=record.retry.max_attempts,
                max_retry_duration=timedelta(seconds=record.retry.max_retry_duration),
                min_backoff=timedelta(seconds=record.retry.min_backoff),
                max_backoff=timedelta(seconds=record.retry.max_backoff),
                max_doublings=record.retry.max_doublings,
            ),
        )
        return message

    def _task_message(self, record: TaskRecord, view: int) -> Any:
        full = view == View.FULL
        request = target.HttpRequest(url=record.url, http_method=record.method, headers=record.headers)
        if full:
            request.body = record.body  # BASIC omits the body, which may be large or sensitive
        if record.oidc_email is not None:
            request.oidc_token = target.OidcToken(
                service_account_email=record.oidc_email, audience=record.oidc_audience or ""
            )
        message = task.Task(
            name=record.name,
            http_request=request,
            schedule_time=self._time(record.schedule_time),
            create_time=self._time(int(record.create_time)),
            dispatch_deadline=timedelta(seconds=record.dispatch_deadline),
            dispatch_count=record.dispatch_count,
            response_count=record.response_count,
            view=View.FULL if full else View.BASIC,
        )
        if record.first_attempt is not None:
            message.first_attempt = task.Attempt(dispatch_time=self._time(record.first_attempt))
        attempt = record.last_attempt
        if attempt is not None:
            last = task.Attempt(
                schedule_time=self._time(attempt.schedule_time), dispatch_time=self._time(attempt.dispatch_time)
            )
            if attempt.response_time is not None:
                last.response_time = self._time(attempt.response_time)
                code = (
                    grpc.StatusCode.UNAVAILABLE
                    if attempt.status is None
                    else (grpc.StatusCode.OK if 200 <= attempt.status < 300 else grpc_code_for(attempt.status))
                )
                # google.rpc.Status, given as a mapping so proto-plus builds it.
                last.response_status = {
                    "code": code.value[0],
                    "message": f"HTTP status {attempt.status}" if attempt.status else "no response",
                }
            message.last_attempt = last
        if record.retry_override is not None:
            policy = record.retry_override
            message.retry_config = queue.RetryConfig(
                max_attempts=policy.max_attempts,
                max_retry_duration=timedelta(seconds=policy.max_retry_duration),
                min_backoff=timedelta(seconds=policy.min_backoff),
                max_backoff=timedelta(seconds=policy.max_backoff),
                max_doublings=policy.max_doublings,
            )
        return message

    # -- queue RPCs -------------------------------------------------------------------------------------

    def _queue(self, name: str) -> QueueRecord:
        record = self.queues.get(name)
        if record is None:
            raise RpcFailure(grpc.StatusCode.NOT_FOUND, "Requested entity was not found.")
        return record

    def _apply_queue_settings(self, record: QueueRecord, message: Any, paths: set[str]) -> None:
        """An empty mask applies every field set in `message`; a mask applies just its fields."""
        retry_paths = {p for p in paths if p == "retry_config" or p.startswith("retry_config.")}
        if not paths and "retry_config" in message:
            record.retry = _retry_from(message.retry_config, record.retry)
        elif retry_paths:
            whole = "retry_config" in retry_paths
            only = set(RETRY_FIELDS) if whole else {p.split(".", 1)[1] for p in retry_paths}
            record.retry = _retry_from(message.retry_config, record.retry, only)
        defaults = QueueRecord("", 0, RetryPolicy())
        for name in RATE_FIELDS:
            value = getattr(message.rate_limits, name)
            if not paths:
                if value:
                    setattr(record, name, value)
            elif "rate_limits" in paths or f"rate_limits.{name}" in paths:
                setattr(record, name, value or getattr(defaults, name))

    def create_queue(self, request: Any) -> Any:
        if not _PARENT.match(request.parent):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Invalid parent; expected projects/*/locations/*")
        name = request.queue.name
        prefix = request.parent + "/queues/"
        if not name.startswith(prefix) or not _QUEUE_ID.match(name[len(prefix) :]):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid queue name: {name!r}")
        with self.changed:
            if name in self.queues:
                raise RpcFailure(grpc.StatusCode.ALREADY_EXISTS, "Queue already exists")
            record = QueueRecord(name=name, state=QueueState.RUNNING, retry=RetryPolicy())
            self._apply_queue_settings(record, request.queue, set())
            self.queues[name] = record
            return self._queue_message(record)

    def update_queue(self, request: Any) -> Any:
        paths = set(request.update_mask.paths) if "update_mask" in request else set()
        with self.changed:
            name = request.queue.name
            record = self.queues.get(name)
            if record is None:  # UpdateQueue creates a missing queue, as Google's does
                parent = name.rsplit("/queues/", 1)[0]
                return self.create_queue(cloudtasks.CreateQueueRequest(parent=parent, queue=request.queue))
            self._apply_queue_settings(record, request.queue, paths)
            self._release_waiting(name)  # max_concurrent_dispatches may have grown
            self.changed.notify_all()
            return self._queue_message(record)

    def get_queue(self, request: Any) -> Any:
        with self.state.lock:
            return self._queue_message(self._queue(request.name))

    def _set_state(self, name: str, state: int) -> Any:
        with self.changed:
            record = self._queue(name)
            record.state = state
            if state == QueueState.RUNNING:
                self._release_paused(name)
            self.changed.notify_all()
            return self._queue_message(record)

    def pause_queue(self, request: Any) -> Any:
        return self._set_state(request.name, QueueState.PAUSED)

    def resume_queue(self, request: Any) -> Any:
        return self._set_state(request.name, QueueState.RUNNING)

    # -- task RPCs --------------------------------------------------------------------------------------

    def _task(self, name: str) -> TaskRecord:
        record = self.tasks.get(name)
        if record is None:
            raise RpcFailure(grpc.StatusCode.NOT_FOUND, "Requested entity was not found.")
        return record

    def create_task(self, request: Any) -> Any:
        message = request.task
        if "http_request" not in message:
            raise RpcFailure(grpc.StatusCode.UNIMPLEMENTED, "The sandbox supports HTTP-target tasks only.")
        http = message.http_request
        if not http.url.startswith(("http://", "https://")):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "HttpRequest.url must start with http:// or https://")
        method = http.http_method or target.HttpMethod.POST
        if http.body and method not in (target.HttpMethod.POST, target.HttpMethod.PUT, target.HttpMethod.PATCH):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "A body is allowed only with POST, PUT or PATCH.")
        if "oauth_token" in http:
            raise RpcFailure(grpc.StatusCode.UNIMPLEMENTED, "oauth_token is not supported; use oidc_token.")
        oidc_email = oidc_audience = None
        if "oidc_token" in http:
            if not http.oidc_token.service_account_email:
                raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "oidc_token.service_account_email is required.")
            oidc_email = http.oidc_token.service_account_email
            oidc_audience = http.oidc_token.audience or http.url
        deadline = DEFAULT_DISPATCH_DEADLINE
        if "dispatch_deadline" in message:
            deadline = _seconds(message.dispatch_deadline)
            if not 15 <= deadline <= 1800:
                raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "dispatch_deadline must be in [15s, 30m].")
        with self.changed:
            owner = self.queues.get(request.parent)
            if owner is None:
                raise RpcFailure(grpc.StatusCode.NOT_FOUND, "Queue does not exist.")
            now = self.state.clock.time()
            name = message.name or f"{request.parent}/tasks/{secrets.randbelow(10**19):019d}"
            prefix = request.parent + "/tasks/"
            if not name.startswith(prefix) or not _TASK_ID.match(name[len(prefix) :]):
                raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid task name: {name!r}")
            if name in self.tasks or self.tombstones.get(name, 0) > now:
                raise RpcFailure(grpc.StatusCode.ALREADY_EXISTS, "Requested entity already exists")
            schedule = message.schedule_time.timestamp() if "schedule_time" in message else now
            if schedule > now + MAX_SCHEDULE_AHEAD:
                raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "schedule_time is more than 30 days ahead.")
            record = TaskRecord(
                name=name,
                queue_name=request.parent,
                url=http.url,
                method=int(method),
                headers=dict(http.headers),
                body=bytes(http.body),
                schedule_time=schedule,
                create_time=now,
                dispatch_deadline=deadline,
                oidc_email=oidc_email,
                oidc_audience=oidc_audience,
                retry_override=_retry_from(message.retry_config, owner.retry) if "retry_config" in message else None,
            )
            self.tasks[name] = record
            self._push(record)
            self.changed.notify_all()
            return self._task_message(record, request.response_view)

    def list_tasks(self, request: Any) -> Any:
        with self.state.lock:
            self._queue(request.parent)
            records = sorted(
                (t for t in self.tasks.values() if t.queue_name == request.parent),
                key=lambda t: (t.schedule_time, t.name),
            )
            offset = int(request.page_token or 0)
            size = request.page_size or 1000
            page = records[offset : offset + size]
            token = str(offset + size) if offset + size < len(records) else ""
            return cloudtasks.ListTasksResponse(
                tasks=[self._task_message(t, request.response_view) for t in page], next_page_token=token
            )

    def delete_task(self, request: Any) -> Any:
        with self.changed:
            self._task(request.name)
            self._remove(request.name)
            self.changed.notify_all()
            return empty_pb2.Empty()

    def run_task(self, request: Any) -> Any:
        with self.changed:
            record = self._task(request.name)
            record.forced = True
            record.schedule_time = min(record.schedule_time, self.state.clock.time())
            if not record.in_flight:
                self._push(record)  # due now; a held or later entry of it goes stale
            self.changed.notify_all()
            return self._task_message(record, request.response_view)

    def rpcs(self) -> list[Rpc]:
        return [
            Rpc("CreateQueue", cloudtasks.CreateQueueRequest, queue.Queue, self.create_queue),
            Rpc("UpdateQueue", cloudtasks.UpdateQueueRequest, queue.Queue, self.update_queue),
            Rpc("GetQueue", cloudtasks.GetQueueRequest, queue.Queue, self.get_queue),
            Rpc("PauseQueue", cloudtasks.PauseQueueRequest, queue.Queue, self.pause_queue),
            Rpc("ResumeQueue", cloudtasks.ResumeQueueRequest, queue.Queue, self.resume_queue),
            Rpc("CreateTask", cloudtasks.CreateTaskRequest, task.Task, self.create_task),
            Rpc("ListTasks", cloudtasks.ListTasksRequest, cloudtasks.ListTasksResponse, self.list_tasks),
            Rpc("DeleteTask", cloudtasks.DeleteTaskRequest, empty_pb2.Empty, self.delete_task),
            Rpc("RunTask", cloudtasks.RunTaskRequest, task.Task, self.run_task),
        ]

    def grpc_handler(self) -> Any:
        return generic_handler(SERVICE, METHOD_PREFIX, self.rpcs(), self.state)
