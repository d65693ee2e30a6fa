"""A host's picture, as the public pages show it: always an image Kaleno made itself (avatar_image.py makes it).

A 256 px WebP is tens of KiB, so it is stored in Firestore, in its own document (avatars/{id}: not in the host's
record, which every signed-in request reads, nor in the booking page, which every slots request reads);
docs/architecture.md says why. Its id changes with every upload: its address can be cached for ever.
"""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel, ConfigDict

AVATAR_SIZE = 256
AVATAR_MEDIA_TYPE = "image/webp"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # before decoding
# The media types an upload may declare, and the only decoder each may use: a PNG cannot arrive as a "JPEG"
# and reach a decoder it did not ask for.
UPLOAD_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}


class Avatar(BaseModel):
    """One stored picture. Its id changes with every upload, so its address can be cached for ever."""

    model_config = ConfigDict(frozen=True)

    id: str
    host_id: str
    image: bytes  # WebP, at most AVATAR_SIZE square, made by `reencoded`
    created_at: datetime

    def exported(self) -> dict[str, object]:
        """As its host's export carries it: where it is shown, and the image itself (base64)."""
        return {
            "id": self.id,
            "host_id": self.host_id,
            "created_at": self.created_at.isoformat(),
            "path": avatar_path(self.id),
            "media_type": AVATAR_MEDIA_TYPE,
            "image_base64": base64.b64encode(self.image).decode("ascii"),
        }


def avatar_path(avatar_id: str) -> str:
    """Where the picture is served (the bookings function): a new upload is a new id, so a new address."""
    return f"/bookings/avatars/{avatar_id}.webp"
