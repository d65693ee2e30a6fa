"""Lighthouse on the public pages: the booking page and the host page, mobile and desktop presets.

npm `lighthouse` (pinned in package.json; v13 needs Node 22) drives Debian's Chromium (headless, no sandbox)
against a local stack this command starts itself, with a seeded host (09:00-17:00 every day, a 30-minute
event type). Each page and preset runs 3 times, each in a fresh browser profile (cold cache, no cookies:
the cookie banner shows, as on a first visit); the figures are the median and range of the 3 runs. The
pages load nothing from other origins, and this command checks it: every request Lighthouse saw must go to
the stack.

Goals: performance ≥ 95, accessibility 100, best practices 100, SEO 100, cumulative layout shift ≤ 0.02,
booking page ≤ 100 KiB transferred. Run: `.venv/bin/python -m bench.lighthouse` (after `npm ci`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.common import ROOT, StackProcess, signed_in_host

CHROMIUM = Path("/usr/bin/chromium")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
RUNS = 3
PRESETS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SCORE_GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
MAX_LAYOUT_SHIFT = 0.02
MAX_BOOKING_KIB = 100


@dataclass(frozen=True)
class Run:
    """One Lighthouse run's figures: category scores (0-100), layout shift, bytes, and the origins asked."""

    scores: dict[str, float]
    layout_shift: float
    transferred_bytes: float
    origins: frozenset[str]


def lighthouse(url: str, preset: str) -> Run:
    """One run of the Lighthouse CLI; its JSON report read for the figures."""
    with tempfile.TemporaryDirectory(prefix="kaleno-lighthouse-") as folder:
        report = Path(folder) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")  # mobile is Lighthouse's default (a Moto G Power, slow 4G)
        env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
        subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return Run(
        scores={name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES},
        layout_shift=float(audits["cumulative-layout-shift"]["numericValue"]),
        transferred_bytes=float(audits["total-byte-weight"]["numericValue"]),
        origins=frozenset(
            f"{parts.scheme}://{parts.netloc}"
            for parts in (urlsplit(item["url"]) for item in requests)
            if parts.scheme in ("http", "https")  # data: URLs load nothing
        ),
    )


def wait_until_ready(stack: StackProcess, email: str) -> None:
    """The first sign-in right after start can meet a dependency still warming up (503, Retry-After)."""
    for _ in range(30):
        answer = requests.get(f"{stack.api}/oauth/start", params={"login_hint": email}, allow_redirects=False)
        if answer.status_code != 503:
            return
        time.sleep(1)


def seeded_pages(stack: StackProcess) -> dict[str, str]:
    """A host with hours every day and one event type: its booking page (in English and in Indonesian) and its
    host page."""
    api, email = stack.api, "bench-lighthouse@example.com"
    stack.google.create_account(email, "Lena Lighthouse", time_zone="Europe/Berlin")
    wait_until_ready(stack, email)
    host = signed_in_host(stack, email)
    host.patch(f"{api}/hosts/me", json={"slug": "lena", "time_zone": "Europe/Berlin"}).raise_for_status()
    every_day = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    schedule = {"time_zone": "Europe/Berlin", "weekly": every_day}
    host.put(f"{api}/hosts/me/schedule", json=schedule).raise_for_status()
    body = {"slug": "intro", "title": "Intro call", "duration_minutes": 30, "booking_window_days": 60}
    host.post(f"{api}/hosts/me/event-types", json=body).raise_for_status()
    stack.google.drain_tasks()
    # The booking page in Bahasa Indonesia too: its words travel in the page (a JSON block), not in a request.
    return {
        "booking page": f"{api}/lena/intro",
        "booking page (id)": f"{api}/lena/intro?lang=id",
        "host page": f"{api}/lena",
    }


def spread(values: list[float], digits: int = 0) -> str:
    middle, low, high = statistics.median(values), min(values), max(values)
    return f"{middle:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def misses(page: str, preset: str, runs: list[Run]) -> list[str]:
    """The goals the medians of these runs miss, one line each."""
    missed = []
    for name, goal in SCORE_GOALS.items():
        score = statistics.median(run.scores[name] for run in runs)
        if score < goal:
            missed.append(f"{page}, {preset}: {name} {score:.0f} < {goal}")
    shift = statistics.median(run.layout_shift for run in runs)
    if shift > MAX_LAYOUT_SHIFT:
        missed.append(f"{page}, {preset}: layout shift {shift:.3f} > {MAX_LAYOUT_SHIFT}")
    kib = statistics.median(run.transferred_bytes for run in runs) / 1024
    if page.startswith("booking page") and kib > MAX_BOOKING_KIB:
        missed.append(f"{page}, {preset}: {kib:.1f} KiB transferred > {MAX_BOOKING_KIB} KiB")
    return missed


def main() -> int:
    if not CHROMIUM.is_file():
        print(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
        return 1
    if not LIGHTHOUSE.is_file():
        print(f"Lighthouse is missing at {LIGHTHOUSE}: run `npm ci`")
        return 1
    stack = StackProcess.start()
    try:
        pages = seeded_pages(stack)
        results = {
            (page, preset): [lighthouse(url, preset) for _ in range(RUNS)]
            for page, url in pages.items()
            for preset in PRESETS
        }
    finally:
        stack.stop()

    own_origin = "{0.scheme}://{0.netloc}".format(urlsplit(stack.api))
    print(f"Lighthouse, median (range) of {RUNS} runs; Debian Chromium, headless; local stack")
    print(f"{'':29} {'perf':>12} {'a11y':>12} {'best pr.':>12} {'SEO':>12} {'layout shift':>20} {'KiB':>18}")
    missed: list[str] = []
    for (page, preset), runs in results.items():
        scores = [spread([run.scores[name] for run in runs]) for name in CATEGORIES]
        shift = spread([run.layout_shift for run in runs], 3)
        kib = spread([run.transferred_bytes / 1024 for run in runs], 1)
        label = f"{page}, {preset}"
        print(f"{label:29} {scores[0]:>12} {scores[1]:>12} {scores[2]:>12} {scores[3]:>12} {shift:>20} {kib:>18}")
        missed += misses(page, preset, runs)
        others = sorted(set().union(*(run.origins for run in runs)) - {own_origin})
        if others:
            missed.append(f"{page}, {preset}: requests to other origins: {', '.join(others)}")
    for line in missed:
        print(f"MISSED  {line}")
    print("PASS" if not missed else f"FAIL ({len(missed)} goals missed)")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
