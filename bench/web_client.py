"""Web client weight and speed: what a first-time visitor's browser transfers for the public booking page and
how long until it shows free times, against an empty page served by the same server in the same run.

Each load is a fresh browser profile (cold cache, no cookies: the cookie banner shows, as on a first visit) in
Debian's Chromium, driven by Playwright. "First slots" is the page's own `kaleno:first-slots` performance mark
(set when the first free times are drawn), measured from navigation start; the empty page's time is its load
event. Bytes are the transfer sizes the browser reports (headers and gzip included) once the network is idle.
Targets: ≤ 40 KiB transferred; first slots ≤ 8× the empty page's load, and under 500 ms on this machine.
Run: `.venv/bin/python -m bench.web_client` (3 runs of 10 loads each; median and range of the run medians).
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common import StackProcess, signed_in_host

CHROMIUM = Path("/usr/bin/chromium")
RUNS, LOADS, WARMUP = 3, 10, 3
FIRST_SLOTS = "kaleno:first-slots"
# [page files (HTML, CSS, JS), API answers (fetch)] in bytes on the wire.
TRANSFERRED = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .reduce(([files, data], e) => e.initiatorType === 'fetch' ? [files, data + e.transferSize]
      : [files + e.transferSize, data], [0, 0])"""
REQUESTS = "() => 1 + performance.getEntriesByType('resource').length"


@dataclass
class Load:
    ready_ms: float
    file_bytes: int
    api_bytes: int
    requests: int

    @property
    def bytes(self) -> int:
        return self.file_bytes + self.api_bytes


def _load(browser: object, url: str, mark: str | None) -> Load:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        if mark:
            page.wait_for_function(f"() => performance.getEntriesByName('{mark}').length > 0")
            ready = page.evaluate(f"() => performance.getEntriesByName('{mark}')[0].startTime")
        else:
            ready = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        page.wait_for_load_state("networkidle")
        files, data = page.evaluate(TRANSFERRED)
        return Load(float(ready), int(files), int(data), int(page.evaluate(REQUESTS)))
    finally:
        context.close()


def _host_page(stack: StackProcess) -> str:
    api, email = stack.api, "bench-web@example.com"
    stack.google.create_account(email, "Bench Host", time_zone="UTC")
    host = signed_in_host(stack, email)
    host.patch(f"{api}/hosts/me", json={"slug": "bench-web", "time_zone": "UTC"}).raise_for_status()
    # 09:00-17:00 every day: 16 times a day, for the rest of the month (how many days depends on today's date).
    every_day = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    host.put(f"{api}/hosts/me/schedule", json={"time_zone": "UTC", "weekly": every_day}).raise_for_status()
    body = {"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 60}
    host.post(f"{api}/hosts/me/event-types", json=body).raise_for_status()
    stack.google.drain_tasks()
    return f"{api}/bench-web/call"


def main() -> int:
    if not CHROMIUM.is_file():
        print(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
        return 1
    from playwright.sync_api import sync_playwright

    stack = StackProcess.start()
    try:
        booking_url, empty_url = _host_page(stack), f"{stack.api}/web/blank.html"
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM))
            for _ in range(WARMUP):
                _load(browser, empty_url, None)
                _load(browser, booking_url, FIRST_SLOTS)
            runs: list[tuple[list[Load], list[Load]]] = []
            for _ in range(RUNS):
                empty, booking = [], []
                for _ in range(LOADS):  # alternating, so both see the same machine
                    empty.append(_load(browser, empty_url, None))
                    booking.append(_load(browser, booking_url, FIRST_SLOTS))
                runs.append((empty, booking))
            browser.close()
    finally:
        stack.stop()

    def medians(pick: int, field: str) -> list[float]:
        return [statistics.median(getattr(load, field) for load in run[pick]) for run in runs]

    def spread(values: list[float], unit: str, digits: int = 1) -> str:
        middle, low, high = statistics.median(values), min(values), max(values)
        return f"{middle:.{digits}f} {unit} (runs {low:.{digits}f}–{high:.{digits}f})"

    empty_ms, slots_ms = medians(0, "ready_ms"), medians(1, "ready_ms")
    ratios = [slots / empty for slots, empty in zip(slots_ms, empty_ms, strict=True)]
    kib = {field: [b / 1024 for b in medians(1, field)] for field in ("bytes", "file_bytes", "api_bytes")}
    requests = medians(1, "requests")[0]
    print(f"empty page, load event                {spread(empty_ms, 'ms')}")
    print(f"booking page, first free times shown  {spread(slots_ms, 'ms')}")
    print(f"  ratio to the empty page             {spread(ratios, 'x', 2)}   (target ≤ 8)")
    print(f"empty page, transferred               {spread([b / 1024 for b in medians(0, 'bytes')], 'KiB', 2)}")
    total = spread(kib["bytes"], "KiB")
    print(f"booking page, transferred             {total} in {requests:.0f} requests (target ≤ 40 KiB)")
    print(f"  page files (HTML, CSS, JS)          {spread(kib['file_bytes'], 'KiB')}")
    print(f"  API answers (page, slots, consent)  {spread(kib['api_bytes'], 'KiB')}")
    ok = statistics.median(kib["bytes"]) <= 40 and statistics.median(ratios) <= 8
    ok = ok and statistics.median(slots_ms) < 500
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
