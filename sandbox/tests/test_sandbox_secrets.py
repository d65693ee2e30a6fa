"""Secret Manager through the official gRPC client, as the app stores hosts' refresh tokens."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import secretmanager
from google.cloud.secretmanager import Replication, Secret, SecretPayload
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from sandbox.client import SandboxClient
from sandbox.secrets import crc32c
from sandbox.server import Sandbox

PROJECT = "projects/kaleno-local"


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[secretmanager.SecretManagerServiceClient]:
    channel = grpc.insecure_channel(sandbox.secrets_target)
    yield secretmanager.SecretManagerServiceClient(transport=SecretManagerServiceGrpcTransport(channel=channel))
    channel.close()


def test_create_add_access_destroy(client: secretmanager.SecretManagerServiceClient, control: SandboxClient) -> None:
    secret = client.create_secret(
        parent=PROJECT,
        secret_id="host-123-refresh",
        secret=Secret(replication=Replication(automatic=Replication.Automatic())),
    )
    first = client.add_secret_version(parent=secret.name, payload=SecretPayload(data=b"1//refresh-one"))
    second = client.add_secret_version(
        parent=secret.name, payload=SecretPayload(data=b"1//refresh-two", data_crc32c=crc32c(b"1//refresh-two"))
    )

    latest = client.access_secret_version(name=f"{secret.name}/versions/latest")
    old = client.access_secret_version(name=first.name)
    client.destroy_secret_version(name=second.name)
    with pytest.raises(exceptions.FailedPrecondition):
        client.access_secret_version(name=second.name)
    with pytest.raises(exceptions.FailedPrecondition):
        client.access_secret_version(name=f"{secret.name}/versions/latest")  # latest = newest created
    versions = list(client.list_secret_versions(parent=secret.name))

    assert secret.name == f"{PROJECT}/secrets/host-123-refresh"
    assert (first.name, second.name) == (f"{secret.name}/versions/1", f"{secret.name}/versions/2")
    assert (latest.name, latest.payload.data) == (second.name, b"1//refresh-two")
    assert latest.payload.data_crc32c == crc32c(b"1//refresh-two")
    assert old.payload.data == b"1//refresh-one"
    assert [(v.name, v.state.name) for v in versions] == [(second.name, "DESTROYED"), (first.name, "ENABLED")]
    counts = control.state()
    assert (counts["secrets"], counts["secret_versions"]) == (1, 1)


def test_duplicates_missing_and_disabled(client: secretmanager.SecretManagerServiceClient) -> None:
    secret = client.create_secret(parent=PROJECT, secret_id="app-key", secret=Secret())
    version = client.add_secret_version(parent=secret.name, payload=SecretPayload(data=b"k"))

    with pytest.raises(exceptions.AlreadyExists):
        client.create_secret(parent=PROJECT, secret_id="app-key", secret=Secret())
    with pytest.raises(exceptions.NotFound):
        client.get_secret(name=f"{PROJECT}/secrets/nope")
    with pytest.raises(exceptions.InvalidArgument):
        client.add_secret_version(parent=secret.name, payload=SecretPayload(data=b"x", data_crc32c=1))
    client.disable_secret_version(name=version.name)
    with pytest.raises(exceptions.FailedPrecondition):
        client.access_secret_version(name=version.name)
    client.enable_secret_version(name=version.name)

    assert client.access_secret_version(name=version.name).payload.data == b"k"
    assert [s.name for s in client.list_secrets(parent=PROJECT)] == [secret.name]
    client.delete_secret(name=secret.name)
    with pytest.raises(exceptions.NotFound):
        client.access_secret_version(name=version.name)
    with pytest.raises(exceptions.MethodNotImplemented):  # not used by the app: not modelled
        client.get_secret_version(name=version.name)


def test_faults_map_to_grpc_codes(client: secretmanager.SecretManagerServiceClient, control: SandboxClient) -> None:
    control.fault("secretmanager.get_secret", 403)
    secret = client.create_secret(parent=PROJECT, secret_id="s", secret=Secret())

    with pytest.raises(exceptions.PermissionDenied):
        client.get_secret(name=secret.name)

    assert client.get_secret(name=secret.name).name == secret.name
    assert control.state()["calls"]["secretmanager.get_secret"] == 2
