"""Proof of address against the fakes: one address form for comparisons, a mailed link that works once and
briefly and is stored only as a keyed hash, and invitee changes that pass a restriction while the host's wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.address_proof import PROOF_TTL, keyed_hash
from shared.domain.booking import ERASED_EMAIL, Booking, Invitee, normalised_email
from shared.domain.errors import AddressProofExpired, AddressProofInvalid, AddressProofUsed
from shared.services.address_proofs import granted, redeem, request_proof
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.changes import change_booking
from shared.services.privacy import export_address, set_invitee_processing
from shared.services.retention import RetentionPeriods, purge_expired
from tests.unit import fakes
from tests.unit.fakes import FakeMailer, FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)
KEY = "app-secret"
ADA = Invitee(name="Ada", email="ada@example.org", time_zone="UTC")
PERIODS = RetentionPeriods(timedelta(days=365), timedelta(days=730), timedelta(days=1095))


def mailed_token(mailer: FakeMailer) -> str:
    (mail,) = mailer.sent
    return mail.text.split("#proof=")[1].split()[0]


def test_addresses_compare_without_case_and_limits_also_without_a_tag() -> None:
    assert normalised_email(" Ada+Work@Example.ORG ") == "ada+work@example.org"
    assert normalised_email("Ada+Work@Example.ORG", for_limits=True) == "ada@example.org"
    assert normalised_email("+only@example.org", for_limits=True) == "+only@example.org"


def test_a_mailed_link_works_once_and_is_stored_only_as_a_keyed_hash() -> None:
    ports, mailer = FakePorts(), FakeMailer()

    request_proof("ADA@example.org", NOW, ports.uow(), mailer, KEY, "https://kaleno.app")
    token = mailed_token(mailer)
    grant_token, grant = redeem(token, NOW, ports.uow(), KEY)

    assert mailer.sent[0].to == "ada@example.org"
    assert ports.db.ids("address_proofs") == {keyed_hash(KEY, token)}
    assert token not in str(ports.db.records)
    assert grant.email == "ada@example.org"
    assert granted(grant_token, NOW + timedelta(minutes=29), ports.uow(), KEY) == grant
    with pytest.raises(AddressProofUsed):
        redeem(token, NOW, ports.uow(), KEY)
    with pytest.raises(AddressProofExpired):
        granted(grant_token, NOW + timedelta(minutes=31), ports.uow(), KEY)
    with pytest.raises(AddressProofInvalid):
        granted("ag." + "x" * 43, NOW, ports.uow(), KEY)


def test_an_expired_or_forged_link_gives_nothing_and_the_purge_takes_old_proofs() -> None:
    ports, mailer = FakePorts(), FakeMailer()
    request_proof("ada@example.org", NOW, ports.uow(), mailer, KEY, "https://kaleno.app")
    token = mailed_token(mailer)

    with pytest.raises(AddressProofExpired):
        redeem(token, NOW + PROOF_TTL, ports.uow(), KEY)
    with pytest.raises(AddressProofInvalid):
        redeem("ap." + "x" * 43, NOW, ports.uow(), KEY)
    with pytest.raises(AddressProofInvalid):
        redeem("not a token", NOW, ports.uow(), KEY)
    counts = purge_expired(PERIODS, ports.at(NOW + PROOF_TTL + timedelta(seconds=1)))

    assert counts["address_proofs_deleted"] == 1
    assert ports.db.ids("address_proofs") == set()


def test_a_proven_address_exports_its_bookings_with_every_host_and_nobody_elses() -> None:
    other = Invitee(name="Olga", email="olga@example.org", time_zone="UTC")
    ports = FakePorts()
    bookings = [
        fakes.a_booking(START, id="b1", invitee=ADA, notes="first"),
        fakes.a_booking(START, id="b2", host_id="h2", invitee=ADA, notes="second"),
        fakes.a_booking(START + timedelta(hours=2), id="b3", invitee=other, notes="olga's"),
    ]
    given(ports.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=bookings)

    exported = export_address("Ada@Example.org", NOW, ports.uow(), {})

    assert {b["id"]: b["notes"] for b in exported["bookings"]} == {"b1": "first", "b2": "second"}


def test_a_restricted_invitees_own_change_is_written_to_google_but_a_host_change_waits() -> None:
    ports = FakePorts()
    given(ports.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=[fakes.a_booking(START, id="b1")])
    reconcile_booking(ReconcileBooking("b1", 1), ports.at(NOW))
    set_invitee_processing(fakes.a_booking(START, id="b1"), {"restricted": True}, NOW, ports.uow(), ports.tasks)

    by_host = change_booking("b1", lambda b: b.cancelled("host's reason"), ports.uow())
    held = reconcile_booking(ReconcileBooking("b1", 2), ports.at(NOW))
    by_invitee = change_booking("b1", Booking.asked_by_invitee, ports.uow())
    written = reconcile_booking(ReconcileBooking("b1", 2), ports.at(NOW))

    assert by_host is not None
    assert by_invitee is not None
    assert (by_host.held_back, by_invitee.held_back) == (True, False)
    assert (held, written) == ("processing_paused", "synced")
    assert ports.calendar.calls.count("delete") == 1


def test_the_address_erased_bookings_share_is_never_proven() -> None:
    ports, mailer = FakePorts(), FakeMailer()

    request_proof(ERASED_EMAIL, NOW, ports.uow(), mailer, KEY, "https://kaleno.app")

    assert mailer.sent == []
    assert ports.db.ids("address_proofs") == set()
