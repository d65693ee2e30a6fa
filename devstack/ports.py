"""The stack's ports: free before it starts anything, and, once it is up, listened on by its own processes only.

A port already taken means another stack (or an orphan of one) is there: the stack names it and stops rather
than talk to a stranger's emulator or report a stranger's /healthz as its own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TCP_LISTEN = "0A"


@dataclass(frozen=True)
class PortClaim:
    port: int
    part: str  # what the stack runs there: "the functions"
    remedy: str  # how to run it elsewhere: "set KALENO_PORT"

    def taken_message(self) -> str:
        return f"port {self.port} ({self.part}) is already in use — another kaleno stack? stop it or {self.remedy}"


def functions_claim(port: int) -> PortClaim:
    return PortClaim(port, "the functions", "set KALENO_PORT")


def emulator_claim(port: int) -> PortClaim:
    return PortClaim(port, "the Firestore emulator", "set FIRESTORE_EMULATOR_HOST")


class PortTaken(RuntimeError):
    def __init__(self, claims: Iterable[PortClaim], detail: str = "") -> None:
        self.claims = list(claims)
        super().__init__("\n".join([claim.taken_message() for claim in self.claims] + ([detail] if detail else [])))


def is_taken(port: int, host: str = "127.0.0.1") -> bool:
    """Would a server fail to bind `port`? SO_REUSEADDR as servers set it, so closed connections in
    TIME_WAIT do not count; a listener does, whatever its own options (SO_REUSEPORT included)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def ensure_free(claims: Iterable[PortClaim]) -> None:
    taken = [claim for claim in claims if claim.port and is_taken(claim.port)]
    if taken:
        raise PortTaken(taken)


def listener_inodes(port: int) -> set[int]:
    """The socket inodes listening on TCP `port` (any address, IPv4 or IPv6), from /proc/net."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == TCP_LISTEN:
                    inodes.add(int(fields[9]))
    return inodes


def socket_inodes(pids: Iterable[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes.add(int(target[8:-1]))
    return inodes


def listened_by(port: int, pids: Iterable[int]) -> bool:
    """Is `port` listened on, and only by sockets these processes hold? (A stranger sharing the port with
    SO_REUSEPORT, or answering on it instead of us, makes this false.)"""
    listeners = listener_inodes(port)
    return bool(listeners) and listeners <= socket_inodes(pids)
