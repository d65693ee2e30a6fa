"""Structured JSON log lines for Cloud Logging, carrying ids only.

Privacy by construction: `log_event` accepts only fields whose names say they are ids, counts or
outcomes, and only scalar values. Emails, names, tokens and event contents have no field to go in.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TextIO

_ALLOWED_FIELD = re.compile(
    r"^([a-z_]+_id|[a-z_]+_count|[a-z_]+_ms|status|method|route|function|outcome|reason|attempt|version|"
    r"kind|state|error_type|problem_type|trace)$"
)
_LOGGER_NAME = "kaleno"
# What a kept field may hold: a scalar (`dropped_fields` alone is a list, of field names).
LogValue = str | int | float | bool | None | list[str]


class CloudLoggingFormatter(logging.Formatter):
    """One JSON object a line with the keys Cloud Logging understands (`severity`, `message`, `time`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            trace = fields.pop("trace", None)
            if trace:
                entry["logging.googleapis.com/trace"] = trace
            entry.update(fields)
        return json.dumps(entry, separators=(",", ":"))


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Cloud Functions ships stdout lines to Cloud Logging."""


@cache
def _logger() -> logging.Logger:
    """Set up on first use, once: setting a level clears every logger's level cache, so not per line."""
    logger = logging.getLogger(_LOGGER_NAME)
    logger.setLevel(logging.INFO)
    if not any(isinstance(handler, _StdoutHandler) for handler in logger.handlers):
        handler = _StdoutHandler(sys.stdout)
        handler.setFormatter(CloudLoggingFormatter())
        logger.addHandler(handler)
    return logger


def safe_fields(fields: Mapping[str, object]) -> dict[str, LogValue]:
    """Keep only allow-listed, scalar fields; anything else is dropped, never printed."""
    kept: dict[str, LogValue] = {}
    dropped: list[str] = []
    for key, value in fields.items():
        if _ALLOWED_FIELD.match(key) and (value is None or isinstance(value, str | int | float | bool)):
            kept[key] = value
        else:
            dropped.append(key)
    if dropped:
        kept["dropped_fields"] = dropped
    return kept


# Fields are `object`: any value may be passed, and only allow-listed scalars are kept (safe_fields).
def log_event(event: str, severity: int = logging.INFO, **fields: object) -> None:
    """Log a named event (a constant string, never user data) with id-only fields."""
    _logger().log(severity, event, extra={"fields": safe_fields(fields)})


def log_exception(event: str, error: BaseException, **fields: object) -> None:
    """Log where an error happened (type and code locations), never its message: that may hold user data."""
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    where = " < ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in reversed(frames))
    _logger().error(
        event,
        extra={"fields": {**safe_fields(fields), "error_type": type(error).__name__, "where": where}},
    )
