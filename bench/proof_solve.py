"""The bot gate's cost to a person: how long the booking page takes to solve a proof-of-work challenge on a
phone-class CPU.

Debian's Chromium (Playwright) opens the booking page with its CPU slowed 4x through the DevTools protocol
(`Emulation.setCPUThrottlingRate`, rate 4: Lighthouse's mobile preset), then has the page's own solver
(web/js/proof.js: a Web Worker running web/js/proof-worker.js) solve fresh challenges made by the `altcha`
library exactly as the server makes them (`bot_gate_max_number` from shared/config.py; the secret number
uniform in [0, maxNumber], so a solve tries half of them on average). Each time is the page's: from asking to
the header value ready, worker start included. The page is served by a plain static file server (the solver
needs nothing else). Goal: < 1 s on average. Run: `.venv/bin/python -m bench.proof_solve`.
"""

from __future__ import annotations

import base64
import functools
import json
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import altcha.v1 as altcha

from shared.config import get_settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SOLVES, WARMUP, THROTTLE = 25, 3, 4
SOLVE = """async (challenge) => {
  const { solved } = await import('/web/js/proof.js');
  const started = performance.now();
  const header = await solved(challenge, () => {});
  return [performance.now() - started, header];
}"""


class _Files(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


def main() -> int:
    if not CHROMIUM.is_file():
        print(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
        return 1
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Files, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    max_number = get_settings().bot_gate_max_number
    times: list[float] = []
    tries: list[int] = []  # numbers tried per solve (the solution + 1)
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/web/")  # any page of the origin proof.js is on
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            for index in range(WARMUP + SOLVES):
                challenge = altcha.create_challenge(altcha.ChallengeOptions(max_number=max_number, hmac_key="bench"))
                took, header = page.evaluate(SOLVE, challenge.to_dict())
                ok, _ = altcha.verify_solution(header, "bench", check_expires=False)
                assert ok, "the page's solution does not verify"
                if index >= WARMUP:
                    times.append(took)
                    tries.append(json.loads(base64.b64decode(header))["number"] + 1)
            browser.close()
    finally:
        server.shutdown()
    per_try_us = 1000 * sum(times) / sum(tries)
    average, worst = per_try_us * max_number / 2000, per_try_us * max_number / 1000
    print(f"bot gate solve at {THROTTLE}x CPU throttling, maxNumber {max_number:,}, {SOLVES} solves:")
    print(
        f"  median {statistics.median(times):.0f} ms, mean {statistics.mean(times):.0f} ms, "
        f"range {min(times):.0f}-{max(times):.0f} ms; {per_try_us:.1f} µs per try "
        f"(so {average:.0f} ms expected on average, {worst:.0f} ms worst)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
