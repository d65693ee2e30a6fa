"""The Firestore unit of work: one atomic batch of writes, committed only when told to.

Optimistic, not locking: what a repository reads inside `with uow:` is remembered with its update
time, and saving it again is conditional on that time (deleting too), so a concurrent change makes the
commit fail as a whole (`Contention`) instead of being overwritten. Records added must not exist
(`AlreadyStored`). No transaction is held open while the domain decides: of fifty racing bookings,
one commit wins and the others fail at once, without lock contention (see bench/claims_vs_transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from shared.adapters.firestore.address_proofs import FirestoreAddressProofs
from shared.adapters.firestore.audit import FirestoreAuditLog
from shared.adapters.firestore.avatars import FirestoreAvatars
from shared.adapters.firestore.bookings import FirestoreBookings
from shared.adapters.firestore.bot_gate import FirestoreBotGate
from shared.adapters.firestore.channels import FirestoreChannels
from shared.adapters.firestore.codec import Fields
from shared.adapters.firestore.deadlines import reads, writes
from shared.adapters.firestore.hosts import FirestoreHosts
from shared.adapters.firestore.links import FirestoreLinks
from shared.adapters.firestore.months import FirestoreBusyMonths
from shared.adapters.firestore.pages import FirestoreBookingPages
from shared.adapters.firestore.sessions import FirestoreSessions
from shared.adapters.firestore.sign_in import FirestoreSignIn
from shared.adapters.firestore.teams import FirestoreTeams
from shared.adapters.firestore.unit import FirestoreCaches
from shared.adapters.firestore.webhooks import FirestoreWebhookDeliveries, FirestoreWebhooks
from shared.adapters.firestore.wire import StoredFields, create_write
from shared.adapters.firestore.write_places import FirestoreWritePlaces
from shared.services.errors import AlreadyStored, Contention

if TYPE_CHECKING:
    from google.cloud.firestore_v1.batch import WriteBatch
    from google.cloud.firestore_v1.client import Client
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


class FirestoreUnitOfWork:
    def __init__(
        self, client: Client, caches: FirestoreCaches | None = None, subject_key: Callable[[], str] | None = None
    ) -> None:
        self.db = client
        self.caches = caches or FirestoreCaches()
        # The ledger's key for subject hashes, fetched only when an entry is written or looked up.
        self.subject_key = subject_key or _no_subject_key
        self._batch: WriteBatch | None = None
        self._writes = 0
        self._seen: dict[str, Snapshot] = {}  # document path -> snapshot read in this unit
        self.hosts: FirestoreHosts = FirestoreHosts(self)
        self.pages: FirestoreBookingPages = FirestoreBookingPages(self)
        self.months: FirestoreBusyMonths = FirestoreBusyMonths(self)
        self.bookings: FirestoreBookings = FirestoreBookings(self)
        self.sessions: FirestoreSessions = FirestoreSessions(self)
        self.links: FirestoreLinks = FirestoreLinks(self)
        self.sign_in: FirestoreSignIn = FirestoreSignIn(self)
        self.channels: FirestoreChannels = FirestoreChannels(self)
        self.audit: FirestoreAuditLog = FirestoreAuditLog(self)
        self.webhooks: FirestoreWebhooks = FirestoreWebhooks(self)
        self.webhook_deliveries: FirestoreWebhookDeliveries = FirestoreWebhookDeliveries(self)
        self.address_proofs: FirestoreAddressProofs = FirestoreAddressProofs(self)
        self.write_places: FirestoreWritePlaces = FirestoreWritePlaces(self)
        self.bot_gate: FirestoreBotGate = FirestoreBotGate(self)
        self.teams: FirestoreTeams = FirestoreTeams(self)
        self.avatars: FirestoreAvatars = FirestoreAvatars(self)

    def __enter__(self) -> Self:
        self._batch, self._writes, self._seen = self.db.batch(), 0, {}
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._batch, self._writes, self._seen = None, 0, {}  # whatever was not committed is dropped

    def commit(self) -> None:
        from google.api_core.exceptions import AlreadyExists, Conflict, FailedPrecondition, NotFound

        if self._batch is None:
            raise RuntimeError("commit happens inside `with uow:`")
        batch, pending = self._batch, self._writes
        self._batch, self._writes = self.db.batch(), 0
        if not pending:
            return
        try:
            batch.commit(**writes())
        except (AlreadyExists, Conflict) as error:
            raise AlreadyStored("a record that must be new exists already") from error
        except (FailedPrecondition, NotFound) as error:
            raise Contention("a record read in this unit of work changed before the commit") from error

    # --- what the repositories use ---------------------------------------------------------------------
    def read(self, ref: DocumentReference) -> Snapshot:
        snapshot = ref.get(**reads())
        self.saw(snapshot)
        return snapshot

    def read_fields(self, refs: list[DocumentReference], fields: list[str]) -> dict[str, StoredFields]:
        """Documents (by path) in one round trip, only `fields` of each, and left in wire form.

        The hot read of every slots request and booking: the library's `get_all` decodes every field of
        every document into Python values and deep-copies them twice per snapshot (a third of the read);
        a caller here decodes just what it uses (a cached page only checks its version). It makes the call
        the client's `get_all` makes, through the client's own GAPIC object, database path and metadata
        (private attributes: tests/integration/test_wire.py fails if a release moves them).
        """
        database, metadata = self.db._database_string, self.db._rpc_metadata
        request = {
            "database": database,
            "documents": [f"{database}/documents/{ref.path}" for ref in refs],
            "mask": {"field_paths": fields},
        }
        found: dict[str, StoredFields] = {}
        prefix = len(database) + len("/documents/")
        for response in self.db._firestore_api.batch_get_documents(request=request, metadata=metadata, **reads()):
            answer = response._pb  # the protobuf itself: no proto-plus wrapping per field
            if answer.WhichOneof("result") == "found":
                path = answer.found.name[prefix:]
                found[path] = StoredFields(path, answer.found.fields, answer.found.update_time, self.db)
            else:
                path = answer.missing[prefix:]
                found[path] = StoredFields(path, None, None, self.db)
        return found

    def saw(self, snapshot: Snapshot) -> None:
        if self._batch is not None:
            self._seen[snapshot.reference.path] = snapshot

    def seen(self, ref: DocumentReference) -> Snapshot | None:
        """The snapshot of `ref` read in this unit, if any."""
        return self._seen.get(ref.path)

    def create(self, ref: DocumentReference, data: Fields) -> None:
        """Must not exist. Built in wire form (`wire.create_write`), handed to the batch as the library's own
        `create` hands it its writes: a booking's commit is mostly creates."""
        path = f"{self.db._database_string}/documents/{ref.path}"
        self._open()._add_write_pbs([create_write(path, data)])

    def put(self, ref: DocumentReference, data: Fields) -> None:
        """Replace each of the document's fields in `data` whole (a map loses the keys it no longer has; other
        fields, such as created_at, stay): on condition it is unchanged if read in this unit, else as it is.

        Whole-field replacement is a `set` with those fields as its merge mask: `update` would read the keys
        of nested maps as field paths, and keys such as the date "2026-12-24" are not valid ones. The
        condition is the `set`'s own precondition (the library's `set` takes none, so it is added to the write
        it built): one document write, where an `update` of nothing carrying it beside the `set` was two."""
        before = self.seen(ref)
        if before is not None and not before.exists:
            self.create(ref, data)
            return
        batch = self._open()
        batch.set(ref, data, merge=list(data))
        if before is not None:
            unchanged = self.db.write_option(last_update_time=before.update_time)
            unchanged.modify_write(batch._write_pbs[-1])

    def update_existing(self, ref: DocumentReference, data: Fields) -> None:
        """Change some fields (dotted paths reach into maps) on condition that the document exists, whatever
        else changed meanwhile; a missing document fails the commit as `Contention`."""
        self._open().update(ref, data)

    def merge(self, ref: DocumentReference, data: Fields) -> None:
        """Change some fields whatever else changed meanwhile (array unions, mirror fields)."""
        self._open().set(ref, data, merge=True)

    def delete(self, ref: DocumentReference) -> None:
        before = self.seen(ref)
        if before is not None and before.exists:
            self._open().delete(ref, option=self.db.write_option(last_update_time=before.update_time))
        else:
            self._open().delete(ref)

    def _open(self) -> WriteBatch:
        if self._batch is None:
            raise RuntimeError("writes happen inside `with uow:` and are committed by uow.commit()")
        self._writes += 1
        return self._batch


def _no_subject_key() -> str:
    raise RuntimeError("this unit of work was built without the ledger's subject key")
