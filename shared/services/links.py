"""Single-use links: create one (its token shown once), list them, revoke one. A host's event type's links are
theirs (`host_id` the host's id); a team type's are the team's (`host_id` the team's id: shared/services/teams.py
uses `new_link`, `revoke_owned` and `withdraw_owned` here)."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.domain.errors import EventTypeNotFound, InvalidLinkRequest, LinkLimitReached, LinkNotFound, LinkUsed
from shared.domain.event_type import EventType
from shared.domain.host import Host
from shared.domain.links import BookingLink, LinkRequest, LinkState, link_token_hash
from shared.logging import log_event
from shared.services.errors import AlreadyStored
from shared.services.ports import Ports, UnitOfWork

# Each link is its own small document, but the host's list of an event type's links is read whole: the
# links still open are kept to a number a page can show (used, expired and revoked ones leave 30 days on).
MAX_ACTIVE_LINKS = 500


@dataclass(frozen=True)
class CreateLink:
    """The host asked for a new single-use link to one of their event types."""

    host: Host
    event_type_id: str
    request: LinkRequest


@dataclass(frozen=True)
class RevokeLink:
    """The host asked that one of an event type's links stop opening it."""

    host: Host
    event_type_id: str
    link_id: str


@dataclass(frozen=True)
class CreatedLink:
    """A new link, its token (shown this once: only its hash is kept) and the address to send."""

    link: BookingLink
    token: str
    url: str


def create_link(command: CreateLink, deps: Ports) -> CreatedLink:
    """A new link and its token (never stored: only its hash is)."""
    host, event_type_id = command.host, command.event_type_id
    event_type = _event_type(host, event_type_id, deps.uow())  # raises EventTypeNotFound
    link, token = new_link(host.id, event_type_id, command.request, deps)
    log_event("link_created", host_id=host.id, event_type_id=event_type_id, link_id=link.id)
    return CreatedLink(link, token, deps.links.single_use(host.slug, event_type.slug, token))


def new_link(owner_id: str, event_type_id: str, request: LinkRequest, deps: Ports) -> tuple[BookingLink, str]:
    """A new link of the owner's (a host's or a team's) event type, stored, and its token."""
    uow, now, expires_at = deps.uow(), deps.now(), request.expires_at
    if expires_at is not None and expires_at <= now:
        raise InvalidLinkRequest("expires_at", "expiry-not-future", "must be in the future")
    links = uow.links.of_event_type(owner_id, event_type_id)
    if sum(link.state(now) is LinkState.ACTIVE for link in links) >= MAX_ACTIVE_LINKS:
        raise LinkLimitReached(f"an event type has at most {MAX_ACTIVE_LINKS} open links; revoke unused ones")
    link_id = f"lk{secrets.token_hex(10)}"
    token = f"{link_id}.{secrets.token_urlsafe(32)}"
    link = BookingLink(
        id=link_id,
        host_id=owner_id,
        event_type_id=event_type_id,
        token_hash=link_token_hash(token),
        created_at=now,
        expires_at=expires_at,
    )
    with uow:
        uow.links.add(link)
        uow.commit()
    return link, token


def links_of(host: Host, event_type_id: str, deps: Ports) -> list[BookingLink]:
    uow = deps.uow()
    _event_type(host, event_type_id, uow)
    return uow.links.of_event_type(host.id, event_type_id)


def revoke_link(command: RevokeLink, deps: Ports) -> BookingLink:
    """The link stops opening its event type now. Revoking it twice is fine; a link already used for a
    booking stays used (410 `link-used`: cancel the booking instead)."""
    owned = (command.host.id, command.event_type_id)
    revoked = revoke_owned(owned, command.link_id, deps.now(), deps.uow())
    log_event("link_revoked", host_id=command.host.id, event_type_id=command.event_type_id, link_id=revoked.id)
    return revoked


def revoke_owned(owned: tuple[str, str], link_id: str, now: datetime, uow: UnitOfWork) -> BookingLink:
    """Revoke a link of `owned` = (owner id: a host's or a team's, event type id). The revocation creates the
    link's claim, so a booking racing it either wins (the link counts as used) or fails."""
    with uow:
        link = uow.links.get(link_id)
        if link is None or (link.host_id, link.event_type_id) != owned:
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
    return revoked


def withdraw_links(host: Host, event_type_id: str, now: datetime, uow: UnitOfWork) -> int:
    """The event type was deleted: its open links are revoked, so the retention purge deletes them in time
    (an open link without expiry would otherwise be kept until the host's erasure). How many were open."""
    return withdraw_owned(host.id, event_type_id, now, uow)


def withdraw_owned(owner_id: str, event_type_id: str, now: datetime, uow: UnitOfWork) -> int:
    """`withdraw_links` for the owner's (a host's or a team's) event type."""
    listed = uow.links.of_event_type(owner_id, event_type_id)
    open_links = [link for link in listed if link.state(now) is LinkState.ACTIVE]
    for link in open_links:
        with contextlib.suppress(LinkUsed):  # used a moment before the type went: kept as used
            revoke_owned((owner_id, event_type_id), link.id, now, uow)
    return len(open_links)


def _event_type(host: Host, event_type_id: str, uow: UnitOfWork) -> EventType:
    """One of the host's event types (else EventTypeNotFound), read from their page."""
    page = uow.pages.get(host.slug)
    if page is None:
        raise EventTypeNotFound("this host has no booking page")
    return page.event_type(event_type_id)
