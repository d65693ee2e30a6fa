"""Outbound mail through any provider's SMTP relay, with the standard library (no provider lock-in).

One connection per message: messages are sent from Cloud Tasks, one per task, so there is nothing to pool.
A temporary failure (unreachable relay, 4xx) becomes MailDeferred and the task is retried; a 5xx becomes
MailRefused. Addresses never reach a log: errors carry the reply code only.
"""

from __future__ import annotations

from collections.abc import Callable
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy, Policy

from shared.config import Settings
from shared.deadlines import bounded
from shared.domain.text import checked_line
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
                settings.smtp_host or "", settings.smtp_port, timeout=bounded(settings.dependency_timeout_seconds)
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


class _LiteralText(UnstructuredHeader, BaseHeader):  # BaseHeader: as the registry mixes it in
    """A header value we wrote (a subject naming people): taken as the characters it is, never as encoded
    words to decode, so a name like "=?utf-8?q?Ivy=0D=0A...?=" stays those characters; one line, or
    ValueError. On the wire it is RFC 2047-encoded as a whole whenever it is not plain ASCII or holds "=?",
    which a reader decodes back to exactly this text."""

    @classmethod
    def parse(cls, value: str, kwds: dict[str, object]) -> None:
        text = checked_line(str(value))
        super().parse(text if _plain(text) else "", kwds)  # plain ASCII without "=?": nothing to decode
        kwds["decoded"] = text

    def fold(self, *, policy: Policy) -> str:
        if _plain(str(self)):
            return super().fold(policy=policy)
        # email.header folds between whole encoded words, and the space between two encoded words is not
        # part of the text: no double space where a line is folded (the library's own folder adds one).
        encoded = Header(str(self), "utf-8", maxlinelen=policy.max_line_length, header_name=self.name)
        return f"{self.name}: {encoded.encode(linesep=policy.linesep)}{policy.linesep}"


def _plain(text: str) -> bool:
    return text.isascii() and "=?" not in text


class _RefusingPolicy(EmailPolicy):
    """SMTP line endings, defects raised, and every header checked as written: a line break inside a value
    (anything but CRLF followed by folding whitespace) raises instead of starting a new header line."""

    def fold(self, name: str, value: str) -> str:
        return _checked_fold(super().fold(name, value), self.linesep)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = super().fold_binary(name, value)
        _checked_fold(folded.decode("ascii", "surrogateescape"), self.linesep)
        return folded


def _checked_fold(folded: str, linesep: str) -> str:
    body = folded.removesuffix(linesep)
    for line in body.split(linesep)[1:]:
        if not line[:1].isspace():
            raise ValueError("a header value would start a new header line")
    if "\r" in body.replace(linesep, "") or "\n" in body.replace(linesep, ""):
        raise ValueError("a header value holds a bare line break")
    return folded


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("subject", _LiteralText)
MAIL_POLICY = _RefusingPolicy(linesep="\r\n", raise_on_defect=True, header_factory=_HEADERS)


def _message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """Every header through the library's structured types: addresses as Address, the subject as literal
    text, under a policy that refuses line breaks."""
    from email.utils import formatdate, parseaddr

    sender_name, sender_address = parseaddr(sender)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    message["To"] = Address(addr_spec=mail.to)
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a booking notice
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, _, parameters = rest.partition(";")
        params = dict(part.strip().split("=", 1) for part in parameters.split(";") if "=" in part)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype.strip(), filename=attachment.filename, params=params
        )
    return message
