"""Booking a collective team type against the fakes: one booking held by every member (the first as its
organiser, the others as co-hosts), with every member's claims and booked span in one commit, so any
member's own page at that time conflicts; each member's calendar gets its own event; cancelling releases
every member's time and deletes every event."""

from __future__ import annotations

import pytest

from shared.domain.booking import Booking, BookingStatus, SyncState
from shared.domain.booking_form import Location, LocationKind
from shared.domain.errors import SlotNotOffered, SlotTaken
from shared.domain.team_event_type import TeamEventType
from shared.domain.webhooks import WebhookRegistration
from shared.services import teams, webhooks
from shared.services.booking import (
    Book,
    ByHost,
    ByInvitee,
    CancelBooking,
    OpenBooking,
    RescheduleBooking,
    ResolveBooking,
    book,
    cancel,
    open_booking,
    reschedule,
    resolve,
)
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.busy_refresh import check_our_events
from shared.services.closure import close_future_bookings
from shared.services.connection import access_revoked
from shared.services.errors import CalendarAccessRevoked, GoogleUnavailable
from shared.services.notifications import NotifyBooking, notify
from shared.services.privacy import Erase, RunHostErasure, erase, run_host_erasure
from shared.services.records import Erasure, HostListing, OurEvent
from tests.unit.builders import span, utc
from tests.unit.fakes import FakePorts, FakeUnitOfWork
from tests.unit.test_team_availability import ADA, BO, NOW, busy, clocks, team_ports
from tests.unit.test_team_booking import request_at


def test_a_collective_booking_holds_every_members_time_in_one_booking() -> None:
    ports, team_id = team_ports()

    booking = book(Book(request_at("10:00", "together")), ports).booking

    assert (booking.host_id, booking.co_host_ids, booking.holder_ids) == ("h1", ("h2",), ("h1", "h2"))
    assert booking.team_id == team_id
    claims = booking.claims()
    assert "h1:20270308T1000Z" in claims
    assert "h2:20270308T1000Z" in claims
    assert "10:00" not in clocks(ports, "together")
    assert "10:00" not in clocks(ports, "anyone")
    for host, who in (("ada", "jo"), ("bo", "kim")):  # each member's own page: their time is held
        with pytest.raises(SlotTaken):
            book(Book(request_at("10:00", "intro", host=host, who=who)), ports)


def test_each_member_finds_the_collective_booking_in_their_own_list() -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking

    for member in ("h1", "h2"):
        listed = ports.uow().bookings.of_host(member, HostListing(now=utc("2027-03-01T00:00"), limit=10))
        assert [found.id for found in listed] == [booking.id]
    exported = ports.uow().bookings.export_subject("h2")
    assert [found["id"] for found in exported] == [booking.id]


def test_one_member_busy_or_booked_on_their_own_page_means_no_collective_booking() -> None:
    ports, _ = team_ports()
    busy(ports, "h2", span("2027-03-08T10:00", "2027-03-08T11:00"))
    book(Book(request_at("13:00", "intro", host="ada", who="lee")), ports)  # Ada's own page

    with pytest.raises(SlotTaken):
        book(Book(request_at("10:00", "together")), ports)
    with pytest.raises(SlotTaken):
        book(Book(request_at("13:00", "together", who="jo")), ports)
    with pytest.raises(SlotNotOffered):  # outside the members' hours
        book(Book(request_at("20:00", "together", who="kim")), ports)
    assert book(Book(request_at("14:00", "together", who="max")), ports).booking.holder_ids == ("h1", "h2")


def test_a_member_booked_between_the_check_and_the_commit_makes_the_collective_booking_look_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ports, _ = team_ports()
    bo_books_just_before_the_next_commit(monkeypatch, ports, "10:00")
    with pytest.raises(SlotTaken):
        book(Book(request_at("10:00", "together")), ports)

    listed = ports.uow().bookings.of_host("h2", HostListing(now=utc("2027-03-01T00:00")))
    assert [found.holder_ids for found in listed] == [("h2",)]  # Bo's own, and no team booking
    assert ports.uow().bookings.of_host("h1", HostListing(now=utc("2027-03-01T00:00"))) == []


def bo_books_just_before_the_next_commit(monkeypatch: pytest.MonkeyPatch, ports: FakePorts, clock: str) -> None:
    """Bo's own page books `clock` just before the next commit (the team's) lands: a racer between its check
    and its commit."""
    team_commit = FakeUnitOfWork.commit

    def bo_books_first(uow: FakeUnitOfWork) -> None:
        monkeypatch.setattr(FakeUnitOfWork, "commit", team_commit)
        book(Book(request_at(clock, "intro", host="bo", who="kim")), ports)
        team_commit(uow)

    monkeypatch.setattr(FakeUnitOfWork, "commit", bo_books_first)


def test_every_member_gets_the_event_and_a_cancellation_releases_and_deletes_for_all() -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking

    assert reconcile_booking(ReconcileBooking(booking.id, 1), ports) == "synced"
    event_id = booking.google_event_id
    assert set(ports.calendar.events) == {f"h1/{event_id}", f"h2/{event_id}"}
    assert ports.uow().bookings.get(booking.id).sync_state is SyncState.SYNCED  # type: ignore[union-attr]

    cancelled = cancel(CancelBooking(booking.id, None, ByHost("h2")), ports)  # any member may cancel it
    assert cancelled.status is BookingStatus.CANCELLED
    assert reconcile_booking(ReconcileBooking(booking.id, 2), ports) == "synced"
    assert ports.calendar.events == {}
    assert "10:00" in clocks(ports, "together")
    assert book(Book(request_at("10:00", "intro", host="bo", who="kim")), ports).booking.host_id == "h2"


def test_the_invitee_sees_every_member_who_attends_by_name() -> None:
    ports, _ = team_ports()
    booked = book(Book(request_at("10:00", "together")), ports)
    round_robin = book(Book(request_at("11:00", "anyone", who="jo")), ports)

    names = {host: found.display_name for host in ("h1", "h2") if (found := ports.uow().hosts.get(host))}
    opened = open_booking(OpenBooking(booked.booking.id, booked.manage_token), ports)
    assert opened.context.hosts == (names["h1"], names["h2"])
    assert (opened.context.host_slug, opened.context.event_type_slug) == ("acme", "together")  # where it moves
    assigned = open_booking(OpenBooking(round_robin.booking.id, round_robin.manage_token), ports)
    assert assigned.context.hosts == (names[round_robin.booking.host_id],)


def test_the_invitee_is_told_who_attends_and_every_member_gets_the_host_notice() -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking

    assert notify(NotifyBooking(booking.id, 1), ports) == "sent"
    assert notify(NotifyBooking(booking.id, 1), ports) == "sent"  # a task delivered twice sends once

    about = [mail for mail in ports.mailer.sent if booking.id in mail.message_id]  # not the team's invitation
    hosts = [found for host in ("h1", "h2") if (found := ports.uow().hosts.get(host))]
    assert sorted(mail.to for mail in about) == sorted(["ines@example.org", *(host.email for host in hosts)])
    (to_invitee,) = (mail for mail in about if mail.to == "ines@example.org")
    assert f"with {hosts[0].display_name} and {hosts[1].display_name}" in to_invitee.subject
    assert len({mail.message_id for mail in about}) == 3  # each holder's notice is a message of its own


def test_a_members_calendar_failing_retries_the_task_which_writes_every_member_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking
    calendar, insert = ports.calendar, ports.calendar.insert_booking_event

    def bo_unavailable_once(host_id: str, shown: Booking, time_zone: str) -> OurEvent | None:
        if host_id == "h2":
            monkeypatch.setattr(calendar, "insert_booking_event", insert)
            raise GoogleUnavailable(503, None)
        return insert(host_id, shown, time_zone)

    monkeypatch.setattr(calendar, "insert_booking_event", bo_unavailable_once)
    with pytest.raises(GoogleUnavailable):
        reconcile_booking(ReconcileBooking(booking.id, 1), ports)
    assert ports.uow().bookings.get(booking.id).sync_state is SyncState.PENDING  # type: ignore[union-attr]
    assert set(calendar.events) == {f"h1/{booking.google_event_id}"}

    assert reconcile_booking(ReconcileBooking(booking.id, 1), ports) == "synced"  # the queue's retry
    assert set(calendar.events) == {f"h1/{booking.google_event_id}", f"h2/{booking.google_event_id}"}
    assert calendar.events[f"h2/{booking.google_event_id}"].event_calendar == "primary"


def test_a_co_host_closing_cancels_the_collective_booking_and_deletes_every_members_event() -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking
    reconcile_booking(ReconcileBooking(booking.id, 1), ports)

    assert close_future_bookings("h2", "host_disconnected", NOW, ports) == 1

    closed = ports.uow().bookings.get(booking.id)
    assert closed is not None
    assert (closed.status, closed.holds_time, closed.sync_state) == (BookingStatus.CANCELLED, False, SyncState.SYNCED)
    assert ports.calendar.events == {}
    assert "10:00" in clocks(ports, "together")


def test_the_organisers_grant_gone_still_deletes_every_other_members_event(monkeypatch: pytest.MonkeyPatch) -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking
    reconcile_booking(ReconcileBooking(booking.id, 1), ports)
    calendar, delete = ports.calendar, ports.calendar.delete_booking_event

    def ada_revoked(host_id: str, shown: Booking) -> None:
        if host_id == "h1":
            raise CalendarAccessRevoked()
        delete(host_id, shown)

    monkeypatch.setattr(calendar, "delete_booking_event", ada_revoked)
    assert close_future_bookings("h1", "host_disconnected", NOW, ports) == 1

    closed = ports.uow().bookings.get(booking.id)
    assert closed is not None
    assert (closed.status, closed.sync_state) == (BookingStatus.CANCELLED, SyncState.FAILED)  # Ada's is left
    assert set(calendar.events) == {f"h1/{booking.google_event_id}"}  # Bo's is gone all the same
    assert "10:00" in clocks(ports, "anyone")


def test_a_booking_event_reaches_every_members_webhooks() -> None:
    ports, _ = team_ports()
    policy = webhooks.WebhookPolicy(allow_private=False)
    endpoints = {}
    for host in (ADA, BO):
        request = WebhookRegistration(url=f"https://hooks.example.com/{host.id}", events=["booking.created"])
        endpoints[host.id], _ = webhooks.register(webhooks.RegisterWebhook(host, request, policy), ports)
    booking = book(Book(request_at("10:00", "together")), ports).booking

    assert webhooks.announce(webhooks.AnnounceEvent("booking.created", booking), ports) == 2

    for host_id, endpoint in endpoints.items():  # each in that member's own delivery log
        delivery = ports.uow().webhook_deliveries.get(f"{endpoint.id}-{booking.id}-v1-booking-created")
        assert delivery is not None
        assert (delivery.host_id, delivery.endpoint_id) == (host_id, endpoint.id)


def test_a_co_host_erasing_their_account_cancels_it_and_leaves_nothing_of_theirs_on_it() -> None:
    ports, _ = team_ports()
    booking = book(Book(request_at("10:00", "together")), ports).booking
    reconcile_booking(ReconcileBooking(booking.id, 1), ports)
    notify(NotifyBooking(booking.id, 1), ports)

    erasure = erase(Erase(BO), ports)
    assert isinstance(erasure, Erasure)
    assert run_host_erasure(RunHostErasure(erasure.id, "h2"), ports).state == "done"

    left = ports.uow().bookings.get(booking.id)
    assert left is not None  # the organiser's, cancelled: their invitee was told
    assert (left.status, left.holder_ids, left.co_hosts) == (BookingStatus.CANCELLED, ("h1",), ())
    assert '"h2"' not in left.model_dump_json()
    assert "host-h2" not in left.mailed
    assert ports.calendar.events == {}
    assert [found.id for found in ports.uow().bookings.of_host("h1", HostListing(now=NOW, limit=10))] == [booking.id]


def organiser_moved_to_two_pm(ports: FakePorts) -> Booking:
    """A collective booking at 10:00, synced, whose event Ada (its organiser) then moved to 14:00 in Google,
    and her sync has seen it."""
    booking = book(Book(request_at("10:00", "together")), ports).booking
    reconcile_booking(ReconcileBooking(booking.id, 1), ports)
    moved = OurEvent(booking_id=booking.id, cancelled=False, start=utc("2027-03-08T14:00"), end=utc("2027-03-08T15:00"))
    ports.calendar.changed = [moved]
    check_our_events(ADA, NOW, ports)
    return booking


def test_the_organiser_moving_its_event_in_google_is_kept_for_them_to_put_back() -> None:
    ports, _ = team_ports()
    booking = organiser_moved_to_two_pm(ports)

    noted = ports.uow().bookings.get(booking.id)
    assert noted is not None
    assert (noted.status, noted.start) == (BookingStatus.NEEDS_ATTENTION, booking.start)
    assert noted.claims() == booking.claims()  # every member's time stays where it was booked
    busy(ports, "h2", span("2027-03-08T14:00", "2027-03-08T15:00"))
    with pytest.raises(SlotTaken):  # keeping it would move every member's time: Bo is busy then
        resolve(ResolveBooking(booking.id, True, ByHost("h1")), ports)
    assert ports.uow().bookings.get(booking.id) == noted
    back = resolve(ResolveBooking(booking.id, False, ByHost("h2")), ports)  # any member may put it back
    assert (back.status, back.start) == (BookingStatus.CONFIRMED, booking.start)


def test_a_collective_type_of_one_member_is_that_members_booking() -> None:
    ports, team_id = team_ports()
    alone = {"slug": "alone", "title": "Alone", "duration_minutes": 60, "assignment": "collective", "members": ["h2"]}
    teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, TeamEventType.model_validate(alone)), ports)

    booking = book(Book(request_at("10:00", "alone")), ports).booking

    assert (booking.host_id, booking.holder_ids, booking.team_id) == ("h2", ("h2",), team_id)
    with pytest.raises(SlotTaken):
        book(Book(request_at("10:00", "intro", host="bo", who="kim")), ports)
    moved = reschedule(RescheduleBooking(booking.id, utc("2027-03-08T14:00"), ByHost("h2")), ports)  # Bo's alone
    assert (moved.start, moved.holder_ids) == (utc("2027-03-08T14:00"), ("h2",))
    assert book(Book(request_at("10:00", "intro", host="bo", who="kim")), ports).booking.host_id == "h2"


def test_a_meet_is_the_organisers_and_every_other_members_event_links_to_it() -> None:
    ports, team_id = team_ports()
    body = {"slug": "meet", "title": "Meet", "duration_minutes": 60, "assignment": "collective"}
    online = {**body, "members": ["h1", "h2"], "location": {"kind": "google_meet"}}
    teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, TeamEventType.model_validate(online)), ports)
    booking = book(Book(request_at("10:00", "meet")), ports).booking

    assert reconcile_booking(ReconcileBooking(booking.id, 1), ports) == "synced"

    organisers, bos = (ports.calendar.events[f"{host}/{booking.google_event_id}"] for host in ("h1", "h2"))
    meet_url = ports.uow().bookings.get(booking.id).meeting_url  # type: ignore[union-attr]
    assert meet_url is not None
    assert organisers.location == Location(kind=LocationKind.GOOGLE_MEET)
    assert bos.location == Location(kind=LocationKind.LINK, value=meet_url)


def test_a_member_whose_calendar_disconnected_drops_out_and_the_others_are_booked_together() -> None:
    ports, _ = team_ports()
    access_revoked("h1", NOW, ports)  # the type's first member: the next one organises

    booking = book(Book(request_at("10:00", "together")), ports).booking

    assert (booking.host_id, booking.holder_ids) == ("h2", ("h2",))  # as the page offered: Bo alone
    assert not any(claim.startswith("h1:") for claim in booking.claims())


def test_the_invitee_moves_every_members_time_in_one_booking_and_every_event_follows() -> None:
    ports, _ = team_ports()
    booked = book(Book(request_at("10:00", "together")), ports)
    booking = booked.booking
    reconcile_booking(ReconcileBooking(booking.id, 1), ports)

    moved = reschedule(RescheduleBooking(booking.id, utc("2027-03-08T14:00"), ByInvitee(booked.manage_token)), ports)

    assert (moved.start, moved.holder_ids, moved.version) == (utc("2027-03-08T14:00"), ("h1", "h2"), 2)
    assert {"h1:20270308T1400Z", "h2:20270308T1400Z"} <= set(moved.claims())
    assert not any(claim.endswith("T1000Z") for claim in moved.claims())
    assert reconcile_booking(ReconcileBooking(booking.id, 2), ports) == "synced"
    for member in ("h1", "h2"):  # each member's own event, patched to the new time
        assert ports.calendar.events[f"{member}/{booking.google_event_id}"].start == utc("2027-03-08T14:00")
    with pytest.raises(SlotTaken):  # Bo's own page: the new time is held for the team
        book(Book(request_at("14:00", "intro", host="bo", who="kim")), ports)
    assert "10:00" in clocks(ports, "together")  # the old time is free again on every page
    for host, who in (("ada", "jo"), ("bo", "kim")):
        assert book(Book(request_at("10:00", "intro", host=host, who=who)), ports).booking.start == booking.start
    again = reschedule(RescheduleBooking(booking.id, utc("2027-03-08T15:00"), ByHost("h2")), ports)  # a co-host
    assert (again.start, again.co_host_ids) == (utc("2027-03-08T15:00"), ("h2",))


def test_a_move_to_a_time_one_member_is_busy_is_refused_and_changes_nothing() -> None:
    ports, _ = team_ports()
    booked = book(Book(request_at("10:00", "together")), ports)
    busy(ports, "h2", span("2027-03-08T14:00", "2027-03-08T15:00"))
    book(Book(request_at("15:00", "intro", host="ada", who="lee")), ports)  # Ada's own page

    for clock in ("14:00", "15:00"):
        with pytest.raises(SlotTaken):
            reschedule(RescheduleBooking(booked.booking.id, utc(f"2027-03-08T{clock}"), ByHost("h1")), ports)

    kept = ports.uow().bookings.get(booked.booking.id)
    assert kept is not None
    assert (kept.start, kept.version, kept.claims()) == (booked.booking.start, 1, booked.booking.claims())


def test_a_members_own_page_booked_before_the_move_commits_fails_the_move_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ports, _ = team_ports()
    booked = book(Book(request_at("10:00", "together")), ports)
    bo_books_just_before_the_next_commit(monkeypatch, ports, "14:00")
    with pytest.raises(SlotTaken):
        reschedule(RescheduleBooking(booked.booking.id, utc("2027-03-08T14:00"), ByHost("h1")), ports)

    kept = ports.uow().bookings.get(booked.booking.id)
    assert kept is not None
    assert (kept.start, kept.version, kept.claims()) == (booked.booking.start, 1, booked.booking.claims())
    listed = ports.uow().bookings.of_host("h2", HostListing(now=utc("2027-03-01T00:00")))
    assert sorted((found.start, found.holder_ids) for found in listed) == [
        (utc("2027-03-08T10:00"), ("h1", "h2")),
        (utc("2027-03-08T14:00"), ("h2",)),  # Bo's own booking won the time
    ]


def test_a_co_host_who_can_no_longer_take_bookings_refuses_the_move() -> None:
    ports, _ = team_ports()
    booked = book(Book(request_at("10:00", "together")), ports)
    with ports.uow() as uow:  # Bo paused processing: their page offers nothing (the booking is still theirs)
        page = uow.pages.get("bo")
        assert page is not None
        uow.pages.save("bo", page.with_processing_paused(True))
        uow.commit()

    with pytest.raises(SlotNotOffered, match="member of this booking"):
        reschedule(RescheduleBooking(booked.booking.id, utc("2027-03-08T14:00"), ByHost("h1")), ports)
    assert ports.uow().bookings.get(booked.booking.id).start == booked.booking.start  # type: ignore[union-attr]


def test_keeping_the_organisers_moved_time_moves_every_member_there_when_all_are_free() -> None:
    ports, _ = team_ports()
    booking = organiser_moved_to_two_pm(ports)
    busy(ports, "h1", span("2027-03-08T14:00", "2027-03-08T15:00"))  # Ada's mirror shows her own moved event

    kept = resolve(ResolveBooking(booking.id, True, ByHost("h2")), ports)  # any member may keep it

    assert (kept.status, kept.start, kept.moved_start, kept.holder_ids) == (
        BookingStatus.CONFIRMED,
        utc("2027-03-08T14:00"),
        None,
        ("h1", "h2"),
    )
    assert {"h1:20270308T1400Z", "h2:20270308T1400Z"} <= set(kept.claims())
    assert reconcile_booking(ReconcileBooking(booking.id, kept.version), ports) == "synced"
    for member in ("h1", "h2"):
        assert ports.calendar.events[f"{member}/{booking.google_event_id}"].start == utc("2027-03-08T14:00")
    assert book(Book(request_at("10:00", "intro", host="bo", who="kim")), ports).booking.host_id == "h2"
