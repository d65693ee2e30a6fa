"""Private event types and single-use links: the rules, and the use cases against dict-backed fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.config import get_settings
from shared.domain.errors import (
    EventTypeNotFound,
    InvalidLinkRequest,
    LinkExpired,
    LinkLimitReached,
    LinkNotFound,
    LinkUsed,
)
from shared.domain.event_type import EventType
from shared.domain.host import Host
from shared.domain.links import (
    KEPT_AFTER_END,
    BookingLink,
    LinkRequest,
    LinkState,
    Visibility,
    link_id_of,
    link_token_hash,
)
from shared.services.availability import OpenBookingPage, Visitor, booking_page
from shared.services.booking import Book, book
from shared.services.hosts import DeleteEventType, delete_event_type
from shared.services.links import (
    MAX_ACTIVE_LINKS,
    CreateLink,
    RevokeLink,
    create_link,
    links_of,
    revoke_link,
)
from shared.services.retention import RetentionPeriods, purge_expired
from tests.unit.fakes import FakePorts, a_host
from tests.unit.test_booking_service import NOW, START, a_request, ada, host_cancels

PRIVATE = EventType(slug="intro", title="Intro call", duration_minutes=30, visibility=Visibility.PRIVATE)
DAY = timedelta(days=1)


def a_link(**fields: Any) -> BookingLink:
    return BookingLink.model_validate(
        {"id": "lk" + "0" * 20, "host_id": "h1", "event_type_id": "et1", "token_hash": "x", "created_at": NOW, **fields}
    )


def new_link(ports: FakePorts, host: Host, request: LinkRequest) -> tuple[BookingLink, str]:
    """The host creates a link to event type et1 at NOW: the link and its token."""
    ports.time = NOW
    created = create_link(CreateLink(host, "et1", request), ports)
    return created.link, created.token


def revoke(ports: FakePorts, command: RevokeLink, at: datetime) -> BookingLink:
    ports.time = at
    return revoke_link(command, ports)


def private_ada() -> FakePorts:
    return ada(PRIVATE)


def book_with(ports: FakePorts, token: str | None, start: datetime = START, email: str = "ines@example.org") -> Any:
    return book(Book(a_request(start, email=email, link=token), None), ports)


# --- the rules -----------------------------------------------------------------------------------------
def test_a_link_is_active_until_used_revoked_or_past_its_expiry() -> None:
    link = a_link(expires_at=NOW + DAY)

    assert link.state(NOW) is LinkState.ACTIVE
    assert link.state(NOW + DAY) is LinkState.EXPIRED
    assert link.revoked(NOW).state(NOW) is LinkState.REVOKED
    assert link.used_for("b1", NOW).state(NOW + 2 * DAY) is LinkState.USED  # used stays used, past its expiry too


def test_an_ended_link_cannot_be_used_and_says_why() -> None:
    with pytest.raises(LinkUsed, match="already used"):
        a_link().used_for("b1", NOW).used_for("b2", NOW)
    with pytest.raises(LinkExpired, match="expired or was withdrawn"):
        a_link().revoked(NOW).ensure_usable(NOW)
    with pytest.raises(LinkExpired):
        a_link(expires_at=NOW).ensure_usable(NOW)


def test_a_link_is_purged_thirty_days_after_it_stopped_opening_anything() -> None:
    assert a_link().purge_at is None  # open, no expiry: kept until revoked or erased
    assert a_link(expires_at=NOW).purge_at == NOW + KEPT_AFTER_END
    assert a_link().revoked(NOW).purge_at == NOW + KEPT_AFTER_END
    assert a_link(expires_at=NOW + DAY).used_for("b1", NOW).purge_at == NOW + DAY + KEPT_AFTER_END


def test_only_a_token_shaped_value_names_a_link() -> None:
    assert link_id_of("lk" + "a" * 20 + "." + "B" * 43) == "lk" + "a" * 20
    assert link_id_of("lk" + "a" * 20) is None
    assert link_id_of("../x." + "B" * 43) is None


# --- the use cases -------------------------------------------------------------------------------------
def test_a_private_type_is_not_listed_and_opens_only_with_its_own_link() -> None:
    ports = private_ada()
    host = a_host()
    _, token = new_link(ports, host, LinkRequest())

    with pytest.raises(EventTypeNotFound, match="no event type 'intro'"):
        booking_page(OpenBookingPage("ada", "intro"), ports)
    page, _, _ = booking_page(OpenBookingPage("ada", "intro", Visitor(token)), ports)

    assert page.listed() == {}
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(EventTypeNotFound):
        booking_page(OpenBookingPage("ada", "intro", Visitor(forged)), ports)


def test_a_new_links_address_carries_its_token_in_the_fragment_and_only_its_hash_is_stored() -> None:
    ports = private_ada()
    ports.time = NOW

    created = create_link(CreateLink(a_host(), "et1", LinkRequest()), ports)

    assert created.url == f"{get_settings().base_url.rstrip('/')}/ada/intro#link={created.token}"
    assert created.link.token_hash == link_token_hash(created.token)
    assert created.token not in str(ports.db.records)


def test_a_link_books_once_and_cancelling_does_not_give_it_back() -> None:
    ports = private_ada()
    _, token = new_link(ports, a_host(), LinkRequest())

    booked = book_with(ports, token)
    host_cancels(ports, booked.booking, None)

    assert booked.booking.link_id == link_id_of(token)
    with pytest.raises(LinkUsed):
        book_with(ports, token, START + timedelta(hours=1), "other@example.org")
    (listed,) = links_of(a_host(), "et1", ports)
    assert (listed.state(NOW), listed.booking_id) == (LinkState.USED, booked.booking.id)


def test_a_booking_that_loses_the_links_claim_is_told_the_link_was_used() -> None:
    ports = private_ada()
    link, token = new_link(ports, a_host(), LinkRequest())
    with ports.uow() as uow:  # someone else's booking committed the claim between our read and our commit
        uow.links.claim(link.used_for("elsewhere", NOW))
        uow.commit()

    with pytest.raises(LinkUsed):
        book_with(ports, token)

    assert ports.db.ids("bookings") == set()


def test_revoking_is_idempotent_refused_for_a_used_link_and_unknown_links_are_not_found() -> None:
    ports = private_ada()
    host = a_host()
    first, first_token = new_link(ports, host, LinkRequest())
    second, second_token = new_link(ports, host, LinkRequest())
    book_with(ports, second_token)

    revoked = revoke(ports, RevokeLink(host, "et1", first.id), NOW)
    again = revoke(ports, RevokeLink(host, "et1", first.id), NOW + DAY)

    assert revoked.revoked_at == NOW
    assert again.revoked_at == NOW
    with pytest.raises(LinkExpired):
        book_with(ports, first_token)
    with pytest.raises(LinkUsed):
        revoke(ports, RevokeLink(host, "et1", second.id), NOW)
    with pytest.raises(LinkNotFound):
        revoke(ports, RevokeLink(host, "et2", first.id), NOW)


def test_deleting_an_event_type_revokes_its_open_links_so_the_purge_takes_them() -> None:
    ports = private_ada()
    host = a_host()
    _, used = new_link(ports, host, LinkRequest())
    open_, _ = new_link(ports, host, LinkRequest())  # no expiry: kept until revoked
    book_with(ports, used)

    withdrawn = delete_event_type(DeleteEventType(host, "et1"), ports)

    assert withdrawn == 1
    states = {link.id: link.state(NOW) for link in ports.uow().links.of_event_type("h1", "et1")}
    assert states[open_.id] is LinkState.REVOKED
    assert sorted(states.values()) == sorted([LinkState.REVOKED, LinkState.USED])
    assert all(link.purge_at is not None for link in ports.uow().links.of_event_type("h1", "et1"))


def test_an_expiry_in_the_past_is_refused_on_its_field() -> None:
    ports = private_ada()

    with pytest.raises(InvalidLinkRequest) as refused:
        new_link(ports, a_host(), LinkRequest(expires_at=NOW))

    assert refused.value.problems == [("expires_at", "expiry-not-future", {})]


def test_the_purge_deletes_links_and_claims_past_their_purge_time_only() -> None:
    ports = private_ada()
    host = a_host()
    new_link(ports, host, LinkRequest(expires_at=NOW + DAY))
    _, used = new_link(ports, host, LinkRequest())
    new_link(ports, host, LinkRequest())
    book_with(ports, used)
    later = NOW + DAY + KEPT_AFTER_END + timedelta(seconds=1)
    periods = RetentionPeriods(bookings=3650 * DAY, audit_entries=3650 * DAY, erasure_receipts=3650 * DAY)

    counts = purge_expired(periods, ports.at(later))

    assert (counts["booking_links_deleted"], counts["link_claims_deleted"]) == (2, 1)
    assert len(ports.db.ids("booking_links")) == 1


def test_links_are_exported_without_their_hash_and_erased_with_the_host() -> None:
    ports = private_ada()
    _, token = new_link(ports, a_host(), LinkRequest())
    book_with(ports, token)
    uow = ports.uow()

    exported = uow.links.export_subject("h1")
    with uow:
        erased = uow.links.erase_subject("h1")
        uow.commit()

    assert [set(link) for link in exported] == [set(BookingLink.model_fields) - {"token_hash"}]
    assert erased == 2
    assert ports.db.ids("booking_links") == ports.db.ids("link_claims") == set()


def test_a_retry_with_the_same_idempotency_key_replays_the_booking_its_link_made() -> None:
    ports = private_ada()
    _, token = new_link(ports, a_host(), LinkRequest())
    request = a_request(START, link=token)

    first = book(Book(request, "key-0001"), ports)
    again = book(Book(request, "key-0001"), ports)

    assert again.replayed
    assert again.booking.id == first.booking.id
    assert len(ports.db.ids("bookings")) == 1


def test_an_event_type_holds_a_bounded_number_of_open_links() -> None:
    ports, host = private_ada(), a_host()
    for _ in range(MAX_ACTIVE_LINKS - 1):
        new_link(ports, host, LinkRequest())
    last, _ = new_link(ports, host, LinkRequest())

    with pytest.raises(LinkLimitReached):
        new_link(ports, host, LinkRequest())
    revoke(ports, RevokeLink(host, "et1", last.id), NOW)
    new_link(ports, host, LinkRequest())  # a revoked link no longer counts
