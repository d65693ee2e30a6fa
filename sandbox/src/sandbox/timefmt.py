"""RFC 3339 / RFC 1123 parsing and formatting in the shapes Google's APIs use."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.utils import formatdate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def parse_instant(value: str) -> datetime:
    """An RFC 3339 timestamp that must carry an offset (Google rejects naive ones)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    return parsed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def start_of_day(day: str, tz: ZoneInfo) -> float:
    """Epoch seconds of local midnight of `day` (YYYY-MM-DD) in `tz`."""
    return datetime.combine(date.fromisoformat(day), time(0), tzinfo=tz).timestamp()


def utc_millis(ts: float) -> str:
    """`2026-11-25T10:00:00.000Z`, the form of Google's created/updated fields."""
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def in_zone(ts: float, tz: ZoneInfo) -> str:
    """`2026-11-25T10:00:00Z` in UTC, `2026-11-25T11:00:00+01:00` elsewhere (freeBusy output)."""
    moment = datetime.fromtimestamp(ts, tz=tz).replace(microsecond=0)
    if moment.utcoffset() == timedelta(0) and tz.key in ("UTC", "Etc/UTC", "GMT"):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def rfc1123(ts: float) -> str:
    """`Tue, 19 Nov 2013 01:13:52 GMT`, as in X-Goog-Channel-Expiration."""
    return formatdate(ts, usegmt=True)
