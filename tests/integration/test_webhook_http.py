"""The real webhook HTTP adapter against receivers on loopback: the POST goes to the address it is given
(the name is only the Host header, SNI and certificate name), redirects are not followed, Retry-After
is passed on, and TLS certificates are verified."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.webhook_http import InternetWebhookHttp
from shared.domain.webhooks import url_parts
from shared.services.errors import WebhookUnreachable


class Loopback:
    def __init__(self, status: int = 204, headers: dict[str, str] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                loopback.requests.append((self.path, dict(self.headers.items()), body))
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port

    def __enter__(self) -> Loopback:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http() -> InternetWebhookHttp:
    return InternetWebhookHttp(timeout_seconds=5)


def test_the_post_goes_to_the_given_address_with_the_name_as_host(http: InternetWebhookHttp) -> None:
    with Loopback() as receiver:
        url = url_parts(f"http://crm.invalid:{receiver.port}/in?tenant=7")  # .invalid never resolves

        answer = http.post(url, "127.0.0.1", {"Content-Type": "application/json"}, b'{"id":"e1"}')

    ((path, headers, body),) = receiver.requests
    assert answer.status == 204
    assert (path, body) == ("/in?tenant=7", b'{"id":"e1"}')
    assert headers["Host"] == f"crm.invalid:{receiver.port}"


def test_a_redirect_is_an_answer_not_followed_and_retry_after_is_passed_on(http: InternetWebhookHttp) -> None:
    with Loopback(307, {"Location": "http://127.0.0.1:1/elsewhere", "Retry-After": "120"}) as receiver:
        answer = http.post(url_parts(f"http://127.0.0.1:{receiver.port}/"), "127.0.0.1", {}, b"{}")

    assert (answer.status, answer.retry_after) == (307, 120.0)
    assert len(receiver.requests) == 1


def test_nothing_listening_and_unknown_names_are_unreachable(http: InternetWebhookHttp) -> None:
    with Loopback() as receiver:
        port = receiver.port
    with pytest.raises(WebhookUnreachable, match="connection_failed"):
        http.post(url_parts(f"http://127.0.0.1:{port}/"), "127.0.0.1", {}, b"{}")
    with pytest.raises(WebhookUnreachable, match="dns_failed"):
        http.resolve("receiver.invalid", 443)


def test_names_and_literals_resolve_to_their_addresses(http: InternetWebhookHttp) -> None:
    assert "127.0.0.1" in http.resolve("localhost", 443)
    assert http.resolve("10.1.2.3", 443) == ["10.1.2.3"]
    assert http.resolve("2130706433", 443) == ["127.0.0.1"]  # what the SSRF check must see through


def test_an_untrusted_certificate_is_refused(http: InternetWebhookHttp, tmp_path: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed("crm.example.com", tmp_path))
    with Loopback() as receiver:
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)

        with pytest.raises(WebhookUnreachable, match="tls_failed"):
            http.post(url_parts(f"https://crm.example.com:{receiver.port}/"), "127.0.0.1", {}, b"{}")

    assert receiver.requests == []


def _self_signed(name: str, directory: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout() -> None:
    import socket
    import time

    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections (backlog) and never answers
    try:
        started = time.monotonic()
        with pytest.raises(WebhookUnreachable, match="timeout"):
            InternetWebhookHttp(timeout_seconds=0.5).post(
                url_parts(f"http://127.0.0.1:{silent.getsockname()[1]}/"), "127.0.0.1", {}, b"{}"
            )
        waited = time.monotonic() - started
    finally:
        silent.close()

    assert waited < 3
