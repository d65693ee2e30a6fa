"""The host's picture: set it from an upload, remove it, and show it to anyone who has its address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.domain import ids
from shared.domain.avatar import Avatar
from shared.domain.errors import EventTypeNotFound, NotFound
from shared.domain.host import Host
from shared.services.contention import retried
from shared.services.ports import Ports, UnitOfWork


@dataclass(frozen=True)
class SetAvatar:
    """The host uploaded a picture: `image` is Kaleno's own copy of it (shared/web/avatar_image.py)."""

    host: Host
    image: bytes


def set_avatar(command: SetAvatar, deps: Ports) -> Host:
    """The new picture replaces the last one in one commit with the host and their page, which name it."""
    host = command.host
    avatar = Avatar(id=ids.avatar_id(), host_id=host.id, image=command.image, created_at=deps.now())

    def add(uow: UnitOfWork) -> None:
        uow.avatars.add(avatar)

    return _change_avatar(host, avatar.id, add, deps.uow())


def remove_avatar(host: Host, deps: Ports) -> Host:
    """The pages show the host's initials again; the picture's record is deleted (removing none is fine)."""
    return _change_avatar(host, None, lambda _: None, deps.uow())


def avatar(avatar_id: str, deps: Ports) -> Avatar:
    found = deps.uow().avatars.get(avatar_id)
    if found is None:
        raise NotFound("no such picture")
    return found


def _change_avatar(host: Host, avatar_id: str | None, stage: Callable[[UnitOfWork], None], uow: UnitOfWork) -> Host:
    def change() -> Host:
        with uow:
            before = uow.hosts.get(host.id)
            page = uow.pages.get(before.slug) if before else None
            if before is None or page is None:
                raise EventTypeNotFound("this host has no booking page")
            after = before.model_copy(update={"avatar": avatar_id})
            stage(uow)
            if before.avatar is not None:
                uow.avatars.remove(before.avatar)
            uow.pages.save(after.slug, page.following_profile(before, after))
            uow.hosts.save(after)
            uow.commit()
            return after

    return retried(change)
