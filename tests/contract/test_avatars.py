"""AvatarRepository: a host's pictures, added once, found by id, removed, and reached by the host's export and
erasure (the picture's bytes come back exactly as stored)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.avatar import Avatar
from shared.services.errors import AlreadyStored
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


def an_avatar(avatar_id: str, host_id: str = "h1") -> Avatar:
    return Avatar(id=avatar_id, host_id=host_id, image=WEBP + avatar_id.encode(), created_at=NOW)


def test_a_picture_is_added_once_found_by_id_and_removed(store: Store) -> None:
    store.commit(lambda uow: uow.avatars.add(an_avatar("av" + "1" * 20)))
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.avatars.add(an_avatar("av" + "1" * 20, "h2")))

    found = store.read(lambda uow: uow.avatars.get("av" + "1" * 20))
    store.commit(lambda uow: uow.avatars.remove("av" + "1" * 20))

    assert found == an_avatar("av" + "1" * 20)
    assert store.read(lambda uow: uow.avatars.get("av" + "1" * 20)) is None
    assert store.read(lambda uow: uow.avatars.get("__name__")) is None


def test_a_hosts_pictures_are_exported_and_erased_and_no_one_elses(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        for avatar in (an_avatar("av" + "a" * 20), an_avatar("av" + "b" * 20, "h2")):
            uow.avatars.add(avatar)

    store.commit(arrange)

    exported = store.read(lambda uow: uow.avatars.export_subject("h1"))

    assert exported == [an_avatar("av" + "a" * 20).exported()]
    assert exported[0]["path"] == f"/bookings/avatars/av{'a' * 20}.webp"
    assert store.commit(lambda uow: uow.avatars.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.avatars.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.avatars.export_subject("h1")) == []
    assert store.read(lambda uow: uow.avatars.get("av" + "b" * 20)) == an_avatar("av" + "b" * 20, "h2")
