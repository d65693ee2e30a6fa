"""The SMTP relay through smtplib, as an app's mailer sends: listing, filters, AUTH, faults, reset."""

from __future__ import annotations

import email
import email.policy
import smtplib
from datetime import datetime
from email.message import EmailMessage

import pytest

from sandbox.client import SandboxClient
from sandbox.server import Sandbox

ICS_LINES = ["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:b-1@kaleno", "END:VEVENT"]
ICS = "\r\n".join([*ICS_LINES, "END:VCALENDAR", ""])


def invitation(to: str = "grace@example.com", subject: str = "Booked: Intro call") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kaleno <no-reply@kaleno.app>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<b-1.v1@kaleno.app>"
    message.set_content("You are booked.\nManage: https://kaleno.app/m/1\n")
    message.add_alternative("<p>You are booked.</p>", subtype="html")
    message.add_attachment(ICS.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    return message


def smtp(sandbox: Sandbox) -> smtplib.SMTP:
    return smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=5)


def test_a_sent_message_is_listed_parsed(sandbox: Sandbox, control: SandboxClient) -> None:
    with smtp(sandbox) as client:
        client.send_message(invitation(), to_addrs=["grace@example.com", "audit@kaleno.app"])

    [mail] = control.mail()

    assert mail["to"] == ["grace@example.com", "audit@kaleno.app"]  # the envelope: Bcc included
    assert mail["from"] == "Kaleno <no-reply@kaleno.app>"
    assert mail["envelope_from"] == "no-reply@kaleno.app"
    assert mail["subject"] == "Booked: Intro call"
    assert mail["text"] == "You are booked.\nManage: https://kaleno.app/m/1\n"
    assert mail["html"] == "<p>You are booked.</p>\n"
    assert mail["attachments"] == ["invite.ics"]
    assert mail["message_id"] == "<b-1.v1@kaleno.app>"
    assert mail["headers"]["To"] == "grace@example.com"
    assert mail["headers"]["Content-Type"].startswith("multipart/mixed")
    assert datetime.fromisoformat(mail["received_at"]).tzinfo is not None
    assert control.state()["calls"]["smtp.send"] == 1
    raw = email.message_from_bytes(control.raw_mail(mail["id"]), policy=email.policy.default)
    assert isinstance(raw, EmailMessage)
    [attachment] = list(raw.iter_attachments())
    assert "UID:b-1@kaleno" in attachment.get_content()


def test_mail_is_listed_in_arrival_order_and_filtered_by_recipient(sandbox: Sandbox, control: SandboxClient) -> None:
    plain = EmailMessage()
    plain["From"] = "no-reply@kaleno.app"
    plain["To"] = "ada@example.com"
    plain["Subject"] = "Reminder"
    plain.set_content("Tomorrow at 10:00")
    with smtp(sandbox) as client:
        client.send_message(invitation(subject="first"))
        client.send_message(plain)
        client.send_message(invitation(subject="third"))

    everything = control.mail()
    for_grace = control.mail(to="Grace@Example.com")
    for_nobody = control.mail(to="nobody@example.com")

    assert [m["subject"] for m in everything] == ["first", "Reminder", "third"]
    assert [m["subject"] for m in for_grace] == ["first", "third"]
    assert for_nobody == []
    assert everything[1]["html"] is None
    assert everything[1]["attachments"] == []
    assert everything[1]["text"] == "Tomorrow at 10:00\n"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_auth_accepts_any_credentials(sandbox: Sandbox, control: SandboxClient, mechanism: str) -> None:
    with smtp(sandbox) as client:
        client.ehlo()
        assert client.has_extn("auth")
        client.user, client.password = "apikey", "anything"
        code, _ = client.auth(mechanism, getattr(client, f"auth_{mechanism.lower()}"))
        client.send_message(invitation())

    assert code == 235
    assert len(control.mail()) == 1


@pytest.mark.parametrize(("status", "permanent"), [(451, False), (550, True)])
def test_a_fault_refuses_the_next_deliveries_with_its_reply_code(
    sandbox: Sandbox, control: SandboxClient, status: int, permanent: bool
) -> None:
    control.fault("smtp.send", status, count=2)

    refusals = []
    with smtp(sandbox) as client:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPResponseException) as refused:
                client.send_message(invitation())
            refusals.append(refused.value)
        client.send_message(invitation())

    assert [r.smtp_code for r in refusals] == [status, status]
    reply = refusals[0].smtp_error
    assert (reply.decode() if isinstance(reply, bytes) else reply).startswith("5." if permanent else "4.")
    assert len(control.mail()) == 1  # refused messages are not kept
    assert control.state()["calls"]["smtp.send"] == 3


def test_reset_clears_the_mail(sandbox: Sandbox, control: SandboxClient) -> None:
    with smtp(sandbox) as client:
        client.send_message(invitation())
    assert len(control.mail()) == 1

    control.reset()

    assert control.mail() == []
    assert "smtp.send" not in control.state()["calls"]
