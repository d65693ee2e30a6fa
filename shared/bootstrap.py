"""Wires the real adapters, lazily on first use and cached for the instance's life (cold start stays small).

Tests running the functions in-process call `reset()` between tests, as a fresh instance would start.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from shared.config import Settings, get_settings
from shared.services.ports import CalendarAccessRevoked


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings

    @cached_property
    def store(self) -> Any:
        from shared.adapters.firestore_store import FirestoreStore
        from shared.adapters.google_clients import firestore_client

        return FirestoreStore(firestore_client(self.settings))

    @cached_property
    def secrets(self) -> Any:
        from shared.adapters.google_clients import secret_manager_client
        from shared.adapters.secrets import SecretManagerStore

        return SecretManagerStore(secret_manager_client(self.settings), self.settings.project)

    @cached_property
    def google(self) -> Any:
        from shared.adapters.google_accounts import GoogleAccountsClient

        return GoogleAccountsClient(self.settings, self.secrets.app_secret(self.settings.oauth_client_secret_name))

    @cached_property
    def calendar(self) -> Any:
        from shared.adapters.google_calendar import GoogleCalendarClient

        return GoogleCalendarClient(self.settings, self._credentials_for, self._forget_credentials)

    @cached_property
    def tasks(self) -> Any:
        from shared.adapters.google_clients import tasks_client
        from shared.adapters.tasks import CloudTasksQueue

        return CloudTasksQueue(tasks_client(self.settings), self.settings)

    # Access tokens are minted from the refresh token and kept in memory only, for their lifetime.
    @cached_property
    def _credentials(self) -> dict[str, Any]:
        return {}

    @cached_property
    def _credentials_lock(self) -> threading.Lock:
        return threading.Lock()

    def _credentials_for(self, host_id: str) -> Any:
        with self._credentials_lock:
            if host_id not in self._credentials:
                refresh_token = self.secrets.refresh_token(host_id)
                if refresh_token is None:
                    raise CalendarAccessRevoked(host_id)
                self._credentials[host_id] = self.google.credentials(refresh_token)
            return self._credentials[host_id]

    def _forget_credentials(self, host_id: str) -> None:
        with self._credentials_lock:
            self._credentials.pop(host_id, None)


_services: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _services
    with _lock:
        if _services is None:
            _services = Services(get_settings())
        return _services


def reset() -> None:
    global _services
    with _lock:
        _services = None
