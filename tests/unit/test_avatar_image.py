"""A host's picture is made anew on our side: upright, centre square, at most 256 px, WebP, and nothing of the
uploaded file's metadata left (EXIF with its GPS position, ICC, comments)."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image, ImageCms

from shared.domain.avatar import AVATAR_SIZE, MAX_UPLOAD_BYTES
from shared.domain.errors import AvatarTooLarge, AvatarTypeUnsupported, AvatarUnreadable
from shared.web.avatar_image import MAX_SOURCE_PIXELS, reencoded

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_with_gps(size: tuple[int, int] = (1200, 800), orientation: int = 1) -> bytes:
    """A JPEG as a phone makes it: red on the left half, blue on the right, with GPS, camera and orientation."""
    image = Image.new("RGB", size, "blue")
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), "red"), (0, 0))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)})  # Jakarta
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home", quality=90)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_a_phone_photo_becomes_a_small_square_webp_without_any_metadata() -> None:
    upload = photo_with_gps()
    assert opened(upload).getexif().get_ifd(GPS_IFD)  # the upload does carry a position

    avatar = opened(reencoded(upload, "image/jpeg"))

    assert avatar.format == "WEBP"
    assert avatar.size == (AVATAR_SIZE, AVATAR_SIZE)
    assert not avatar.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(avatar.info)


def test_the_photo_is_turned_upright_before_it_is_cropped() -> None:
    # Orientation 6: the camera was turned; shown upright, the red half is on top.
    avatar = opened(reencoded(photo_with_gps((1200, 800), orientation=6), "image/jpeg")).convert("RGB")

    top, bottom = avatar.getpixel((128, 20)), avatar.getpixel((128, 235))

    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60


def test_the_centre_square_is_kept() -> None:
    avatar = opened(reencoded(photo_with_gps((1200, 400)), "image/jpeg")).convert("RGB")

    left, right = avatar.getpixel((10, 128)), avatar.getpixel((245, 128))

    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    assert left[0] > 200
    assert right[2] > 200


def test_a_small_picture_is_not_enlarged_and_transparency_is_kept() -> None:
    out = BytesIO()
    Image.new("RGBA", (100, 60), (0, 128, 0, 0)).save(out, format="PNG")

    avatar = opened(reencoded(out.getvalue(), "image/png"))

    assert avatar.size == (60, 60)
    assert avatar.mode == "RGBA"


def test_an_icc_profile_is_applied_then_dropped() -> None:
    out = BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (300, 300), "green").save(out, format="PNG", icc_profile=profile)

    avatar = opened(reencoded(out.getvalue(), "image/png"))

    assert "icc_profile" not in avatar.info


def test_an_animated_gif_keeps_its_first_frame_only() -> None:
    frames = [Image.new("RGB", (64, 64), color) for color in ("red", "blue")]
    out = BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    avatar = opened(reencoded(out.getvalue(), "image/gif"))

    assert getattr(avatar, "n_frames", 1) == 1
    pixel = avatar.convert("RGB").getpixel((32, 32))
    assert isinstance(pixel, tuple)
    assert pixel[0] > 200


def test_a_type_that_is_not_an_image_is_refused() -> None:
    with pytest.raises(AvatarTypeUnsupported):
        reencoded(b"<svg/>", "image/svg+xml")


@pytest.mark.parametrize(
    ("upload", "media_type"),
    [
        (b"not a picture at all", "image/png"),
        (photo_with_gps(), "image/png"),  # a JPEG sent as PNG: only the PNG decoder may read it
        (photo_with_gps()[:2000], "image/jpeg"),  # cut short
    ],
)
def test_bytes_that_are_not_a_picture_of_their_type_are_refused(upload: bytes, media_type: str) -> None:
    with pytest.raises(AvatarUnreadable):
        reencoded(upload, media_type)


def test_an_upload_over_two_megabytes_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(AvatarTooLarge):
        reencoded(b"\x00" * (MAX_UPLOAD_BYTES + 1), "image/png")


def test_a_small_file_claiming_a_huge_canvas_is_refused_before_it_is_decoded() -> None:
    side = 7000  # 49 million pixels: a few KiB as a one-bit PNG
    out = BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    assert side * side > MAX_SOURCE_PIXELS
    assert len(out.getvalue()) < MAX_UPLOAD_BYTES

    with pytest.raises(AvatarUnreadable, match="pixels"):
        reencoded(out.getvalue(), "image/png")
