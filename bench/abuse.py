"""Issue 26's abuse run: attackers at once beside honest visitors, on the production-like stack.

The stack runs 20 gunicorn workers standing for 20 instances (`KALENO_INSTANCES=20`, infra/main.tf's
max_instance_count) with the per-client limits on. Each request is a new connection, so the kernel spreads
them over the workers as Google's front end spreads requests over instances. One host offers 15-minute calls
all day for a month; its one event type keeps the defaults a host would leave (`invitee_open_limit` 5).

Attackers, each with two threads, booking as fast as they can and solving a proof-of-work challenge
whenever one is asked for (a 403 `proof-required`, see bench/proof.py), ignoring Retry-After:

1. "one address": one X-Forwarded-For address, one email;
2. "rotating addresses": a different address per request out of 50 (the local stack names a client by the
   last X-Forwarded-For entry), with a distinct plain email per request, so what it meets is the address
   limit and not the invitee limit;
3. "rotating +tags": one address, 50 `+tag` variants of one email (`bot+1@…`, `bot+2@…`);
4. "one address, many emails": one address, a distinct plain email per request: the issue's first
   finding (one address, 196 bookings in 40 s). Attackers 1 and 3 meet the invitee limit (5) before any
   per-address limit, so this one is what shows whether the address limit holds across instances.

Each attacker walks its own days of the month (days 0-21), so they never take each other's times or a
visitor's. Visitors (8 at once; each round a new address and email) read a week of slots in days 22-28,
book one free slot of their own share of it (a visitor never races another), solve a challenge if asked,
then pause a second as a person would.

Allowances, from the stack's own Settings (the same environment) and the run's measured span (first
attack request sent to last answer): limits are counted per fixed window of `seconds`, and a span of D
seconds touches at most W = ceil(D / seconds) + 1 windows, whatever their alignment (this also bounds a
sliding window). Per-client writes allow `limit` per window per address, and the invitee limit holds at
most `invitee_open_limit` bookings still to come per normalised email (case and `+tag` dropped); where the
stack also counts writes per invitee (`Settings.invitee_write_limit`, writes per seconds), that caps one
email too (I: its windows touched, counted as W):

* one address: min(invitee_open_limit, limit * W[, invitee writes * I])  (one email);
* rotating addresses: 50 * limit * W  (each email books once);
* rotating +tags: the same as one address (one address, one email as limits see it);
* one address, many emails: limit * W.

Bookings per attacker are counted in the emulator afterwards (confirmed bookings by the attacker's mail
domain), not from the answers. Exit status 1 when an attacker exceeds its allowance, a visitor is refused
(any answer but 200/201 once a challenge is solved), or two confirmed bookings overlap.
Run: `.venv/bin/python -m bench.abuse [--seconds 60]`; three runs: `.venv/bin/python -m bench.repeat bench.abuse`.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import requests

from bench.common import StackProcess, report, signed_in_host
from bench.load import confirmed_spans
from bench.proof import Answer, ProofTally, send_with_proof

T = TypeVar("T")
DURATION = 60.0
INSTANCES = 20
ROTATING = 50  # addresses of attacker 2, +tags of attacker 3
THREADS_PER_ATTACKER = 2
VISITORS = 8
VISITOR_PAUSE = 1.0  # seconds a person looks at the page before clicking
SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
HOST, EVENT_TYPE = "abuse", "call"
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def windows_touched(span_seconds: float, window_seconds: float) -> int:
    """The most fixed windows of `window_seconds` a span can touch, whatever the windows' alignment."""
    return math.ceil(span_seconds / window_seconds) + 1


@dataclass(frozen=True)
class Limits:
    """What bounds an attacker: per-client booking writes (`writes_per_window` per `window_seconds`), the
    invitee limit, and booking writes per invitee (writes, per seconds) where the stack counts them."""

    writes_per_window: int
    window_seconds: float
    invitee_open_limit: int
    invitee_writes: tuple[int, float] | None = None


def allowances(limits: Limits, span_seconds: float, rotating: int = ROTATING) -> dict[str, int]:
    """Bookings each attacker may get in a run lasting `span_seconds` (see the module's docstring)."""
    per_address = limits.writes_per_window * windows_touched(span_seconds, limits.window_seconds)
    one_person = min(limits.invitee_open_limit, per_address)
    if limits.invitee_writes is not None:
        writes, seconds = limits.invitee_writes
        one_person = min(one_person, writes * windows_touched(span_seconds, seconds))
    return {
        "one address": one_person,
        "rotating addresses": rotating * per_address,
        "rotating +tags": one_person,
        "one address, many emails": per_address,
    }


@dataclass(frozen=True)
class Attacker:
    name: str
    domain: str  # its emails' domain: how its bookings are found in the emulator afterwards
    address: Callable[[int], str]  # request number -> X-Forwarded-For
    email: Callable[[int], str]  # request number -> invitee email
    days: range  # the days of the month whose times it books, in order


ATTACKERS = (
    Attacker("one address", "one.example.net", lambda n: "203.0.113.66", lambda n: "bot@one.example.net", range(0, 1)),
    Attacker(
        "rotating addresses",
        "rotate.example.net",
        lambda n: f"198.18.0.{n % ROTATING + 1}",
        lambda n: f"bot{n}@rotate.example.net",
        range(4, 22),
    ),
    Attacker(
        "rotating +tags",
        "tags.example.net",
        lambda n: "203.0.113.77",
        lambda n: f"bot+{n % ROTATING + 1}@tags.example.net",
        range(1, 2),
    ),
    Attacker(
        "one address, many emails",
        "many.example.net",
        lambda n: "203.0.113.88",
        lambda n: f"bot{n}@many.example.net",
        range(2, 4),
    ),
)
VISITOR_DOMAIN = "visitor.example.org"


@dataclass
class Tally:
    """One actor's counts, summed over its threads."""

    requests: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # "201", "429 rate-limited", ...
    proofs: ProofTally = field(default_factory=ProofTally)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer, sent: int, kind: str = "") -> None:
        label = f"{kind}{answer.status}" + (f" {answer.problem_type}" if answer.problem_type else "")
        with self.lock:
            self.requests += sent
            self.answers[label] += 1

    def add_proofs(self, proofs: ProofTally) -> None:
        with self.lock:
            self.proofs.required += proofs.required
            self.proofs.solved += proofs.solved
            self.proofs.unsolved += proofs.unsolved
            self.proofs.cpu_seconds += proofs.cpu_seconds

    def count(self, prefix: str) -> int:
        return sum(n for label, n in self.answers.items() if label.startswith(prefix))


def sender(base_url: str) -> Callable[[str, str, Any, dict[str, str]], Answer]:
    """Each request on a new connection: a keep-alive connection would stay with one worker, where Google's
    front end spreads one client's requests over every instance."""
    parts = urlsplit(base_url)

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        data = None if body is None else json.dumps(body).encode()
        sent = {"Connection": "close", **headers}
        if data is not None:
            sent["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        except (http.client.HTTPException, OSError) as error:
            return Answer(599, {}, str(error).encode())  # counted as an answer of its own
        finally:
            connection.close()

    return send


def booking_body(start: datetime, email: str) -> dict[str, Any]:
    return {
        "host": HOST,
        "event_type": EVENT_TYPE,
        "start": start.isoformat(),
        "invitee": {"name": "Load", "email": email, "time_zone": "UTC"},
    }


@dataclass
class Run:
    api: str
    first_day: datetime  # midnight UTC of the month's first bookable day
    deadline: float
    attackers: dict[str, Tally] = field(default_factory=dict)
    visitors: Tally = field(default_factory=Tally)
    span: list[float] = field(default_factory=list)  # monotonic times of each attack request's start and end

    def slot(self, day: int, index: int) -> datetime:
        return self.first_day + timedelta(days=day, minutes=SLOT_MINUTES * index)

    def attacker_times(self, number: int, thread: int) -> Iterator[datetime]:
        """The attacker's own times, each of its threads every other one."""
        slots = [self.slot(day, i) for day in ATTACKERS[number].days for i in range(SLOTS_PER_DAY)]
        return itertools.cycle(slots[thread::THREADS_PER_ATTACKER])

    def attack(self, number: int, thread: int) -> None:
        attacker, tally, proofs = ATTACKERS[number], self.attackers[ATTACKERS[number].name], ProofTally()
        send, times, requests = sender(self.api), self.attacker_times(number, thread), itertools.count(thread, 2)
        start = next(times)
        while time.monotonic() < self.deadline:
            n = next(requests)
            headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": attacker.address(n)}
            self.span.append(time.monotonic())
            answer, sent = send_with_proof(
                send, "POST", "/bookings", booking_body(start, attacker.email(n)), headers, proofs
            )
            self.span.append(time.monotonic())
            tally.add(answer, sent)
            if answer.status in (201, 409):  # booked, or the time is taken: on to the next
                start = next(times)
        tally.add_proofs(proofs)

    def visit(self, index: int) -> None:
        send, proofs, rounds = sender(self.api), ProofTally(), itertools.count()
        week = (self.slot(22, 0).date(), self.slot(29, 0).date())
        query = urlencode({"from": week[0].isoformat(), "to": week[1].isoformat(), "tz": "UTC"})
        while time.monotonic() < self.deadline:
            round_ = next(rounds)
            headers = {"X-Forwarded-For": f"192.0.{index}.{round_ % 250 + 1}"}
            path = f"/bookings/pages/{HOST}/{EVENT_TYPE}/slots?{query}"
            read, sent = send_with_proof(send, "GET", path, None, headers, proofs)
            self.visitors.add(read, sent, "read ")
            offered = json.loads(read.body)["slots"] if read.status == 200 else []
            mine = [slot["start"] for slot in offered if self.visitors_share(slot["start"], index)]
            if not mine:
                time.sleep(VISITOR_PAUSE)
                continue
            time.sleep(VISITOR_PAUSE)
            headers["Idempotency-Key"] = uuid.uuid4().hex
            email = f"{uuid.uuid4().hex[:12]}@{VISITOR_DOMAIN}"
            body = booking_body(datetime.fromisoformat(random.choice(mine)), email)
            answer, sent = send_with_proof(send, "POST", "/bookings", body, headers, proofs)
            self.visitors.add(answer, sent, "book ")
        self.visitors.add_proofs(proofs)

    @staticmethod
    def visitors_share(start: str, index: int) -> bool:
        """Whether a slot is this visitor's to pick: visitors never race each other for one time."""
        return int(datetime.fromisoformat(start).timestamp()) // (SLOT_MINUTES * 60) % VISITORS == index


def set_up_host(stack: StackProcess) -> int:
    """The host, its all-day schedule and its one event type; returns the event type's invitee_open_limit.
    Each step is retried while it answers 503: twenty cold workers on a busy machine may miss a deadline."""
    api, email = stack.api, "abuse-host@example.com"
    stack.google.create_account(email, "Abuse", time_zone="UTC")
    host = until_available(lambda: signed_in_host(stack, email))
    until_available(lambda: host.patch(f"{api}/hosts/me", json={"slug": HOST}).raise_for_status())
    schedule = {"time_zone": "UTC", "weekly": ALL_DAY}
    until_available(lambda: host.put(f"{api}/hosts/me/schedule", json=schedule).raise_for_status())
    event_type = {"slug": EVENT_TYPE, "title": "Call", "duration_minutes": SLOT_MINUTES}
    created = until_available(lambda: host.post(f"{api}/hosts/me/event-types", json=event_type))
    if created.status_code == 409:  # created by an attempt whose answer was lost: read it back
        created = host.get(f"{api}/hosts/me/event-types")
        created.raise_for_status()
        return int(next(e for e in created.json()["event_types"] if e["slug"] == EVENT_TYPE)["invitee_open_limit"])
    created.raise_for_status()
    return int(created.json()["invitee_open_limit"])


def until_available(step: Callable[[], T], attempts: int = 10) -> T:
    """`step`'s result, trying again (after a pause) while it fails with a 503 or without an answer."""
    for _ in range(attempts - 1):
        try:
            result = step()
        except (requests.HTTPError, KeyError, requests.ConnectionError):
            time.sleep(2.0)
            continue
        if not (isinstance(result, requests.Response) and result.status_code == 503):
            return result
        time.sleep(2.0)
    return step()


def confirmed_by_domain() -> Counter[str]:
    """Confirmed bookings per invitee mail domain, read from the emulator."""
    from google.cloud import firestore

    found = Counter[str]()
    for doc in firestore.Client(project="kaleno-local").collection("bookings").stream():
        booking = doc.to_dict() or {}
        if booking.get("status") == "confirmed":
            found[str(booking.get("invitee", {}).get("email", "")).rpartition("@")[2]] += 1
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.abuse")
    parser.add_argument("--seconds", type=float, default=DURATION, help="how long the attack lasts")
    args = parser.parse_args(argv)
    from shared.config import Settings

    settings = {"KALENO_CLIENT_LIMITS_ENABLED": "true", "KALENO_INSTANCES": str(INSTANCES)}
    started, machine_load = time.monotonic(), os.getloadavg()[0]
    stack = StackProcess.start(**settings)
    try:
        open_limit = set_up_host(stack)
        took = time.monotonic() - started
        print(f"load average before the stack {machine_load:.1f}; {INSTANCES} workers up, host set up: {took:.1f} s")
        first_day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        run = Run(stack.api, first_day, time.monotonic() + args.seconds)
        run.attackers = {attacker.name: Tally() for attacker in ATTACKERS}
        with ThreadPoolExecutor(len(ATTACKERS) * THREADS_PER_ATTACKER + VISITORS) as pool:
            futures = [
                pool.submit(run.attack, number, thread)
                for number in range(len(ATTACKERS))
                for thread in range(THREADS_PER_ATTACKER)
            ]
            futures += [pool.submit(run.visit, index) for index in range(VISITORS)]
            for future in futures:
                future.result()
        spans, booked = confirmed_spans(), confirmed_by_domain()
    finally:
        stack.stop()

    stack_settings = Settings()
    limit, seconds = stack_settings.client_limits["booking-writes"]
    invitee_writes = getattr(stack_settings, "invitee_write_limit", None)  # once writes are counted per invitee
    span = max(run.span) - min(run.span)
    allowed = allowances(Limits(limit, seconds, open_limit, invitee_writes), span)
    overlaps = sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    return conclude(run, booked, allowed, overlaps, span, windows_touched(span, seconds))


def conclude(run: Run, booked: Counter[str], allowed: dict[str, int], overlaps: int, span: float, windows: int) -> int:
    """Print the figures one per line (each actor's answers by status and problem type after them), then the
    BENCH line; 0 if every target was met."""
    figures: dict[str, float] = {"attack span s": span, "limit windows": windows, "load average": os.getloadavg()[0]}
    missed: list[str] = []
    for attacker in ATTACKERS:
        tally, got = run.attackers[attacker.name], booked[attacker.domain]
        figures |= actor_figures(attacker.name, tally, got, {"allowance": allowed[attacker.name]})
        if got > allowed[attacker.name]:
            missed.append(f"{attacker.name} booked {got}, over its allowance of {allowed[attacker.name]}")
    visitors = run.visitors
    refused = sum(n for label, n in visitors.answers.items() if label.split()[1] not in ("200", "201"))
    figures |= actor_figures("visitors", visitors, booked[VISITOR_DOMAIN], {"refused": refused})
    figures["overlaps"] = overlaps
    for name, value in figures.items():
        print(f"{name:48} {value:g}")
    for name, tally in [*run.attackers.items(), ("visitors", visitors)]:
        print(f"{name} answers: {dict(sorted(tally.answers.items()))}")
    missed += [f"{refused} visitor requests refused"] if refused else []
    missed += [f"{overlaps} overlapping bookings"] if overlaps else []
    missed += [] if booked[VISITOR_DOMAIN] else ["no visitor booked"]
    print("FAIL: " + "; ".join(missed) if missed else "PASS")
    report(figures)
    return 1 if missed else 0


def actor_figures(name: str, tally: Tally, booked: int, judged: dict[str, int]) -> dict[str, float]:
    """An attacker's or the visitors' figures: requests sent (resubmissions with a proof included), bookings
    confirmed in the emulator, what they are judged by (`judged`), 429s (all, and by problem type), proofs
    asked for and solved, and the CPU seconds spent solving them."""
    return {
        f"{name} requests": tally.requests,
        f"{name} bookings": booked,
        **{f"{name} {figure}": value for figure, value in judged.items()},
        f"{name} 429": tally.count("429") + tally.count("read 429") + tally.count("book 429"),
        f"{name} 429 rate-limited": sum(n for label, n in tally.answers.items() if label.endswith("429 rate-limited")),
        f"{name} 429 invitee-limit": sum(n for label, n in tally.answers.items() if "429 invitee-limit" in label),
        f"{name} 403 proof-required": tally.proofs.required,
        f"{name} proofs solved": tally.proofs.solved,
        f"{name} solve cpu s": round(tally.proofs.cpu_seconds, 3),
    }


if __name__ == "__main__":
    sys.exit(main())
