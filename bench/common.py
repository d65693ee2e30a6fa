"""Shared pieces of the benchmarks: the local stack in its own process, a signed-in host, percentiles."""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class Timing:
    """Milliseconds of one measured action, and of one Firestore document get taken alternately with it."""

    samples: list[float]
    gets: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def get(self) -> float:
        return statistics.median(self.gets)

    @property
    def get_spread(self) -> float:
        """p99/p50 of the get itself: how noisy the machine was while this was measured."""
        return percentile(self.gets, 99) / self.get

    def line(self, label: str) -> str:
        return (
            f"{label:34} p50 {self.p50:6.2f} ms = {self.p50 / self.get:4.2f}x get ({self.get:4.2f} ms)  "
            f"p95 {self.p95 / self.get:4.2f}x  p99 {self.p99 / self.get:5.2f}x  p99/p50 {self.p99 / self.p50:4.2f} "
            f"(get's own p99/p50 {self.get_spread:4.2f})"
        )

    def metrics(self, name: str) -> dict[str, float]:
        """Ratios to the same run's get, for `bench.repeat`."""
        return {
            f"{name} p50 x get": self.p50 / self.get,
            f"{name} p95 x get": self.p95 / self.get,
            f"{name} p99 x get": self.p99 / self.get,
            f"{name} p99/p50": self.p99 / self.p50,
            f"{name} p50 ms": self.p50,
            f"{name} get ms": self.get,
            f"{name} get p99/p50": self.get_spread,
        }


def report(metrics: dict[str, float]) -> None:
    """One machine-readable line with every figure of the run (`bench.repeat` collects them)."""
    print("BENCH " + json.dumps(metrics), flush=True)


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
    timing = timed_against_get(action, repeat, warmup)
    return timing.samples, timing.gets


def timed_against_get(action: Callable[[], Any], repeat: int, warmup: int = 20, ref: Any = None) -> Timing:
    """`action` timed `repeat` times, each time right after one Firestore document get (see `interleaved`)."""
    ref = ref or baseline_document()
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
    return Timing(actions, gets)


def baseline_document() -> Any:
    """One small document, read with the official client as the app reads its own."""
    from google.cloud import firestore

    ref = firestore.Client(project="kaleno-local").collection("bench").document(uuid.uuid4().hex)
    ref.set({"value": 1})
    return ref


class HttpClient:
    """One keep-alive HTTP/1.1 connection (as a browser holds one), with little client-side work per request,
    so the time measured is the server's and the network's."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})} if data is not None else dict(headers or {})
        try:
            self._connection.request(method, path, body=data, headers=sent)
            response = self._connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self._connection.close()  # reconnect on the next request; the caller counts the error
            raise

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def close(self) -> None:
        self._connection.close()


def signed_in_host(stack: StackProcess, email: str) -> requests.Session:
    """A host (whose sandbox account exists) signed in as a browser would."""
    session = requests.Session()
    session.headers["Origin"] = stack.api
    start = session.get(f"{stack.api}/oauth/start", params={"login_hint": email}, allow_redirects=False)
    callback = session.get(start.headers["Location"], allow_redirects=False).headers["Location"]
    assert session.get(callback, allow_redirects=False).status_code == 302
    return session
