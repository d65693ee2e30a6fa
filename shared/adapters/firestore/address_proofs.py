"""address_proofs/{keyed hash} and address_grants/{keyed hash}: proof-of-address links and the grants they
gave. Keyed by the token's HMAC (shared/domain/address_proof.py), so a reader of the database can use
neither; both carry `expires_at` for a TTL policy (infra/) and the retention purge."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.collections import ADDRESS_GRANTS, ADDRESS_PROOFS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.unit import Unit
from shared.domain.address_proof import AddressGrant, AddressProof
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference


_HASH_LENGTH = 64


class FirestoreAddressProofs:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, collection: str, token_hash: str) -> DocumentReference:
        return self._unit.db.collection(collection).document(token_hash)

    def add(self, token_hash: str, proof: AddressProof) -> None:
        self._unit.create(self._ref(ADDRESS_PROOFS, token_hash), proof.model_dump())

    def get(self, token_hash: str) -> AddressProof | None:
        if len(token_hash) != _HASH_LENGTH:
            return None
        snapshot = self._unit.read(self._ref(ADDRESS_PROOFS, token_hash))
        return AddressProof.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def save(self, token_hash: str, proof: AddressProof) -> None:
        self._unit.put(self._ref(ADDRESS_PROOFS, token_hash), proof.model_dump())

    def add_grant(self, token_hash: str, grant: AddressGrant) -> None:
        self._unit.create(self._ref(ADDRESS_GRANTS, token_hash), grant.model_dump())

    def grant(self, token_hash: str) -> AddressGrant | None:
        if len(token_hash) != _HASH_LENGTH:
            return None
        snapshot = self._ref(ADDRESS_GRANTS, token_hash).get(**reads())
        return AddressGrant.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def of_address(self, email: str) -> Exported:
        from google.cloud.firestore_v1.base_query import FieldFilter

        found: Exported = []
        for collection, model in ((ADDRESS_PROOFS, AddressProof), (ADDRESS_GRANTS, AddressGrant)):
            query = self._unit.db.collection(collection).where(filter=FieldFilter("email", "==", email))
            kind = collection.removeprefix("address_").removesuffix("s")
            found += [
                {"kind": kind, **model.model_validate(doc.to_dict()).model_dump(mode="json")}
                for doc in query.stream(**reads())
            ]
        return found

    def purge(self, now: datetime) -> dict[str, int]:

        return {f"{name}_deleted": purge_expired(self._unit.db, name, now) for name in (ADDRESS_PROOFS, ADDRESS_GRANTS)}
