"""Firestore documents in wire form (protobuf) on the two hottest paths: the read of every slots request and
booking, and the creates of a booking's commit.

The library converts each field through proto-plus wrappers and deep-copies what it read twice per
snapshot; on a booking that was about a sixth of the request (`bench/booking.py`). Here values go straight
between Python and the protobuf messages the GAPIC client sends, with the library's own mapping
(None, bool, int, float, str, bytes, datetime, list, dict; `SERVER_TIMESTAMP` as a transform).
tests/integration/test_wire.py checks both directions against the library on the emulator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client
    from google.protobuf.timestamp_pb2 import Timestamp

    from shared.adapters.firestore.codec import Decoded, Fields

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class WireValue(Protocol):
    """A protobuf `Value` as read (google.firestore.v1.Value): the parts of it the hot reads look at."""

    string_value: str
    bytes_value: bytes
    integer_value: int

    @property
    def map_value(self) -> WireMap: ...
    @property
    def array_value(self) -> WireArray: ...
    def WhichOneof(self, oneof_group: str) -> str | None: ...  # protobuf's name


class WireMap(Protocol):
    @property
    def fields(self) -> Mapping[str, WireValue]: ...


class WireArray(Protocol):
    @property
    def values(self) -> Sequence[WireValue]: ...


@dataclass(frozen=True)
class StoredFields:
    """A document read in wire form: its fields as protobuf `Value`s, decoded on demand. Answers what a
    page's cache asks of a snapshot (`id`, `update_time`, `to_dict`)."""

    path: str
    fields: Mapping[str, WireValue] | None  # the protobuf map of field name -> Value; None: no such document
    update_stamp: Timestamp | None
    client: Client

    @property
    def exists(self) -> bool:
        return self.fields is not None

    @property
    def id(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def update_time(self) -> datetime | None:
        from google.api_core.datetime_helpers import DatetimeWithNanoseconds

        if self.update_stamp is None:
            return None
        stamp: datetime = DatetimeWithNanoseconds.from_timestamp_pb(self.update_stamp)
        return stamp

    def to_dict(self) -> Decoded | None:
        from google.cloud.firestore_v1._helpers import decode_dict

        if self.fields is None:
            return None
        decoded: Decoded = decode_dict(self.fields, self.client)  # type: ignore[assignment]  # a map
        return decoded

    def value(self, name: str) -> WireValue | None:
        """One top-level field's protobuf `Value` (None if absent)."""
        return self.fields[name] if self.fields is not None and name in self.fields else None


# Any: a protobuf `Write` (google.firestore.v1.Write); protobuf's generated classes carry no static types here.
def create_write(document_path: str, data: Fields) -> Any:
    """The `Write` that creates `document_path` with `data` and fails if it exists (the library's `create`).
    Top-level `SERVER_TIMESTAMP` values become the server's time of the commit."""
    from google.cloud.firestore_v1 import transforms
    from google.cloud.firestore_v1.types import common, document, write

    stamped = [name for name, item in data.items() if item is transforms.SERVER_TIMESTAMP]
    fields = {name: _value(item) for name, item in data.items() if item is not transforms.SERVER_TIMESTAMP}
    server_time = write.DocumentTransform.FieldTransform.ServerValue.REQUEST_TIME
    return write.Write.pb()(
        update=document.Document.pb()(name=document_path, fields=fields),
        current_document=common.Precondition.pb()(exists=False),
        update_transforms=[
            write.DocumentTransform.FieldTransform.pb()(field_path=_field_path(name), set_to_server_value=server_time)
            for name in stamped
        ],
    )


def _value(item: object) -> object:
    from google.cloud.firestore_v1.types import document
    from google.protobuf.struct_pb2 import NULL_VALUE
    from google.protobuf.timestamp_pb2 import Timestamp

    value = document.Value.pb()
    if item is None:
        return value(null_value=NULL_VALUE)
    if isinstance(item, bool):  # before int: a bool is one
        return value(boolean_value=item)
    if isinstance(item, int):
        return value(integer_value=item)
    if isinstance(item, float):
        return value(double_value=item)
    if isinstance(item, str):
        return value(string_value=item)
    if isinstance(item, bytes):
        return value(bytes_value=item)
    if isinstance(item, datetime):
        moment = item if item.tzinfo is not None else item.replace(tzinfo=UTC)  # naive is UTC, as the library
        elapsed = moment - _EPOCH
        stamp = Timestamp(seconds=elapsed.days * 86_400 + elapsed.seconds, nanos=elapsed.microseconds * 1000)
        return value(timestamp_value=stamp)
    if isinstance(item, list | tuple):
        return value(array_value=document.ArrayValue.pb()(values=[_value(element) for element in item]))
    if isinstance(item, dict):
        return value(map_value=document.MapValue.pb()(fields={key: _value(entry) for key, entry in item.items()}))
    raise TypeError(f"Firestore stores no {type(item).__name__} here")  # e.g. a sentinel inside a map


def _field_path(name: str) -> str:
    from google.cloud.firestore_v1.field_path import FieldPath

    return str(FieldPath(name).to_api_repr())
