"""Secret Manager v1 over gRPC (`google.cloud.secretmanager.v1.SecretManagerService`).

Secrets and versions live in memory for any project id. `latest` resolves to the most recently
created version, as the API reference says; accessing a DISABLED or DESTROYED version fails with
FAILED_PRECONDITION like Google. IAM, rotation, topics, TTLs, CMEK and list filters are not modelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from google.cloud.secretmanager_v1.types import resources, service
from google.protobuf import empty_pb2

from sandbox.errors import RpcFailure
from sandbox.grpc_service import Rpc, generic_handler
from sandbox.state import SandboxState

METHOD_PREFIX = "secretmanager"  # fault and call-count names: secretmanager.<snake_case rpc>
SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
MAX_PAYLOAD_BYTES = 64 * 1024
_PARENT = re.compile(r"^projects/[^/]+(?:/locations/[^/]+)?$")
_SECRET = re.compile(r"^(projects/[^/]+(?:/locations/[^/]+)?/secrets/[^/]+)$")
_VERSION = re.compile(r"^(projects/[^/]+(?:/locations/[^/]+)?/secrets/[^/]+)/versions/([^/]+)$")
_SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
State = resources.SecretVersion.State


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli), the checksum Secret Manager reports for payloads."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


@dataclass
class VersionRecord:
    number: int
    create_time: datetime
    state: int
    data: bytes | None
    etag: str
    client_checksum: bool
    destroy_time: datetime | None = None


@dataclass
class SecretRecord:
    name: str
    create_time: datetime
    replication: Any
    labels: dict[str, str]
    annotations: dict[str, str]
    etag: str
    versions: list[VersionRecord] = field(default_factory=list)


def _page(items: list[Any], page_size: int, page_token: str) -> tuple[list[Any], str]:
    try:
        offset = int(page_token) if page_token else 0
    except ValueError as exc:
        raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Invalid page token.") from exc
    size = page_size if page_size > 0 else len(items) or 1
    end = offset + size
    return items[offset:end], (str(end) if end < len(items) else "")


class SecretStore:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.secrets: dict[str, SecretRecord] = {}

    def reset(self) -> None:
        with self.state.lock:
            self.secrets.clear()

    def counts(self) -> tuple[int, int]:
        """(secrets, versions not destroyed)."""
        with self.state.lock:
            versions = sum(1 for s in self.secrets.values() for v in s.versions if v.state != State.DESTROYED)
            return len(self.secrets), versions

    # -- helpers --------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.state.clock.time(), tz=UTC)

    def _etag(self) -> str:
        return f'"{self.state.next_seq():016x}"'

    def _secret(self, name: str) -> SecretRecord:
        if not _SECRET.match(name):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource field value in the request: {name}")
        record = self.secrets.get(name)
        if record is None:
            raise RpcFailure(grpc.StatusCode.NOT_FOUND, f"Secret [{name}] not found or has no versions.")
        return record

    def _version(self, name: str) -> tuple[SecretRecord, VersionRecord]:
        match = _VERSION.match(name)
        if not match:
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource field value in the request: {name}")
        secret = self._secret(match.group(1))
        wanted = match.group(2)
        if wanted == "latest":
            if not secret.versions:
                raise RpcFailure(grpc.StatusCode.NOT_FOUND, f"Secret [{secret.name}] not found or has no versions.")
            return secret, secret.versions[-1]
        if not wanted.isdigit():
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource field value in the request: {name}")
        for version in secret.versions:
            if version.number == int(wanted):
                return secret, version
        raise RpcFailure(grpc.StatusCode.NOT_FOUND, f"Secret Version [{name}] not found.")

    def _secret_message(self, record: SecretRecord) -> Any:
        return resources.Secret(
            name=record.name,
            create_time=record.create_time,
            replication=record.replication,
            labels=record.labels,
            annotations=record.annotations,
            etag=record.etag,
        )

    def _version_message(self, secret: SecretRecord, version: VersionRecord) -> Any:
        message = resources.SecretVersion(
            name=f"{secret.name}/versions/{version.number}",
            create_time=version.create_time,
            state=version.state,
            etag=version.etag,
            client_specified_payload_checksum=version.client_checksum,
            replication_status=resources.ReplicationStatus(automatic=resources.ReplicationStatus.AutomaticStatus()),
        )
        if version.destroy_time is not None:
            message.destroy_time = version.destroy_time
        return message

    # -- RPCs -----------------------------------------------------------------------------------

    def create_secret(self, request: Any) -> Any:
        if not _PARENT.match(request.parent):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Invalid resource field value in the request: parent")
        if not _SECRET_ID.match(request.secret_id):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Invalid secret_id.")
        name = f"{request.parent}/secrets/{request.secret_id}"
        with self.state.lock:
            if name in self.secrets:
                raise RpcFailure(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{name}] already exists.")
            replication = request.secret.replication
            if not ("automatic" in replication or "user_managed" in replication):
                replication = resources.Replication(automatic=resources.Replication.Automatic())
            record = SecretRecord(
                name=name,
                create_time=self._now(),
                replication=resources.Replication.deserialize(resources.Replication.serialize(replication)),
                labels=dict(request.secret.labels),
                annotations=dict(request.secret.annotations),
                etag=self._etag(),
            )
            self.secrets[name] = record
            return self._secret_message(record)

    def get_secret(self, request: Any) -> Any:
        with self.state.lock:
            return self._secret_message(self._secret(request.name))

    def delete_secret(self, request: Any) -> Any:
        with self.state.lock:
            record = self._secret(request.name)
            if request.etag and request.etag != record.etag:
                raise RpcFailure(grpc.StatusCode.ABORTED, "The etag does not match the current etag.")
            del self.secrets[request.name]
            return empty_pb2.Empty()

    def list_secrets(self, request: Any) -> Any:
        with self.state.lock:
            prefix = request.parent + "/secrets/"
            records = sorted((s for n, s in self.secrets.items() if n.startswith(prefix)), key=lambda s: s.name)
            page, token = _page(records, request.page_size, request.page_token)
            return service.ListSecretsResponse(
                secrets=[self._secret_message(s) for s in page], next_page_token=token, total_size=len(records)
            )

    def add_secret_version(self, request: Any) -> Any:
        data = bytes(request.payload.data)
        if len(data) > MAX_PAYLOAD_BYTES:
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Secret payload data is too large.")
        checksum = "data_crc32c" in request.payload
        if checksum and request.payload.data_crc32c != crc32c(data):
            raise RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, "Checksum mismatch: data_crc32c.")
        with self.state.lock:
            secret = self._secret(request.parent)
            version = VersionRecord(
                number=len(secret.versions) + 1,
                create_time=self._now(),
                state=State.ENABLED,
                data=data,
                etag=self._etag(),
                client_checksum=checksum,
            )
            secret.versions.append(version)
            return self._version_message(secret, version)

    def access_secret_version(self, request: Any) -> Any:
        with self.state.lock:
            secret, version = self._version(request.name)
            name = f"{secret.name}/versions/{version.number}"
            if version.state != State.ENABLED or version.data is None:
                state_name = State(version.state).name
                raise RpcFailure(
                    grpc.StatusCode.FAILED_PRECONDITION, f"Secret Version [{name}] is in {state_name} state."
                )
            return service.AccessSecretVersionResponse(
                name=name,
                payload=resources.SecretPayload(data=version.data, data_crc32c=crc32c(version.data)),
            )

    def list_secret_versions(self, request: Any) -> Any:
        with self.state.lock:
            secret = self._secret(request.parent)
            newest_first = list(reversed(secret.versions))
            page, token = _page(newest_first, request.page_size, request.page_token)
            return service.ListSecretVersionsResponse(
                versions=[self._version_message(secret, v) for v in page],
                next_page_token=token,
                total_size=len(newest_first),
            )

    def _transition(self, request: Any, target: int) -> Any:
        with self.state.lock:
            secret, version = self._version(request.name)
            if request.etag and request.etag != version.etag:
                raise RpcFailure(grpc.StatusCode.ABORTED, "The etag does not match the current etag.")
            if version.state == State.DESTROYED:
                raise RpcFailure(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"Secret Version [{secret.name}/versions/{version.number}] is in DESTROYED state.",
                )
            version.state = target
            version.etag = self._etag()
            if target == State.DESTROYED:
                version.data = None  # destroyed means the payload is gone for good
                version.destroy_time = self._now()
            return self._version_message(secret, version)

    def destroy_secret_version(self, request: Any) -> Any:
        return self._transition(request, State.DESTROYED)

    def disable_secret_version(self, request: Any) -> Any:
        return self._transition(request, State.DISABLED)

    def enable_secret_version(self, request: Any) -> Any:
        return self._transition(request, State.ENABLED)

    def rpcs(self) -> list[Rpc]:
        return [
            Rpc("CreateSecret", service.CreateSecretRequest, resources.Secret, self.create_secret),
            Rpc("GetSecret", service.GetSecretRequest, resources.Secret, self.get_secret),
            Rpc("DeleteSecret", service.DeleteSecretRequest, empty_pb2.Empty, self.delete_secret),
            Rpc("ListSecrets", service.ListSecretsRequest, service.ListSecretsResponse, self.list_secrets),
            Rpc("AddSecretVersion", service.AddSecretVersionRequest, resources.SecretVersion, self.add_secret_version),
            Rpc(
                "AccessSecretVersion",
                service.AccessSecretVersionRequest,
                service.AccessSecretVersionResponse,
                self.access_secret_version,
            ),
            Rpc(
                "ListSecretVersions",
                service.ListSecretVersionsRequest,
                service.ListSecretVersionsResponse,
                self.list_secret_versions,
            ),
            Rpc(
                "DestroySecretVersion",
                service.DestroySecretVersionRequest,
                resources.SecretVersion,
                self.destroy_secret_version,
            ),
            Rpc(
                "DisableSecretVersion",
                service.DisableSecretVersionRequest,
                resources.SecretVersion,
                self.disable_secret_version,
            ),
            Rpc(
                "EnableSecretVersion",
                service.EnableSecretVersionRequest,
                resources.SecretVersion,
                self.enable_secret_version,
            ),
        ]

    def grpc_handler(self) -> Any:
        return generic_handler(SERVICE, METHOD_PREFIX, self.rpcs(), self.state)
