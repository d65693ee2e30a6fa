"""Mail nobody can forge and mail that cannot be lost silently (issue 25, findings 2, 3 and 5), through the
real path: HTTP → Cloud Tasks → notifications → the sandbox's SMTP relay → `GET /_sandbox/mail/{id}/raw`.

- Encoded words typed into names and titles stay the characters typed: every message parsed back has
  exactly the headers we set and the body we wrote (no Reply-To, Bcc or body smuggled in).
- Names and free text with line breaks or other control characters are refused (422 naming the field),
  so no booking loses its mail to a name that cannot become a header.
- A relay that refuses a confirmation for good marks it failed in both views and alerts the host once.
"""

from __future__ import annotations

import base64
import email
import email.policy
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours

PHISH = "phish@attacker.example"
# RFC 2047 probes: q and b encodings, mixed case, two adjacent encoded words (their space vanishes when
# decoded, so a line break can be split across them), and one that would replace the whole body.
PROBES = (
    f"=?utf-8?q?Ivy=0D=0AReply-To:_{PHISH}?=",
    "=?UTF-8?B?" + base64.b64encode(f"Ivy\r\nReply-To: {PHISH}".encode()).decode() + "?=",
    f"=?Utf-8?Q?Ivy=0d=0aBcc:_{PHISH}?=",
    f"=?utf-8?q?Ivy?= =?utf-8?q?=0D=0AReply-To:_{PHISH}?=",
    "=?utf-8?q?Ada=0D=0A=0D=0AVerify_at_https://evil.example/login?=",
)
OUR_HEADERS = ["Auto-Submitted", "Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject", "To"]


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email_address = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    (event_type,) = browser.get("/hosts/me/event-types").json()["event_types"]
    return {"slug": slug, "email": email_address, "event_type_id": event_type["id"]}


def parsed(google: Google, mail_id: int) -> EmailMessage:
    message = email.message_from_bytes(google.raw_mail(mail_id), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def when(start: datetime, zone: str) -> str:
    local, end = start.astimezone(ZoneInfo(zone)), (start + timedelta(minutes=30)).astimezone(ZoneInfo(zone))
    return f"{local:%A, %-d %B %Y, %H:%M}–{end:%H:%M} ({zone})"


def assert_only_our_headers(message: EmailMessage, to: str, subject: str) -> None:
    assert sorted(message.keys()) == OUR_HEADERS  # each once: no Reply-To, Bcc or second Subject added
    assert str(message["To"]) == to
    assert str(message["From"]) == get_settings().mail_from
    assert str(message["Subject"]) == subject  # the probe's characters, not what they would decode to
    assert message.defects == []


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_encoded_words_in_names_and_titles_stay_text_and_add_no_header_or_body(
    api: str, browser: Browser, host: dict[str, str], google: Google
) -> None:
    for hour, probe in enumerate(PROBES, start=9):
        title = f"Call {probe}"
        assert browser.patch("/hosts/me", json={"display_name": probe}).status_code == 200
        renamed = browser.patch(f"/hosts/me/event-types/{host['event_type_id']}", json={"title": title})
        assert renamed.status_code == 200, renamed.text
        start = day_ahead(3, hour)
        body = booking_body(host["slug"], start, who=f"Ines {probe}")
        assert post_booking(api, body).status_code == 201
        google.drain_tasks()

        invitee_name, invitee = body["invitee"]["name"], body["invitee"]["email"]
        (confirmation,) = [parsed(google, m["id"]) for m in google.mail(to=invitee)]
        subject = f"Confirmed: {title} with {probe}, {when(start, 'Europe/Lisbon')}"
        assert_only_our_headers(confirmation, invitee, subject)
        text = body_text(confirmation)
        assert text.startswith("Your booking is confirmed\n\n")
        assert f"What: {title} with {probe}\n" in text
        assert "Verify at" not in text
        assert f"Reply-To: {PHISH}" not in text

        notices = [parsed(google, m["id"]) for m in google.mail(to=host["email"])]
        (notice,) = [n for n in notices if invitee_name in str(n["Subject"])]
        assert_only_our_headers(
            notice, host["email"], f"New booking: {title} with {invitee_name}, {when(start, 'Europe/Berlin')}"
        )
        assert f"Invitee: {invitee_name}\n" in body_text(notice)
        assert [p.get_content_type() for p in notice.walk()] == ["multipart/alternative", "text/plain", "text/html"]


def test_line_breaks_and_control_characters_in_text_are_refused_naming_the_field(
    api: str, browser: Browser, host: dict[str, str], google: Google
) -> None:
    start = day_ahead(4, 10)
    refused = {
        "display_name": browser.patch("/hosts/me", json={"display_name": "Ada\r\nBcc: x@attacker.example"}),
        "title": browser.patch(f"/hosts/me/event-types/{host['event_type_id']}", json={"title": "Call\nnow"}),
        "questions.0.label": browser.patch(
            f"/hosts/me/event-types/{host['event_type_id']}",
            json={"questions": [{"id": "topic", "label": "Topic\rBcc", "kind": "short_text"}]},
        ),
        "name": browser.post("/hosts/me/schedules", json={"name": "Mornings\nEvenings"}),
        "invitee.name": post_booking(api, booking_body(host["slug"], start, who="Ines\r\nInvitee")),
        "notes": post_booking(api, booking_body(host["slug"], start, notes="Agenda\x1b[2J")),
    }
    for field, response in refused.items():
        problem = assert_problem(response, 422, "validation-error")
        assert field in [error["field"] for error in problem["errors"]], (field, problem)

    booked = [
        post_booking(api, booking_body(host["slug"], day_ahead(4, h), notes="Line one\nline two")) for h in (11, 12, 13)
    ]
    reason = requests.post(
        f"{api}/bookings/{booked[0].json()['id']}/cancel",
        json={"reason": "Sick\r\nBcc: x@attacker.example"},
        headers={"Authorization": f"Bearer {booked[0].json()['manage_token']}"},
        timeout=10,
    )
    google.drain_tasks()

    assert [error["field"] for error in assert_problem(reason, 422, "validation-error")["errors"]] == ["reason"]
    assert [response.status_code for response in booked] == [201, 201, 201]  # notes keep their line breaks
    assert google.state()["calls"]["smtp.send"] == 6  # 3 of 3 confirmed, and each host notice sent
    for response in booked:
        view = requests.get(
            f"{api}/bookings/{response.json()['id']}",
            headers={"Authorization": f"Bearer {response.json()['manage_token']}"},
            timeout=10,
        ).json()
        assert (view["notes"], view["confirmation_mail"]) == ("Line one\nline two", "sent")


def test_a_refused_confirmation_is_failed_in_both_views_and_the_host_is_alerted_once(
    api: str, browser: Browser, host: dict[str, str], google: Google
) -> None:
    google.fault("smtp.send", status=554, count=1)  # the relay refuses the first message (the confirmation)
    body = booking_body(host["slug"], day_ahead(5, 10))

    created = post_booking(api, body)
    google.drain_tasks()
    google.drain_tasks()  # nothing more comes of it

    assert created.status_code == 201
    booking = created.json()
    auth = {"Authorization": f"Bearer {booking['manage_token']}"}
    invitee_view = requests.get(f"{api}/bookings/{booking['id']}", headers=auth, timeout=10).json()
    listed: list[dict[str, Any]] = browser.get("/hosts/me/bookings").json()["bookings"]
    (host_item,) = [item for item in listed if item["id"] == booking["id"]]
    assert (invitee_view["confirmation_mail"], host_item["confirmation_mail"]) == ("failed", "failed")
    assert google.mail(to=body["invitee"]["email"]) == []
    host_subjects = [str(m["subject"]) for m in google.mail(to=host["email"])]
    alerts = [s for s in host_subjects if s.startswith("Action needed:")]
    assert alerts == ["Action needed: Ines Invitee did not get the confirmation for Call"]
    assert len(host_subjects) == 2  # the host's own notice and the one alert


def test_a_delivered_confirmation_says_sent(api: str, host: dict[str, str], google: Google) -> None:
    created = post_booking(api, booking_body(host["slug"], day_ahead(5, 12))).json()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}

    before = requests.get(f"{api}/bookings/{created['id']}", headers=auth, timeout=10).json()
    google.drain_tasks()
    after = requests.get(f"{api}/bookings/{created['id']}", headers=auth, timeout=10).json()

    assert before["confirmation_mail"] in ("pending", "sent")  # the task may already have run
    assert after["confirmation_mail"] == "sent"
