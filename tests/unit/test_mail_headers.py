"""How a message's headers are written (shared/adapters/smtp_mail.py): through the email library's
structured types, the subject taken as the characters it is (an encoded word in a name is never decoded),
folded without the library's double space, and a line break refused rather than written."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.smtp_mail import _message
from shared.domain.text import checked_line
from shared.services.records import OutgoingMail

SENDER = "Kaleno <bookings@kaleno.app>"
PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def sent(subject: str, to: str = "ines@example.org") -> EmailMessage:
    mail = OutgoingMail(to=to, subject=subject, text="Hello\n", html="<p>Hello</p>", message_id="<b1.1@kaleno.app>")
    parsed = email.message_from_bytes(_message(mail, SENDER).as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def one_line(text: str) -> bool:
    try:
        checked_line(text)
    except ValueError:
        return False
    return text == text.strip() and "  " not in text  # a reader may collapse runs of spaces: not our question


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(one_line))
def test_any_one_line_subject_reads_back_exactly(subject: str) -> None:
    assert str(sent(subject)["Subject"]) == subject


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=PRINTABLE_ASCII, min_size=1, max_size=300).filter(one_line))
def test_any_plain_ascii_subject_reads_back_exactly(subject: str) -> None:
    assert str(sent(subject)["Subject"]) == subject


@pytest.mark.parametrize(
    "subject",
    [
        "Confirmed: Call with Ada Lovelace-Host, Tuesday, 8 December 2026, 10:00–10:30 (Europe/Berlin)",
        "Confirmed: Call with =?utf-8?q?Ivy=0D=0AReply-To:_phish@attacker.example?=, Tuesday",
        "New booking: =?UTF-8?B?SXZ5DQpCY2M6IHhAYXR0YWNrZXIuZXhhbXBsZQ==?= with Ines",
    ],
)
def test_a_subject_keeps_its_characters_and_adds_no_header(subject: str) -> None:
    message = sent(subject)

    assert str(message["Subject"]) == subject  # one space where it was folded; encoded words left as typed
    assert sorted(message.keys()) == [
        "Auto-Submitted",
        "Content-Type",
        "Date",
        "From",
        "MIME-Version",
        "Message-ID",
        "Subject",
        "To",
    ]


@pytest.mark.parametrize("subject", ["Confirmed: Ada\r\nBcc: x@attacker.example", "Ada\nBcc: x", "Ada\rBcc", "A\x00"])
def test_a_line_break_in_a_subject_is_refused_not_written(subject: str) -> None:
    with pytest.raises(ValueError, match="line"):
        sent(subject)


def test_an_address_that_would_add_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        sent("Hello", to="ines@example.org\r\nBcc: x@attacker.example")
