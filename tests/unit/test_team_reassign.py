"""The team's bookings and reassignment against the fakes: admins list every booking of the team's types,
members their own; a round-robin booking handed to another free member moves its claims and span in one
commit, the calendars follow through the sync (the old event deleted, the new inserted, a redelivery
harmless), and the invitee and both members are told once."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.domain.booking import Booking, BookingChange, BookingStatus
from shared.domain.claims import claim_ids
from shared.domain.errors import BookingNotFound, InvalidFields, SlotNotOffered, SlotTaken, TeamNotFound
from shared.domain.intervals import Interval
from shared.domain.offer import Offer
from shared.services import team_bookings as module
from shared.services.availability import OfferQuery, check_offered
from shared.services.booking import Book, ByHost, RescheduleBooking, book, reschedule
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.notifications import NotifyBooking, notify
from shared.services.ports import UnitOfWork
from shared.services.records import HostListing
from shared.services.team_bookings import ListTeamBookings, Reassign, reassign, team_bookings
from tests.unit.builders import span, utc
from tests.unit.fakes import FakePorts, a_host, a_page, given
from tests.unit.test_team_availability import ADA, BO, NOW, busy, team_ports
from tests.unit.test_team_booking import request_at

CY = a_host("h3", "cy").model_copy(update={"display_name": "Cy"})


def booked_with(ports: FakePorts, host_id: str, clock: str = "10:00", who: str = "ines") -> Booking:
    """A round-robin booking at `clock` that went to `host_id` (the other member made busy for it)."""
    other = "h2" if host_id == "h1" else "h1"
    busy(ports, other, span(f"2027-03-08T{clock}", f"2027-03-08T{int(clock[:2]) + 1:02d}:00"))
    booking = book(Book(request_at(clock, who=who)), ports).booking
    busy(ports, other)
    assert booking.host_id == host_id
    return booking


def stored(ports: FakePorts, booking_id: str) -> Booking:
    found = ports.uow().bookings.get(booking_id)
    assert found is not None
    return found


def claims_of(ports: FakePorts) -> set[str]:
    return set(ports.db.where("claims", object, lambda _, __: True))


def test_a_team_booking_remembers_its_team_and_the_team_lists_it_for_admins_and_its_member_only() -> None:
    ports, team_id = team_ports()
    with_ada, with_bo = booked_with(ports, "h1", "10:00"), booked_with(ports, "h2", "12:00", who="jo")
    listing = HostListing(now=NOW)

    seen_by_ada, _ = team_bookings(ListTeamBookings(ADA, team_id, listing), ports)  # the owner
    seen_by_bo, _ = team_bookings(ListTeamBookings(BO, team_id, listing), ports)  # a member

    assert (with_ada.team_id, with_bo.team_id) == (team_id, team_id)
    assert [row.booking.id for row in seen_by_ada] == [with_ada.id, with_bo.id]
    assert [row.holders for row in seen_by_ada] == [(("h1", "Ada"),), (("h2", "Bo"),)]
    assert [row.booking.id for row in seen_by_bo] == [with_bo.id]
    assert seen_by_ada[0].event_type is not None
    assert seen_by_ada[0].event_type[1].slug == "anyone"
    given(ports.db, hosts=[CY])
    with pytest.raises(TeamNotFound):  # not in the team
        team_bookings(ListTeamBookings(CY, team_id, listing), ports)


def test_the_teams_list_pages_with_a_cursor_and_keeps_a_window() -> None:
    ports, team_id = team_ports()
    first, second = booked_with(ports, "h1", "10:00"), booked_with(ports, "h1", "12:00", who="jo")

    page, cursor = team_bookings(ListTeamBookings(ADA, team_id, HostListing(now=NOW, limit=1)), ports)
    rest, last = team_bookings(ListTeamBookings(ADA, team_id, HostListing(now=NOW, after_booking_id=cursor)), ports)
    window = HostListing(now=NOW, ends_before=second.end)
    windowed, _ = team_bookings(ListTeamBookings(ADA, team_id, window), ports)

    assert ([r.booking.id for r in page], cursor) == ([first.id], first.id)
    assert ([r.booking.id for r in rest], last) == ([second.id], None)
    assert [r.booking.id for r in windowed] == [first.id]


def test_reassigning_moves_the_claims_and_span_in_one_commit_and_the_calendars_follow() -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    reconcile_booking(ReconcileBooking(booking.id, booking.version), ports)
    old_event = booking.google_event_id
    assert f"h1/{old_event}" in ports.calendar.events  # a team booking's event, kept by member

    row = reassign(Reassign(ADA, team_id, booking.id, "h2"), ports)

    after = stored(ports, booking.id)
    assert row.holders == (("h2", "Bo"),)
    assert (after.host_id, after.change, after.previous_host_id) == ("h2", BookingChange.REASSIGNED, "h1")
    occupied = Interval(booking.occupied_start, booking.occupied_end)
    taken = claims_of(ports)
    assert set(claim_ids("h2", occupied)) <= taken
    assert not set(claim_ids("h1", occupied)) & taken
    assert after.invitee_claim is not None
    assert after.invitee_claim.startswith("h2:inv")
    with pytest.raises(SlotTaken):  # Bo's own page: the time is his now
        book(Book(request_at("10:00", "intro", host="bo", who="lee")), ports)
    assert book(Book(request_at("10:00", "intro", host="ada", who="lee")), ports).booking.host_id == "h1"

    assert reconcile_booking(ReconcileBooking(after.id, after.version), ports) == "synced"
    assert f"h1/{old_event}" not in ports.calendar.events
    assert after.google_event_id != old_event
    assert ports.calendar.events[f"h2/{after.google_event_id}"].host_id == "h2"
    synced = stored(ports, booking.id)
    assert synced.left_events == ()
    calls = len(ports.calendar.calls)
    assert reconcile_booking(ReconcileBooking(after.id, after.version), ports) == "already_synced"
    assert len(ports.calendar.calls) == calls  # a redelivered task writes nothing


def test_a_redelivered_sync_task_after_a_lost_answer_is_harmless() -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    reconcile_booking(ReconcileBooking(booking.id, booking.version), ports)
    after = reassign(Reassign(ADA, team_id, booking.id, "h2"), ports).booking
    # The first delivery wrote Google but its record was lost: the booking still lists the left event.
    ports.calendar.delete_session_event("h1", booking.google_event_id, booking.event_calendar)
    ports.calendar.insert_booking_event("h2", after, "UTC")

    assert reconcile_booking(ReconcileBooking(after.id, after.version), ports) == "synced"
    assert list(ports.calendar.events) == [f"h2/{after.google_event_id}"]


def test_the_invitee_and_both_members_are_told_once() -> None:
    ports, team_id = team_ports(display_name="Bo Berg")
    booking = booked_with(ports, "h1")
    after = reassign(Reassign(ADA, team_id, booking.id, "h2"), ports).booking
    ports.mailer.sent.clear()  # the team's invitation

    notify(NotifyBooking(after.id, after.version), ports)
    notify(NotifyBooking(after.id, after.version), ports)  # delivered twice

    sent = [(mail.to, mail.subject.split(":")[0]) for mail in ports.mailer.sent]
    assert sorted(sent) == sorted(
        [("ines@example.org", "New host"), (BO.email, "Assigned to you"), (ADA.email, "Handed on")]
    )
    invitee_mail = next(mail for mail in ports.mailer.sent if mail.to == "ines@example.org")
    assert "with Bo Berg" in invitee_mail.subject


def test_the_same_request_again_answers_the_booking_and_changes_nothing() -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    done = reassign(Reassign(ADA, team_id, booking.id, "h2"), ports).booking
    enqueued = len(ports.tasks.enqueued)

    again = reassign(Reassign(ADA, team_id, booking.id, "h2"), ports).booking

    assert again == done == stored(ports, booking.id)
    assert len(ports.tasks.enqueued) == enqueued


def test_the_assigned_member_may_hand_on_their_own_booking_and_repeat_it_but_not_anothers() -> None:
    ports, team_id = team_ports()
    with_ada, with_bo = booked_with(ports, "h1", "10:00"), booked_with(ports, "h2", "12:00", who="jo")

    with pytest.raises(BookingNotFound):  # a member who holds it not
        reassign(Reassign(BO, team_id, with_ada.id, "h2"), ports)
    handed = reassign(Reassign(BO, team_id, with_bo.id, "h1"), ports).booking
    again = reassign(Reassign(BO, team_id, with_bo.id, "h1"), ports).booking

    assert handed.host_id == again.host_id == "h1"
    assert again.version == handed.version


def test_the_new_member_must_be_in_the_pool_and_free() -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    given(ports.db, hosts=[CY], pages={"cy": a_page("h3", synced_at=NOW)})

    with pytest.raises(InvalidFields):  # not one of the type's members
        reassign(Reassign(ADA, team_id, booking.id, "h3"), ports)
    busy(ports, "h2", span("2027-03-08T09:30", "2027-03-08T10:30"))
    with pytest.raises(SlotTaken):
        reassign(Reassign(ADA, team_id, booking.id, "h2"), ports)
    assert stored(ports, booking.id).host_id == "h1"


def test_a_racer_on_the_new_members_time_wins_and_the_reassignment_answers_slot_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    # Bo's own page books 10:00 after the reassignment read his offer: the reassignment's commit fails whole.
    rival = request_at("10:00", "intro", host="bo", who="lee")

    def then_a_racer(query: OfferQuery, start: datetime, uow: UnitOfWork) -> Offer:
        offer = check_offered(query, start, uow)
        book(Book(rival), ports)
        return offer

    monkeypatch.setattr(module, "check_offered", then_a_racer)
    with pytest.raises(SlotTaken):
        reassign(Reassign(ADA, team_id, booking.id, "h2"), ports)

    after = stored(ports, booking.id)
    assert (after.host_id, after.version) == ("h1", booking.version)
    occupied = Interval(booking.occupied_start, booking.occupied_end)
    assert set(claim_ids("h1", occupied)) <= claims_of(ports)


def test_a_collective_or_cancelled_booking_is_not_handed_on() -> None:
    ports, team_id = team_ports()
    booking = booked_with(ports, "h1")
    with ports.uow() as uow:
        current = uow.bookings.get(booking.id)
        assert current is not None
        uow.bookings.save(current.cancelled(None))
        uow.months.move_span(current, current.cancelled(None))
        uow.commit()

    with pytest.raises(Exception, match="cancelled"):
        reassign(Reassign(ADA, team_id, booking.id, "h2"), ports)
    collective = stored(ports, booking.id).model_copy(update={"status": BookingStatus.CONFIRMED})
    team = ports.uow().teams.get(team_id)
    assert team is not None
    together_id = next(i for i, et in team.event_types.items() if et.slug == "together")
    with ports.uow() as uow:
        assert uow.bookings.get(booking.id) is not None
        uow.bookings.save(collective.model_copy(update={"event_type_id": together_id}))
        uow.commit()
    with pytest.raises(SlotNotOffered, match="collective"):
        reassign(Reassign(ADA, team_id, booking.id, "h2"), ports)


# --- rescheduling a team booking ------------------------------------------------------------------------------
def moved_by_host(ports: FakePorts, booking: Booking, clock: str) -> Booking:
    command = RescheduleBooking(booking.id, utc(f"2027-03-08T{clock}"), ByHost(booking.host_id))
    return reschedule(command, ports)


def test_a_team_booking_moves_with_its_member_when_they_are_free_then() -> None:
    ports, _ = team_ports()
    booking = booked_with(ports, "h1")

    moved = moved_by_host(ports, booking, "09:00")  # Bo is free too, but the booking stays Ada's

    assert (moved.host_id, moved.change, moved.previous_host_id, moved.handovers) == (
        "h1",
        BookingChange.RESCHEDULED,
        None,
        0,
    )
    assert set(claim_ids("h1", Interval(moved.occupied_start, moved.occupied_end))) <= claims_of(ports)


def test_a_team_booking_moved_to_a_time_its_member_is_busy_falls_to_the_next_free_member() -> None:
    ports, _ = team_ports()
    booking = booked_with(ports, "h1")
    reconcile_booking(ReconcileBooking(booking.id, booking.version), ports)
    busy(ports, "h1", span("2027-03-08T14:00", "2027-03-08T15:00"))

    moved = moved_by_host(ports, booking, "14:00")

    assert (moved.host_id, moved.previous_host_id, moved.change) == ("h2", "h1", BookingChange.RESCHEDULED)
    taken = claims_of(ports)
    assert set(claim_ids("h2", Interval(moved.occupied_start, moved.occupied_end))) <= taken
    assert not set(claim_ids("h1", Interval(booking.occupied_start, booking.occupied_end))) & taken
    assert reconcile_booking(ReconcileBooking(moved.id, moved.version), ports) == "synced"
    assert list(ports.calendar.events) == [f"{moved.host_id}/{moved.google_event_id}"]
    ports.mailer.sent.clear()
    notify(NotifyBooking(moved.id, moved.version), ports)
    sent = sorted((mail.to, mail.subject.split(":")[0]) for mail in ports.mailer.sent)
    assert sent == sorted([("ines@example.org", "New time"), (BO.email, "Assigned to you"), (ADA.email, "Handed on")])
    later = moved_by_host(ports, moved, "15:00")  # Bo's own move later: nobody else is told of a handover
    assert later.previous_host_id is None


def test_a_team_booking_moved_to_a_time_nobody_is_free_is_refused_and_kept() -> None:
    ports, _ = team_ports()
    booking = booked_with(ports, "h1")
    busy(ports, "h1", span("2027-03-08T14:00", "2027-03-08T15:00"))
    busy(ports, "h2", span("2027-03-08T14:00", "2027-03-08T15:00"))

    with pytest.raises(SlotTaken):
        moved_by_host(ports, booking, "14:00")
    with pytest.raises(SlotNotOffered):
        moved_by_host(ports, booking, "20:00")  # outside everyone's hours
    assert stored(ports, booking.id) == booking


def test_a_handed_on_booking_moves_its_round_robin_count_to_its_new_member() -> None:
    ports, team_id = team_ports()
    booking = book(Book(request_at("09:00", who="p1")), ports).booking
    other = "h2" if booking.host_id == "h1" else "h1"

    reassign(Reassign(ADA, team_id, booking.id, other), ports)

    # The count went with it: the member who gave it away has none, so the next booking is theirs.
    assert book(Book(request_at("13:00", who="p2")), ports).booking.host_id == booking.host_id
