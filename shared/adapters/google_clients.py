"""Factories for Google's official clients, pointed at the sandbox when configured.

Imports happen inside the factories so a function that never touches a client never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.config import Settings

if TYPE_CHECKING:
    from google.cloud import firestore


def firestore_client(settings: Settings) -> firestore.Client:
    from google.cloud import firestore

    # FIRESTORE_EMULATOR_HOST in the environment points the client at the emulator.
    return firestore.Client(project=settings.project)


def secret_manager_client(settings: Settings) -> Any:
    from google.cloud import secretmanager

    if settings.secrets_endpoint:
        import grpc
        from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
            SecretManagerServiceGrpcTransport,
        )

        channel = grpc.insecure_channel(settings.secrets_endpoint)
        return secretmanager.SecretManagerServiceClient(transport=SecretManagerServiceGrpcTransport(channel=channel))
    return secretmanager.SecretManagerServiceClient()


def tasks_client(settings: Settings) -> Any:
    from google.cloud import tasks_v2

    if settings.tasks_endpoint:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        channel = grpc.insecure_channel(settings.tasks_endpoint)
        return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return tasks_v2.CloudTasksClient()
