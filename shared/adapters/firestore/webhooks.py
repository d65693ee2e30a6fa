"""webhook_endpoints/{host_id} (all of a host's endpoints, as one map) and webhook_deliveries/{delivery id}
(the delivery log: ids, counts and status codes, with `expires_at` for a TTL policy).

No signing secret is stored: each is derived from an app secret in Secret Manager (shared/services/webhooks.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import document, plain_id, stored
from shared.adapters.firestore.collections import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.unit import Unit
from shared.domain.webhooks import HostWebhooks, WebhookDelivery, WebhookEndpoint
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


_ERASE_PAGE = 400


class FirestoreWebhooks:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, host_id: str) -> DocumentReference:
        return self._unit.db.collection(WEBHOOK_ENDPOINTS).document(host_id)

    def of_host(self, host_id: str) -> HostWebhooks:
        """Read in the unit: saving it again is conditional on nobody having changed it meanwhile."""
        snapshot = self._unit.read(self._ref(host_id))
        doc = snapshot.to_dict() or {}  # none: no such document
        endpoints = [WebhookEndpoint.model_validate(e) for e in (doc.get("endpoints") or {}).values()]
        return HostWebhooks(host_id=host_id, endpoints=tuple(sorted(endpoints, key=lambda e: (e.created_at, e.id))))

    def save(self, webhooks: HostWebhooks) -> None:
        ref = self._ref(webhooks.host_id)
        if not webhooks.endpoints:
            self._unit.delete(ref)
            return
        endpoints = {endpoint.id: document(endpoint) for endpoint in webhooks.endpoints}
        self._unit.put(ref, {"host_id": webhooks.host_id, "endpoints": endpoints})

    def export_subject(self, host_id: str) -> Exported:
        return [endpoint.model_dump(mode="json") for endpoint in self.of_host(host_id).endpoints]

    def erase_subject(self, host_id: str) -> int:
        if not self._unit.read(self._ref(host_id)).exists:
            return 0
        self._unit.delete(self._ref(host_id))
        return 1


class FirestoreWebhookDeliveries:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, delivery_id: str) -> DocumentReference:
        return self._unit.db.collection(WEBHOOK_DELIVERIES).document(delivery_id)

    def get(self, delivery_id: str) -> WebhookDelivery | None:
        if not plain_id(delivery_id):
            return None
        snapshot = self._unit.read(self._ref(delivery_id))
        return stored(WebhookDelivery, snapshot.to_dict()) if snapshot.exists else None

    def add(self, delivery: WebhookDelivery) -> None:
        self._unit.create(self._ref(delivery.id), document(delivery))

    def save(self, delivery: WebhookDelivery) -> None:
        self._unit.put(self._ref(delivery.id), document(delivery))

    def of_endpoint(self, endpoint_id: str, limit: int, after_delivery_id: str | None) -> list[WebhookDelivery]:
        """Latest first; an unknown cursor (or one of another endpoint) starts from the latest."""
        from google.cloud.firestore_v1 import Query
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = (
            self._unit.db.collection(WEBHOOK_DELIVERIES)
            .where(filter=FieldFilter("endpoint_id", "==", endpoint_id))
            .order_by("created_at", direction=Query.DESCENDING)
            .order_by("__name__", direction=Query.DESCENDING)
        )
        if after_delivery_id and plain_id(after_delivery_id):
            last = self._ref(after_delivery_id).get(**reads())
            if last.exists and last.get("endpoint_id") == endpoint_id:
                query = query.start_after(last)
        return [stored(WebhookDelivery, doc.to_dict()) for doc in query.limit(limit).stream(**reads())]

    def of_booking(self, booking_id: str) -> list[WebhookDelivery]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(WEBHOOK_DELIVERIES).where(filter=FieldFilter("booking_id", "==", booking_id))
        return [stored(WebhookDelivery, doc.to_dict()) for doc in query.stream(**reads())]

    def purge(self, now: datetime) -> dict[str, int]:

        return {f"{WEBHOOK_DELIVERIES}_deleted": purge_expired(self._unit.db, WEBHOOK_DELIVERIES, now)}

    def _of_host(self, host_id: str, limit: int | None = None) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(WEBHOOK_DELIVERIES).where(filter=FieldFilter("host_id", "==", host_id))
        return list((query.limit(limit) if limit else query).stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [stored(WebhookDelivery, doc.to_dict()).model_dump(mode="json") for doc in self._of_host(host_id)]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id, limit=_ERASE_PAGE)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)
