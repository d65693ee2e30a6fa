"""`python -m devstack` serves the functions on functions-framework's production server, as deployed."""

from __future__ import annotations

import http.client
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
