"""Issue 29, embedding over HTTP: the embed script at its short address, the pages' embed mode, and the booking
link's QR code in the dashboard (which pages other sites may frame: tests/e2e/test_security_headers.py)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import requests

from tests.e2e.test_bookings import EVERY_DAY
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_team_event_types import team_of, team_type
from tests.e2e.test_teams import me, signed_in_host
from tests.support import Browser, Google, host_with_hours

SVG = "{http://www.w3.org/2000/svg}"


def test_the_embed_script_is_served_at_its_short_address_as_the_web_files_are(api: str) -> None:
    short = requests.get(f"{api}/embed.js", timeout=10)
    file = requests.get(f"{api}/web/js/embed.js", timeout=10)

    assert short.status_code == 200
    assert short.headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert short.content == file.content
    assert short.headers["ETag"] == file.headers["ETag"]
    assert "import " not in short.text  # a classic script: document.currentScript names its origin


def test_an_embedded_page_drops_the_site_chrome_and_the_cookie_banner(api: str) -> None:
    plain = requests.get(f"{api}/ada/intro", timeout=10).text
    embedded = requests.get(f"{api}/ada/intro?embed=1", timeout=10).text

    for chrome in ('<header class="site">', '<footer class="site">', '<div id="consent">', 'class="skip"'):
        assert chrome in plain
        assert chrome not in embedded
    assert '<h1 id="title">' in embedded  # the page itself is all there


def modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules an SVG from segno draws: its path is horizontal runs ("M x y", "h n", "m dx dy"),
    one unit a module, y at the middle of a row (so every coordinate is read back exactly)."""
    image = ElementTree.fromstring(svg)  # noqa: S314 (our own server's answer, in a test)
    (path,) = [path for path in image.iter(f"{SVG}path") if path.get("class") == "qrline"]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, *numbers in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.attrib["d"]):
        if command == "M":
            x, y = float(numbers[0]), float(numbers[1])
        elif command == "m":
            x, y = x + float(numbers[0]), y + float(numbers[1])
        else:
            length = int(float(numbers[0]))
            dark |= {(int(x) + step, int(y)) for step in range(length)}
            x += length
    return dark


def test_the_qr_code_is_the_booking_links_for_the_signed_in_host_only(
    api: str, browser: Browser, google: Google
) -> None:
    import segno

    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    (call,) = browser.get("/hosts/me/event-types").json()["event_types"]
    path = f"/hosts/me/event-types/{call['id']}/qr.svg"

    answer = browser.get(path)
    signed_out = requests.get(f"{api}{path}", timeout=10)
    unknown = browser.get("/hosts/me/event-types/et0123456789/qr.svg")

    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    image = ElementTree.fromstring(answer.content)  # noqa: S314 (our own server's answer, in a test)
    assert image.tag == f"{SVG}svg"
    assert not list(image.iter(f"{SVG}script"))
    expected = segno.make(f"{api}/{slug}/call", error="m", micro=False, boost_error=False)
    size = len(expected.matrix)
    quiet = 4
    assert int(image.attrib["width"]) == (size + 2 * quiet) * 8  # 8 px a module, with the quiet zone
    light, dark = image.iter(f"{SVG}path")
    assert (light.attrib["fill"], dark.attrib["stroke"]) == ("#fff", "#1f1f29")  # on white even in a dark theme
    drawn = modules(answer.content)
    wanted = {
        (col + quiet, row + quiet) for row, line in enumerate(expected.matrix) for col, bit in enumerate(line) if bit
    }
    assert drawn == wanted
    assert all(quiet <= x < quiet + size and quiet <= y < quiet + size for x, y in drawn)  # nothing in the quiet zone
    assert_problem(signed_out, 401, "unauthenticated")
    assert_problem(unknown, 404, "not-found")


def test_a_team_types_qr_code_is_its_team_pages_link_for_any_member_only(
    api: str, google: Google, sensitive: set[str]
) -> None:
    import segno

    ada, bo, team_id, team_slug, _ = team_of(api, google, sensitive)
    outsider, _, _ = signed_in_host(api, google)
    path = f"/teams/{team_id}/event-types"
    created = ada.post(path, json=team_type("intro", "round_robin", [me(ada)["id"], me(bo)["id"]]))
    assert created.status_code == 201, created.text
    qr = f"{path}/{created.json()['id']}/qr.svg"

    by_member = bo.get(qr)
    by_outsider = outsider.get(qr)
    unknown = bo.get(f"{path}/et0123456789/qr.svg")

    assert by_member.status_code == 200, by_member.text
    assert by_member.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    expected = segno.make(f"{api}/{team_slug}/intro", error="m", micro=False, boost_error=False)
    wanted = {(col + 4, row + 4) for row, line in enumerate(expected.matrix) for col, bit in enumerate(line) if bit}
    assert modules(by_member.content) == wanted
    assert_problem(by_outsider, 404, "team-not-found")
    assert_problem(unknown, 404, "not-found")
