"""What a repository needs of the unit of work it belongs to, as Protocols: repositories depend on this small
module, and the unit of work (which builds every repository) on them, so no import goes round in a circle.

The names of Firestore's own types are imported for type checking only: the client library loads on the
first request that needs it (shared/bootstrap.py), not when a module is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeAlias

from shared.adapters.firestore.codec import Fields
from shared.adapters.firestore.wire import StoredFields
from shared.domain.booking_page import BookingPage
from shared.domain.team import Team

if TYPE_CHECKING:
    from google.cloud.firestore_v1.base_document import DocumentSnapshot
    from google.cloud.firestore_v1.client import Client
    from google.cloud.firestore_v1.document import DocumentReference

    Snapshot: TypeAlias = DocumentSnapshot[DocumentReference]
    # A snapshot as the library reads it, or one read in wire form: both answer id, update_time and to_dict.
    PageSnapshot: TypeAlias = Snapshot | StoredFields


@dataclass
class FirestoreCaches:
    """Kept for the life of an instance, shared by every unit of work (each request has its own unit)."""

    slug_hosts: dict[str, str] = field(default_factory=dict)  # public slug -> host id: a hint, checked on read
    host_slugs: dict[str, str] = field(default_factory=dict)  # host id -> public slug (team reads): the same
    team_slugs: dict[str, str] = field(default_factory=dict)  # a team's slug -> team id: the same
    # (team slug, type slug) -> (type id, its members): the same, checked against the team read with them
    team_types: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # slug -> (stored version, page)
    pages: dict[str, tuple[datetime | None, BookingPage]] = field(default_factory=dict)
    # team id -> (stored version, team): a team read with its members' time is parsed once per version
    teams: dict[str, tuple[datetime | None, Team]] = field(default_factory=dict)


class PageReads(Protocol):
    """The booking pages as the busy months' snapshot reads them (in the same batch get)."""

    def ref(self, slug: str) -> DocumentReference: ...
    def get(self, slug: str) -> BookingPage | None: ...
    def parsed(self, snapshot: PageSnapshot) -> BookingPage: ...


class PlaceRefs(Protocol):
    def ref(self, place: str) -> DocumentReference: ...


class UnitReads(Protocol):
    """The reading side of an open unit: its client and caches, and the reads it remembers for conditional
    saves."""

    @property
    def db(self) -> Client: ...
    @property
    def caches(self) -> FirestoreCaches: ...
    @property
    def pages(self) -> PageReads: ...
    @property
    def write_places(self) -> PlaceRefs: ...

    def read(self, ref: DocumentReference) -> Snapshot: ...
    def read_fields(self, refs: list[DocumentReference], fields: list[str]) -> dict[str, StoredFields]: ...
    def seen(self, ref: DocumentReference) -> Snapshot | None: ...


class UnitWrites(Protocol):
    """The writing side: changes staged for one atomic commit."""

    def create(self, ref: DocumentReference, data: Fields) -> None: ...
    def put(self, ref: DocumentReference, data: Fields) -> None: ...
    def update_existing(self, ref: DocumentReference, data: Fields) -> None: ...
    def merge(self, ref: DocumentReference, data: Fields) -> None: ...
    def delete(self, ref: DocumentReference) -> None: ...


class Unit(UnitReads, UnitWrites, Protocol):
    """Reads remembered for conditional saves, and writes staged for one atomic commit
    (shared/adapters/firestore/unit_of_work.py)."""

    @property
    def subject_key(self) -> Callable[[], str]: ...
