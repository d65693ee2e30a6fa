"""Secret Manager adapter: each host's Google refresh token in its own secret, and the app's secrets.

A refresh token lives only here: never in Firestore, logs or error messages. Each re-consent adds a
version and destroys the older ones, so exactly one usable copy exists.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, TypedDict

from shared.deadlines import bounded, holding

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud.secretmanager import SecretManagerServiceClient


class SecretManagerStore:
    def __init__(self, client: SecretManagerServiceClient, project: str, timeout: float = 10.0) -> None:
        self._client = client
        self._project = project
        self._timeout = timeout  # every call: a Secret Manager outage answers within seconds
        self._app_cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def _secret_path(self, host_id: str) -> str:
        return f"projects/{self._project}/secrets/host-{host_id}-google-refresh-token"

    def store_refresh_token(self, host_id: str, token: str) -> None:
        from google.api_core.exceptions import AlreadyExists

        path = self._secret_path(host_id)
        with contextlib.suppress(AlreadyExists):
            secret = {"replication": {"automatic": {}}, "labels": {"kind": "host-refresh-token"}}
            self._client.create_secret(
                request={"parent": f"projects/{self._project}", "secret_id": path.rsplit("/", 1)[1], "secret": secret},
                **deadline(self._timeout),
            )
        version = {"parent": path, "payload": {"data": token.encode()}}
        added = self._client.add_secret_version(request=version, **deadline(self._timeout))
        self._destroy_versions(path, keep=added.name)

    def _destroy_versions(self, path: str, keep: str) -> None:
        from google.cloud.secretmanager import SecretVersion

        for version in self._client.list_secret_versions(parent=path, **deadline(self._timeout)):
            if version.name != keep and version.state != SecretVersion.State.DESTROYED:
                self._client.destroy_secret_version(name=version.name, **deadline(self._timeout))

    def refresh_token(self, host_id: str) -> str | None:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        try:
            response = self._client.access_secret_version(
                name=f"{self._secret_path(host_id)}/versions/latest", **deadline(self._timeout)
            )
        except (NotFound, FailedPrecondition):
            return None
        return bytes(response.payload.data).decode()

    def destroy_refresh_token(self, host_id: str) -> None:
        """Delete the whole secret (all versions); already gone is fine."""
        from google.api_core.exceptions import NotFound

        with contextlib.suppress(NotFound):
            self._client.delete_secret(name=self._secret_path(host_id), **deadline(self._timeout))

    def app_secret(self, name: str) -> str:
        with holding(self._lock):
            if name not in self._app_cache:
                path = f"projects/{self._project}/secrets/{name}/versions/latest"
                self._app_cache[name] = bytes(
                    self._client.access_secret_version(name=path, **deadline(self._timeout)).payload.data
                ).decode()
            return self._app_cache[name]


class CallOptions(TypedDict):
    timeout: float
    retry: Retry


def deadline(own_timeout: float) -> CallOptions:
    """A per-call deadline, never past the request's (shared/deadlines.py), that also bounds the client's own
    retries of transient errors."""
    from google.api_core.exceptions import ServiceUnavailable
    from google.api_core.retry import Retry, if_exception_type

    timeout = bounded(own_timeout)
    retry = Retry(predicate=if_exception_type(ServiceUnavailable), initial=0.1, maximum=1.0, timeout=timeout)
    return {"timeout": timeout, "retry": retry}
