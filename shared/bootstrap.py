"""Wires the real adapters, lazily on first use and cached for the instance's life (cold start stays small).

`adapters()` answers the `Ports` the services need. Tests that run functions in-process call `reset()`
between tests, as a fresh instance would start, or `install()` their own fakes.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from shared.config import Settings, get_settings
from shared.deadlines import holding
from shared.services.errors import CalendarAccessRevoked

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client
    from google.oauth2.credentials import Credentials

    from shared.adapters.firestore import FirestoreCaches
    from shared.adapters.google_accounts import GoogleAccountsClient
    from shared.adapters.google_calendar import GoogleCalendarClient
    from shared.services.ports import (
        BusyTimes,
        CalendarAccess,
        CalendarEvents,
        CalendarList,
        CalendarWatch,
        GoogleAccounts,
        Keys,
        Links,
        Mailer,
        Ports,
        SecretStore,
        TaskQueue,
        UnitOfWork,
        WebhookHttp,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


class SecretKeys:
    """The app's keys by job, each read from Secret Manager on first use (the store caches it)."""

    def __init__(self, secrets: SecretStore, settings: Settings) -> None:
        self._secrets, self._settings = secrets, settings

    def manage(self) -> str:
        return self._secrets.app_secret(self._settings.manage_key_secret_name)

    def channel(self) -> str:
        return self._secrets.app_secret(self._settings.channel_key_secret_name)

    def webhook(self) -> str:
        return self._secrets.app_secret(self._settings.webhook_key_secret_name)

    def audit(self) -> str:
        return self._secrets.app_secret(self._settings.audit_key_secret_name)


class BaseUrlLinks:
    """Kaleno's addresses under the deployment's base URL."""

    def __init__(self, base_url: str, keys: Keys) -> None:
        self._base_url, self._keys = base_url, keys

    def manage(self, booking_id: str) -> str:
        from shared.services.tokens import manage_token, manage_url

        return manage_url(self._base_url, manage_token(self._keys.manage(), booking_id))

    def dashboard(self) -> str:
        return f"{self._base}/"

    def reconnect(self) -> str:
        return f"{self._base}/oauth/start"

    def address_proof(self, token: str) -> str:
        return f"{self._base}/privacy-rights#proof={token}"

    def single_use(self, host_slug: str, event_type_slug: str, token: str) -> str:
        """The token rides in the fragment, which browsers never send to a server (nor in a Referer), so it
        stays out of every access log; the booking page hands it to the API in a header."""
        return f"{self._base}/{host_slug}/{event_type_slug}#link={token}"

    def team_invitation(self, token: str) -> str:
        """The dashboard opens it (the host signs in first); the token is the fragment's last segment."""
        return f"{self._base}/#team-invitation/{token}"

    def privacy_policy(self) -> str:
        return f"{self._base}/privacy-policy"

    def calendar_webhook(self) -> str:
        return f"{self._base}/calendar_webhook"  # the function's mount, as Settings.function_url has it

    @property
    def _base(self) -> str:
        return self._base_url.rstrip("/")


class GoogleCloudAdapters:
    """The production wiring: Firestore, Secret Manager, Cloud Tasks and Google's APIs (or the sandbox)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._credentials: dict[str, Credentials] = {}  # access tokens minted from refresh tokens: memory only
        self._credentials_lock = threading.Lock()

    def uow(self) -> UnitOfWork:
        """A fresh unit of work per use case; the client and the caches behind it are shared."""
        from shared.adapters.firestore import FirestoreUnitOfWork

        return FirestoreUnitOfWork(self._firestore, self._caches, self.keys.audit)

    def now(self) -> datetime:
        return utc_now()

    @cached_property
    def keys(self) -> Keys:
        return SecretKeys(self.secrets, self.settings)

    @cached_property
    def links(self) -> Links:
        return BaseUrlLinks(self.settings.base_url, self.keys)

    @cached_property
    def _firestore(self) -> Client:
        from shared.adapters.google_clients import firestore_client

        return firestore_client(self.settings)

    @cached_property
    def _caches(self) -> FirestoreCaches:
        from shared.adapters.firestore import FirestoreCaches

        return FirestoreCaches()

    @cached_property
    def secrets(self) -> SecretStore:
        from shared.adapters.google_clients import secret_manager_client
        from shared.adapters.secrets import SecretManagerStore

        settings = self.settings
        client = secret_manager_client(settings)
        return SecretManagerStore(client, settings.project, settings.dependency_timeout_seconds)

    @cached_property
    def _accounts(self) -> GoogleAccountsClient:
        from shared.adapters.google_accounts import GoogleAccountsClient

        return GoogleAccountsClient(self.settings, self.secrets.app_secret(self.settings.oauth_client_secret_name))

    @property
    def google(self) -> GoogleAccounts:
        return self._accounts

    @cached_property
    def mailer(self) -> Mailer | None:
        from shared.adapters.smtp_mail import SmtpMailer

        settings = self.settings
        if not settings.smtp_host:
            return None
        return SmtpMailer(settings, lambda: self.secrets.app_secret(settings.smtp_password_secret_name))

    @cached_property
    def _calendar(self) -> GoogleCalendarClient:
        """One client does every calendar job; each job is its own port, so a use case names the one it uses."""
        from shared.adapters.google_calendar import GoogleCalendarClient

        links = self.links
        return GoogleCalendarClient(
            self.settings, self._credentials_for, self._forget_credentials, lambda booking: links.manage(booking.id)
        )

    @property
    def calendar_list(self) -> CalendarList:
        return self._calendar

    @property
    def calendar_watch(self) -> CalendarWatch:
        return self._calendar

    @property
    def busy_times(self) -> BusyTimes:
        return self._calendar

    @property
    def calendar_events(self) -> CalendarEvents:
        return self._calendar

    @property
    def calendar_access(self) -> CalendarAccess:
        return self._calendar

    @cached_property
    def tasks(self) -> TaskQueue:
        from shared.adapters.google_clients import tasks_client
        from shared.adapters.tasks import CloudTasksQueue

        return CloudTasksQueue(tasks_client(self.settings), self.settings)

    @cached_property
    def webhook_http(self) -> WebhookHttp:
        from shared.adapters.webhook_http import InternetWebhookHttp

        return InternetWebhookHttp(self.settings.webhooks_timeout_seconds)

    def _credentials_for(self, host_id: str) -> Credentials:
        with holding(self._credentials_lock):  # another request may be reading its token from Secret Manager
            if host_id not in self._credentials:
                refresh_token = self.secrets.refresh_token(host_id)
                if refresh_token is None:
                    raise CalendarAccessRevoked(host_id)
                self._credentials[host_id] = self._accounts.credentials(refresh_token)
            return self._credentials[host_id]

    def _forget_credentials(self, host_id: str) -> None:
        with self._credentials_lock:
            self._credentials.pop(host_id, None)


_adapters: Ports | None = None
_lock = threading.Lock()


def adapters() -> Ports:
    global _adapters
    with _lock:
        if _adapters is None:
            _adapters = GoogleCloudAdapters(get_settings())
        return _adapters


def install(ports: Ports) -> None:
    """Run the functions against these ports (a test's fakes) until `reset()`."""
    global _adapters
    with _lock:
        _adapters = ports


def reset() -> None:
    global _adapters
    with _lock:
        _adapters = None
