"""Shared pieces of the benchmarks: the local stack, a signed-in host, and percentile helpers."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

from devstack.stack import LocalStack


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


def single_get_baseline(stack: LocalStack, repeat: int = 200) -> float:
    """p50 of one small Firestore document get on this emulator, measured now."""
    from google.cloud import firestore

    client = firestore.Client(project="kaleno-local")
    ref = client.collection("bench").document(uuid.uuid4().hex)
    ref.set({"value": 1})
    return statistics.median(timed(ref.get, repeat))


def create_account(stack: LocalStack, email: str, zone: str) -> None:
    requests.post(f"{stack.sandbox.http_url}/_sandbox/accounts", timeout=10,
                  json={"email": email, "name": "Bench", "time_zone": zone}).raise_for_status()


def signed_in_host(stack: LocalStack, email: str) -> requests.Session:
    """A host (whose sandbox account exists) signed in as a browser would."""
    session = requests.Session()
    session.headers["Origin"] = stack.server.url
    start = session.get(f"{stack.server.url}/oauth/start", params={"login_hint": email}, allow_redirects=False)
    callback = session.get(start.headers["Location"], allow_redirects=False).headers["Location"]
    assert session.get(callback, allow_redirects=False).status_code == 302
    return session


def google_calls(stack: LocalStack) -> dict[str, int]:
    calls: dict[str, int] = requests.get(f"{stack.sandbox.http_url}/_sandbox/state", timeout=10).json()["calls"]
    return calls
