"""The byte count the page's budget uses (shared/domain/sizes.py) is the one Firestore enforces: measured on
the emulator, a document of exactly 1 MiB by that count is stored and one byte more is refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from google.api_core.exceptions import InvalidArgument

from shared.domain.sizes import document_size

FIRESTORE_LIMIT = 1024 * 1024


def _fields_of_size(path: tuple[str, str], total: int) -> dict[str, str]:
    """Fields (no one value may exceed ~1 MiB by itself) that make the document `total` bytes by our count."""
    fields = {f"part{index:02d}": "a" * 50_000 for index in range(20)}
    fields["rest"] = "a" * (total - document_size(path, {**fields, "rest": ""}))
    assert document_size(path, fields) == total
    return fields


def test_a_document_of_exactly_one_mebibyte_is_stored(db: Any) -> None:
    path = ("size_probe", uuid.uuid4().hex)

    db.collection(path[0]).document(path[1]).set(_fields_of_size(path, FIRESTORE_LIMIT))

    assert db.collection(path[0]).document(path[1]).get().exists


def test_one_byte_more_is_refused(db: Any) -> None:
    path = ("size_probe", uuid.uuid4().hex)

    with pytest.raises(InvalidArgument, match="maximum entity size"):
        db.collection(path[0]).document(path[1]).set(_fields_of_size(path, FIRESTORE_LIMIT + 1))
