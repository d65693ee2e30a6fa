"""The host's single-use links: create one (its token shown once), list them, revoke one."""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime

from shared.domain.errors import InvalidLinkRequest, LinkLimitReached, LinkNotFound, LinkUsed
from shared.domain.host import Host
from shared.domain.links import BookingLink, LinkRequest, LinkState, link_token_hash
from shared.logging import log_event
from shared.services.errors import AlreadyStored
from shared.services.hosts import event_type as host_event_type
from shared.services.ports import UnitOfWork

# Each link is its own small document, but the host's list of an event type's links is read whole: the
# links still open are kept to a number a page can show (used, expired and revoked ones leave 30 days on).
MAX_ACTIVE_LINKS = 500


def link_url(base_url: str, host_slug: str, event_type_slug: str, token: str) -> str:
    """The address to send: the token rides in the fragment, which browsers never send to a server (nor in a
    Referer), so it stays out of every access log; the booking page hands it to the API in a header."""
    return f"{base_url.rstrip('/')}/{host_slug}/{event_type_slug}#link={token}"


def create_link(
    host: Host, event_type_id: str, request: LinkRequest, now: datetime, uow: UnitOfWork
) -> tuple[BookingLink, str]:
    """A new link and its token (never stored: only its hash is)."""
    host_event_type(host, event_type_id, uow)  # raises EventTypeNotFound
    if request.expires_at is not None and request.expires_at <= now:
        raise InvalidLinkRequest("expires_at", "expiry-not-future", "must be in the future")
    links = uow.links.of_event_type(host.id, event_type_id)
    if sum(link.state(now) is LinkState.ACTIVE for link in links) >= MAX_ACTIVE_LINKS:
        raise LinkLimitReached(f"an event type has at most {MAX_ACTIVE_LINKS} open links; revoke unused ones")
    link_id = f"lk{secrets.token_hex(10)}"
    token = f"{link_id}.{secrets.token_urlsafe(32)}"
    link = BookingLink(
        id=link_id,
        host_id=host.id,
        event_type_id=event_type_id,
        token_hash=link_token_hash(token),
        created_at=now,
        expires_at=request.expires_at,
    )
    with uow:
        uow.links.add(link)
        uow.commit()
    log_event("link_created", host_id=host.id, event_type_id=event_type_id, link_id=link_id)
    return link, token


def links_of(host: Host, event_type_id: str, uow: UnitOfWork) -> list[BookingLink]:
    host_event_type(host, event_type_id, uow)
    return uow.links.of_event_type(host.id, event_type_id)


def revoke_link(host: Host, event_type_id: str, link_id: str, now: datetime, uow: UnitOfWork) -> BookingLink:
    """The link stops opening its event type now. Revoking it twice is fine; a link already used for a
    booking stays used (410 `link-used`: cancel the booking instead). The revocation creates the link's
    claim, so a booking racing it either wins (the link counts as used) or fails."""
    with uow:
        link = uow.links.get(link_id)
        if link is None or (link.host_id, link.event_type_id) != (host.id, event_type_id):
            raise LinkNotFound("no such link for this event type")
        if link.used_at is not None:
            raise LinkUsed("this link was already used for a booking; cancel that booking instead")
        if link.revoked_at is not None:
            return link
        revoked = link.revoked(now)
        uow.links.claim(revoked)
        try:
            uow.commit()
        except AlreadyStored as error:
            raise LinkUsed("this link was just used for a booking; cancel that booking instead") from error
    log_event("link_revoked", host_id=host.id, event_type_id=event_type_id, link_id=link_id)
    return revoked


def withdraw_links(host: Host, event_type_id: str, now: datetime, uow: UnitOfWork) -> int:
    """The event type was deleted: its open links are revoked, so the retention purge deletes them in time
    (an open link without expiry would otherwise be kept until the host's erasure). How many were open."""
    listed = uow.links.of_event_type(host.id, event_type_id)
    open_links = [link for link in listed if link.state(now) is LinkState.ACTIVE]
    for link in open_links:
        with contextlib.suppress(LinkUsed):  # used a moment before the type went: kept as used
            revoke_link(host, event_type_id, link.id, now, uow)
    return len(open_links)
