"""oauth_states/{hash} and sessions/{hash}: keyed by a hash of the secret the browser holds, so a
reader of the database cannot use them. Both carry `expires_at` for a TTL policy."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import digest
from shared.adapters.firestore.collections import OAUTH_STATES, SESSIONS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.unit import Unit
from shared.services.ports import Exported
from shared.services.records import OAuthState, SessionRecord

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


class FirestoreSignIn:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _state(self, state: str) -> DocumentReference:
        return self._unit.db.collection(OAUTH_STATES).document(digest(state))

    def _session(self, token: str) -> DocumentReference:
        return self._unit.db.collection(SESSIONS).document(digest(token))

    def add_state(self, state: str, record: OAuthState) -> None:
        self._unit.create(self._state(state), record.model_dump())

    def take_state(self, state: str) -> OAuthState | None:
        """Read and delete (on condition nobody took it first): a state is used once."""
        snapshot = self._unit.read(self._state(state))
        if not snapshot.exists:
            return None
        self._unit.delete(snapshot.reference)
        return OAuthState.model_validate(snapshot.to_dict())

    def add_session(self, token: str, record: SessionRecord) -> None:
        self._unit.create(self._session(token), record.model_dump())

    def session(self, token: str) -> SessionRecord | None:
        snapshot = self._session(token).get(**reads())
        return SessionRecord.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def end_session(self, token: str) -> None:
        self._unit.delete(self._session(token))

    def purge_expired(self, now: datetime) -> dict[str, int]:

        return {f"{name}_deleted": purge_expired(self._unit.db, name, now) for name in (OAUTH_STATES, SESSIONS)}

    def _sessions_of(self, host_id: str) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(SESSIONS).where(filter=FieldFilter("host_id", "==", host_id))
        return list(query.stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [
            SessionRecord.model_validate(doc.to_dict()).model_dump(mode="json") for doc in self._sessions_of(host_id)
        ]

    def erase_subject(self, host_id: str) -> int:
        found = self._sessions_of(host_id)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)
