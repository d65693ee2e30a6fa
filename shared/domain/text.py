"""Text people type (names, titles, reasons, notes): stored as text, never as something that could become
structure elsewhere. A name or title goes into mail headers, calendar invites and log-free views, so it is
one line with no control characters; notes and long answers may keep line breaks (stored as "\\n") and tabs,
and nothing else below U+0020. Every edge that takes such text uses these types (one place, one rule), and a
refusal is a 422 naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from shared.domain.errors import refused

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, except tab, line feed and carriage return (line breaks are normalised to "\n").
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]*$"
STORED = "stored"  # validation context key: the value is read back from our own store
ONE_LINE_ERROR = "must be one line of text: no line breaks or other control characters"
MULTI_LINE_ERROR = "must be text: line breaks and tabs are fine, other control characters are not"


def checked_line(value: str) -> str:
    """One line of text, or a refusal (coded, so the field's error is worded for people)."""
    if _NOT_ONE_LINE.search(value):
        raise refused("text-one-line", ONE_LINE_ERROR)
    return value


def checked_text(value: str) -> str:
    """Text that may run over several lines (kept as "\\n"), or a refusal."""
    if _NOT_TEXT.search(value):
        raise refused("text-control-chars", MULTI_LINE_ERROR)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def as_one_line(value: str) -> str:
    """Text from elsewhere (a Google account's name) made one line: each run of control characters and
    whitespace becomes one space. For text we did not ask for, so there is nobody to refuse."""
    spaced = "".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in value)
    return " ".join(spaced.split())


@dataclass(frozen=True)
class TextRule:
    """Pydantic metadata after a field's own length: `Annotated[str, StringConstraints(...), ONE_LINE]`.
    Validates with `check` (a refusal names the field) and documents `pattern` in the OpenAPI schema."""

    check: Callable[[str], str]
    pattern: str

    def __get_pydantic_core_schema__(self, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_after_validator_function(self._validate, handler(source))

    def _validate(self, value: str, info: core_schema.ValidationInfo) -> str:
        # What is already stored was accepted under the rules of its day: it is read as it is (and made safe
        # where it is used, e.g. a subject), never made unreadable by a stricter rule.
        context = info.context
        if isinstance(context, dict) and context.get(STORED):
            return value
        return self.check(value)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


ONE_LINE = TextRule(checked_line, ONE_LINE_PATTERN)
MULTI_LINE = TextRule(checked_text, MULTI_LINE_PATTERN)
