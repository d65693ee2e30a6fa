"""`make run`: start the whole local stack on the contract's ports, print its URLs, stop on Ctrl-C/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

from devstack.emulator import EmulatorMissing
from devstack.stack import LocalStack, StackPorts, sandbox_available


def main() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stack = LocalStack(StackPorts.contract_defaults()).start()
    except EmulatorMissing as error:
        print(f"kaleno: {error}", file=sys.stderr)
        return 1
    if not sandbox_available():
        print("kaleno: the Google sandbox is not built yet, so sign-in and calendar features are unavailable.")
    print("kaleno local stack is up:")
    for part, url in stack.urls().items():
        print(f"  {part:15} {url}")
    print(f"  {'health':15} {stack.server.url}/healthz\n  {'openapi':15} {stack.server.url}/openapi.json")
    print("Press Ctrl-C to stop.", flush=True)
    stop.wait()
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
