"""`python -m sandbox` starts quickly, prints its addresses, stays quiet and stops on SIGTERM.

It runs from an unrelated directory: the installed package is what starts, not a source tree on the path.
"""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_cli_prints_addresses_serves_and_stops_cleanly(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(4)]
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--http-port",
        str(ports[0]),
        "--secrets-port",
        str(ports[1]),
        "--tasks-port",
        str(ports[2]),
        "--smtp-port",
        str(ports[3]),
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        ready_after = time.monotonic() - started
        discovery = requests.get(f"http://127.0.0.1:{ports[0]}/.well-known/openid-configuration", timeout=5)
        with smtplib.SMTP("127.0.0.1", ports[3], timeout=5) as relay:
            helo_code, _ = relay.ehlo()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()

    assert ready_after < 2.0
    assert f"http://127.0.0.1:{ports[0]}" in lines[0]
    assert f"127.0.0.1:{ports[1]}" in lines[1]
    assert f"127.0.0.1:{ports[2]}" in lines[2]
    assert f"SMTP relay: 127.0.0.1:{ports[3]}" in lines[3]
    assert helo_code == 250
    assert discovery.json()["issuer"] == "https://accounts.google.com"
    assert process.returncode == 0
    assert "GET /" not in stderr  # no access log by default
