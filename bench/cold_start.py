"""Cold start: import time and peak RSS of each function's entry point in a fresh interpreter.

Compared with a baseline measured in the same run: a fresh interpreter importing only
`functions_framework` and `google.cloud.firestore`. Target: ≤ 1.3× its time and ≤ 1.2× its memory.
Run: `.venv/bin/python -m bench.cold_start [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = (
    "oauth",
    "hosts",
    "bookings",
    "privacy",
    "calendar_sync",
    "calendar_webhook",
    "channel_renewal",
    "retention_purge",
)
PROBE = """
import json, resource, sys, time
started = time.perf_counter()
for name in sys.argv[1:]:
    __import__(name)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
TIME_TARGET, MEMORY_TARGET = 1.3, 1.2


def measure(modules: list[str], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *modules], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
    return (
        statistics.median(r["seconds"] for r in runs) * 1000,
        statistics.median(r["rss_kib"] for r in runs) / 1024,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    base_ms, base_mib = measure(["functions_framework", "google.cloud.firestore"], args.repeat)
    print(f"{'entry point':28} {'import ms':>10} {'x base':>7} {'peak MiB':>9} {'x base':>7}")
    print(f"{'baseline (ff + firestore)':28} {base_ms:10.1f} {1:7.2f} {base_mib:9.1f} {1:7.2f}")
    worst_time = worst_memory = 0.0
    for name in [*(f"functions.{f}" for f in FUNCTIONS), "functions.main"]:
        ms, mib = measure([name], args.repeat)
        worst_time, worst_memory = max(worst_time, ms / base_ms), max(worst_memory, mib / base_mib)
        print(f"{name:28} {ms:10.1f} {ms / base_ms:7.2f} {mib:9.1f} {mib / base_mib:7.2f}")
    ok = worst_time <= TIME_TARGET and worst_memory <= MEMORY_TARGET
    print(
        f"worst ratio: time {worst_time:.2f}x (target ≤ {TIME_TARGET}), "
        f"memory {worst_memory:.2f}x (target ≤ {MEMORY_TARGET}): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
