"""One-off data migrations, each idempotent and resumable: run once before a release that needs them.

`python -m shared.adapters.firestore.migrations holder-ids` (with the deploy's credentials and
`GOOGLE_CLOUD_PROJECT`) writes `holder_ids = [host_id]` on every booking stored before collective team
bookings (issue 28): a host's booking list, export and closure find bookings by `array_contains` on that field,
and Firestore indexes no missing field, so without it those bookings would vanish from their host's list.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from shared.adapters.firestore.bookings import HOLDER_IDS
from shared.adapters.firestore.collections import BOOKINGS
from shared.adapters.firestore.deadlines import reads, writes

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client

PAGE = 400  # documents per read and per batch write (a batch takes 500)


def backfill_holder_ids(db: Client) -> int:
    """Every booking without `holder_ids` gets `[host_id]`, a page at a time in document order (each page its
    own batch, so a run cut short keeps its work and a second run resumes); answers how many it wrote."""
    written, after = 0, None
    query = db.collection(BOOKINGS).select(["host_id", HOLDER_IDS]).order_by("__name__")
    while True:
        page = list((query.start_after(after) if after else query).limit(PAGE).stream(**reads()))
        if not page:
            return written
        batch, missing = db.batch(), 0
        for snapshot in page:
            stored = snapshot.to_dict() or {}
            if HOLDER_IDS not in stored and stored.get("host_id"):
                batch.update(snapshot.reference, {HOLDER_IDS: [stored["host_id"]]})
                missing += 1
        if missing:
            batch.commit(**writes())
            written += missing
        after = page[-1]


def main(argv: list[str]) -> int:
    from google.cloud import firestore

    if argv != ["holder-ids"]:
        print("usage: python -m shared.adapters.firestore.migrations holder-ids", file=sys.stderr)
        return 2
    print(f"holder_ids written on {backfill_holder_ids(firestore.Client())} bookings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
