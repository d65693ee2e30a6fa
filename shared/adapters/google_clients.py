"""Factories for Google's official clients, pointed at the sandbox when configured.

Imports happen inside the factories so a function that never touches a client never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.config import Settings

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from google.cloud import firestore
    from google.cloud.secretmanager import SecretManagerServiceClient
    from google.cloud.tasks_v2 import CloudTasksClient


FIRESTORE_HOST = "firestore.googleapis.com:443"


def firestore_client(settings: Settings, credentials: Credentials | None = None) -> firestore.Client:
    """The Firestore client, on a channel that drives each read on the calling thread.

    Every Firestore read (`get`, `get_all`, queries) is a server-streaming call, and gRPC starts a thread
    to drive each one on an otherwise idle channel: a quarter of a one-document read here (0.96 -> 0.73 ms
    on the emulator), paid by every slots read and booking. `firestore.Client` takes no channel options, so
    its API object is replaced by one built the GAPIC way on such a channel (the attribute is the
    library's lazily built one; tests/unit/test_google_clients.py fails if the client stops using it).
    FIRESTORE_EMULATOR_HOST in the environment points both at the emulator.
    """
    import os

    import grpc
    import grpc.experimental
    from google.cloud import firestore
    from google.cloud.firestore_v1.services.firestore import FirestoreClient
    from google.cloud.firestore_v1.services.firestore.transports import FirestoreGrpcTransport

    options = [
        (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1),
        ("grpc.keepalive_time_ms", 30_000),  # the library's own channel settings
        ("grpc.max_send_message_length", -1),
        ("grpc.max_receive_message_length", -1),
        # After an outage the channel tries again within 2 s instead of backing off for up to two minutes:
        # requests answer 503 quickly while the store is away (shared/deadlines.py) and 200 soon after.
        ("grpc.max_reconnect_backoff_ms", 2_000),
    ]
    if emulator := os.environ.get("FIRESTORE_EMULATOR_HOST"):
        client = firestore.Client(project=settings.project)
        channel = grpc.insecure_channel(emulator, options=options)
    else:
        if credentials is None:
            import google.auth

            credentials, _ = google.auth.default(scopes=FirestoreGrpcTransport.AUTH_SCOPES)
        client = firestore.Client(project=settings.project, credentials=credentials)
        channel = FirestoreGrpcTransport.create_channel(FIRESTORE_HOST, credentials=credentials, options=options)
    client._firestore_api_internal = FirestoreClient(transport=FirestoreGrpcTransport(channel=channel))
    return client


def secret_manager_client(settings: Settings) -> SecretManagerServiceClient:
    from google.cloud import secretmanager

    if settings.secrets_endpoint:
        import grpc
        from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
            SecretManagerServiceGrpcTransport,
        )

        channel = grpc.insecure_channel(settings.secrets_endpoint)
        return secretmanager.SecretManagerServiceClient(transport=SecretManagerServiceGrpcTransport(channel=channel))
    return secretmanager.SecretManagerServiceClient()


def tasks_client(settings: Settings) -> CloudTasksClient:
    from google.cloud import tasks_v2

    if settings.tasks_endpoint:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        channel = grpc.insecure_channel(settings.tasks_endpoint)
        return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return tasks_v2.CloudTasksClient()
