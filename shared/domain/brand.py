"""A host's brand colour, and whether people can read it: WCAG 2.x contrast, AA level for normal text.

The public pages use the colour twice: as the background of white text (the primary buttons, the chosen slot)
and as text on the page's own background (links, accents). Both pairs must reach 4.5:1, else the colour is
refused, naming its ratio and the nearest darker shade of the same hue that passes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from shared.domain.errors import refused

AA_MINIMUM = 4.5  # WCAG 2.x success criterion 1.4.3, normal-size text
PAGE_BACKGROUND = "#ffffff"  # web/app.css --paper (light scheme; the dark scheme keeps its own accent)
TEXT_ON_BRAND = "#ffffff"  # web/app.css --accent-ink on a brand colour
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
_DARKER_STEPS = 512  # how finely the suggestion darkens: each step scales the channels by 1/512


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb" (sRGB), 0 for black to 1 for white."""
    red, green, blue = (_linear(channel) for channel in _channels(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 for the same colour, 21 for black on white."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def brand_contrast(color: str) -> float:
    """The worse of the colour's two uses: white text on it, and it as text on the page."""
    return min(contrast_ratio(TEXT_ON_BRAND, color), contrast_ratio(color, PAGE_BACKGROUND))


def readable(color: str) -> bool:
    return brand_contrast(color) >= AA_MINIMUM


def nearest_readable(color: str) -> str:
    """The lightest shade of `color` (its channels scaled down together: same hue) that passes; black at worst."""
    channels = _channels(color)
    for step in range(_DARKER_STEPS + 1):
        factor = 1 - step / _DARKER_STEPS
        shade = "#" + "".join(f"{round(channel * factor):02x}" for channel in channels)
        if readable(shade):
            return shade
    return "#000000"


def shown_ratio(ratio: float) -> float:
    """The ratio to two decimals, never rounded up to the minimum it failed (4.499 is not "4.5")."""
    shown = round(ratio, 2)
    return shown if ratio >= AA_MINIMUM or shown < AA_MINIMUM else AA_MINIMUM - 0.01


def checked_brand_color(value: str) -> str:
    """A readable colour, lowercased; else a refusal naming its ratio, the minimum, and a darker one that passes."""
    color = value.lower()
    ratio = brand_contrast(color)
    if ratio < AA_MINIMUM:
        raise refused(
            "brand-color-contrast",
            "contrast {ratio}:1 is below WCAG AA's {minimum}:1 (white text on it, it on the page); try {suggestion}",
            ratio=shown_ratio(ratio),
            minimum=AA_MINIMUM,
            suggestion=nearest_readable(color),
        )
    return color


BrandColor = Annotated[str, StringConstraints(pattern=COLOR_PATTERN), AfterValidator(checked_brand_color)]
