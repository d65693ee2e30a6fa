"""Schemathesis against the whole running stack, from /openapi.json: every check, as each kind of caller.

Callers: anonymous; a signed-in host (session cookie, same-origin writes); an invitee (a booking's manage
token); and the host again for the operations that end what the others need (sign-out, disconnect,
erasure), run last. Each run is deterministic (derandomised generation, no example database) and bounded
(tests/fuzz/schemathesis.toml), so CI sees the same cases every time. Any server error, schema violation or
other check failure fails the test with schemathesis' own report.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Operations that end the session or the account the host run relies on: fuzzed on their own, last.
ENDING = ("oauth.logout", "hosts.disconnect", "privacy.erase")


@dataclass(frozen=True)
class Caller:
    config: str  # TOML appended to the base config: credentials and the real resources to aim at
    operations: list[str]  # schemathesis filter options


def _caller(name: str, api: str, browser: Browser, google: Google) -> Caller:
    """The caller, with a host of its own (the stack is emptied before each run): a connected host with
    hours and an event type `call`, and a booking, which the runs aim at. Event types the host run creates
    are followed by the stateful phase (POST, then GET/PATCH/DELETE of the id it answered)."""
    if name == "anonymous":  # random slugs and ids: the not-found paths
        return Caller("", [])
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    booked = post_booking(api, booking_body(slug, day_ahead(7, 10)))
    assert booked.status_code == 201, booked.text
    real = (
        "[parameters]\n"
        f'"path.host_slug" = "{slug}"\n"path.event_type_slug" = "call"\n'
        f'"path.booking_id" = "{booked.json()["id"]}"\n'
    )
    if name == "invitee":
        return Caller(f'{real}[auth.openapi.manageToken]\nbearer = "{booked.json()["manage_token"]}"\n', [])
    session = f'{real}[auth.openapi.session]\napi_key = "{browser.session.cookies.get("kaleno_session")}"\n'
    if name == "host":
        return Caller(session, [option for op in ENDING for option in ("--exclude-operation-id", op)])
    return Caller(session, [option for op in ENDING for option in ("--include-operation-id", op)])


@pytest.mark.timeout(660)  # the run itself is bounded at 600 s (below); 65 operations as a host take 3-5 min here
@pytest.mark.parametrize("caller", ["anonymous", "host", "invitee", "host-ending"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    api: str, browser: Browser, google: Google, tmp_path: Path, caller: str
) -> None:
    who = _caller(caller, api, browser, google)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + "\n" + who.config)

    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{api}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Origin: {api}",  # the browser's own origin: cookie-authenticated writes require it
            "--request-timeout",
            "30",
            "--report-dir",
            str(tmp_path / "reports"),
            *who.operations,
        ],
        cwd=tmp_path,  # schemathesis keeps nothing in the repository
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    report = run.stdout + run.stderr
    generated = re.search(r"(\d+) generated", report)
    assert generated, report[-3000:]
    print(f"schemathesis as {caller}: {generated.group(1)} cases")
    assert run.returncode == 0, report[-12000:]
