"""Making a host's picture from an upload: only read, never kept.

It is decoded (a bounded size, a bounded number of pixels, one of four types), turned upright by its EXIF
orientation, converted to sRGB, cropped to its centre square, scaled down to at most 256 × 256 and written anew
as WebP from the bare pixels, so nothing of the original file (EXIF with its GPS position and camera, ICC, XMP,
comments, extra frames, trailing bytes) survives. Done at the edge, as parsing is (the domain and the services
only ever see a picture Kaleno made); Pillow is imported only by the upload's request.
"""

from __future__ import annotations

import warnings
from io import BytesIO

from PIL import Image, ImageCms, ImageOps

from shared.domain.avatar import AVATAR_SIZE, MAX_UPLOAD_BYTES, UPLOAD_TYPES
from shared.domain.errors import AvatarTooLarge, AvatarTypeUnsupported, AvatarUnreadable

# Decompression bombs: a small file may claim a huge canvas. Pillow's own guard (MAX_IMAGE_PIXELS) warns at
# about 89 megapixels (made an error here); ours refuses anything over 40 before a pixel is decoded (a
# 6,000 × 6,000 photo fits).
MAX_SOURCE_PIXELS = 40_000_000
_WEBP_QUALITY = 85


def reencoded(upload: bytes, media_type: str) -> bytes:
    """The avatar made from an upload, or AvatarTooLarge / AvatarTypeUnsupported / AvatarUnreadable."""
    if len(upload) > MAX_UPLOAD_BYTES:
        raise AvatarTooLarge(f"a picture may be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    decoder = UPLOAD_TYPES.get(media_type.split(";")[0].strip().lower())
    if decoder is None:
        raise AvatarTypeUnsupported("send a PNG, JPEG, WebP or GIF picture")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            pixels = _upright_square(upload, decoder)
    except AvatarUnreadable:
        raise
    except Exception as error:  # any failure to decode untrusted bytes is the upload's fault
        raise AvatarUnreadable(f"this is not a readable {decoder} picture") from error
    return _webp(pixels)


def _upright_square(upload: bytes, decoder: str) -> Image.Image:
    with Image.open(BytesIO(upload), formats=[decoder]) as image:
        if image.width * image.height > MAX_SOURCE_PIXELS:  # read from the header: nothing decoded yet
            raise AvatarUnreadable(f"a picture may have at most {MAX_SOURCE_PIXELS} pixels")
        image.draft("RGB", (AVATAR_SIZE * 2, AVATAR_SIZE * 2))  # a JPEG decodes at a reduced scale: faster
        upright = ImageOps.exif_transpose(image)  # the first frame, turned as the camera said
        rgb = _srgb(upright)
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    size = min(side, AVATAR_SIZE)
    return square.resize((size, size), Image.Resampling.LANCZOS)


def _srgb(image: Image.Image) -> Image.Image:
    """RGB (or RGBA where the picture has transparency), its colours moved to sRGB if it carried a profile."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    converted = image.convert(mode)
    profile = image.info.get("icc_profile")
    if profile and mode == "RGB":
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(profile))
            converted = ImageCms.profileToProfile(converted, source, ImageCms.createProfile("sRGB")) or converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: the colours are taken as sRGB
    return converted


def _webp(pixels: Image.Image) -> bytes:
    """Written from the bare pixels: a new image carries no metadata of the old one."""
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = BytesIO()
    bare.save(out, format="WEBP", quality=_WEBP_QUALITY, method=4)
    return out.getvalue()
