"""`python -m devstack` serves the functions on functions-framework's production server, as deployed."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest

from devstack.emulator import free_port
from devstack.serve import ServerProcess
from devstack.stack import LocalStack


@pytest.fixture
def production_server(clean_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """The same app on gunicorn in its own process, beside the session's stack (its emulator and sandbox)."""
    monkeypatch.setenv("KALENO_INSTANCES", "2")  # two instances are enough to show the shape
    server = ServerProcess(free_port()).start()
    yield server
    server.stop()


def test_functions_answer_from_gunicorn_on_one_kept_alive_connection(production_server: ServerProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", production_server.port, timeout=10)

    answers = []
    for path in ("/healthz", "/bookings/pages/nobody/call", "/bookings/pages/nobody/call/slots?from=2027-01-01"):
        connection.request("GET", path)
        response = connection.getresponse()
        answers.append((response.status, response.getheader("Server"), response.getheader("Connection")))
        response.read()
    socket_used = connection.sock
    connection.request("GET", "/healthz")
    connection.getresponse().read()

    assert [status for status, _, _ in answers] == [200, 404, 422]
    assert all(server is not None and server.startswith("gunicorn") for _, server, _ in answers)
    assert connection.sock is socket_used  # the same connection served every request
    connection.close()


def test_the_server_stops_with_its_workers(production_server: ServerProcess) -> None:
    production_server.stop()

    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", production_server.port, timeout=2).request("GET", "/healthz")


def _raw(port: int, request_head: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request as given, on its own connection; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request_head)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ", 2)[1]), headers, body


@pytest.mark.parametrize("length", [9_000, 60_000, 200_000])
def test_an_oversized_header_gets_a_problem_not_gunicorns_page(production_server: ServerProcess, length: int) -> None:
    """Before: a 60 KB Authorization header got gunicorn's own HTML 431 page."""
    token = b"Bearer " + b"a" * length
    head = b"GET /bookings/" + b"0" * 32 + b" HTTP/1.1\r\nHost: x\r\nAuthorization: " + token + b"\r\n\r\n"

    status, headers, body = _raw(production_server.port, head)

    assert status == 431
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["type"] == "https://kaleno.app/problems/header-too-large"
    assert problem["status"] == 431
    assert b"aaaa" not in body  # the value is never echoed


def test_a_header_within_the_limit_is_served(production_server: ServerProcess) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: c=" + b"a" * 8_000 + b"\r\n\r\n"

    status, _, _ = _raw(production_server.port, head)

    assert status == 200
