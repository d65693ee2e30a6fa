"""Settings read once from the environment.

The same code talks to real Google in production and to the local sandbox in tests: only the endpoint
settings below differ. Nothing here is read at import time; `get_settings()` builds it on first use.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.domain.policy import CURRENT_POLICY
from shared.web.client_address import ClientAddressFrom

GOOGLE_ACCOUNTS = "https://accounts.google.com"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KALENO_", extra="ignore", frozen=True)

    project: str = Field("kaleno-local", validation_alias="GOOGLE_CLOUD_PROJECT")
    region: str = "us-central1"
    # Public base URL where the functions are reachable (each function under /<function_name>).
    base_url: str = "http://127.0.0.1:8080"
    # Each function's own URL with `{name}` for its (hyphenated) name, e.g.
    # "https://{name}-123456789.us-central1.run.app": what Cloud Tasks and Scheduler call (see target_url).
    internal_url_template: str = ""
    # When set, every Google endpoint points at the local sandbox (tests, `make run`).
    sandbox_url: str | None = None
    secrets_endpoint: str | None = None  # gRPC host:port (insecure, loopback only)
    tasks_endpoint: str | None = None  # gRPC host:port (insecure, loopback only)

    oauth_client_id: str = "kaleno-local"
    # Name of the app secret holding the OAuth client secret in Secret Manager.
    oauth_client_secret_name: str = "oauth-client-secret"
    # App secrets keying the derived per-channel push tokens and the invitees' manage tokens.
    channel_key_secret_name: str = "channel-token-key"
    manage_key_secret_name: str = "manage-token-key"
    audit_key_secret_name: str = "audit-subject-key"  # keys the ledger's subject hashes
    # Where a person takes a privacy question or complaint (in every export and at /privacy/complaint).
    privacy_contact_email: str = "privacy@kaleno.app"
    # Whom else a person may complain to, as the object of "You can also complain to …" (no closing stop).
    supervisory_authority: str = (
        "your data-protection authority: in the US, the Federal Trade Commission (reportfraud.ftc.gov); in the "
        "EU, the authority of the member state where you live"
    )
    # The policy in force, named by the date it took effect (shared/domain/policy.py holds every version): a
    # new version asks every visitor for cookie consent again, and a significant one is mailed to every host.
    privacy_policy_version: str = Field(CURRENT_POLICY.version, pattern=r"^\d{4}-\d{2}-\d{2}$")
    policy_notice_page_size: int = Field(50, ge=1, le=500)  # hosts told per run of the policy notice
    # Retention (days): a booking and its invitee's data after the meeting ended; ledger entries; erasure
    # receipts; a visitor's cookie choices.
    booking_retention_days: int = Field(365, ge=1)
    audit_retention_days: int = Field(730, ge=1)
    erasure_receipt_retention_days: int = Field(1095, ge=1)
    consent_days: int = Field(365, ge=1)
    # A closed account's bookings: how long after the meeting's time their manage links still say why (410).
    closed_booking_retention_days: int = Field(90, ge=1)
    # Per-client request limits (kind -> requests per seconds), enforced at the edge in production
    # (infra/edge.tf) and by each instance (shared/web/rate_limit.py); booking writes are also counted
    # across instances in Firestore, per client and per invitee (shared/services/write_limits.py).
    client_limits_enabled: bool = True
    client_limits: dict[str, tuple[int, float]] = {
        "booking-writes": (10, 60.0),  # book, reschedule, cancel, correct: one real invitee needs 1-3
        "public-reads": (300, 60.0),  # booking pages and slots: a visitor clicking through a month
        "invitation-writes": (10, 60.0),  # team invitations, each a mail to an address the caller chose
    }
    # Booking writes per invitee (the address as limits see it, shared/domain/booking.normalised_email):
    # (writes, per seconds), counted across instances like the per-client allowance of "booking-writes".
    invitee_write_limit: tuple[int, float] = (6, 600.0)
    # Where the client's address is read, by deployment shape (shared/web/client_address.py): "peer",
    # "last-forwarded" (Cloud Run's own front end; the local stack), "google-load-balancer" (infra/).
    client_address_from: ClientAddressFrom = "peer"
    # Bot gate (ALTCHA proof of work, shared/domain/bot_gate.py). A challenge's number is drawn from
    # [0, bot_gate_max_number]: a solver tries half of them on average. The booking page solves 50,000-number
    # challenges in about 0.2 s on average at 4x CPU throttling, a phone's class (README: "Bot gate"): nothing
    # a visitor notices, while a bot pays CPU for every write (each solution is single use). A challenge lives
    # a few minutes: long enough for a slow phone and a retry.
    bot_gate_max_number: int = Field(50_000, ge=1_000, le=10_000_000)
    bot_gate_challenge_minutes: int = Field(5, ge=1, le=60)
    # "auto" asks for a proof once a host's page got more than this many bookings in the current and previous
    # window (10 minutes each): a busy host takes a few bookings an hour, a launch of a popular page perhaps a
    # dozen in ten minutes; more than 30 in 10-20 minutes is a flood (and even then an honest visitor only waits
    # the solve). Or once one client made more than `bot_gate_client_writes` booking writes in its window
    # (the per-client limit allows 10 a minute; one real invitee needs 1-3).
    bot_gate_window_minutes: int = Field(10, ge=1, le=60)
    bot_gate_host_bookings: int = Field(30, ge=0)
    bot_gate_client_writes: int = Field(3, ge=0)
    # Deadlines (seconds). Each request has one overall deadline (shared/deadlines.py); every dependency call
    # inside it gets its own bound below or what is left of the request's, whichever is less, and retries stop
    # when it is spent: the answer is then 503 with Retry-After, with nothing half-stored.
    # People wait on the interactive routes (public pages, slots, booking, sign-in, the dashboard's API, the
    # push receiver): 5 s answers them while any one call may still take most of it, and a client retrying
    # after Retry-After beats one staring at a spinner.
    request_deadline_seconds: float = Field(5.0, gt=0, le=30)
    # Google's sign-in callback, the one interactive route that makes a dozen calls in a row (the code
    # exchange, Google's certificates, four to Secret Manager for the refresh token, the host's records, a
    # watch channel): a person who just consented waits for it once, and failing it at 5 s on a cold or
    # loaded instance would send them through Google's consent again.
    sign_in_deadline_seconds: float = Field(10.0, gt=0, le=30)
    # Cloud Tasks and Cloud Scheduler targets (routes authenticated as them): nobody waits, and a busy refresh
    # or an erasure step may make several Google calls of up to 15 s each, so failing them at 5 s would only
    # make the queue retry work that was progressing. The bound stays under the functions' 60 s timeout
    # (infra/main.tf), so such a request ends with our own 503 (the queue retries it) rather than being cut
    # off by the platform at an arbitrary point.
    task_deadline_seconds: float = Field(45.0, gt=0, le=55)
    store_timeout_seconds: float = Field(5.0, gt=0, le=60)  # each Firestore call
    dependency_timeout_seconds: float = Field(10.0, gt=0, le=60)  # each Secret Manager and Cloud Tasks call
    tasks_queue: str = "calendar-sync"
    tasks_max_attempts: int = 20  # the queue's retry_config.max_attempts (infra/main.tf, devstack/provision.py)
    tasks_service_account: str = "kaleno-tasks@kaleno-local.iam.gserviceaccount.com"
    scheduler_service_account: str = "kaleno-scheduler@kaleno-local.iam.gserviceaccount.com"

    # Google Calendar's sendUpdates for booking events: "all" lets Google email the invitee, "none" does not.
    # With our own mail configured (smtp_host), Google stays silent: one confirmation per change, ours.
    google_send_updates: str = "all"
    # Outbound mail through any provider's SMTP relay (none set: Kaleno sends no mail). STARTTLS is required
    # except to a loopback relay (the local sandbox); the password, if any, lives in Secret Manager.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password_secret_name: str = "smtp-password"
    mail_from: str = "Kaleno <bookings@kaleno.app>"
    # Lifetime asked for watch channels (Google allows up to about a week); renewal runs well before.
    channel_ttl_hours: int = 168
    # Pushes within one window of this many seconds collapse into a single busy refresh.
    refresh_debounce_seconds: int = 20
    max_body_bytes: int = 64 * 1024

    # Outgoing webhooks: at most this many endpoints per host; each delivery a task on its own queue, tried
    # up to `webhooks_max_attempts` times (infra/main.tf, devstack/provision.py); a receiver has this long to
    # answer. Endpoints must be https:// hosts resolving only to public addresses, unless private ones are
    # allowed: on the local stack and in tests only (a receiver on 127.0.0.1), never in production.
    webhooks_per_host: int = Field(10, ge=1, le=50)
    webhooks_queue: str = "webhooks"
    webhooks_max_attempts: int = Field(8, ge=1)
    webhooks_timeout_seconds: float = Field(10.0, gt=0, le=30)
    webhooks_allow_private: bool = False
    webhook_key_secret_name: str = "webhook-signing-key"  # derives each endpoint's signing secret

    @property
    def google_accounts_url(self) -> str:
        return self.sandbox_url or GOOGLE_ACCOUNTS

    @property
    def oauth_authorize_url(self) -> str:
        base = self.sandbox_url or GOOGLE_ACCOUNTS
        return f"{base}/o/oauth2/v2/auth"

    @property
    def oauth_token_url(self) -> str:
        return f"{self.sandbox_url}/token" if self.sandbox_url else "https://oauth2.googleapis.com/token"

    @property
    def oauth_revoke_url(self) -> str:
        return f"{self.sandbox_url}/revoke" if self.sandbox_url else "https://oauth2.googleapis.com/revoke"

    @property
    def oidc_certs_url(self) -> str:
        # Google's PEM certs (v1) need no extra JWT library to verify.
        base = self.sandbox_url or "https://www.googleapis.com"
        return f"{base}/oauth2/v1/certs"

    @property
    def calendar_api_endpoint(self) -> str | None:
        return f"{self.sandbox_url}/calendar/v3/" if self.sandbox_url else None

    @property
    def calendar_send_updates(self) -> str:
        return "none" if self.smtp_host else self.google_send_updates

    @property
    def smtp_requires_tls(self) -> bool:
        return self.smtp_host not in ("127.0.0.1", "localhost", "::1")

    @property
    def is_loopback(self) -> bool:
        return self.base_url.startswith(("http://127.0.0.1", "http://localhost"))

    def function_url(self, name: str) -> str:
        return f"{self.base_url.rstrip('/')}/{name}"

    def target_url(self, name: str) -> str:
        """Where Cloud Tasks and Cloud Scheduler call a function, which is also the audience of the OIDC token
        they attach. In production the function's own run.app URL (`internal_url_template`, set by infra/):
        the internal functions accept internal traffic only, which the public load balancer is not. Locally
        the function's mount under `base_url`."""
        if self.internal_url_template:
            return self.internal_url_template.format(name=name.replace("_", "-"))
        return self.function_url(name)

    def queue_for(self, function: str) -> str:
        """The Cloud Tasks queue whose tasks call `function`: webhook deliveries have their own (a slow
        receiver must not hold up calendar sync), everything else shares `tasks_queue`."""
        return self.webhooks_queue if function == "webhook_delivery" else self.tasks_queue


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
