"""Wiring: one HTTP server (OAuth/OIDC, Calendar v3, control API), two gRPC servers and an SMTP relay.

sb = start_sandbox(http_port=0, secrets_port=0, tasks_port=0, smtp_port=0,
                   clients={"kaleno-local": "kaleno-local-secret"}, access_token_ttl=3600)
sb.http_url, sb.secrets_target, sb.tasks_target, sb.smtp_target (sb.smtp_host, sb.smtp_port)
sb.reset(); sb.stop()
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from werkzeug.serving import BaseWSGIServer

from sandbox.calendar import API_METHODS as calendar_methods
from sandbox.calendar import CalendarApi, method_scopes
from sandbox.clock import Clock
from sandbox.control import ControlApi
from sandbox.dispatch import Dispatcher
from sandbox.events import CalendarStore
from sandbox.grpc_service import method_names
from sandbox.keys import SigningKey
from sandbox.mail import METHOD as smtp_method
from sandbox.mail import MailStore, SmtpRelay
from sandbox.oauth import API_METHODS as oauth_methods
from sandbox.oauth import OAuthApi
from sandbox.push import ChannelRegistry, PushDelivery
from sandbox.secrets import METHOD_PREFIX as secrets_prefix
from sandbox.secrets import SecretStore
from sandbox.state import JwtClock, SandboxState
from sandbox.tasks import METHOD_PREFIX as tasks_prefix
from sandbox.tasks import TaskQueues
from sandbox.tokens import TokenStore
from sandbox.web import Router, make_http_server

DEFAULT_CLIENTS = {"kaleno-local": "kaleno-local-secret"}


class Sandbox:
    def __init__(
        self,
        *,
        clients: dict[str, str],
        access_token_ttl: int = 3600,
        host: str = "127.0.0.1",
        clock: Clock | None = None,
        jwt_clock: JwtClock = "sandbox",
    ) -> None:
        self.host = host
        self.clock = clock or Clock()
        self.state = SandboxState(self.clock, jwt_clock)
        self.keys = SigningKey()
        self.tokens = TokenStore(self.state, clients, access_token_ttl)
        self.calendar = CalendarStore(self.state)
        self.push = PushDelivery(self.state)
        self.channels = ChannelRegistry(self.state, self.push)
        self.secrets = SecretStore(self.state)
        self.queues = TaskQueues(self.state)
        self.dispatcher = Dispatcher(self.queues, self.keys)
        self.mail = MailStore(self.state)
        self.smtp = SmtpRelay(self.state, self.mail)
        method_scopes()  # parse the discovery document now rather than on the first request
        self.http_url = ""
        self.secrets_target = ""
        self.tasks_target = ""
        self.smtp_host = ""
        self.smtp_port = 0
        self.smtp_target = ""
        self._http: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._grpc: list[grpc.Server] = []

    def _router(self) -> Router:
        oauth = OAuthApi(self.state, self.tokens, self.keys)
        calendar = CalendarApi(self.state, self.tokens, self.calendar, self.channels)
        control = ControlApi(
            state=self.state,
            tokens=self.tokens,
            calendar=self.calendar,
            channels=self.channels,
            secrets=self.secrets,
            queues=self.queues,
            dispatcher=self.dispatcher,
            keys=self.keys,
            mail=self.mail,
            reset=self.reset,
            methods=[
                *calendar_methods,
                *oauth_methods,
                *method_names(secrets_prefix, self.secrets.rpcs()),
                *method_names(tasks_prefix, self.queues.rpcs()),
                smtp_method,
            ],
        )
        return Router([*oauth.routes(), *calendar.routes(), *control.routes()])

    def _grpc_server(self, handler: object, port: int) -> tuple[grpc.Server, int]:
        server = grpc.server(ThreadPoolExecutor(max_workers=8, thread_name_prefix="sandbox-grpc"))
        server.add_generic_rpc_handlers((handler,))
        bound = server.add_insecure_port(f"{self.host}:{port}")
        if bound == 0:
            raise OSError(f"cannot bind gRPC port {self.host}:{port}")
        server.start()
        return server, bound

    def start(
        self,
        http_port: int = 0,
        secrets_port: int = 0,
        tasks_port: int = 0,
        *,
        smtp_port: int = 0,
        verbose: bool = False,
    ) -> None:
        http = make_http_server(self.host, http_port, self._router(), verbose=verbose)
        self._http = http
        # A short poll interval keeps stop() quick; shutdown waits for the serve loop to notice.
        thread = threading.Thread(target=http.serve_forever, args=(0.05,), name="sandbox-http", daemon=True)
        thread.start()
        self._threads.append(thread)
        self.http_url = f"http://{self.host}:{http.server_port}"
        secrets_server, secrets_bound = self._grpc_server(self.secrets.grpc_handler(), secrets_port)
        tasks_server, tasks_bound = self._grpc_server(self.queues.grpc_handler(), tasks_port)
        self._grpc = [secrets_server, tasks_server]
        self.secrets_target = f"{self.host}:{secrets_bound}"
        self.tasks_target = f"{self.host}:{tasks_bound}"
        self.smtp.start(self.host, smtp_port)
        self.smtp_host, self.smtp_port = self.smtp.host, self.smtp.port
        self.smtp_target = f"{self.smtp_host}:{self.smtp_port}"
        self.dispatcher.start()

    def reset(self) -> None:
        """Forget everything but the OAuth clients and the signing key; the clock returns to real time."""
        self.queues.settle(timeout=30.0)
        with self.state.lock:
            self.tokens.reset()
            self.calendar.reset()
            self.channels.reset()
            self.push.reset()
            self.secrets.reset()
            self.queues.reset()
            self.mail.reset()
            self.state.reset()
        self.clock.reset()

    def stop(self) -> None:
        self.dispatcher.stop()
        self.smtp.stop()
        for server in self._grpc:
            server.stop(grace=None)
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        self.push.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)


def start_sandbox(
    http_port: int = 0,
    secrets_port: int = 0,
    tasks_port: int = 0,
    clients: dict[str, str] | None = None,
    access_token_ttl: int = 3600,
    *,
    smtp_port: int = 0,
    host: str = "127.0.0.1",
    clock: Clock | None = None,
    jwt_clock: JwtClock = "sandbox",
    verbose: bool = False,
) -> Sandbox:
    """Start all four servers (port 0 picks a free port) and return the running sandbox."""
    sandbox = Sandbox(
        clients=DEFAULT_CLIENTS if clients is None else clients,
        access_token_ttl=access_token_ttl,
        host=host,
        clock=clock,
        jwt_clock=jwt_clock,
    )
    sandbox.start(http_port, secrets_port, tasks_port, smtp_port=smtp_port, verbose=verbose)
    return sandbox
