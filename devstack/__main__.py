"""`make run`: start the whole local stack on the contract's ports, print its URLs, stop on Ctrl-C/SIGTERM.

`--free-ports --json` starts it on free ports and prints one JSON line of URLs instead (benchmarks run the
stack in its own process this way, as a deployed function runs apart from its callers).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from devstack.emulator import EmulatorMissing
from devstack.stack import LocalStack, StackPorts, sandbox_available


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("--free-ports", action="store_true", help="pick free ports instead of the contract's")
    parser.add_argument("--json", action="store_true", help="print the URLs as one JSON line")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        ports = StackPorts() if args.free_ports else StackPorts.contract_defaults()
        stack = LocalStack(ports, production_server=True).start()
    except EmulatorMissing as error:
        print(f"kaleno: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(stack.urls()), flush=True)
    else:
        _print_banner(stack)
    stop.wait()
    stack.stop()
    return 0


def _print_banner(stack: LocalStack) -> None:
    if not sandbox_available():
        print("kaleno: the Google sandbox is not built yet, so sign-in and calendar features are unavailable.")
    print("kaleno local stack is up:")
    for part, url in stack.urls().items():
        print(f"  {part:15} {url}")
    print(f"  {'health':15} {stack.server.url}/healthz\n  {'openapi':15} {stack.server.url}/openapi.json")
    print("Press Ctrl-C to stop.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
