"""Start, clear and stop the official Firestore emulator (`gcloud emulators firestore start`).

It is this stack's own: started on a free port (or stopped with the port named), tethered so it dies with the
stack (devstack/tether.py), and up only once its own java process listens and answers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from devstack.ports import PortClaim, PortTaken, emulator_claim, ensure_free, is_taken, listened_by
from devstack.tether import TetheredProcess

INSTALL_HINT = (
    "The official Firestore emulator is required (no stand-in is used). Install it with:\n"
    "  apt-get install -y google-cloud-cli google-cloud-cli-firestore-emulator openjdk-17-jre-headless\n"
    "or, with a gcloud SDK install: gcloud components install cloud-firestore-emulator"
)


class EmulatorMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class FirestoreEmulator:
    def __init__(self, port: int = 0, project: str = "kaleno-local") -> None:
        self.port = port or free_port()
        self.project = project
        self.host = f"127.0.0.1:{self.port}"
        self._process: TetheredProcess | None = None
        self._log_path = Path(tempfile.gettempdir()) / f"kaleno-firestore-{self.port}.log"

    @property
    def claim(self) -> PortClaim:
        return emulator_claim(self.port)

    def start(self, timeout: float = 60) -> FirestoreEmulator:
        gcloud, java = shutil.which("gcloud"), shutil.which("java")
        if not gcloud or not java:
            raise EmulatorMissing(f"{'gcloud' if not gcloud else 'java'} not found on PATH.\n{INSTALL_HINT}")
        ensure_free([self.claim])  # an emulator already there is a stranger's (its data, its lifetime): never ours
        with self._log_path.open("wb") as log:
            self._process = TetheredProcess(
                [gcloud, "emulators", "firestore", "start", f"--host-port={self.host}", "--quiet"],
                stdout=log,
                env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"},
            ).start()
        try:
            self._wait_until_up(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                self._process = None
                if is_taken(self.port):  # someone bound it after our check
                    raise PortTaken([self.claim], f"see {self._log_path}")
                raise EmulatorMissing(f"The Firestore emulator exited early; see {self._log_path}.\n{INSTALL_HINT}")
            if self.is_ours() and self.is_up():
                # Up means it serves a real request: a fresh emulator's first one took 8–12 s on 2 busy
                # cores (class loading), which would otherwise land on the first test or visitor.
                self.clear(timeout=max(deadline - time.monotonic(), 10))
                return
            time.sleep(0.2)
        raise TimeoutError(f"The Firestore emulator did not answer in time; see {self._log_path}")

    def is_ours(self) -> bool:
        """Is the emulator's port listened on by the emulator this object started, and by nothing else?"""
        return self._process is not None and listened_by(self.port, self._process.pids())

    def pids(self) -> set[int]:
        return self._process.pids() if self._process else set()

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.host}/", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def clear(self, timeout: float = 30) -> None:
        """Delete every document (the emulator's own reset endpoint). A cold emulator on a loaded machine took
        8-12 s for its first reset, hence the patient default."""
        url = f"http://{self.host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        request = urllib.request.Request(url, method="DELETE")
        with urllib.request.urlopen(request, timeout=timeout):
            pass

    def freeze(self) -> None:
        """Stop the emulator's processes without ending them: a store that hangs (fault tests). Returns once
        every thread has stopped, so a request sent afterwards is never answered before `thaw`."""
        assert self._process is not None
        self._process.pause()

    def thaw(self) -> None:
        assert self._process is not None
        self._process.signal_group(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()  # SIGTERM to gcloud, its script and java; SIGKILL after the grace
            self._process = None
