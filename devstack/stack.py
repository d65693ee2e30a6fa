"""The whole local stack (CONTRACT.md "Local stack"): Firestore emulator, Google sandbox, all functions.

`make run` starts it on the contract's ports; the test session starts the same stack on free ports.
Before it starts anything, every port it will bind must be free (devstack/ports.py); its child processes die
with it (devstack/tether.py); it is up once every port it claims is listened on by its own processes only.
"""

from __future__ import annotations

import errno
import importlib.util
import os
from dataclasses import dataclass, field
from typing import Any

from devstack.emulator import FirestoreEmulator, free_port
from devstack.ports import (
    PortClaim,
    PortTaken,
    emulator_claim,
    ensure_free,
    functions_claim,
    is_taken,
    listened_by,
)

PROJECT = "kaleno-local"


def sandbox_available() -> bool:
    return importlib.util.find_spec("sandbox.server") is not None


@dataclass
class StackPorts:
    app: int = 0
    firestore: int = 0
    sandbox_http: int = 0
    sandbox_secrets: int = 0
    sandbox_tasks: int = 0
    sandbox_smtp: int = 0

    @classmethod
    def contract_defaults(cls) -> StackPorts:
        firestore = os.environ.get("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8086").rsplit(":", 1)[1]
        sandbox = os.environ.get("KALENO_SANDBOX_URL", "http://127.0.0.1:8090").rsplit(":", 1)[1]
        return cls(
            app=int(os.environ.get("KALENO_PORT", "8080")),
            firestore=int(firestore),
            sandbox_http=int(sandbox),
            sandbox_secrets=8091,
            sandbox_tasks=8092,
            sandbox_smtp=8093,
        )

    def claims(self, with_sandbox: bool = True) -> list[PortClaim]:
        """The ports this stack will bind, each with what runs there and how to move it (0, a free one: none)."""
        claims = [functions_claim(self.app), emulator_claim(self.firestore)]
        return [claim for claim in claims + (self.sandbox_claims() if with_sandbox else []) if claim.port]

    def sandbox_claims(self) -> list[PortClaim]:
        elsewhere = "run `python -m devstack --free-ports`"
        return [
            PortClaim(self.sandbox_http, "the Google sandbox", "set KALENO_SANDBOX_URL"),
            PortClaim(self.sandbox_secrets, "the sandbox's Secret Manager", elsewhere),
            PortClaim(self.sandbox_tasks, "the sandbox's Cloud Tasks", elsewhere),
            PortClaim(self.sandbox_smtp, "the sandbox's SMTP relay", elsewhere),
        ]


@dataclass
class LocalStack:
    ports: StackPorts = field(default_factory=StackPorts)
    emulator: FirestoreEmulator | None = None
    sandbox: Any = None
    server: Any = None
    env: dict[str, str] = field(default_factory=dict)
    # True: the functions run in their own process on functions-framework's production server, as
    # deployed (devstack/serve.py); False: on a server thread in this process (tests scan its logs).
    production_server: bool = False

    def start(self) -> LocalStack:
        ensure_free(self.ports.claims(with_sandbox=sandbox_available()))  # before anything starts
        try:
            self.emulator = FirestoreEmulator(self.ports.firestore, PROJECT).start()
            self.ports.app = self.ports.app or free_port()
            self.env = {
                "GOOGLE_CLOUD_PROJECT": PROJECT,
                "FIRESTORE_EMULATOR_HOST": self.emulator.host,
                "KALENO_BASE_URL": f"http://127.0.0.1:{self.ports.app}",
                # A client on this machine names itself by the last X-Forwarded-For entry (load tests play
                # many clients), as Cloud Run's own front end names it (shared/web/client_address.py).
                "KALENO_CLIENT_ADDRESS_FROM": os.environ.get("KALENO_CLIENT_ADDRESS_FROM", "last-forwarded"),
                # Webhook receivers on this machine (http://127.0.0.1:...) are allowed here, never in production.
                "KALENO_WEBHOOKS_ALLOW_PRIVATE": "true",
            }
            if sandbox_available():
                self._start_sandbox()
            os.environ.update(self.env)
            self._start_app()
            self._check_ports_are_ours()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_sandbox(self) -> None:
        from devstack.provision import LOCAL_OAUTH_CLIENT_SECRET
        from sandbox.server import start_sandbox

        try:
            self.sandbox = start_sandbox(
                http_port=self.ports.sandbox_http,
                secrets_port=self.ports.sandbox_secrets,
                tasks_port=self.ports.sandbox_tasks,
                smtp_port=self.ports.sandbox_smtp,
                clients={"kaleno-local": LOCAL_OAUTH_CLIENT_SECRET},
            )
        except OSError as error:  # a port taken between our check and the bind
            raise _port_taken_at_bind(self.ports.sandbox_claims(), error) from error
        self.env.update(
            {
                "KALENO_SANDBOX_URL": self.sandbox.http_url,
                "KALENO_SECRETS_ENDPOINT": self.sandbox.secrets_target,
                "KALENO_TASKS_ENDPOINT": self.sandbox.tasks_target,
                # The sandbox's SMTP relay (outbound mail; read it back with GET /_sandbox/mail).
                "KALENO_SMTP_HOST": self.sandbox.smtp_host,
                "KALENO_SMTP_PORT": str(self.sandbox.smtp_port),
            }
        )

    def _start_app(self) -> None:
        from devstack.app import ServerThread, build_app
        from shared.config import get_settings

        get_settings.cache_clear()
        if self.sandbox is not None:
            self.provision()
        if self.production_server:
            from devstack.serve import ServerProcess

            self.server = ServerProcess(self.ports.app).start()
            return
        checks = [self.emulator.is_up] if self.emulator else []
        try:
            self.server = ServerThread(build_app(checks), self.ports.app).start()
        except OSError as error:
            raise _port_taken_at_bind([functions_claim(self.ports.app)], error) from error

    def pids(self) -> set[int]:
        """This process and every process the stack started."""
        return {os.getpid()}.union(*(part.pids() for part in (self.emulator, self.server) if part is not None))

    def _check_ports_are_ours(self) -> None:
        """Up only if every port the stack claims is listened on by the stack's own processes, and only by them
        (a stranger sharing a port with SO_REUSEPORT, as gRPC servers allow, would get some of our calls)."""
        bound = StackPorts(
            app=self.server.port,
            firestore=self.emulator.port if self.emulator else 0,
            **(self._sandbox_ports() if self.sandbox is not None else {}),
        )
        ours = self.pids()
        strangers = [claim for claim in bound.claims(self.sandbox is not None) if not listened_by(claim.port, ours)]
        if strangers:
            raise PortTaken(strangers, "(it is shared with, or answered by, a process that is not this stack's)")

    def _sandbox_ports(self) -> dict[str, int]:
        return {
            "sandbox_http": int(self.sandbox.http_url.rsplit(":", 1)[1]),
            "sandbox_secrets": int(self.sandbox.secrets_target.rsplit(":", 1)[1]),
            "sandbox_tasks": int(self.sandbox.tasks_target.rsplit(":", 1)[1]),
            "sandbox_smtp": int(self.sandbox.smtp_port),
        }

    def provision(self) -> None:
        """(Re)create queues and app secrets, as Terraform does; needed again after a sandbox reset."""
        from devstack.provision import provision
        from shared.config import get_settings

        provision(get_settings())

    def urls(self) -> dict[str, str]:
        urls = {
            "app": self.server.url if self.server else "-",
            "firestore": self.emulator.host if self.emulator else "-",
        }
        if self.sandbox is not None:
            urls.update(
                sandbox=self.sandbox.http_url,
                secret_manager=self.sandbox.secrets_target,
                cloud_tasks=self.sandbox.tasks_target,
                smtp_relay=self.sandbox.smtp_target,
            )
        else:
            urls["sandbox"] = "not built yet (see README: Google sandbox)"
        return urls

    def stop(self) -> None:
        for part in (self.server, self.sandbox, self.emulator):
            if part is not None:
                part.stop()


def _port_taken_at_bind(claims: list[PortClaim], error: OSError) -> Exception:
    """A bind that failed because someone took the port after `ensure_free`: name the port."""
    taken = [claim for claim in claims if claim.port and is_taken(claim.port)]
    if taken or error.errno == errno.EADDRINUSE:
        return PortTaken(taken or claims, str(error))
    return error
