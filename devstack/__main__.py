"""`make run`: start the whole local stack on the contract's ports, print its URLs, stop on Ctrl-C/SIGTERM.

`--free-ports --json` starts it on free ports and prints one JSON line of URLs instead (benchmarks run the
stack in its own process this way, as a deployed function runs apart from its callers).

The URLs (banner or JSON) are printed only once every part answers from this stack's own processes. A port
already taken stops the start with exit code 1 and the port named on stderr. However this process ends
(SIGKILL included), the emulator and the functions' server end with it (devstack/tether.py).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from devstack.emulator import EmulatorMissing
from devstack.ports import PortTaken
from devstack.stack import LocalStack, StackPorts, sandbox_available


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("--free-ports", action="store_true", help="pick free ports instead of the contract's")
    parser.add_argument("--json", action="store_true", help="print the URLs as one JSON line")
    args = parser.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # SIGHUP: the terminal closed
        signal.signal(sig, lambda *_: stop.set())
    try:
        ports = StackPorts() if args.free_ports else StackPorts.contract_defaults()
        stack = LocalStack(ports, production_server=True).start()
    except (EmulatorMissing, PortTaken, TimeoutError, RuntimeError, OSError) as error:  # start() stopped its parts
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
