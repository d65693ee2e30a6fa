"""Outbound mail through any provider's SMTP relay, with the standard library (no provider lock-in).

One connection per message: messages are sent from Cloud Tasks, one per task, so there is nothing to pool.
A temporary failure (unreachable relay, 4xx) becomes MailDeferred and the task is retried; a 5xx becomes
MailRefused. Addresses never reach a log: errors carry the reply code only.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from shared.config import Settings
from shared.services.errors import MailDeferred, MailRefused
from shared.services.records import OutgoingMail


class SmtpMailer:
    def __init__(self, settings: Settings, password: Callable[[], str]) -> None:
        self._settings = settings
        self._password = password  # read from Secret Manager only when a login is needed

    def send(self, mail: OutgoingMail) -> None:
        import smtplib
        import ssl

        settings = self._settings
        message = _message(mail, settings.mail_from)
        try:
            with smtplib.SMTP(
                settings.smtp_host or "", settings.smtp_port, timeout=settings.dependency_timeout_seconds
            ) as relay:
                if settings.smtp_requires_tls:
                    relay.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    relay.login(settings.smtp_username, self._password())
                relay.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise _by_code(min(codes) if codes else 550) from None  # from None: the exception names addresses
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code) from None
        except (OSError, smtplib.SMTPException) as error:
            raise MailDeferred(type(error).__name__) from None


def _by_code(code: int) -> Exception:
    return MailDeferred(f"relay answered {code}") if 400 <= code < 500 else MailRefused(code)


def _message(mail: OutgoingMail, sender: str) -> EmailMessage:
    from email.utils import formatdate

    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a booking notice
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, _, parameters = rest.partition(";")
        params = dict(
            part.strip().split("=", 1) for part in parameters.split(";") if "=" in part
        )
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype.strip(), filename=attachment.filename, params=params
        )
    return message
