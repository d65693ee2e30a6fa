"""Child processes that die with the stack, however the stack dies (SIGKILL and crashes included).

How (Linux), and why this combination:

* Stack -> keeper, **a pipe**. Each part (the Firestore emulator, the functions' gunicorn) runs under a small
  keeper process (`python tether.py FD GRACE -- command…`, this file) in its own session, so a Ctrl-C or a
  signal to the stack's process group never reaches it directly. The keeper holds the read end of a pipe
  whose only write end lives in the stack. The kernel closes that end when the stack exits, whatever ends
  it, so the keeper reads EOF and ends its part (the end is close-on-exec: only a fork of the stack that
  does not exec would hold it too). A pipe, not a parent-death signal: PR_SET_PDEATHSIG fires
  when the *thread* that forked the child dies, and the stack may start parts from any thread (a pytest
  fixture, a benchmark's helper); a pipe end belongs to the whole process.
* Keeper -> part, **a process group, a parent-death signal and a subreaper**. The part runs in its own
  process group (the emulator is `gcloud` -> a shell script -> java; gunicorn is a master and its workers),
  so one `killpg` reaches all of it: SIGTERM (and SIGCONT, for a frozen part), then SIGKILL after GRACE
  seconds. The keeper is a child subreaper (PR_SET_CHILD_SUBREAPER), so a grandchild orphaned inside the
  part (java when its shell dies) becomes the keeper's child instead of init's; the keeper exits only when
  it has no child left, so "the keeper is gone" means "the whole part is gone". The keeper forks the part
  from its only thread with PR_SET_PDEATHSIG=SIGKILL, so even a SIGKILLed keeper takes its part's first
  process with it (gunicorn's workers follow their master the same way: devstack/serve.py).
* Stopping normally is the same path: the stack closes its end of the pipe and waits for the keeper.
* Left open: the keeper killed on its own takes only the command along (a grandchild such as java would
  outlive it); the stack's `stop()` ends the rest of the group, but if the stack and the keeper are killed
  at the same moment, nothing is left to do it.

This file imports only the standard library: it runs as a script, apart from the project's imports.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
KEEPER = Path(__file__).resolve()


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> None:
    """In a just-forked child: receive `sig` when the thread that forked it dies. `parent`: the pid that
    must still be our parent (if it died before the prctl, the signal would never come: exit now)."""
    _prctl(PR_SET_PDEATHSIG, sig)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


# --- The parent's side ---------------------------------------------------------------------------------


class TetheredProcess:
    """`command` under a keeper: it dies with this process, and `stop()` ends it with all its descendants."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        grace: float = 10,
        cwd: str | Path | None = None,
        env: dict[str, str] | None = None,
        stdout: IO[Any] | int | None = None,
    ) -> None:
        self.command = list(command)
        self.grace = grace
        self._cwd, self._env, self._stdout = cwd, env, stdout
        self._keeper: subprocess.Popen[bytes] | None = None
        self._stack_end: int | None = None
        self.pid = 0  # the command's pid, which is also its process group's id

    def start(self) -> TetheredProcess:
        keeper_end, self._stack_end = os.pipe()  # both close-on-exec: only the keeper gets its end, by pass_fds
        try:
            self._keeper = subprocess.Popen(
                [sys.executable, "-I", str(KEEPER), str(keeper_end), str(self.grace), "--", *self.command],
                pass_fds=(keeper_end,),
                start_new_session=True,
                cwd=self._cwd,
                env=self._env,
                stdout=self._stdout,
                stderr=subprocess.STDOUT if self._stdout is not None else None,
            )
        finally:
            os.close(keeper_end)
        self.pid = self._wait_for_command()
        return self

    def _wait_for_command(self, timeout: float = 10) -> int:
        assert self._keeper is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = children_of(self._keeper.pid)
            if children:
                return min(children)
            if self._keeper.poll() is not None:
                raise RuntimeError(f"{self.command[0]} could not be started ({self._keeper.returncode})")
            time.sleep(0.01)
        self.stop()
        raise TimeoutError(f"{self.command[0]} did not start within {timeout}s")

    @property
    def keeper_pid(self) -> int:
        return self._keeper.pid if self._keeper else 0

    def poll(self) -> int | None:
        """None while the command runs; its exit code once it and the rest of its part are gone."""
        return self._keeper.poll() if self._keeper else 0

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the command and the rest of its part are gone (subprocess.TimeoutExpired after `timeout`)."""
        return self._keeper.wait(timeout) if self._keeper else 0

    def pids(self) -> set[int]:
        """Every live process of this part: the keeper and all its descendants."""
        return {self.keeper_pid, *descendants_of(self.keeper_pid)} if self.poll() is None else set()

    def signal_group(self, sig: int) -> None:
        """`sig` to the command's process group (not to the keeper): e.g. SIGCONT to thaw a paused part."""
        if self.pid and self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)

    def pause(self, timeout: float = 10) -> None:
        """SIGSTOP to the command's process group, returning only once every thread of it has stopped.

        The kernel hands SIGSTOP to one thread of each process, which stops the others when it next runs: until
        then (milliseconds, tens of them on two busy cores) another thread, e.g. the emulator's network thread
        woken by a request sent just after the signal, still runs and answers it. A part is paused only once no
        thread of it runs."""
        self.signal_group(signal.SIGSTOP)
        members, deadline = group_members(self.pid), time.monotonic() + timeout
        while running := _running_threads(members):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(running)} thread(s) of {self.command[0]} still run after SIGSTOP")
            time.sleep(0.001)

    def stop(self) -> None:
        """End the command and everything it started: SIGTERM, SIGKILL after the grace, wait until gone."""
        if self._stack_end is not None:
            os.close(self._stack_end)  # the keeper reads EOF, as when this process dies
            self._stack_end = None
        if self._keeper is None:
            return
        try:
            self._keeper.wait(timeout=self.grace + 5)
        except subprocess.TimeoutExpired:  # a keeper that cannot act (stopped, or stuck): end it all here
            for pid in self.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._keeper.wait(timeout=5)
        # A keeper that was killed itself took only the command with it: end what is left of its group, and wait
        # until it is gone: a SIGKILLed process still runs until it is next scheduled (tens of milliseconds on two
        # busy cores), so "stopped" would otherwise not yet mean "no process left".
        for pid in group_members(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while group_members(self.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        self._keeper = None


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses): state, ppid, pgrp, …"""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, pgid) of every live process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = _stat_fields(int(entry))
                if fields[0] != "Z":
                    table[int(entry)] = (int(fields[1]), int(fields[2]))
    return table


def _running_threads(pids: set[int]) -> set[int]:
    """The threads of `pids` not (yet) stopped by a signal: state other than T (stopped), t (traced), Z or X
    (exiting), read from /proc/PID/task/TID/stat."""
    running = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    text = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
                    if text[text.rindex(")") + 2] not in "TtZX":
                        running.add(int(tid))
    return running


def children_of(pid: int) -> set[int]:
    return {child for child, (ppid, _) in _processes().items() if ppid == pid}


def descendants_of(pid: int) -> set[int]:
    table = _processes()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def group_members(pgid: int) -> set[int]:
    return {pid for pid, (_, group) in _processes().items() if group == pgid}


# --- The keeper ----------------------------------------------------------------------------------------


def _start_command(command: list[str], stack_end: int) -> int:
    keeper = os.getpid()
    pid = os.fork()
    if pid == 0:  # the part: its own group, killed if the keeper dies; default signal handling for it
        try:
            os.setpgid(0, 0)
            die_with_parent(signal.SIGKILL, keeper)
            os.close(stack_end)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            os.execvp(command[0], command)  # noqa: S606  # the stack's own command line, no shell
        finally:
            os._exit(127)
    with contextlib.suppress(OSError):  # both sides set the group, so no signal can find it unset
        os.setpgid(pid, pid)
    return pid


def _reap() -> dict[int, int]:
    """Collect every child that has exited (the command, or orphans adopted as subreaper): pid -> status."""
    exited: dict[int, int] = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return exited
        if pid == 0:
            return exited
        exited[pid] = status


def _end_part(pgid: int, grace: float) -> None:
    for sig in (signal.SIGTERM, signal.SIGCONT):  # SIGCONT: a stopped (frozen) part must see the SIGTERM
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_members(pgid):
        _reap()
        time.sleep(0.05)
    # Whatever is left, in the group or adopted from it (a process that left the group is still our child).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _reap()
        left = group_members(pgid) | children_of(os.getpid())
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def keep(stack_end: int, grace: float, command: list[str]) -> int:
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    os.set_inheritable(stack_end, False)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    stop_requested = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop_requested.append(True))
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the select below
    pid = _start_command(command, stack_end)
    status: int | None = None
    while status is None and not stop_requested:
        try:
            readable, _, _ = select.select([stack_end, wake_read], [], [], 1.0)
        except InterruptedError:
            readable = []
        if wake_read in readable:
            os.read(wake_read, 512)
        if stack_end in readable and not os.read(stack_end, 512):
            break  # EOF: the stack stopped us, or it is gone
        status = _reap().get(pid, status)
    _end_part(pid, grace if status is None else 0)
    if status is None:
        return 0
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # as a shell reports a signal


def _main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: tether.py FD GRACE -- COMMAND...", file=sys.stderr)
        return errno.EINVAL
    return keep(int(argv[0]), float(argv[1]), argv[3:])


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
