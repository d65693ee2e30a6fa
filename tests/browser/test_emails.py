"""Kaleno's mail as a reader sees it: each kind of message, rendered in Chromium at 320, 390 and 600 px (a
small phone, a common phone, the card's full width), with no sideways scroll, no word squeezed, no
overlapping buttons and no axe violation. The confirmation and the host notice at 390 px are committed as
docs/screenshots/email-*-390.png when KALENO_SCREENSHOTS=docs (`make screenshots`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from shared.domain.booking import Booking, BookingChange, BookingStatus, Invitee
from shared.domain.booking_form import Answer, Location, LocationKind
from shared.domain.host import Connection, ConnectionState, Host
from shared.domain.language import Language
from shared.services import messages
from shared.services.records import OutgoingMail
from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, check_layout, snap
from tests.browser.test_dashboard_bookings import EVERY_DAY, HOST_ZONE, open_section, sign_in
from tests.e2e.test_bookings import booking_body, day_ahead, post_booking
from tests.support import Browser as HostBrowser
from tests.support import Google, host_with_hours

START, END = datetime(2027, 3, 8, 10, tzinfo=UTC), datetime(2027, 3, 8, 10, 30, tzinfo=UTC)
MAIL_WIDTHS = (320, 390, 600)
PEOPLE = messages.Recipients(
    host_name="Ada Lovelace",
    host_email="ada@example.com",
    host_zone="Europe/London",
    manage_link="https://kaleno.app/manage?booking=b7f3c2a1d9e84f0ba6c5d4e3f2a1b0c9#token=b7f3c2a1d9e84f0b.MAC-0123456789abcdef",
    dashboard_link="https://kaleno.app/",
)
BOOKING = Booking(
    id="b7f3c2a1d9e84f0ba6c5d4e3f2a1b0c9",
    host_id="h1",
    event_type_id="et1",
    event_title="Intro call about the quarterly roadmap",
    start=START,
    end=END,
    occupied_start=START,
    occupied_end=END,
    invitee=Invitee(name="Ines Invitee", email="ines@example.org", time_zone="America/New_York"),
    manage_token_hash="not-used-here",
    notes="Agenda: the roadmap, then hiring.\nI will bring the slides.",
    answers=(Answer(question_id="company", label="Company", value="Analytical Engines Ltd"),),
    location=Location(kind=LocationKind.GOOGLE_MEET),
    meeting_url="https://meet.google.com/abc-defg-hij",
)
ICS = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
HOST = Host(
    id="h1",
    google_sub="sub-h1",
    email=PEOPLE.host_email,
    display_name=PEOPLE.host_name,
    slug="ada",
    connection=Connection(state=ConnectionState.DISCONNECTED, reason="google_access_revoked"),
)


def every_kind(language: Language = "en") -> dict[str, OutgoingMail]:
    """Each kind of message, its reader reading `language` (Indonesian words run longer)."""
    booking, host = BOOKING.model_copy(update={"locale": language}), HOST.model_copy(update={"locale": language})
    people = replace(PEOPLE, host_language=language)
    moved = booking.model_copy(update={"change": BookingChange.RESCHEDULED, "version": 2})
    cancelled = booking.model_copy(
        update={"change": BookingChange.CANCELLED, "status": BookingStatus.CANCELLED, "cancel_reason": "Travel"}
    )
    return {
        "email-confirmation": messages.invitee_notice(booking, people, ICS),
        "email-new-time": messages.invitee_notice(moved, people, ICS),
        "email-cancellation": messages.invitee_notice(cancelled, people, ICS),
        "email-reminder": messages.reminder(booking, people),
        "email-host-notice": messages.host_notice(booking, people),
        "email-host-cancelled": messages.host_notice(cancelled, people),
        "email-host-alert-calendar": messages.connection_alert(
            host, "google_access_revoked", "i1", "https://kaleno.app/oauth/start"
        ),
        "email-host-alert-mail-failed": messages.mail_failed_alert(booking, people),
        "email-team-member-disconnected": messages.member_disconnected(
            messages.MemberDisconnected("ada@example.org", "h1", "tm1", "Acme Clinic", "Bo Brennan", "h2-1", language),
            "https://kaleno.app/dashboard",
        ),
    }


@pytest.fixture
def mail_page(chromium: Browser) -> Iterator[PageWatch]:
    context = chromium.new_context(locale="en-GB", viewport={"width": 390, "height": 900})
    watch = PageWatch(context.new_page(), "https://kaleno.app")
    yield watch
    context.close()


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("name", list(every_kind()))
def test_each_message_renders_without_sideways_scroll_from_320_to_600_px(
    mail_page: PageWatch, name: str, language: Language
) -> None:
    mail = every_kind(language)[name]

    mail_page.page.set_content(mail.html)

    check_layout(mail_page, name if language == "en" else f"{name}-{language}", widths=MAIL_WIDTHS)
    assert mail_page.foreign_requests() == []  # nothing loads from elsewhere (no tracking pixel, no font)


def test_the_confirmation_shows_the_facts_and_three_buttons_and_no_raw_link(mail_page: PageWatch) -> None:
    mail = every_kind()["email-confirmation"]

    mail_page.page.set_content(mail.html)

    page = mail_page.page
    assert page.get_by_role("heading", level=1).inner_text() == "Your booking is confirmed"
    buttons = page.get_by_role("link")
    assert buttons.all_inner_texts() == ["Join", "Reschedule", "Cancel"]
    assert page.get_by_role("link", name="Join").get_attribute("href") == BOOKING.meeting_url
    cancel = page.get_by_role("link", name="Cancel").get_attribute("href")
    assert cancel == PEOPLE.manage_link.replace("#token=", "&action=cancel#token=")
    assert "https://" not in page.locator("body").inner_text()
    assert "Monday, 8 March 2027, 05:00–05:30 (America/New_York)" in page.locator("body").inner_text()


def test_a_refused_confirmation_is_said_on_the_manage_page_and_in_the_dashboard(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: HostBrowser,
    google: Google,
    api: str,
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY)
    google.fault("smtp.send", status=554, count=1)  # the relay refuses the confirmation for good
    body = booking_body(slug, day_ahead(3, 10), who="Rita Refused")
    created = post_booking(api, body).json()
    google.drain_tasks()

    _, invitee = open_context(HOST_ZONE, width=390, height=844)
    manage = invitee.page
    manage.goto(f"/manage?booking={created['id']}#token={created['manage_token']}")
    expect(manage.get_by_text("We could not email you about this booking")).to_be_visible()
    assert_no_sideways_scroll(manage)
    assert_accessible(manage)
    snap(manage, screenshots, "manage-mail-failed-390")

    _, host = open_context(HOST_ZONE)
    sign_in(host.page)
    open_section(host.page, "Bookings")
    item = host.page.get_by_role("listitem").filter(has_text="Rita Refused")
    expect(item).to_contain_text("Rita Refused did not get our email about this booking")
    expect(item).to_contain_text(body["invitee"]["email"])
    assert_accessible(host.page)
    item.scroll_into_view_if_needed()
    item.screenshot(path=str(screenshots / "dashboard-mail-failed-item.png"))
