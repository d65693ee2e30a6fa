"""State shared by every part of the sandbox: the lock, accounts, call counts and injected faults.

Each service keeps its own records (tokens, events, secrets, tasks) but guards them with this one
re-entrant lock, so cross-service operations (a calendar call checking a token) need no lock order.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from sandbox.clock import Clock


@dataclass
class Account:
    email: str
    name: str
    sub: str
    deny_scopes: frozenset[str]
    time_zone: str
    created_seq: int

    def public(self) -> dict[str, object]:
        return {
            "email": self.email,
            "name": self.name,
            "sub": self.sub,
            "deny_scopes": sorted(self.deny_scopes),
            "time_zone": self.time_zone,
        }


@dataclass
class SecondaryCalendar:
    """A calendar besides an account's primary one: its own (`owner`), or one it only sees (`reader`,
    e.g. a colleague's calendar shared with it), as listed by calendarList.list."""

    id: str
    account_email: str  # lowercased: whose calendar list shows it
    summary: str
    access_role: Literal["owner", "reader"]
    time_zone: str


@dataclass
class Fault:
    status: int
    remaining: int
    retry_after: float | None = None
    hang_seconds: float = 0.0  # held this long before failing: a Google that hangs, not one that is down


@dataclass
class Counters:
    foreign_events_read: int = 0
    access_issued: int = 0
    refresh_issued: int = 0
    revoked: int = 0
    tasks_dispatched: int = 0
    tasks_succeeded: int = 0
    tasks_failed: int = 0
    calls: Counter[str] = field(default_factory=Counter)


def stable_sub(email: str) -> str:
    """A 21-digit numeric subject id like Google's, stable for an email across resets."""
    digest = int.from_bytes(hashlib.sha256(email.lower().encode()).digest()[:9], "big")
    return "1" + str(digest).zfill(22)[:20]


JwtClock = Literal["sandbox", "real"]


class SandboxState:
    def __init__(self, clock: Clock, jwt_clock: JwtClock = "sandbox") -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.jwt_clock = jwt_clock
        self.accounts: dict[str, Account] = {}
        self.faults: dict[str, Fault] = {}
        self.calendars: dict[str, SecondaryCalendar] = {}  # by id
        self.counters = Counters()
        # Bumped on every reset, so work queued before a reset (push deliveries) can tell it is stale.
        self.generation = 0
        self._seq = 0

    def jwt_time(self) -> float:
        """The iat of signed tokens (id_tokens, OIDC tokens).

        On the sandbox clock by default. Verifiers (google-auth, PyJWT) check iat/exp against the wall
        clock, so after an advance such tokens are "used too early"; "real" signs on the wall clock.
        """
        return self.clock.time() if self.jwt_clock == "sandbox" else time.time()

    def next_seq(self) -> int:
        with self.lock:
            self._seq += 1
            return self._seq

    def register_call(self, method: str) -> Fault | None:
        """Count one call of `method` and return the injected fault it must fail with, if any (after holding
        the call for the fault's `hang_seconds`, outside the lock: other calls go on meanwhile)."""
        with self.lock:
            self.counters.calls[method] += 1
            fault = self.faults.get(method)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self.faults[method]
        if fault.hang_seconds:
            time.sleep(fault.hang_seconds)
        return fault

    def add_fault(self, method: str, fault: Fault) -> None:
        """Replace the method's fault; a count of 0 clears it (the dependency is back)."""
        with self.lock:
            if fault.remaining:
                self.faults[method] = fault
            else:
                self.faults.pop(method, None)

    def create_account(self, email: str, name: str, deny_scopes: frozenset[str], time_zone: str) -> Account:
        with self.lock:
            key = email.lower()
            if key in self.accounts:
                raise KeyError(email)
            account = Account(email, name, stable_sub(email), deny_scopes, time_zone, self.next_seq())
            self.accounts[key] = account
            return account

    def update_account(self, email: str, *, deny_scopes: frozenset[str] | None, name: object) -> Account | None:
        with self.lock:
            account = self.accounts.get(email.lower())
            if account is None:
                return None
            if deny_scopes is not None:
                account.deny_scopes = deny_scopes
            if isinstance(name, str) and name:
                account.name = name
            return account

    def account(self, email: str) -> Account | None:
        with self.lock:
            return self.accounts.get(email.lower())

    def latest_account(self) -> Account | None:
        with self.lock:
            return max(self.accounts.values(), key=lambda a: a.created_seq, default=None)

    def add_calendar(
        self, account: Account, summary: str, access_role: Literal["owner", "reader"]
    ) -> SecondaryCalendar:
        """Ids look like Google's for calendars a user creates: `c_<hex>@group.calendar.google.com`."""
        with self.lock:
            calendar_id = f"c_{hashlib.sha256(f'{account.email}:{self.next_seq()}'.encode()).hexdigest()[:26]}"
            calendar = SecondaryCalendar(
                f"{calendar_id}@group.calendar.google.com",
                account.email.lower(),
                summary,
                access_role,
                account.time_zone,
            )
            self.calendars[calendar.id] = calendar
            return calendar

    def calendars_of(self, account: Account) -> list[SecondaryCalendar]:
        with self.lock:
            return [c for c in self.calendars.values() if c.account_email == account.email.lower()]

    def resolve_calendar(self, account: Account, calendar_id: str) -> tuple[str, str] | None:
        """(the key its events are stored under, the account's access role) of a calendar id the account
        sees: `primary` or its email (its own primary), or a secondary calendar in its list; None otherwise."""
        if calendar_id == "primary" or calendar_id.lower() == account.email.lower():
            return account.email.lower(), "owner"
        with self.lock:
            calendar = self.calendars.get(calendar_id)
        if calendar is None or calendar.account_email != account.email.lower():
            return None
        return calendar.id, calendar.access_role

    def reset(self) -> None:
        with self.lock:
            self.accounts.clear()
            self.calendars.clear()
            self.faults.clear()
            self.counters = Counters()
            self.generation += 1
