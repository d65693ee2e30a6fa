"""Create what Terraform creates in a real project (queues, app secrets), here inside the local sandbox."""

from __future__ import annotations

import contextlib
import secrets as random_secrets

from shared.config import Settings

LOCAL_OAUTH_CLIENT_SECRET = "kaleno-local-secret"  # the sandbox's registered client (not a real secret)


def provision(settings: Settings) -> None:
    from google.api_core.exceptions import AlreadyExists

    from shared.adapters.google_clients import secret_manager_client, tasks_client

    tasks = tasks_client(settings)
    parent = f"projects/{settings.project}/locations/{settings.region}"
    queues = {
        settings.tasks_queue: settings.tasks_max_attempts,
        settings.webhooks_queue: settings.webhooks_max_attempts,
    }
    for queue, max_attempts in queues.items():
        with contextlib.suppress(AlreadyExists):
            retry = {
                "max_attempts": max_attempts,
                "min_backoff": {"nanos": 100_000_000},
                "max_backoff": {"seconds": 5},
                "max_doublings": 4,
            }
            tasks.create_queue(
                request={"parent": parent, "queue": {"name": f"{parent}/queues/{queue}", "retry_config": retry}}
            )
    sm = secret_manager_client(settings)
    app_secrets = {
        settings.oauth_client_secret_name: LOCAL_OAUTH_CLIENT_SECRET,
        settings.channel_key_secret_name: random_secrets.token_urlsafe(32),
        settings.manage_key_secret_name: random_secrets.token_urlsafe(32),
        settings.audit_key_secret_name: random_secrets.token_urlsafe(32),
        settings.webhook_key_secret_name: random_secrets.token_urlsafe(32),
    }
    for name, value in app_secrets.items():
        try:
            sm.create_secret(
                request={
                    "parent": f"projects/{settings.project}",
                    "secret_id": name,
                    "secret": {"replication": {"automatic": {}}},
                }
            )
        except AlreadyExists:
            continue
        version = {"parent": f"projects/{settings.project}/secrets/{name}", "payload": {"data": value.encode()}}
        sm.add_secret_version(request=version)
