"""Run a benchmark several times and print each figure's median and range over the runs.

Every benchmark prints one `BENCH {...}` line of figures (ratios to one Firestore get measured in the
same run, milliseconds, counts); this collects them. On this shared 2-core machine one run is not a
figure: the median of three, with its range, is.
Run: `.venv/bin/python -m bench.repeat bench.availability [--runs 3]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from bench.common import ROOT


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.repeat")
    parser.add_argument("module", help="e.g. bench.availability")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs: list[dict[str, float]] = []
    failed = 0
    for run in range(1, args.runs + 1):
        print(f"--- run {run} of {args.runs}: python -m {args.module}", flush=True)
        done = subprocess.run(
            [sys.executable, "-m", args.module], cwd=ROOT, capture_output=True, text=True, check=False
        )
        lines = done.stdout.splitlines()
        for line in lines:
            if not line.startswith(("BENCH ", "{")):
                print(line, flush=True)
        figures = [json.loads(line.removeprefix("BENCH ")) for line in lines if line.startswith("BENCH ")]
        if not figures:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        runs.append(figures[-1])
        failed += done.returncode != 0
    print(f"--- {args.module}: median [min-max] of {len(runs)} runs")
    for name in runs[0]:
        values = [run[name] for run in runs if name in run]
        print(f"{name:48} {statistics.median(values):9.2f}  [{min(values):.2f}-{max(values):.2f}]")
    print(f"runs that missed a target: {failed} of {len(runs)}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
