"""Shared pieces of the benchmarks: the local stack in its own process, a signed-in host, percentiles."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(action: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds per call, after two warm-up calls."""
    for _ in range(2):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@dataclass
class StackProcess:
    """`python -m devstack --free-ports --json` as a child process: the app runs apart from the benchmark."""

    urls: dict[str, str]
    process: subprocess.Popen[str]

    @classmethod
    def start(cls, **settings: str) -> StackProcess:
        """`settings`: KALENO_* environment for the stack. Per-client limits are off unless asked for: a
        benchmark is one client sending far more than a person would."""
        env = {**os.environ, "KALENO_CLIENT_LIMITS_ENABLED": "false", **settings}
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--free-ports", "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        # Keep reading the stack's log lines, or a full pipe would stall its request threads.
        threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
        os.environ["FIRESTORE_EMULATOR_HOST"] = urls["firestore"]
        return cls(urls, process)

    @property
    def api(self) -> str:
        return self.urls["app"]

    @property
    def google(self) -> SandboxClient:
        """The Google sandbox's control API."""
        return SandboxClient(self.urls["sandbox"])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def interleaved(action: Callable[[], Any], repeat: int, warmup: int = 20) -> tuple[list[float], list[float]]:
    """(action ms, one-document-get ms), measured alternately so both see the same machine and the same
    warmed-up emulator: on 2 shared cores, a baseline taken minutes apart is not a baseline."""
    from google.cloud import firestore

    ref = firestore.Client(project="kaleno-local").collection("bench").document(uuid.uuid4().hex)
    ref.set({"value": 1})
    for _ in range(warmup):
        ref.get()
        action()
    actions, gets = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        ref.get()
        gets.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        action()
        actions.append((time.perf_counter() - started) * 1000)
    return actions, gets


def signed_in_host(stack: StackProcess, email: str) -> requests.Session:
    """A host (whose sandbox account exists) signed in as a browser would."""
    session = requests.Session()
    session.headers["Origin"] = stack.api
    start = session.get(f"{stack.api}/oauth/start", params={"login_hint": email}, allow_redirects=False)
    callback = session.get(start.headers["Location"], allow_redirects=False).headers["Location"]
    assert session.get(callback, allow_redirects=False).status_code == 302
    return session
