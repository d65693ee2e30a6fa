"""Group sessions: `slot_claims/{session id}`, beside the claims on their time and the bookings' seat claims.

A session is written in the same commit as the bookings taking (or giving up) its seats; its documents are
those it always had (the split from bookings.py is in the code, not in the data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import Fields, stored
from shared.adapters.firestore.collections import BOOKINGS, CLAIMS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.unit import Unit
from shared.domain.booking import Booking
from shared.domain.seats import Session

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference


class FirestoreSessions:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _claim(self, claim_id: str) -> DocumentReference:
        return self._unit.db.collection(CLAIMS).document(claim_id)

    def session(self, session_id: str) -> Session | None:
        snapshot = self._unit.read(self._claim(session_id))
        if not snapshot.exists:
            return None
        data = snapshot.to_dict() or {}
        return Session(
            id=session_id,
            host_id=data["host_id"],
            occupied_start=data["occupied_start"],
            occupied_end=data["occupied_end"],
            seats={int(key.removeprefix("s")): held for key, held in (data.get("seats") or {}).items()},
        )

    def open_session(self, session: Session) -> None:
        self._unit.create(self._claim(session.id), _session_doc(session))
        for claim in session.granule_claims():
            self._unit.create(self._claim(claim), {"session_id": session.id, "expires_at": session.occupied_end})

    def join_session(self, session_id: str, seat: int, booking_id: str) -> None:
        # No read, no condition but existence: joiners do not contend with each other (their seats decide);
        # a session closed meanwhile fails the commit, and its last leaver's conditional close fails instead
        # if this commit came first (this write changes the session's update time).
        self._unit.update_existing(self._claim(session_id), {f"seats.s{seat}": booking_id})

    def save_session(self, session: Session) -> None:
        self._unit.put(self._claim(session.id), {"seats": _seats(session)})

    def close_session(self, session: Session) -> None:
        self._unit.delete(self._claim(session.id))
        for claim in session.granule_claims():
            self._unit.delete(self._claim(claim))

    def of_session(self, session_id: str) -> list[Booking]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter("session_id", "==", session_id))
        return [stored(Booking, doc.to_dict()) for doc in query.stream(**reads())]


def _session_doc(session: Session) -> Fields:
    return {
        "host_id": session.host_id,
        "occupied_start": session.occupied_start,
        "occupied_end": session.occupied_end,
        "seats": _seats(session),
        "expires_at": session.occupied_end,  # purged with the claims once its time is past
    }


def _seats(session: Session) -> dict[str, str]:
    return {f"s{seat}": booking_id for seat, booking_id in session.seats.items()}  # map keys: not digits first
