"""IANA time zone names, checked once at the edge so the rest of the code can trust them."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator
from pydantic.json_schema import WithJsonSchema

from shared.domain.errors import refused

# The shape of a zone database name (`UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`);
# whether the database has it is checked by `check_zone`.
ZONE_PATTERN = "^[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9_+-]{1,30}){0,2}$"


def check_zone(value: str) -> str:
    """`value` if it names an IANA zone; "localtime" (whatever this machine is set to) never does."""
    if value == "localtime":
        raise refused("time-zone-unknown", "unknown time zone 'localtime'; use an IANA name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    # A folder of the zone database ("America") surfaces as an OSError from the tzdata package.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise refused(
            "time-zone-unknown", "unknown time zone '{zone}'; use an IANA name such as Europe/Berlin", zone=value
        ) from None
    return value


ZoneName = Annotated[
    str,
    AfterValidator(check_zone),
    WithJsonSchema({"type": "string", "pattern": ZONE_PATTERN, "examples": ["Europe/Berlin"]}),
]
