"""An SMTP relay on loopback (aiosmtpd) that keeps every message it accepts, for `GET /_sandbox/mail`.

It stands where a real relay (e.g. Google Workspace's smtp-relay) would: any sender, any recipient, no
TLS; AUTH PLAIN and LOGIN are offered and accept any credentials (sending without AUTH works too).
Each accepted message is parsed with the standard `email` package. Every message that reaches DATA is
one `smtp.send` call: it is counted, and an injected fault (`POST /_sandbox/faults {"method":
"smtp.send", "status": 451, "count": N}`) refuses it with that reply code (4xx temporary, 5xx
permanent), as a relay answers the end of DATA.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from sandbox.state import SandboxState
from sandbox.timefmt import utc_millis

METHOD = "smtp.send"
# The text a relay sends with each refusal code (RFC 3463 enhanced status codes).
REPLY_TEXT = {
    421: "4.7.0 Try again later, closing connection.",
    450: "4.2.1 Mailbox temporarily unavailable.",
    451: "4.3.0 Temporary system problem. Try again later.",
    452: "4.5.3 Insufficient system storage.",
    550: "5.7.1 Message rejected by policy.",
    552: "5.3.4 Message size exceeds fixed maximum message size.",
    554: "5.7.0 Transaction failed.",
}


@dataclass
class StoredMail:
    id: int
    envelope_from: str
    recipients: list[str]
    raw: bytes
    received_at: float

    def public(self) -> dict[str, Any]:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        headers: dict[str, str] = {}
        for name, value in message.items():
            headers.setdefault(name, str(value))
        return {
            "id": self.id,
            "to": list(self.recipients),
            "from": str(message["From"]) if message["From"] is not None else self.envelope_from,
            "envelope_from": self.envelope_from,
            "subject": str(message["Subject"]) if message["Subject"] is not None else None,
            "text": _body(message, "plain"),
            "html": _body(message, "html"),
            "attachments": _attachments(message),
            "message_id": str(message["Message-ID"]) if message["Message-ID"] is not None else None,
            "headers": headers,
            "received_at": utc_millis(self.received_at),
        }


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    # Lines end in CRLF on the wire; the listing shows them as the sender wrote them.
    return content.replace("\r\n", "\n") if isinstance(content, str) else None


def _attachments(message: EmailMessage) -> list[str]:
    """Each part with a file name or an attachment disposition, by name (or content type when unnamed)."""
    names = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            names.append(filename or part.get_content_type())
    return names


class MailStore:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.messages: list[StoredMail] = []

    def add(self, envelope_from: str, recipients: list[str], raw: bytes) -> None:
        with self.state.lock:
            self.messages.append(
                StoredMail(self.state.next_seq(), envelope_from, recipients, raw, self.state.clock.time())
            )

    def items(self, to: str | None = None) -> list[StoredMail]:
        with self.state.lock:
            wanted = to.lower() if to else None
            return [m for m in self.messages if wanted is None or wanted in (r.lower() for r in m.recipients)]

    def get(self, mail_id: int) -> StoredMail | None:
        with self.state.lock:
            return next((m for m in self.messages if m.id == mail_id), None)

    def reset(self) -> None:
        with self.state.lock:
            self.messages.clear()


class _Handler:
    """aiosmtpd calls `handle_DATA` (its hook name) once per message, at the end of DATA."""

    def __init__(self, state: SandboxState, store: MailStore) -> None:
        self.state = state
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self.state.register_call(METHOD)
        if fault is not None:
            return f"{fault.status} {REPLY_TEXT.get(fault.status, 'Requested action not taken.')}"
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content.encode() if isinstance(content, str) else content or b""
        self.store.add(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        return "250 2.0.0 OK: queued"


def _accept_any(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    return AuthResult(success=True)


class _Controller(Controller):
    """aiosmtpd's threaded controller, able to listen on port 0 (a free port)."""

    def _trigger_server(self) -> None:
        # The server is bound by now: learn the real port, then connect once so aiosmtpd builds its
        # SMTP instance (it does so lazily, on the first connection).
        sockets = getattr(self.server, "sockets", None) or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        with socket.create_connection((self.hostname, self.port), timeout=self.ready_timeout) as probe:
            probe.recv(1024)


class SmtpRelay:
    def __init__(self, state: SandboxState, store: MailStore) -> None:
        self.state = state
        self.store = store
        self._controller: _Controller | None = None
        self.host = ""
        self.port = 0

    def start(self, host: str, port: int) -> None:
        controller = _Controller(
            _Handler(self.state, self.store),
            hostname=host,
            port=port,
            server_hostname="localhost",  # skips aiosmtpd's getfqdn(), which may wait on DNS
            ident="Kaleno Google sandbox SMTP relay",
            auth_require_tls=False,
            authenticator=_accept_any,
        )
        controller.start()
        self._controller = controller
        self.host, self.port = host, controller.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
