"""User rights against dict-backed fakes: erasure resumes after a failure, invitees keep only their time,
restriction pauses Google and lifting it resumes, retention deletes exactly what is past its period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.booking import ERASED_EMAIL, Booking, Invitee, SyncState
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.consent import RecordConsent, record_consent
from shared.services.errors import GoogleUnavailable
from shared.services.privacy import (
    ERASE_HOST_STEPS,
    Erase,
    Export,
    RunHostErasure,
    SetProcessing,
    erase,
    export,
    run_host_erasure,
    set_processing,
)
from shared.services.records import Erasure
from shared.services.retention import RetentionPeriods, purge_expired
from tests.unit import fakes
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)
INES = Invitee(name="Ines", email="ines@example.org", time_zone="UTC")


def a_booking(booking_id: str = "b1", start: datetime = START, invitee: Invitee = INES, **fields: Any) -> Booking:
    """The fakes' booking, with a note (erasure must remove it)."""
    return fakes.a_booking(start, **{"id": booking_id, "invitee": invitee, "notes": "about the contract", **fields})


def ports_with(*bookings: Booking) -> FakePorts:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=bookings)
    ports.secrets.store_refresh_token("h1", "refresh-token")
    return ports


def test_a_host_erasure_that_failed_halfway_finishes_on_retry_with_nothing_left() -> None:
    ports = ports_with(a_booking("b1"), a_booking("b2", START + timedelta(hours=2)))
    for booking_id in ("b1", "b2"):
        reconcile_booking(ReconcileBooking(booking_id, 1), ports.at(NOW))
    erasure = erase(Erase(a_host()), ports)
    assert isinstance(erasure, Erasure)
    ports.calendar.failure = GoogleUnavailable(503, None)

    with pytest.raises(GoogleUnavailable):
        run_host_erasure(RunHostErasure(erasure.id, "h1"), ports)
    ports.calendar.failure = None
    done = run_host_erasure(RunHostErasure(erasure.id, "h1"), ports)

    assert done.state == "done"
    assert set(done.steps) == set(ERASE_HOST_STEPS)
    assert ports.calendar.events == {}
    assert ports.secrets.refresh_tokens == {}
    assert ports.google.revoked == ["refresh-token"]
    left = {key for key, stored in ports.db.records.items() if "h1" in f"{key} {stored.value}"}
    assert left == set()


def test_an_invitee_erasure_keeps_the_time_and_drops_every_personal_field() -> None:
    other = Invitee(name="Olga", email="olga@example.org", time_zone="UTC")
    ports = ports_with(a_booking("b1"), a_booking("b2", START + timedelta(hours=2), invitee=other))

    receipt = erase(Erase(a_booking("b1")), ports)

    erased, kept = ports.uow().bookings.get("b1"), ports.uow().bookings.get("b2")
    assert receipt == {"erased_at": NOW.isoformat(), "steps": {"bookings_anonymised": 1}}
    assert erased is not None
    assert kept is not None
    assert (erased.start, erased.end) == (START, START + timedelta(minutes=30))
    assert erased.invitee.email == ERASED_EMAIL
    assert erased.notes is None
    assert erased.version == 2  # Google's copy follows through the sync task
    assert kept.invitee == other


def test_an_invitee_restriction_keeps_their_booking_out_of_google_until_lifted() -> None:
    ports = ports_with(a_booking())

    restricted = set_processing(SetProcessing(a_booking(), "restricted", True), ports)
    paused = reconcile_booking(ReconcileBooking("b1", 1), ports.at(NOW))
    lifted = set_processing(SetProcessing(a_booking(), "restricted", False), ports)
    resumed = ports.uow().bookings.get("b1")
    assert resumed is not None
    synced = reconcile_booking(ReconcileBooking("b1", resumed.version), ports.at(NOW))

    assert (restricted.restricted, lifted.restricted) == (True, False)
    assert paused == "processing_paused"
    assert ports.calendar.calls.count("insert") == 1  # only after the restriction was lifted
    assert synced == "synced"
    stored = ports.uow().bookings.get("b1")
    assert stored is not None
    assert stored.sync_state is SyncState.SYNCED


def test_retention_deletes_bookings_only_after_their_period() -> None:
    long_ago, recently = NOW - timedelta(days=400), NOW - timedelta(days=30)
    ports = ports_with(a_booking("old", long_ago), a_booking("recent", recently), a_booking("next", START))
    periods = RetentionPeriods(
        bookings=timedelta(days=365), audit_entries=timedelta(days=730), erasure_receipts=timedelta(days=1095)
    )

    counts = purge_expired(periods, ports.at(NOW))

    assert counts["bookings_deleted"] == 1
    assert {key[1] for key in ports.db.records if key[0] == "bookings"} == {"recent", "next"}


def test_an_export_holds_this_browsers_cookie_choices_only_under_an_id_kaleno_issued() -> None:
    ports = ports_with(a_booking())
    record = record_consent(RecordConsent(None, True, "v1", timedelta(days=365)), ports)
    forged = f"{record.id.partition('.')[0]}.forged"

    issued = export(Export(a_booking(), {}, record.id), ports)
    planted = export(Export(a_booking(), {}, forged), ports)

    assert issued["cookie_consent"]["policy_versions_answered"][0]["policy_version"] == "v1"
    assert [b["id"] for b in issued["bookings"]] == ["b1"]
    assert planted["cookie_consent"] is None
