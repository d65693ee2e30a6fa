"""Hosts: who offers bookings, and whether Kaleno may currently use their Google Calendar."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.brand import BrandColor
from shared.domain.calendars import CALENDAR_LIST_SCOPE, CalendarChoice
from shared.domain.errors import refused
from shared.domain.event_type import Slug
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.domain.text import ONE_LINE
from shared.domain.time_zones import ZoneName

# Public URLs are /{host_slug}/{event_type_slug} beside the function mounts and the web client's own paths.
RESERVED_SLUGS = frozenset(
    {
        "oauth",
        "hosts",
        "bookings",
        "privacy",
        "calendar-sync",
        "calendar-webhook",
        "channel-renewal",
        "retention-purge",
        "webhook-delivery",
        "teams",
        "healthz",
        "openapi",
        "web",
        "api",
        "admin",
        "static",
        "assets",
        "login",
        "logout",
        "settings",
        "dashboard",
        "help",
        "about",
        "privacy-policy",
        "privacy-rights",
        "cookie-policy",
        "terms",
        "kaleno",
        "www",
        "sandbox",
    }
)


def _check_host_slug(value: str) -> str:
    if value in RESERVED_SLUGS:
        raise refused("slug-reserved", "'{slug}' is reserved; choose another slug", slug=value)
    return value


HostSlug = Annotated[Slug, AfterValidator(_check_host_slug)]

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]


class ConnectionState(StrEnum):
    CONNECTED = "connected"
    NOT_CONNECTED = "not_connected"  # signed in, but a calendar permission was refused
    DISCONNECTED = "disconnected"  # was connected; the host disconnected or Google access ended


class Connection(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: ConnectionState
    reason: str | None = None
    missing_scopes: tuple[str, ...] = ()
    since: datetime | None = None

    @property
    def is_connected(self) -> bool:
        return self.state is ConnectionState.CONNECTED


class HostSync(BaseModel):
    """How fresh Kaleno's view of the host's calendar is."""

    model_config = ConfigDict(frozen=True)

    synced_at: datetime | None = None  # last busy refresh
    horizon_end: datetime | None = None  # the busy mirror covers up to here
    events_checked_at: datetime | None = None  # last look at our own events for host edits


class Host(BaseModel):
    """A host as stored: the Google `sub` identifies them (their email may change)."""

    model_config = ConfigDict(frozen=True)

    id: str
    google_sub: str
    email: str
    display_name: str
    slug: str
    time_zone: str = "UTC"
    connection: Connection
    granted_scopes: tuple[str, ...] = ()
    sync: HostSync = HostSync()
    # The host's rights to restrict processing and to object to it: either one pauses every calendar
    # read and write (and the public page) while the data is kept.
    restricted: bool = False
    objected: bool = False
    last_alert: str | None = None  # the incident the host was last alerted about (one alert per incident)
    calendars: CalendarChoice = CalendarChoice()  # conflict calendars and the write calendar
    # The privacy policy version the host was last told about (by mail, or by signing up under it).
    policy_notified: str | None = None
    # The dashboard's first-run setup is done (finished or skipped). New hosts start with False; hosts
    # stored before the setup existed read as True, so they are never sent through it.
    onboarded: bool = True
    # The host's look on their public pages (shown to anyone): a readable brand colour, their picture's id
    # (avatars/{id}: shared/domain/avatar.py), and the language their pages fall back to and their notices use.
    brand_color: str | None = None
    avatar: str | None = None
    locale: Language = DEFAULT_LANGUAGE

    @property
    def may_list_calendars(self) -> bool:
        """The host granted the calendar-list permission (asked for only from the calendars setting)."""
        return CALENDAR_LIST_SCOPE in self.granted_scopes

    @property
    def processing_paused(self) -> bool:
        return self.restricted or self.objected

    @property
    def access_incident(self) -> str | None:
        """Names the current loss of calendar access (None while connected): alerted about once."""
        since = self.connection.since
        if self.connection.is_connected or since is None:
            return None
        return f"disconnected-{int(since.timestamp())}"

    def alerted(self, incident: str) -> Host:
        return self.model_copy(update={"last_alert": incident})

    def knows_policy(self, version: str) -> bool:
        """Told about this policy version or a later one (versions are dates, so they sort)."""
        return self.policy_notified is not None and self.policy_notified >= version

    def told_policy(self, version: str) -> Host:
        return self.model_copy(update={"policy_notified": version})

    @property
    def calendar_usable(self) -> bool:
        """Kaleno may read and write the host's calendar now."""
        return self.connection.is_connected and not self.processing_paused

    def with_connection(self, connection: Connection) -> Host:
        return self.model_copy(update={"connection": connection})

    def accepts_busy_refresh(self, started_at: datetime) -> bool:
        """A free/busy answer is stored only while the calendar may be used, and never over a later one."""
        newest = self.sync.synced_at
        return self.calendar_usable and (newest is None or newest < started_at)

    def busy_refreshed(self, started_at: datetime, horizon_end: datetime) -> Host:
        sync = self.sync.model_copy(update={"synced_at": started_at, "horizon_end": horizon_end})
        return self.model_copy(update={"sync": sync})

    def events_checked(self, at: datetime) -> Host:
        return self.model_copy(update={"sync": self.sync.model_copy(update={"events_checked_at": at})})


class HostProfileUpdate(BaseModel):
    """PATCH /hosts/me: only the fields present change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: DisplayName | None = None
    slug: HostSlug | None = None
    time_zone: ZoneName | None = None
    onboarded: Literal[True] | None = Field(None, description="The first-run setup is done (it cannot be undone).")
    brand_color: BrandColor | None = Field(
        None,
        description='The public pages\' accent, "#rrggbb"; null removes it. Refused (422 `brand-color-contrast`) '
        "below WCAG AA's 4.5:1, as white text on it or as text on the white page; the error suggests the nearest "
        "darker shade that passes.",
    )
    locale: Language | None = Field(
        None, description="Your pages' default language (a visitor's own choice comes first) and your notices'."
    )

    def changes(self) -> dict[str, object]:
        """The fields to change: those sent, where null means "unchanged", except a brand colour's (removed)."""
        sent = self.model_dump(exclude_unset=True)
        return {name: value for name, value in sent.items() if value is not None or name == "brand_color"}
