"""Every message Kaleno sends, in each reader's language (issue 29): subject, text, HTML, buttons and footer, the
.ics words, Babel's dates and durations; English where the reader reads English, and no English left where
they read Indonesian (tests/languages.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from shared.domain.booking import Booking, BookingChange, BookingStatus, Invitee
from shared.domain.booking_form import Location, LocationKind
from shared.domain.host import Connection, ConnectionState, Host
from shared.domain.language import Language
from shared.domain.policy import POLICY_HISTORY
from shared.services import messages
from shared.services.ics import booking_ics, cancellation_ics
from shared.services.records import OutgoingMail
from shared.web.browser_storage import spoken
from shared.web.pages import retention_periods
from tests.languages import english_left

START, END = datetime(2026, 12, 7, 3, tzinfo=UTC), datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PEOPLE = messages.Recipients(
    host_name="Budi Santoso",
    host_email="budi@example.com",
    host_zone="Asia/Jakarta",
    manage_link="https://kaleno.app/manage?booking=b1#token=b1.mac",
    dashboard_link="https://kaleno.app/dashboard",
)
BOOKING = Booking(
    id="b1",
    host_id="h1",
    event_type_id="et1",
    event_title="Konsultasi",
    start=START,
    end=END,
    occupied_start=START,
    occupied_end=END,
    invitee=Invitee(name="Sari Wulandari", email="sari@example.org", time_zone="Asia/Jakarta"),
    manage_token_hash="not-used-here",
    notes="Bawa dokumen",
    location=Location(kind=LocationKind.GOOGLE_MEET),
    meeting_url="https://meet.google.com/abc-defg-hij",
    cancel_reason="Sakit",
)
HOST = Host(
    id="h1",
    google_sub="sub-h1",
    email=PEOPLE.host_email,
    display_name=PEOPLE.host_name,
    slug="budi",
    connection=Connection(state=ConnectionState.DISCONNECTED, reason="google_access_revoked"),
)


def every_message(language: Language) -> dict[str, OutgoingMail]:
    """Each kind of message, its reader speaking `language`."""
    booking = BOOKING.model_copy(update={"locale": language})
    people, host = replace(PEOPLE, host_language=language), HOST.model_copy(update={"locale": language})
    moved = booking.model_copy(update={"change": BookingChange.RESCHEDULED, "version": 2})
    reassigned = booking.model_copy(update={"change": BookingChange.REASSIGNED, "previous_host_id": "h2"})
    cancelled = booking.model_copy(
        update={"change": BookingChange.CANCELLED, "status": BookingStatus.CANCELLED_BY_HOST, "version": 3}
    )
    closed = cancelled.model_copy(update={"closure": "host_disconnected"})
    ics = booking_ics(booking, people.host_name, people.manage_link, NOW)
    return {
        "confirmation": messages.invitee_notice(booking, people, ics),
        "new time": messages.invitee_notice(moved, people, ics),
        "new host": messages.invitee_notice(reassigned, people, ics),
        "cancellation": messages.invitee_notice(cancelled, people, ics),
        "reminder": messages.reminder(booking, people),
        "host notice": messages.host_notice(booking, people),
        "host rescheduled": messages.host_notice(moved, people),
        "host assigned": messages.host_notice(reassigned, people),
        "host cancelled": messages.host_notice(cancelled, people),
        "handed on": messages.handed_on_notice(reassigned, people, "Dewi Lestari"),
        "closure": messages.closure_notice(closed, people.host_name, cancellation_ics(closed, "Budi", NOW)),
        "calendar alert": messages.connection_alert(host, "google_access_revoked", "i1", "https://kaleno.app/oauth"),
        "sync alert": messages.connection_alert(host, "sync_failing", "i2", "https://kaleno.app/oauth"),
        "mail failed": messages.mail_failed_alert(moved, people),
        "address proof": messages.address_proof("sari@example.org", "https://kaleno.app/rights#p", "p1", language),
        "team invitation": messages.team_invitation(
            messages.TeamInvite("sari@example.org", "Klinik Sehat", "Budi Santoso", "inv1", language),
            "https://kaleno.app/teams/join#t",
        ),
        "member disconnected": messages.member_disconnected(
            messages.MemberDisconnected("budi@example.com", "h1", "tm1", "Klinik Sehat", "Dewi", "i3", language),
            "https://kaleno.app/dashboard",
        ),
        "policy notice": messages.policy_notice(host, POLICY_HISTORY[-2], "https://kaleno.app/privacy-policy"),
    }


def seen(mail: OutgoingMail) -> str:
    return "\n".join((mail.subject, mail.text, re.sub(r"<[^>]+>", " ", mail.html)))


@pytest.mark.parametrize("kind", list(every_message("id")))
def test_each_message_is_wholly_indonesian_for_an_indonesian_reader(kind: str) -> None:
    mail = every_message("id")[kind]

    assert english_left(seen(mail)) == [], english_left(seen(mail))
    assert '<html lang="id">' in mail.html
    assert mail.text.rstrip().endswith("— Dikirim oleh Kaleno, layanan pemesanan.")


@pytest.mark.parametrize("kind", list(every_message("en")))
def test_each_message_is_english_for_an_english_reader(kind: str) -> None:
    mail = every_message("en")[kind]

    assert english_left(seen(mail)) != []  # the same check finds the English it is looking for
    assert '<html lang="en">' in mail.html
    assert mail.text.rstrip().endswith("— Sent by Kaleno, the booking service.")


def test_dates_times_lists_and_plurals_are_babels_in_the_readers_language() -> None:
    indonesian, english = every_message("id"), every_message("en")

    assert indonesian["confirmation"].subject == (
        "Terkonfirmasi: Konsultasi dengan Budi Santoso, Senin, 7 Desember 2026, 10.00–10.30 (Asia/Jakarta)"
    )
    assert english["confirmation"].subject == (
        "Confirmed: Konsultasi with Budi Santoso, Monday, 7 December 2026, 10:00–10:30 (Asia/Jakarta)"
    )
    assert "dalam 30 menit" in indonesian["address proof"].text
    assert "within 30 minutes" in english["address proof"].text
    assert "dalam 7 hari" in indonesian["team invitation"].text
    assert (
        "Kebijakan privasi Kaleno berubah pada Minggu, 6 Desember 2026 (versi 2026-12-06)."
        in indonesian["policy notice"].text
    )
    assert messages.together(["Ada", "Bo", "Cy"], "id") == "Ada, Bo, dan Cy"
    assert messages.together(["Ada", "Bo", "Cy"], "en") == "Ada, Bo and Cy"
    assert spoken(None, "id") == "sampai tab ditutup"


def test_the_buttons_are_in_the_readers_language() -> None:
    html = every_message("id")["confirmation"].html

    labels = re.findall(r'<a class="button[^"]*"[^>]*>([^<]+)</a>', html)
    assert labels == ["Gabung", "Jadwalkan ulang", "Batalkan"]


def test_the_ics_says_its_words_in_the_invitees_language() -> None:
    for language, summary, description in (
        ("id", "Konsultasi dengan Budi", "Jadwalkan ulang atau batalkan: https://kaleno.app/m"),
        ("en", "Konsultasi with Budi", "Reschedule or cancel: https://kaleno.app/m"),
    ):
        booking = BOOKING.model_copy(update={"locale": language})
        (event,) = Calendar.from_ical(booking_ics(booking, "Budi", "https://kaleno.app/m", NOW)).walk("VEVENT")
        assert str(event["summary"]) == summary
        assert str(event["description"]) == description


def test_a_booking_stored_before_languages_reads_as_english() -> None:
    stored = BOOKING.model_dump(mode="json")
    del stored["locale"]

    assert Booking.model_validate(stored).locale == "en"


def test_the_retention_rows_are_said_in_the_readers_language() -> None:
    from shared.config import get_settings

    rows = retention_periods(get_settings(), "id")
    said = " ".join(f"{row.what}: {row.kept}" for row in rows)

    assert english_left(said) == []
    assert re.search(r"\b\d+ hari setelah pertemuan berakhir, lalu dihapus", said)
    assert len(rows) == len(retention_periods(get_settings()))
