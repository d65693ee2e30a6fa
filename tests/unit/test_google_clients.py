"""The Firestore client's channel: reads driven on the calling thread (no thread per streaming call), with
the library's own keepalive and message-size settings, against the emulator and against Google."""

from __future__ import annotations

from typing import Any

import grpc
import grpc.experimental
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore_v1.services.firestore.transports import FirestoreGrpcTransport

from shared.adapters.google_clients import firestore_client
from shared.config import Settings

SINGLE_THREADED = (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1)


def test_the_emulator_client_reads_through_a_single_threaded_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[Any, list[tuple[str, Any]]]] = []
    real = grpc.insecure_channel

    def recording(target: str, options: list[tuple[str, Any]]) -> Any:
        channel = real(target, options=options)
        made.append((channel, options))
        return channel

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # never dialled: channels connect lazily
    monkeypatch.setattr(grpc, "insecure_channel", recording)

    client = firestore_client(Settings())

    ((channel, options),) = made
    assert SINGLE_THREADED in options
    assert ("grpc.keepalive_time_ms", 30_000) in options
    assert ("grpc.max_reconnect_backoff_ms", 2_000) in options  # back within seconds of an outage's end
    # The library's lazily built API object is ours: if a release renames it, this fails rather than
    # silently falling back to the library's own channel.
    assert client._firestore_api.transport.grpc_channel is channel
    channel.close()


def test_the_production_client_uses_the_same_channel_settings_with_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[tuple[str, Any, list[tuple[str, Any]], Any]] = []
    real = FirestoreGrpcTransport.create_channel

    def recording(host: str, credentials: Any, options: list[tuple[str, Any]]) -> Any:
        channel = real(host, credentials=credentials, options=options)
        made.append((host, credentials, options, channel))
        return channel

    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    monkeypatch.setattr(FirestoreGrpcTransport, "create_channel", recording)
    credentials = AnonymousCredentials()

    client = firestore_client(Settings(), credentials=credentials)

    ((host, used, options, channel),) = made
    assert (host, used) == ("firestore.googleapis.com:443", credentials)
    assert SINGLE_THREADED in options
    assert ("grpc.max_receive_message_length", -1) in options
    assert client._firestore_api.transport.grpc_channel is channel
    channel.close()
