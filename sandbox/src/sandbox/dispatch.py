"""Sends due Cloud Tasks as real HTTP requests, the way Cloud Tasks calls an HTTP target.

One dispatcher thread waits (in real time, woken early by new tasks and clock advances) for the next
due task and hands attempts to a small worker pool; a 2xx answer completes the task, anything else
schedules a retry with the queue's backoff, or a longer Retry-After the target asked for.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

import requests

from sandbox.keys import SigningKey
from sandbox.tasks import Dispatch, TaskQueues

WORKERS = 4
MAX_IDLE_WAIT = 1.0  # seconds; a safety net; normally the condition is signalled
_DROPPED_HEADERS = ("host", "content-length", "user-agent")
_DROPPED_PREFIXES = ("x-google-", "x-appengine-", "x-cloudtasks-")


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Dispatcher:
    def __init__(self, queues: TaskQueues, keys: SigningKey) -> None:
        self.queues = queues
        self.keys = keys
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sandbox-task")
        self._session = requests.Session()
        self._session.trust_env = False  # loopback targets must not go through an env proxy
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self.queues.changed:
            self._stopping = True
            self.queues.changed.notify_all()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        changed = self.queues.changed
        while True:
            with changed:
                while True:
                    if self._stopping:
                        return
                    due = self.queues.take_due()
                    if due:
                        break
                    wait = self.queues.seconds_until_due()
                    changed.wait(timeout=MAX_IDLE_WAIT if wait is None else min(max(wait, 0.001), MAX_IDLE_WAIT))
            for dispatch in due:
                self._pool.submit(self._attempt, dispatch)

    def _headers(self, dispatch: Dispatch) -> dict[str, str]:
        headers = {
            k: v
            for k, v in dispatch.headers.items()
            if k.lower() not in _DROPPED_HEADERS and not k.lower().startswith(_DROPPED_PREFIXES)
        }
        headers.update(
            {
                "User-Agent": "Google-Cloud-Tasks",
                "X-CloudTasks-QueueName": dispatch.task.queue_id,
                "X-CloudTasks-TaskName": dispatch.task.task_id,
                "X-CloudTasks-TaskRetryCount": str(dispatch.retry_count),
                "X-CloudTasks-TaskExecutionCount": str(dispatch.execution_count),
                "X-CloudTasks-TaskETA": f"{dispatch.schedule_time:.6f}",
            }
        )
        if dispatch.previous_response is not None:
            headers["X-CloudTasks-TaskPreviousResponse"] = str(dispatch.previous_response)
        if dispatch.oidc_email is not None:
            token = self.keys.service_account_id_token(
                audience=dispatch.oidc_audience or dispatch.url,
                email=dispatch.oidc_email,
                now=self.queues.state.jwt_time(),
            )
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _attempt(self, dispatch: Dispatch) -> None:
        status: int | None = None
        retry_after: float | None = None
        try:
            response = self._session.request(
                dispatch.method,
                dispatch.url,
                headers=self._headers(dispatch),
                data=dispatch.body or None,
                timeout=dispatch.deadline,
            )
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            response.close()
        except requests.RequestException:
            status = None  # no response: a failed attempt, retried like any other
        finally:
            self.queues.complete(dispatch, status, retry_after)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is in flight or due, counting tasks that fall due within `timeout`."""
        deadline = time.monotonic() + timeout
        changed = self.queues.changed
        with changed:
            while True:
                remaining = deadline - time.monotonic()
                if self.queues.idle(self.queues.state.clock.time() + max(remaining, 0.0)):
                    return True
                if remaining <= 0:
                    return False
                changed.wait(timeout=min(remaining, 0.05))
