"""Cloud Tasks adapter: HTTP tasks to our own functions, authenticated with an OIDC token."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from shared.config import Settings
from shared.deadlines import bounded

if TYPE_CHECKING:
    from google.cloud.tasks_v2 import CloudTasksClient


class CloudTasksQueue:
    def __init__(self, client: CloudTasksClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._location = f"projects/{settings.project}/locations/{settings.region}"

    def enqueue(
        self,
        function: str,
        payload: Mapping[str, object],
        *,
        name: str | None = None,
        delay_seconds: float = 0,
        path: str = "",
    ) -> bool:
        """Create the task; a named task that exists (or ran recently) is a duplicate: False, not an error."""
        from google.api_core.exceptions import AlreadyExists
        from google.protobuf import timestamp_pb2

        audience = self._settings.target_url(function)  # what the target checks: the function's own URL
        queue = f"{self._location}/queues/{self._settings.queue_for(function)}"
        url = audience + path
        task: dict[str, object] = {
            "http_request": {
                "http_method": "POST",
                "url": url,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(payload).encode(),
                "oidc_token": {
                    "service_account_email": self._settings.tasks_service_account,
                    "audience": audience,
                },
            }
        }
        if name:
            task["name"] = f"{queue}/tasks/{name}"
        if delay_seconds:
            when = timestamp_pb2.Timestamp()
            when.FromDatetime(datetime.now(UTC) + timedelta(seconds=delay_seconds))
            task["schedule_time"] = when
        try:
            timeout = bounded(self._settings.dependency_timeout_seconds)  # never past the request's deadline
            self._client.create_task(request={"parent": queue, "task": task}, timeout=timeout)
        except AlreadyExists:
            return False
        return True
