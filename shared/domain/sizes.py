"""How many bytes a record takes where it is stored, by Firestore's documented rule, as plain arithmetic.

Firestore refuses a document over 1 MiB (1,048,576 bytes). Its size rule
(https://cloud.google.com/firestore/docs/storage-size): a string is its UTF-8 bytes plus 1, a number or an
instant 8, a boolean or null 1, an array the sum of its elements, a map the sum of its keys (as strings)
and values; a document adds its name and 32. So a record's size is known before anything is written, and
a rule can refuse a change that would not fit (shared/domain/booking_page.py) instead of the database
refusing the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel

DOCUMENT_OVERHEAD = 32  # bytes Firestore adds to every document besides its name and fields
_NAME_OVERHEAD = 16  # bytes a document name adds to the sizes of its collection and document ids


def stored_size(value: object) -> int:
    """The bytes `value` takes as a stored field value (a model counts as the map of its fields)."""
    if type(value) is str:
        return (len(value) if value.isascii() else len(value.encode())) + 1
    if type(value) is list or type(value) is tuple:  # the common containers first: a full page holds ~100,000
        total = 0
        for item in value:  # mostly short ASCII texts (hours, options): counted without a call each
            total += len(item) + 1 if type(item) is str and item.isascii() else stored_size(item)
        return total
    if type(value) is dict:
        return sum(stored_size(_key(key)) + stored_size(item) for key, item in value.items())
    if isinstance(value, BaseModel):
        return stored_size(value.model_dump(mode="python"))
    if isinstance(value, Enum):
        return stored_size(value.value)
    if isinstance(value, str):
        return len(value.encode()) + 1
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, datetime | int | float):
        return 8
    if isinstance(value, date):  # stored as "YYYY-MM-DD": Firestore has no date type
        return len(value.isoformat()) + 1
    if isinstance(value, Mapping):
        return sum(stored_size(_key(key)) + stored_size(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(map(stored_size, value))
    raise TypeError(f"no stored size for {type(value).__name__}")


def _key(key: object) -> object:
    return key.isoformat() if isinstance(key, date) else key


def document_size(path: tuple[str, ...], fields: Mapping[str, object]) -> int:
    """A whole document's size: `path` alternates collection and document ids ("booking_pages", slug)."""
    name = sum(stored_size(part) for part in path) + _NAME_OVERHEAD
    return name + stored_size(fields) + DOCUMENT_OVERHEAD


def largest_field(model: BaseModel) -> str:
    """The field of `model` that takes the most room: the one to name when a record does not fit."""
    return max(type(model).model_fields, key=lambda name: stored_size(getattr(model, name)))
