"""The local stack owns its processes: they die with it however it dies, it never uses a stranger's port, and it
says it is up only when its own parts answer (devstack/tether.py, devstack/ports.py).

Each test starts `python -m devstack` as `make run` and the benchmarks do, with a marker in its environment:
every process of its tree (the keepers, gcloud, the emulator's shell and java, gunicorn and its workers)
inherits the marker, so a process left behind is found even after it was re-parented.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devstack.emulator import FirestoreEmulator, free_port
from devstack.ports import PortTaken, is_taken, listened_by, listener_inodes
from devstack.serve import ServerProcess
from devstack.stack import LocalStack
from devstack.tether import TetheredProcess, descendants_of, group_members

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180  # a stack start on 2 shared cores, emulator included
GONE_WITHIN = 20  # SIGTERM, gunicorn's graceful stop of its workers, then what is left gets SIGKILL


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    marker: str
    stderr: Path
    urls: dict[str, str] = field(default_factory=dict)
    tree: set[tuple[int, str]] = field(default_factory=set)  # (pid, start time): a reused pid is not ours

    @property
    def ports(self) -> list[int]:
        return [int(url.rsplit(":", 1)[1]) for url in self.urls.values()]


def stack_env(marker: str, **settings: str) -> dict[str, str]:
    return {**os.environ, "KALENO_INSTANCES": "2", "KALENO_TEST_STACK_MARKER": marker, **settings}


def start_stack(tmp_path: Path, *args: str, **settings: str) -> RunningStack:
    marker = uuid.uuid4().hex
    stderr = tmp_path / "stack.stderr"
    with stderr.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack", *args],
            cwd=ROOT,
            env=stack_env(marker, **settings),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    return RunningStack(process, marker, stderr)


def read_urls(stack: RunningStack) -> dict[str, str]:
    """The JSON line, read in a thread so a stack that never prints fails the test instead of hanging it."""
    lines: list[str] = []
    stdout = stack.process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    assert lines, f"no URLs within {START_TIMEOUT}s: {stack.stderr.read_text()[-2000:]}"
    assert lines[0], f"no URLs within {START_TIMEOUT}s: {stack.stderr.read_text()[-2000:]}"
    urls: dict[str, str] = json.loads(lines[0])
    stack.urls = urls
    return urls


def start_time(pid: int) -> str:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()[19]


def alive(pid: int, started: str) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = text[text.rindex(")") + 2 :].split()
    return fields[19] == started and fields[0] != "Z"


def marked_processes(marker: str) -> set[int]:
    """Live processes whose environment carries `marker` (the stack's whole tree, re-parented or not)."""
    needle = f"KALENO_TEST_STACK_MARKER={marker}".encode()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if needle in Path(f"/proc/{entry}/environ").read_bytes() and alive(int(entry), start_time(int(entry))):
                    found.add(int(entry))
            except OSError:
                continue
    return found


def record_tree(stack: RunningStack) -> None:
    pids = {stack.process.pid, *descendants_of(stack.process.pid)}
    stack.tree = {(pid, start_time(pid)) for pid in pids if Path(f"/proc/{pid}").exists()}


def command_lines(pids: set[int]) -> list[str]:
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
        except OSError:
            continue
    return lines


def leftovers(stack: RunningStack) -> tuple[set[int], list[int]]:
    """(processes of the stack still alive, its ports still listened on)."""
    processes = {pid for pid, started in stack.tree if alive(pid, started)} | marked_processes(stack.marker)
    return processes, [port for port in stack.ports if listener_inodes(port)]


def wait_until_gone(stack: RunningStack, within: float = GONE_WITHIN) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        processes, ports = leftovers(stack)
        if not processes and not ports:
            return time.monotonic() - started
        time.sleep(0.2)
    processes, ports = leftovers(stack)
    raise AssertionError(f"left after {within}s: {command_lines(processes)}, listening: {ports}")


def kill_tree(stack: RunningStack) -> None:
    """Never leave a failed test's processes on a shared machine."""
    for pid in {pid for pid, started in stack.tree if alive(pid, started)} | marked_processes(stack.marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


@pytest.fixture
def stack_run(tmp_path: Path) -> Iterator[RunningStack]:
    stack = start_stack(tmp_path, "--free-ports", "--json")
    yield stack
    if stack.process.poll() is None:
        stack.process.kill()
        stack.process.wait()
    kill_tree(stack)


def assert_up_from_its_own_processes(stack: RunningStack) -> None:
    """At the moment the URLs are printed, /healthz answers, and the functions' and emulator's ports are
    listened on by processes of this stack's tree, and by nothing else."""
    urls = read_urls(stack)
    with urllib.request.urlopen(f"{urls['app']}/healthz", timeout=10) as response:
        assert response.status == 200
    record_tree(stack)
    ours = {pid for pid, _ in stack.tree}
    assert listened_by(int(urls["app"].rsplit(":", 1)[1]), ours)
    assert listened_by(int(urls["firestore"].rsplit(":", 1)[1]), ours)
    # The tree seen holds the emulator's java and gunicorn's master and 2 workers, each part under its keeper.
    lines = command_lines(ours)
    assert any(line.startswith("java ") for line in lines)
    assert len([line for line in lines if "-m devstack.serve" in line and "tether.py" not in line]) == 3
    assert len([line for line in lines if "tether.py" in line]) == 2


def test_a_stack_killed_with_sigkill_leaves_no_process_and_no_port(stack_run: RunningStack) -> None:
    assert_up_from_its_own_processes(stack_run)

    stack_run.process.send_signal(signal.SIGKILL)
    stack_run.process.wait(timeout=5)

    wait_until_gone(stack_run)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stack_stopped_normally_ends_everything_it_started(
    stack_run: RunningStack, stop_signal: signal.Signals
) -> None:
    assert_up_from_its_own_processes(stack_run)

    stack_run.process.send_signal(stop_signal)

    assert stack_run.process.wait(timeout=GONE_WITHIN) == 0
    wait_until_gone(stack_run, within=2)  # stop() waited for every part: nothing is left at exit


class _Stranger(BaseHTTPRequestHandler):
    """Answers 200 to everything: a stranger's /healthz or emulator that a careless start would take as its own."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def stranger() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stranger)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("taken", "part"),
    [("KALENO_PORT", "the functions"), ("FIRESTORE_EMULATOR_HOST", "the Firestore emulator")],
)
def test_a_start_that_finds_a_port_taken_names_it_and_starts_nothing(
    tmp_path: Path, stranger: int, taken: str, part: str
) -> None:
    ports = {"KALENO_PORT": free_port(), "FIRESTORE_EMULATOR_HOST": free_port(), "KALENO_SANDBOX_URL": free_port()}
    ports[taken] = stranger
    stack = start_stack(
        tmp_path,
        KALENO_PORT=str(ports["KALENO_PORT"]),
        FIRESTORE_EMULATOR_HOST=f"127.0.0.1:{ports['FIRESTORE_EMULATOR_HOST']}",
        KALENO_SANDBOX_URL=f"http://127.0.0.1:{ports['KALENO_SANDBOX_URL']}",
    )
    try:
        out, _ = stack.process.communicate(timeout=60)
        errors = stack.stderr.read_text()

        assert stack.process.returncode == 1
        assert f"port {stranger} ({part}) is already in use" in errors
        assert "is up" not in out
        assert not marked_processes(stack.marker)  # nothing was started
        assert not any(listener_inodes(port) for name, port in ports.items() if name != taken)
        with urllib.request.urlopen(f"http://127.0.0.1:{stranger}/healthz", timeout=5) as response:
            assert response.status == 200  # and the stranger was left alone
    finally:
        kill_tree(stack)


def test_an_emulator_already_answering_on_the_port_is_never_used(stranger: int) -> None:
    emulator = FirestoreEmulator(stranger)

    with pytest.raises(PortTaken, match=f"port {stranger} \\(the Firestore emulator\\) is already in use"):
        emulator.start()
    assert not emulator.is_ours()


def test_a_server_that_cannot_bind_is_not_reported_up_by_a_strangers_healthz(
    clean_stack: LocalStack, stranger: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the start's check cannot see: the port is taken after the check. gunicorn cannot bind, the
    stranger answers /healthz with 200, and the start still fails with the port named."""
    monkeypatch.setenv("KALENO_INSTANCES", "1")
    server = ServerProcess(stranger)

    with pytest.raises(PortTaken, match=f"port {stranger} \\(the functions\\) is already in use"):
        server.start(timeout=60)
    assert not [line for line in command_lines(descendants_of(os.getpid())) if f"--port {stranger}" in line]


# --- The keeper alone (devstack/tether.py), with a part that tries to get away ---------------------------

ESCAPING_PART = "sleep 300 & bash -c 'setsid sleep 300 & sleep 300 & wait' & wait"  # one leaves the group


def test_a_part_dies_with_its_parent_even_what_left_its_process_group(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from devstack.tether import TetheredProcess\n"
            f"TetheredProcess(['sh', '-c', {ESCAPING_PART!r}]).start()\n"
            "print('started', flush=True)\n"
            "time.sleep(300)\n",
        ],
        cwd=ROOT,
        env=stack_env(marker),
        stdout=subprocess.PIPE,
        text=True,
    )
    stack = RunningStack(parent, marker, tmp_path / "none")
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == "started\n"
        deadline = time.monotonic() + 10
        while len(marked_processes(marker)) < 7 and time.monotonic() < deadline:  # parent, keeper, sh, 4 more
            time.sleep(0.05)
        record_tree(stack)
        assert len(marked_processes(marker)) == 7

        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)

        assert wait_until_gone(stack, within=5) < 5
    finally:
        kill_tree(stack)


def test_a_killed_keeper_takes_its_command_along_and_stop_ends_the_rest() -> None:
    part = TetheredProcess(["sh", "-c", "bash -c 'sleep 300; true' & wait"], grace=1).start()
    try:
        deadline = time.monotonic() + 10
        while len(group_members(part.pid)) < 3 and time.monotonic() < deadline:  # sh, bash, sleep
            time.sleep(0.05)
        assert len(group_members(part.pid)) == 3

        os.kill(part.keeper_pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while part.pid in group_members(part.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert part.pid not in group_members(part.pid)  # the command had the parent-death signal

        part.stop()

        assert not group_members(part.pid)
    finally:
        for pid in group_members(part.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_port_shared_with_a_stranger_through_so_reuseport_is_not_ours() -> None:
    """gRPC servers (the sandbox's Secret Manager and Cloud Tasks) bind with SO_REUSEPORT, so a second one on
    the same port binds too and gets some of the calls: the stack checks who listens, not only that it bound."""
    ours = socket.socket()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    ours.bind(("127.0.0.1", 0))
    ours.listen()
    port = ours.getsockname()[1]
    stranger = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys, time\n"
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)\n"
            f"s.bind(('127.0.0.1', {port})); s.listen(); print('listening', flush=True); time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert listened_by(port, {os.getpid()})
        assert stranger.stdout is not None
        assert stranger.stdout.readline() == "listening\n"

        assert is_taken(port)
        assert not listened_by(port, {os.getpid()})
        assert listened_by(port, {os.getpid(), stranger.pid})
    finally:
        stranger.kill()
        stranger.wait()
        ours.close()


# A part that answers each line sent to it at once, on a thread per connection, while a dozen more threads keep
# waking (as the emulator's do): the port it listens on is its first line of output.
BUSY_SERVER = """
import socket, threading, time
def wake():
    while True:
        time.sleep(0.001)
def answer(connection):
    with connection:
        while connection.recv(64):
            connection.sendall(b"pong")
for _ in range(12):
    threading.Thread(target=wake, daemon=True).start()
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
while True:
    threading.Thread(target=answer, args=(server.accept()[0],), daemon=True).start()
"""


def test_a_paused_part_has_no_thread_left_running_and_answers_nothing_until_it_is_resumed() -> None:
    """SIGSTOP reaches one thread of a process, which stops the others only when it next runs: a freeze that
    returned at the signal let the Firestore emulator answer a commit sent just after it (tests/e2e/test_faults.py
    saw 201 instead of 503). `pause` returns once every thread has stopped."""
    read_end, write_end = os.pipe()
    part = TetheredProcess([sys.executable, "-c", BUSY_SERVER], stdout=write_end, grace=1).start()
    os.close(write_end)
    try:
        with os.fdopen(read_end) as output:
            port = int(output.readline())
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            for _ in range(20):
                part.pause()
                threads = {
                    tid: (Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()[0])
                    for pid in group_members(part.pid)
                    for tid in os.listdir(f"/proc/{pid}/task")
                }
                connection.sendall(b"ping")
                connection.settimeout(0.05)
                with pytest.raises(TimeoutError):
                    connection.recv(64)  # a paused part answers nothing
                part.signal_group(signal.SIGCONT)
                connection.settimeout(10)

                assert len(threads) >= 13
                assert set(threads.values()) == {"T"}, threads
                assert connection.recv(64) == b"pong"  # resumed, it answers what it was sent meanwhile
    finally:
        part.signal_group(signal.SIGCONT)
        part.stop()
