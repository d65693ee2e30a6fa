"""`python -m sandbox`: run the Google sandbox in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from sandbox.server import DEFAULT_CLIENTS, start_sandbox


def _client(value: str) -> tuple[str, str]:
    client_id, sep, secret = value.partition(":")
    if not sep or not client_id:
        raise argparse.ArgumentTypeError("expected CLIENT_ID:CLIENT_SECRET")
    return client_id, secret


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local Google sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8090)
    parser.add_argument("--secrets-port", type=int, default=8091)
    parser.add_argument("--tasks-port", type=int, default=8092)
    parser.add_argument("--smtp-port", type=int, default=8093)
    parser.add_argument(
        "--client",
        type=_client,
        action="append",
        metavar="ID:SECRET",
        help="OAuth client (repeatable); default kaleno-local:kaleno-local-secret",
    )
    parser.add_argument("--access-token-ttl", type=int, default=3600, help="seconds")
    parser.add_argument(
        "--jwt-clock",
        choices=["sandbox", "real"],
        default="sandbox",
        help="clock for id_token/OIDC iat+exp (real: stays verifiable after /_sandbox/clock advances)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    sandbox = start_sandbox(
        args.http_port,
        args.secrets_port,
        args.tasks_port,
        smtp_port=args.smtp_port,
        clients=dict(args.client) if args.client else DEFAULT_CLIENTS,
        access_token_ttl=args.access_token_ttl,
        host=args.host,
        jwt_clock=args.jwt_clock,
        verbose=args.verbose,
    )
    print(f"Google sandbox HTTP (OAuth, Calendar, /_sandbox): {sandbox.http_url}", flush=True)
    print(f"Google sandbox Secret Manager gRPC: {sandbox.secrets_target}", flush=True)
    print(f"Google sandbox Cloud Tasks gRPC: {sandbox.tasks_target}", flush=True)
    print(f"Google sandbox SMTP relay: {sandbox.smtp_target}", flush=True)
    while not stop.wait(0.5):
        pass
    sandbox.stop()
    print("Google sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
