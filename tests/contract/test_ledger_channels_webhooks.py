"""ChannelRepository, AuditLog, WebhookRepository and WebhookDeliveryRepository: adds, conditional saves,
queries, purges, and what a subject's export and erasure reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.webhooks import DeliveryState, HostWebhooks, WebhookDelivery, WebhookEndpoint, WebhookEvent
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from shared.services.records import Channel, ClosedBooking, ConsentRecord, Erasure
from tests.contract.conftest import Store

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


# --- watch channels --------------------------------------------------------------------------------------
def a_channel(channel_id: str, host_id: str = "h1") -> Channel:
    return Channel(id=channel_id, host_id=host_id, resource_id=f"res-{channel_id}", expires_at=NOW + timedelta(days=7))


def test_channels_are_added_once_found_and_removed(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        for channel in (a_channel("kal-1"), a_channel("kal-2"), a_channel("kal-3", "h2")):
            uow.channels.add(channel)

    store.commit(arrange)
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.channels.add(a_channel("kal-1", "h2")))

    assert store.read(lambda uow: uow.channels.get("kal-1")) == a_channel("kal-1")
    assert sorted(c.id for c in store.read(lambda uow: uow.channels.of_host("h1"))) == ["kal-1", "kal-2"]
    store.commit(lambda uow: uow.channels.remove("kal-1"))
    assert store.read(lambda uow: uow.channels.get("kal-1")) is None

    exported = store.read(lambda uow: uow.channels.export_subject("h1"))
    assert exported == [a_channel("kal-2").model_dump(mode="json", exclude={"resource_id"})]
    assert store.commit(lambda uow: uow.channels.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.channels.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.channels.get("kal-3")) == a_channel("kal-3", "h2")


# --- the ledger ------------------------------------------------------------------------------------------
def test_ledger_entries_are_exported_and_erased_by_subject_and_purged_by_age(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        uow.audit.record("calendar.busy_read", "h1", "ok", NOW)
        uow.audit.record("calendar.busy_read", "h1", "ok", NOW)  # the same entry twice: two entries
        uow.audit.record("rights.export", "h1", "done", NOW + timedelta(days=30))
        uow.audit.record("calendar.busy_read", "h2", "ok", NOW)

    store.commit(arrange)

    exported = store.read(lambda uow: uow.audit.export_subject("h1"))
    assert sorted(exported, key=lambda entry: (str(entry["at"]), str(entry["action"]))) == [
        {"action": "calendar.busy_read", "outcome": "ok", "at": NOW.isoformat()},
        {"action": "calendar.busy_read", "outcome": "ok", "at": NOW.isoformat()},
        {"action": "rights.export", "outcome": "done", "at": (NOW + timedelta(days=30)).isoformat()},
    ]
    far = datetime(2000, 1, 1, tzinfo=UTC)
    purged = store.read(lambda uow: uow.audit.purge(NOW, entries_before=NOW + timedelta(days=1), receipts_before=far))
    assert purged == {"audit_deleted": 3, "erasures_deleted": 0, "consents_deleted": 0, "closed_bookings_deleted": 0}
    assert store.commit(lambda uow: uow.audit.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.audit.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.audit.export_subject("h1")) == []


def test_receipts_consents_and_closed_bookings_are_saved_on_condition_and_purged(store: Store) -> None:
    receipt = Erasure(id="er" + "0" * 32, requested_at=NOW)
    consent = ConsentRecord(
        id="c" * 32, analytics=False, policy_version="2027-01", decided_at=NOW, expires_at=NOW + timedelta(days=180)
    )
    closed = ClosedBooking(booking_id="b" * 32, closed_at=NOW, expires_at=NOW + timedelta(days=30))

    def arrange(uow: UnitOfWork) -> None:
        uow.audit.save_receipt(receipt)
        uow.audit.save_consent(consent)
        uow.audit.save_closed_booking(closed)

    store.commit(arrange)
    assert store.read(lambda uow: uow.audit.receipt(receipt.id)) == receipt
    assert store.read(lambda uow: uow.audit.consent(consent.id)) == consent
    assert store.read(lambda uow: uow.audit.closed_booking(closed.booking_id)) == closed
    assert store.read(lambda uow: uow.audit.receipt("er" + "1" * 32)) is None

    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.audit.receipt(receipt.id), b.audit.receipt(receipt.id)
        assert read_by_a is not None
        assert read_by_b is not None
        b.audit.save_receipt(read_by_b.model_copy(update={"steps": {"pages": NOW}}))
        b.commit()
        a.audit.save_receipt(read_by_a.model_copy(update={"state": "done", "finished_at": NOW}))
        with pytest.raises(Contention):
            a.commit()

    purged = store.read(
        lambda uow: uow.audit.purge(
            NOW + timedelta(days=60), entries_before=NOW, receipts_before=NOW + timedelta(seconds=1)
        )
    )
    assert purged == {"audit_deleted": 0, "erasures_deleted": 1, "consents_deleted": 0, "closed_bookings_deleted": 1}
    assert store.read(lambda uow: uow.audit.consent(consent.id)) == consent


# --- webhooks ------------------------------------------------------------------------------------------
def an_endpoint(number: int) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=f"wh{number:020x}",
        url=f"https://hooks.example.com/{number}",
        events=(WebhookEvent.BOOKING_CREATED,),
        created_at=NOW + timedelta(minutes=number),
    )


def test_a_hosts_endpoints_are_saved_together_on_condition_nobody_changed_them(store: Store) -> None:
    assert store.read(lambda uow: uow.webhooks.of_host("h1")) == HostWebhooks(host_id="h1")
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.webhooks.of_host("h1"), b.webhooks.of_host("h1")
        b.webhooks.save(read_by_b.added(an_endpoint(1), limit=5))
        b.commit()
        a.webhooks.save(read_by_a.added(an_endpoint(2), limit=5))  # read as none: must still be none
        with pytest.raises(AlreadyStored):
            a.commit()

    with store.uow() as a, store.uow() as b:
        read_by_a, read_by_b = a.webhooks.of_host("h1"), b.webhooks.of_host("h1")
        b.webhooks.save(read_by_b.added(an_endpoint(3), limit=5))
        b.commit()
        a.webhooks.save(read_by_a.added(an_endpoint(2), limit=5))
        with pytest.raises(Contention):
            a.commit()

    found = store.read(lambda uow: uow.webhooks.of_host("h1"))
    assert found == HostWebhooks(host_id="h1", endpoints=(an_endpoint(1), an_endpoint(3)))
    assert store.read(lambda uow: uow.webhooks.export_subject("h1")) == [
        an_endpoint(n).model_dump(mode="json") for n in (1, 3)
    ]


def test_a_host_left_without_endpoints_has_no_record(store: Store) -> None:
    store.commit(lambda uow: uow.webhooks.save(HostWebhooks(host_id="h1", endpoints=(an_endpoint(1),))))
    store.commit(lambda uow: uow.webhooks.save(uow.webhooks.of_host("h1").without(an_endpoint(1).id)))

    assert store.read(lambda uow: uow.webhooks.export_subject("h1")) == []
    assert store.commit(lambda uow: uow.webhooks.erase_subject("h1")) == 0
    store.commit(lambda uow: uow.webhooks.save(HostWebhooks(host_id="h1", endpoints=(an_endpoint(2),))))
    assert store.commit(lambda uow: uow.webhooks.erase_subject("h1")) == 1
    assert store.read(lambda uow: uow.webhooks.of_host("h1")) == HostWebhooks(host_id="h1")


def a_delivery(number: int, endpoint: int = 1, host_id: str = "h1", booking_id: str = "b" * 32) -> WebhookDelivery:
    created = NOW + timedelta(minutes=number)
    return WebhookDelivery(
        id=f"dl{number:020x}",
        host_id=host_id,
        endpoint_id=an_endpoint(endpoint).id,
        event=WebhookEvent.BOOKING_CREATED,
        event_id=f"ev{number}",
        booking_id=booking_id,
        created_at=created,
        updated_at=created,
        expires_at=created + timedelta(days=30),
    )


def test_deliveries_are_logged_latest_first_a_page_at_a_time(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        for delivery in (a_delivery(1), a_delivery(3), a_delivery(2), a_delivery(4, endpoint=2, booking_id="c" * 32)):
            uow.webhook_deliveries.add(delivery)

    store.commit(arrange)
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.webhook_deliveries.add(a_delivery(1)))

    def page(after: str | None) -> list[str]:
        found = store.read(lambda uow: uow.webhook_deliveries.of_endpoint(an_endpoint(1).id, 2, after))
        return [delivery.id for delivery in found]

    assert page(None) == [a_delivery(3).id, a_delivery(2).id]
    assert page(a_delivery(2).id) == [a_delivery(1).id]
    assert page(a_delivery(4).id) == [a_delivery(3).id, a_delivery(2).id]  # another endpoint's cursor
    by_booking = store.read(lambda uow: uow.webhook_deliveries.of_booking("b" * 32))
    assert sorted(d.id for d in by_booking) == [a_delivery(n).id for n in (1, 2, 3)]


def test_a_delivery_changed_since_it_was_read_is_not_saved_over(store: Store) -> None:
    store.commit(lambda uow: uow.webhook_deliveries.add(a_delivery(1)))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.webhook_deliveries.get(a_delivery(1).id), b.webhook_deliveries.get(a_delivery(1).id)
        assert read_by_a is not None
        assert read_by_b is not None
        b.webhook_deliveries.save(read_by_b.model_copy(update={"state": DeliveryState.DELIVERED, "attempts": 1}))
        b.commit()
        a.webhook_deliveries.save(read_by_a.model_copy(update={"state": DeliveryState.FAILED, "attempts": 1}))
        with pytest.raises(Contention):
            a.commit()

    now = store.read(lambda uow: uow.webhook_deliveries.get(a_delivery(1).id))
    assert now is not None
    assert now.state is DeliveryState.DELIVERED


def test_deliveries_are_purged_once_expired_and_go_with_their_host(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        for delivery in (a_delivery(1), a_delivery(2), a_delivery(50_000), a_delivery(3, host_id="h2")):
            uow.webhook_deliveries.add(delivery)

    store.commit(arrange)

    assert store.read(lambda uow: uow.webhook_deliveries.purge(NOW + timedelta(days=31))) == {
        "webhook_deliveries_deleted": 3
    }
    exported = store.read(lambda uow: uow.webhook_deliveries.export_subject("h1"))
    assert exported == [a_delivery(50_000).model_dump(mode="json")]
    assert store.commit(lambda uow: uow.webhook_deliveries.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.webhook_deliveries.erase_subject("h1")) == 0


def test_endpoints_are_read_in_the_order_they_were_made(store: Store) -> None:
    store.commit(lambda uow: uow.webhooks.save(HostWebhooks(host_id="h1", endpoints=(an_endpoint(3), an_endpoint(1)))))

    found = store.read(lambda uow: uow.webhooks.of_host("h1"))
    assert found.endpoints == (an_endpoint(1), an_endpoint(3))
    assert [e["id"] for e in store.read(lambda uow: uow.webhooks.export_subject("h1"))] == [
        an_endpoint(1).id,
        an_endpoint(3).id,
    ]
