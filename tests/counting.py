"""What one request costs, counted where it is spent: Firestore RPCs at the app's gRPC channel, and the
Google calls, Cloud Tasks enqueues and Secret Manager reads the sandbox serves.

`CountedAdapters` is the production wiring (`shared.bootstrap.GoogleCloudAdapters`) whose Firestore client
talks through a channel with `FirestoreCounter` as its client interceptor: every RPC the app makes is
counted by method, with the documents each answer carries and the writes each commit sends. Installed with
`bootstrap.install`, it is a fresh function instance of the stack's in-process server (tests/conftest.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import grpc

from shared.bootstrap import GoogleCloudAdapters
from shared.config import get_settings
from tests.support import Google

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client

# RPC method -> the name a reader knows it by
RPC_NAMES = {
    "BatchGetDocuments": "batch get",
    "RunQuery": "query",
    "RunAggregationQuery": "count query",
    "Commit": "commit",
    "BatchWrite": "batch write",
    "BeginTransaction": "begin transaction",
    "Rollback": "rollback",
}


@dataclass
class FirestoreCounts:
    rpcs: Counter[str] = field(default_factory=Counter)  # by RPC method name
    found: int = 0  # documents returned by gets and queries
    missing: int = 0  # documents asked for by id that do not exist (billed as reads too)
    written: int = 0  # writes sent in commits: creates, updates and deletes

    def round_trips(self) -> str:
        """e.g. "2 batch get + 1 commit", in a stable order."""
        names = [name for name in RPC_NAMES if self.rpcs.get(name)] + sorted(set(self.rpcs) - set(RPC_NAMES))
        return " + ".join(f"{self.rpcs[name]} {RPC_NAMES.get(name, name)}" for name in names) or "0"


class FirestoreCounter(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Counts every Firestore RPC a channel carries, the documents in its answers and the writes it sends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts = FirestoreCounts()

    def take(self) -> FirestoreCounts:
        """The counts so far, and start again from zero."""
        with self._lock:
            counts, self.counts = self.counts, FirestoreCounts()
        return counts

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        self._sent(details.method, request)
        return continuation(details, request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        self._sent(details.method, request)
        return _CountedStream(continuation(details, request), self._answered)

    def _sent(self, method: str, request: Any) -> None:
        name = method.rsplit("/", 1)[-1]
        with self._lock:
            self.counts.rpcs[name] += 1
            if name in ("Commit", "BatchWrite"):
                self.counts.written += len(request.writes)

    def _answered(self, response: Any) -> None:
        answer = getattr(response, "_pb", response)  # proto-plus or the protobuf itself
        kind = answer.DESCRIPTOR.name
        with self._lock:
            if kind == "BatchGetDocumentsResponse":
                if answer.WhichOneof("result") == "found":
                    self.counts.found += 1
                else:
                    self.counts.missing += 1
            elif kind == "RunQueryResponse" and answer.HasField("document"):
                self.counts.found += 1


class _CountedStream:
    """A server stream's call, passed through, each response counted as it is read."""

    def __init__(self, call: Any, answered: Callable[[Any], None]) -> None:
        self._call, self._answered = call, answered

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        response = next(self._call)
        self._answered(response)
        return response

    def __getattr__(self, name: str) -> Any:  # cancel(), code(), trailing_metadata()...
        return getattr(self._call, name)


class CountedAdapters(GoogleCloudAdapters):
    """The production wiring, its Firestore channel counted by `counter`."""

    def __init__(self, counter: FirestoreCounter) -> None:
        super().__init__(get_settings())
        self.counter = counter

    @cached_property
    def _firestore(self) -> Client:
        from google.cloud.firestore_v1.services.firestore import FirestoreClient
        from google.cloud.firestore_v1.services.firestore.transports import FirestoreGrpcTransport

        from shared.adapters.google_clients import firestore_client

        client = firestore_client(self.settings)
        api = client._firestore_api_internal
        assert api is not None
        channel = api._transport.grpc_channel  # the app's own channel, with its options
        counted = grpc.intercept_channel(channel, self.counter)
        client._firestore_api_internal = FirestoreClient(transport=FirestoreGrpcTransport(channel=counted))
        return client


@dataclass(frozen=True)
class OperationCounts:
    """What one operation cost. `google_calls`: Calendar and OAuth calls (Secret Manager and Cloud Tasks
    have their own columns)."""

    round_trips: str
    read: int  # documents returned, plus documents asked for by id and missing (Firestore bills both)
    written: int
    enqueued: int
    google_calls: str
    secret_reads: int
    written_per_month: int = 0  # documents written per UTC month of the busy mirror's horizon (M)

    def row(self, operation: str, entry: str) -> str:
        written = f"{self.written} + {self.written_per_month}M" if self.written_per_month else str(self.written)
        cells = [operation, entry, self.round_trips, str(self.read), written.replace("+ 1M", "+ M"), str(self.enqueued)]
        return "| " + " | ".join([*cells, self.google_calls, str(self.secret_reads)]) + " |"


TABLE_HEADER = (
    "| operation | entry point | Firestore round trips | documents read | documents written | Cloud Tasks enqueues "
    "| Google API calls | Secret Manager reads |\n|---|---|---|---|---|---|---|---|"
)


def google_calls(calls: Counter[str]) -> str:
    """e.g. "1 calendar.freebusy.query"; "0" for none."""
    named = sorted((name, n) for name, n in calls.items() if n and name.startswith(("calendar.", "oauth.")))
    return ", ".join(f"{n} {name}" for name, n in named) or "0"


class Meter:
    """Counts what `measure(action)` costs: the app's Firestore RPCs and the sandbox's calls meanwhile."""

    def __init__(self, counter: FirestoreCounter, google: Google) -> None:
        self.counter, self.google = counter, google

    def measure(self, action: Callable[[], Any]) -> OperationCounts:
        before = Counter(self.google.state()["calls"])
        self.counter.take()
        action()
        firestore = self.counter.take()
        calls = Counter(self.google.state()["calls"])
        calls.subtract(before)
        return OperationCounts(
            round_trips=firestore.round_trips(),
            read=firestore.found + firestore.missing,
            written=firestore.written,
            enqueued=calls["cloudtasks.create_task"],
            google_calls=google_calls(calls),
            secret_reads=sum(n for name, n in calls.items() if name.startswith("secretmanager.access")),
        )
