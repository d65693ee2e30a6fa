"""The proof-of-address repository and the bookings' address reads, one contract run against the fake and
the official emulator: a proof is saved only if unchanged since read (two openings at once: one wins),
grants are found by their hash, an address's records are listed, and what expired is purged."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.address_proof import AddressGrant, AddressProof
from shared.domain.booking import Invitee
from shared.services.errors import Contention
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store
from tests.unit import fakes

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def units(store: Store) -> Callable[[], UnitOfWork]:
    """A maker of units of work over one store: the fake's dict, or the emulator (tests/contract/conftest.py)."""
    return store.uow


def test_a_proof_is_saved_only_if_unchanged_since_read(units: Callable[[], UnitOfWork]) -> None:
    token_hash, email = uuid.uuid4().hex * 2, f"ada-{uuid.uuid4().hex[:6]}@example.org"
    proof = AddressProof(email=email, requested_at=NOW, expires_at=NOW + timedelta(minutes=30))
    with (first := units()):
        first.address_proofs.add(token_hash, proof)
        first.commit()
    one, two = units(), units()

    with one, two:
        read_by_one, read_by_two = one.address_proofs.get(token_hash), two.address_proofs.get(token_hash)
        one.address_proofs.save(token_hash, proof.redeemed(NOW))
        one.commit()
        two.address_proofs.save(token_hash, proof.redeemed(NOW))
        with pytest.raises(Contention):
            two.commit()

    assert read_by_one == read_by_two == proof
    assert units().address_proofs.get(token_hash) == proof.redeemed(NOW)
    assert units().address_proofs.get("not-a-hash") is None


def test_grants_are_found_by_hash_an_address_lists_its_records_and_expired_ones_are_purged(
    units: Callable[[], UnitOfWork],
) -> None:
    email, grant_hash = f"ada-{uuid.uuid4().hex[:6]}@example.org", uuid.uuid4().hex * 2
    grant = AddressGrant(email=email, granted_at=NOW, expires_at=NOW + timedelta(minutes=30))
    proof = AddressProof(email=email, requested_at=NOW, expires_at=NOW + timedelta(minutes=30))
    with (uow := units()):
        uow.address_proofs.add(uuid.uuid4().hex * 2, proof)
        uow.address_proofs.add_grant(grant_hash, grant)
        uow.commit()

    found = units().address_proofs.grant(grant_hash)
    listed = units().address_proofs.of_address(email)
    purged = units().address_proofs.purge(NOW + timedelta(hours=1))

    assert found == grant
    assert sorted(record["kind"] for record in listed) == ["grant", "proof"]
    assert purged["address_proofs_deleted"] >= 1
    assert purged["address_grants_deleted"] >= 1
    assert units().address_proofs.of_address(email) == []


def test_bookings_are_found_by_address_across_hosts_and_places_by_their_claims(
    units: Callable[[], UnitOfWork],
) -> None:
    email = f"ada-{uuid.uuid4().hex[:6]}@example.org"
    ada = Invitee(name="Ada", email=email, time_zone="UTC")
    start = datetime(2027, 3, 8, 10, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 1000)
    bookings = [
        fakes.a_booking(start, id=uuid.uuid4().hex, host_id=f"h{uuid.uuid4().hex[:8]}", invitee=ada, invitee_claim=p)
        for p in (f"x{uuid.uuid4().hex}", None)
    ]
    with (uow := units()):
        for booking in bookings:
            uow.bookings.add(booking, None)
        uow.commit()

    found = units().bookings.of_address(email)
    taken = units().bookings.places_taken([str(bookings[0].invitee_claim), "nobody-holds-this"])

    assert {b.id for b in found} == {b.id for b in bookings}
    assert taken == {bookings[0].invitee_claim}
