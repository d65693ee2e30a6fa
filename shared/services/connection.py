"""The state of a host's calendar connection, kept in step on the host and on their booking page."""

from __future__ import annotations

from datetime import datetime

from shared.domain.host import Connection, ConnectionState
from shared.logging import log_event
from shared.services.audit import Entry, audit
from shared.services.contention import retried
from shared.services.notifications import alert_host_later
from shared.services.ports import Ports, UnitOfWork
from shared.services.teams import tell_teams_later


def change_connection(
    host_id: str, connection: Connection, uow: UnitOfWork, *, only_if: ConnectionState | None = None
) -> bool:
    """Record the connection state; with `only_if`, only when the current state is that (True if changed)."""

    def change() -> bool:
        with uow:
            host = uow.hosts.get(host_id)
            if host is None or (only_if is not None and host.connection.state is not only_if):
                return False
            uow.hosts.save(host.with_connection(_continued(host.connection, connection)))
            page = uow.pages.get(host.slug)
            if page is not None:
                uow.pages.save(host.slug, page.with_connection(connection.is_connected))
            uow.commit()
            return True

    return retried(change)


def _continued(before: Connection, after: Connection) -> Connection:
    """Disconnected again while disconnected (asked twice, or for another reason) is still the same disconnect:
    it keeps its `since`, so it stays one incident, told once (the host's alert, their teams' admins)."""
    if before.state is after.state is ConnectionState.DISCONNECTED and before.since is not None:
        return after.model_copy(update={"since": before.since})
    return after


def mark_revoked(host_id: str, now: datetime, uow: UnitOfWork) -> bool:
    """Google no longer honours the host's grant: mark disconnected once; later calls change nothing. On its
    own (while the host is signing in, say), it leaves the stored token and sends no alert."""
    revoked = Connection(state=ConnectionState.DISCONNECTED, reason="google_access_revoked", since=now)
    changed = change_connection(host_id, revoked, uow, only_if=ConnectionState.CONNECTED)
    if changed:
        audit(uow, Entry("calendar_access_revoked", host_id, "disconnected", now))
        log_event("host_disconnected", host_id=host_id, reason="google_access_revoked")
    return changed


def access_revoked(host_id: str, now: datetime, deps: Ports) -> bool:
    """Marked revoked (once), the token Google refuses destroyed and the host alerted (once)."""
    uow = deps.uow()
    changed = mark_revoked(host_id, now, uow)
    if changed:
        deps.secrets.destroy_refresh_token(host_id)
        if (host := uow.hosts.get(host_id)) is not None:
            alert_host_later(host, deps.tasks)
            tell_teams_later(host, deps)
    return changed
