"""The functions served the way Cloud Functions serves them: functions-framework's production server.

A deployed function runs `functions-framework --target=<function>`, which serves it with gunicorn
(`functions_framework._http.create_server`, reading `WORKERS` and `THREADS` from the environment).
`python -m devstack` runs this module in its own process so benchmarks measure what users get; the
test session keeps the in-process server (`devstack.app.ServerThread`), whose logs the suite scans.

Worker and thread settings follow infra/main.tf (checked by tests/unit/test_devstack_server.py):

* one request at a time per instance: the functions set no `max_instance_request_concurrency`, and
  Cloud Functions' default is 1 (more than one needs a whole vCPU; ours have 256 MB, a sixth of one).
  Each instance runs one gunicorn worker; it may have threads, but never more than one of them busy.
* up to `max_instance_count` (20) instances per function.

Here every gunicorn worker process stands for one instance: `THREADS=1` and gthread workers (so
connections stay open between requests, as Google's front end keeps them), and as many workers as the
functions may have instances (`KALENO_INSTANCES` to run fewer). The app is loaded before the workers
fork, which only shortens start-up: each worker builds its Firestore client and caches on first use, as
an instance does.

Run: `python -m devstack.serve --port N` with the stack's environment (devstack/stack.py does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from devstack.ports import PortClaim, PortTaken, functions_claim, is_taken, listened_by
from devstack.tether import TetheredProcess

INSTANCE_CONCURRENCY = 1  # infra/main.tf: no max_instance_request_concurrency, Cloud Functions' default
MAX_INSTANCES = 20  # infra/main.tf: max_instance_count
KEEPALIVE_SECONDS = 620  # longer than Google's front end keeps an idle connection to a backend (600 s)


def server_settings(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment functions-framework's gunicorn reads (`WORKERS`, `THREADS`), as deployed."""
    environ = dict(os.environ) if environ is None else environ
    instances = int(environ.get("KALENO_INSTANCES", MAX_INSTANCES))
    if not 1 <= instances <= MAX_INSTANCES:
        raise ValueError(f"KALENO_INSTANCES must be between 1 and {MAX_INSTANCES} (infra/main.tf max_instance_count)")
    return {"WORKERS": str(instances), "THREADS": str(INSTANCE_CONCURRENCY)}


def gunicorn_options() -> dict[str, object]:
    """What we add to functions-framework's own gunicorn options (bind, workers, threads, timeout)."""
    return {
        # functions-framework leaves the worker class to gunicorn, which picks the sync worker for one
        # thread, and the sync worker closes every connection; gthread keeps them open (ProblemWorker is gthread
        # answering gunicorn's own refusals as problem+json and telling each request when it reached its worker,
        # so its deadline counts any wait there: devstack/worker.py).
        "worker_class": problem_worker(),
        "keepalive": KEEPALIVE_SECONDS,
        "preload_app": True,
        "accesslog": None,
        "post_fork": _worker_dies_with_master,
    }


def problem_worker() -> type:
    """gunicorn's gthread worker, answering what gunicorn refuses before the app sees a request (a header
    line or request line over its limits) with problem+json, as the app answers everything else, instead of
    gunicorn's HTML page. The limits stay gunicorn's defaults, as on Cloud Functions; the app draws the same
    line for servers that let longer headers through (shared/web/endpoints.py, MAX_HEADER_LINE_BYTES)."""
    from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine  # type: ignore[import-untyped]

    from devstack.worker import ArrivalStampingWorker
    from shared.web.endpoints import MAX_HEADER_LINE_BYTES, header_too_large
    from shared.web.problems import PROBLEM_JSON, Problem

    refusals: dict[type[Exception], Problem] = {
        LimitRequestHeaders: header_too_large(f"A request header is longer than {MAX_HEADER_LINE_BYTES} bytes."),
        LimitRequestLine: Problem(414, "uri-too-long", "URI too long", "The request line is too long."),
    }

    class ProblemWorker(ArrivalStampingWorker):
        def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
            problem = next((answer for kind, answer in refusals.items() if isinstance(exc, kind)), None)
            if problem is None:
                super().handle_error(req, client, addr, exc)
                return
            body = json.dumps(problem.to_dict()).encode()
            head = (
                f"HTTP/1.1 {problem.status} {problem.title}\r\nContent-Type: {PROBLEM_JSON}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            with contextlib.suppress(OSError):  # the client may have gone: nothing more to tell it
                client.sendall(head.encode() + body)

    return ProblemWorker


def _worker_dies_with_master(server: Any, worker: Any) -> None:
    """gunicorn's hook in each new worker: SIGKILL when the master dies, however it dies (devstack/tether.py).
    The arbiter forks its workers from its main thread, so the parent-death signal follows the master."""
    from devstack.tether import die_with_parent

    die_with_parent(signal.SIGKILL, server.pid)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.serve")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.update(server_settings())

    from functions_framework._http import create_server

    from devstack.app import build_app
    from devstack.emulator import FirestoreEmulator

    _preload_client_libraries()
    emulator_host = os.environ["FIRESTORE_EMULATOR_HOST"]
    emulator = FirestoreEmulator(int(emulator_host.rsplit(":", 1)[1]))  # not started here: only asked
    create_server(build_app([emulator.is_up]), debug=False, **gunicorn_options()).run("127.0.0.1", args.port)
    return 0


def _preload_client_libraries() -> None:
    """Import Google's client libraries before the workers fork, so each worker stands for a warm instance.

    The functions import them lazily (a cold start stays small: bench/cold_start.py measures it), so without
    this the first request a worker happens to get pays ~0.8 s of imports, and in a burst (the 50-way race)
    which workers are still cold is luck. Only modules are loaded here: no channel or client exists before
    the fork (gRPC's are not fork-safe); each worker still builds its own on first use.
    """
    import google.cloud.firestore
    import google.cloud.firestore_v1.services.firestore.transports
    import google.cloud.secretmanager
    import google.cloud.tasks_v2  # noqa: F401


if __name__ == "__main__":
    sys.exit(main())


class ServerProcess:
    """`python -m devstack.serve` as a tethered child process (it dies with this one), with the stack's
    environment; up once /healthz answers from it (not from whatever else may listen there)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._process: TetheredProcess | None = None

    @property
    def claim(self) -> PortClaim:
        return functions_claim(self.port)

    def start(self, timeout: float = 120) -> ServerProcess:
        root = Path(__file__).resolve().parent.parent
        command = [sys.executable, "-m", "devstack.serve", "--port", str(self.port)]
        # Its own process group: stopping the stack stops the gunicorn master and its workers together;
        # gunicorn finishes what is in flight on SIGTERM, within the grace.
        self._process = TetheredProcess(command, cwd=root, env=dict(os.environ), grace=15).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code, self._process = self._process.poll(), None
                if is_taken(self.port):  # gunicorn could not bind: someone took the port after our check
                    raise PortTaken([self.claim])
                raise RuntimeError(f"the functions' server exited at start ({code})")
            if self.is_ours() and self._healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the functions' server did not answer /healthz within {timeout}s")

    def is_ours(self) -> bool:
        """Does our gunicorn, and nothing else, listen on the port?"""
        return self._process is not None and listened_by(self.port, self._process.pids())

    def pids(self) -> set[int]:
        return self._process.pids() if self._process else set()

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:  # our own URL
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None
