"""Start, clear and stop the official Firestore emulator (`gcloud emulators firestore start`)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

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
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path = Path(tempfile.gettempdir()) / f"kaleno-firestore-{self.port}.log"

    def start(self, timeout: float = 60) -> FirestoreEmulator:
        gcloud, java = shutil.which("gcloud"), shutil.which("java")
        if not gcloud or not java:
            raise EmulatorMissing(f"{'gcloud' if not gcloud else 'java'} not found on PATH.\n{INSTALL_HINT}")
        log = self._log_path.open("wb")
        self._process = subprocess.Popen(
            [gcloud, "emulators", "firestore", "start", f"--host-port={self.host}", "--quiet"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own group: java child dies too
            env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorMissing(f"The Firestore emulator exited early; see {self._log_path}.\n{INSTALL_HINT}")
            if self.is_up():
                return self
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"The Firestore emulator did not answer within {timeout}s; see {self._log_path}")

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.host}/", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def clear(self) -> None:
        """Delete every document (the emulator's own reset endpoint)."""
        url = f"http://{self.host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        request = urllib.request.Request(url, method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def freeze(self) -> None:
        """Stop the emulator's processes without ending them: a store that hangs (fault tests)."""
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process = None
