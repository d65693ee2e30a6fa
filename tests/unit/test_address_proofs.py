"""Proof of address against the fakes: one address form for comparisons, a mailed link that works once and
briefly and is stored only as a keyed hash, and invitee changes that pass a restriction while the host's wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.address_proof import GRANT_TTL, PROOF_TTL, AddressGrant, keyed_hash
from shared.domain.booking import ERASED_EMAIL, Booking, Invitee, normalised_email
from shared.domain.errors import AddressProofExpired, AddressProofInvalid, AddressProofUsed
from shared.services.address_proofs import OpenGrant, RedeemProof, RequestProof, granted, redeem, request_proof
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.changes import change_booking
from shared.services.privacy import Export, SetProcessing, export, set_processing
from shared.services.retention import RetentionPeriods, purge_expired
from tests.unit import fakes
from tests.unit.fakes import FakeMailer, FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)
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
    ports = FakePorts()
    mailer = ports.mailer

    request_proof(RequestProof("ADA@example.org"), ports.at(NOW))
    token = mailed_token(mailer)
    grant_token, grant = redeem(RedeemProof(token), ports.at(NOW))

    assert mailer.sent[0].to == "ada@example.org"
    assert ports.db.ids("address_proofs") == {keyed_hash(ports.keys.manage(), token)}
    assert token not in str(ports.db.records)
    assert grant.email == "ada@example.org"
    assert granted(OpenGrant(grant_token), ports.at(NOW + timedelta(minutes=29))) == grant
    with pytest.raises(AddressProofUsed):
        redeem(RedeemProof(token), ports.at(NOW))
    with pytest.raises(AddressProofExpired):
        granted(OpenGrant(grant_token), ports.at(NOW + timedelta(minutes=31)))
    with pytest.raises(AddressProofInvalid):
        granted(OpenGrant("ag." + "x" * 43), ports.at(NOW))


def test_an_expired_or_forged_link_gives_nothing_and_the_purge_takes_old_proofs() -> None:
    ports = FakePorts()
    mailer = ports.mailer
    request_proof(RequestProof("ada@example.org"), ports.at(NOW))
    token = mailed_token(mailer)

    with pytest.raises(AddressProofExpired):
        redeem(RedeemProof(token), ports.at(NOW + PROOF_TTL))
    with pytest.raises(AddressProofInvalid):
        redeem(RedeemProof("ap." + "x" * 43), ports.at(NOW))
    with pytest.raises(AddressProofInvalid):
        redeem(RedeemProof("not a token"), ports.at(NOW))
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

    grant = AddressGrant(email="Ada@Example.org", granted_at=NOW, expires_at=NOW + GRANT_TTL)

    exported = export(Export(grant, complaint={}), ports.at(NOW))

    assert {b["id"]: b["notes"] for b in exported["bookings"]} == {"b1": "first", "b2": "second"}


def test_a_restricted_invitees_own_change_is_written_to_google_but_a_host_change_waits() -> None:
    ports = FakePorts()
    given(ports.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=[fakes.a_booking(START, id="b1")])
    reconcile_booking(ReconcileBooking("b1", 1), ports.at(NOW))
    set_processing(SetProcessing(fakes.a_booking(START, id="b1"), "restricted", True), ports.at(NOW))

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
    ports = FakePorts()
    mailer = ports.mailer

    request_proof(RequestProof(ERASED_EMAIL), ports.at(NOW))

    assert mailer.sent == []
    assert ports.db.ids("address_proofs") == set()
