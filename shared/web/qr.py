"""A booking link as a QR code, drawn by segno as SVG for the dashboard (shown, downloaded, printed).

Dark modules in the pages' ink on white (about 16:1, whatever the page's theme: a scanner needs the contrast),
8 px a module so it is crisp at its natural size, and the 4-module quiet zone the QR standard asks for.
"""

from __future__ import annotations

import io

import segno
from flask import Response

MODULE_PX = 8
QUIET_ZONE = 4
DARK = "#1f1f29"
LIGHT = "#ffffff"


def booking_page_url(base_url: str, host_slug: str, event_type_slug: str) -> str:
    """The public booking page's address (the one the dashboard shows and copies)."""
    return f"{base_url.rstrip('/')}/{host_slug}/{event_type_slug}"


def qr_code(text: str) -> segno.QRCode:
    """Medium error correction (15%): a printed code still scans when a little of it is smudged."""
    return segno.make(text, error="m", micro=False, boost_error=False)


def qr_svg(text: str, title: str) -> bytes:
    drawn = io.BytesIO()
    qr_code(text).save(
        drawn, kind="svg", scale=MODULE_PX, border=QUIET_ZONE, dark=DARK, light=LIGHT, xmldecl=False, title=title
    )
    return drawn.getvalue()


def qr_response(url: str) -> Response:
    """The QR code of a booking page's address, as the dashboard shows and downloads it."""
    return Response(
        qr_svg(url, f"QR code of {url}"),
        mimetype="image/svg+xml",
        headers={
            "Content-Disposition": 'inline; filename="kaleno-booking-link.svg"',
            # Opened on its own, the image is a document: it may run nothing and load nothing.
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        },
    )
