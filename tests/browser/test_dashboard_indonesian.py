"""Issue 29: the host's dashboard in Bahasa Indonesia. A browser set to Indonesian (`locale="id-ID"`: its
Accept-Language and navigator.languages) signs a host in, walks the first-run setup and every section of the
dashboard, opening their forms and panels, and finds no English left: no text, aria-label, placeholder, title or
alt text that is one of the dashboard catalogue's English messages (those whose Indonesian differs), and no
common English word. Five states are laid out at every width by `check_layout` (longer Indonesian words must
not overflow)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser as Chromium
from playwright.sync_api import Page, expect

from shared.i18n import catalogue
from tests.browser.pages import PageWatch, check_layout
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours

ZONE = "Asia/Jakarta"
SIGNED_OUT = (401,)  # GET /hosts/me before sign-in: the page shows the sign-in
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# A time zone's name (the IANA id, "America/New York"): a name, not words to translate.
ZONE_NAME = re.compile(r"^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/")
# A webhook event's name ("booking.created"), shown beside its words: an identifier of the API, not words.
EVENT_NAME = re.compile(r"\bbooking\.[a-z_]+")
# Words an Indonesian dashboard never shows (names of products, like Google Meet, Zoom or Teams, are not here).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|with|book|booking|bookings|save|cancel|cancelled|delete|loading|event|events|hours|"
    r"calendar|calendars|settings|sign|profile|privacy|edit|remove|add|create|new|yes|keep|of|to|for|from|until|"
    r"is|are|was|not|none|link|links|copy|schedule|schedules|availability|upcoming|past|members|invite|show|more|"
    r"options|minutes|days|weekly|time|zone|step|skip|continue|title|page|address|reason|notes|question|questions|"
    r"webhooks|deliveries|secret|team)\b",
    re.IGNORECASE,
)
# Everything a reader or a screen reader gets from the page: visible text (and visually hidden text, .vh),
# option texts, aria-labels, placeholders, titles, alt texts and the document's title. An element in another
# language, marked with its own lang (the language switch's "English"), is its own words.
_PAGE_WORDS = r"""() => {
  const foreign = (el) => {
    const marked = el.closest('[lang]');
    return marked && !marked.lang.startsWith('id');
  };
  const shown = (el) => !el.closest('[hidden]') && getComputedStyle(el).display !== 'none';
  const found = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.textContent.trim();
    if (!parent || !text || parent.closest('script, style') || foreign(parent)) continue;
    if (shown(parent) || parent.closest('option')) found.push(text);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (foreign(el) || !shown(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      const value = el.getAttribute(name);
      if (value) found.push(value);
    }
  }
  return found;
}"""


def _english_messages() -> tuple[set[str], list[str]]:
    """The dashboard's English messages whose Indonesian differs: whole texts (without placeholders), and the
    fragments of two words or more between placeholders."""
    indonesian = {message.id: message.string for message in catalogue("id", "dashboard") if message.id}
    whole: set[str] = set()
    fragments: list[str] = []
    for message in catalogue("en", "dashboard"):
        if not message.id or indonesian.get(message.id) == message.string:
            continue
        for text in message.string if isinstance(message.string, tuple | list) else (message.string,):
            parts = [part.strip(" .:,·") for part in PLACEHOLDER.split(str(text))]
            if len(parts) == 1:
                whole.add(parts[0])
            # A part its Indonesian says too (a language's own name, "(Bahasa Indonesia)") is not English left.
            said = str(indonesian.get(message.id))
            fragments += [part for part in parts if len(part.split()) >= 2 and part not in said]
    return whole, fragments


ENGLISH_WHOLE, ENGLISH_FRAGMENTS = _english_messages()


def assert_no_english(page: Page, where: str) -> None:
    """Fail on any English the page shows or says (see the module's docstring)."""
    left: list[str] = []
    for text in page.evaluate(_PAGE_WORDS):
        if text.strip(" .:,·") in ENGLISH_WHOLE:
            left.append(f"message {text!r}")
        elif fragment := next((part for part in ENGLISH_FRAGMENTS if part in text), None):
            left.append(f"message part {fragment!r} in {text!r}")
        elif (word := ENGLISH_WORDS.search(EVENT_NAME.sub("", text))) and not ZONE_NAME.match(text):
            left.append(f"word {word.group(0)!r} in {text!r}")
    assert not left, f"English left on the dashboard ({where}):\n" + "\n".join(sorted(set(left)))


@pytest.fixture
def indonesian(chromium: Chromium, api: str) -> Iterator[PageWatch]:
    """A browser whose language is Indonesian, in Jakarta."""
    context = chromium.new_context(
        base_url=api, locale="id-ID", timezone_id=ZONE, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    watch = PageWatch(context.new_page(), api)
    yield watch
    context.close()
    watch.assert_healthy()


def _host_with_data(browser: Browser, google: Google, api: str) -> str:
    """A host (not yet through the setup) with an event type, bookings (one cancelled), a team, a webhook
    endpoint and a date override and time off; returns the slug. Everything the host typed is Indonesian."""
    slug, _ = host_with_hours(browser, google, ZONE, EVERY_DAY, title="Konsultasi")
    booked = [
        post_booking(api, booking_body(slug, day_ahead(4, 3), "Ina Tamu")),
        post_booking(api, booking_body(slug, day_ahead(5, 4), "Budi Batal")),
    ]
    assert all(response.status_code == 201 for response in booked), [r.text for r in booked]
    cancelled = browser.post(f"/hosts/me/bookings/{booked[1].json()['id']}/cancel", json={"reason": "Bentrok"})
    assert cancelled.status_code == 200, cancelled.text
    google.drain_tasks()
    # The default schedule is named in the language the host signed up in (this API client asked for none:
    # "Working hours"); it is the host's own data, which this host renamed.
    schedule = browser.get("/hosts/me/schedules").json()["schedules"][0]
    hours = {
        "name": "Jam kerja",
        "time_zone": ZONE,
        "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "overrides": {day_ahead(20, 0).date().isoformat(): []},
        "time_off": [
            {"first_day": day_ahead(30, 0).date().isoformat(), "last_day": day_ahead(32, 0).date().isoformat()}
        ],
    }
    saved = browser.put(f"/hosts/me/schedules/{schedule['id']}", json=hours)
    assert saved.status_code == 200, saved.text
    team = browser.post("/teams", json={"name": "Tim Penjualan", "slug": f"tim-{slug}"})
    assert team.status_code == 201, team.text
    hook = {"url": "http://127.0.0.1:9/kait/kaleno", "events": ["booking.created"], "description": "Sistem CRM"}
    assert browser.post("/hosts/me/webhooks", json=hook).status_code == 201
    google.drain_tasks()
    return slug


def _open(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Dasbor").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")


def test_the_dashboard_in_indonesian_has_no_english_left(
    indonesian: PageWatch, browser: Browser, google: Google, api: str
) -> None:
    _host_with_data(browser, google, api)
    page = indonesian.page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name="Masuk dengan Google")).to_be_visible()
    expect(page.locator("#consent").get_by_role("button").first).to_be_visible()
    assert_no_english(page, "signed out, with the cookie banner")
    page.locator("#consent").get_by_role("button").first.click()  # only essential cookies
    expect(page.locator("#consent-live")).not_to_have_text("")  # the choice, said to a screen reader
    assert_no_english(page, "signed out, the cookies chosen")

    # The first-run setup, each step.
    page.get_by_role("link", name="Masuk dengan Google").click()
    expect(page.get_by_role("heading", name="Selamat datang di Kaleno", level=1)).to_be_visible()
    expect(page.get_by_text("Langkah 1 dari 4")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Tersedia.")).to_be_visible()
    assert_no_english(page, "setup, step 1")
    check_layout(indonesian, "dashboard-id-setup-1-address", expected_statuses=SIGNED_OUT)
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.get_by_text("Langkah 2 dari 4")).to_be_visible()
    assert_no_english(page, "setup, step 2")
    page.get_by_role("button", name="Lewati langkah ini").click()
    expect(page.get_by_text("Langkah 3 dari 4")).to_be_visible()
    expect(page.get_by_label("Judul")).to_have_value("Pertemuan")
    assert_no_english(page, "setup, step 3")
    page.get_by_role("button", name="Buat jenis acara").click()
    expect(page.get_by_text("Langkah 4 dari 4")).to_be_visible()
    expect(page.get_by_text("Orang memesan “Pertemuan” dengan Anda di:")).to_be_visible()
    assert_no_english(page, "setup, step 4")
    page.get_by_role("button", name="Buka dasbor Anda").click()
    expect(page.get_by_role("heading", name="Dasbor", level=1)).to_be_visible()

    # Event types, with the form's every option, a question, and the single-use links panel.
    types = page.get_by_role("region", name="Jenis acara")
    expect(types.get_by_role("heading", name="Konsultasi")).to_be_visible()
    expect(page).to_have_title("Jenis acara · Dasbor · Kaleno")
    assert_no_english(page, "event types")
    check_layout(indonesian, "dashboard-id-event-types", expected_statuses=SIGNED_OUT)
    types.get_by_role("button", name="Ubah Konsultasi").click()
    types.get_by_role("button", name="Opsi lainnya").click()
    types.get_by_role("button", name="Tambahkan pertanyaan").click()
    types.get_by_label("Lokasi").select_option("link")
    expect(types.get_by_role("group", name="Pertanyaan 1")).to_be_visible()
    assert_no_english(page, "event type form")
    types.get_by_role("button", name="Tautan sekali pakai untuk Konsultasi").click()
    expect(types.get_by_text("Belum ada tautan sekali pakai.")).to_be_visible()
    assert_no_english(page, "single-use links")
    # The share panel of a public event type: its QR code and the three snippets to embed it.
    types.get_by_role("button", name="Bagikan dan sematkan Konsultasi").click()
    share = types.get_by_role("region", name="Bagikan Konsultasi")
    expect(share.get_by_role("heading", name="Sematkan di situs web Anda")).to_be_visible()
    expect(share.get_by_label("Tautan yang membuka jendela sembul")).to_have_value(re.compile(">Pesan waktu</a>"))
    assert_no_english(page, "share and embed")
    check_layout(indonesian, "dashboard-id-share", expected_statuses=SIGNED_OUT)

    # Availability, with a date override and time off.
    _open(page, "Jam tersedia")
    expect(page.get_by_role("heading", name="Jam pada jadwal Jam kerja")).to_be_visible()
    expect(page.get_by_role("list", name="Pengecualian tanggal")).to_contain_text("hari libur")
    assert_no_english(page, "availability")

    # Bookings: upcoming and cancelled, the reschedule picker and the cancel form; then the past ones.
    _open(page, "Pemesanan")
    bookings = page.get_by_role("region", name="Pemesanan")
    expect(bookings.get_by_role("list", name="Pemesanan mendatang")).to_contain_text("Ina Tamu")
    expect(bookings.get_by_role("list", name="Pemesanan yang dibatalkan")).to_contain_text("Budi Batal")
    assert_no_english(page, "bookings")
    check_layout(indonesian, "dashboard-id-bookings", expected_statuses=SIGNED_OUT)
    bookings.get_by_role("button", name="Batalkan pemesanan dengan Ina Tamu").click()
    expect(bookings.get_by_label("Alasan (opsional)")).to_be_visible()
    assert_no_english(page, "cancel form")
    bookings.get_by_role("button", name="Pertahankan pemesanan").click()
    bookings.get_by_role("button", name="Lalu").click()
    expect(bookings.get_by_text("Tidak ada pemesanan lalu.")).to_be_visible()
    assert_no_english(page, "past bookings")

    # Teams: the team, its members, invitations, event types and bookings.
    _open(page, "Tim")
    expect(page.get_by_role("heading", name="Tim Penjualan", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Undang seseorang")).to_be_visible()
    expect(page.get_by_role("list", name="Anggota Tim Penjualan")).to_contain_text("Pemilik")
    expect(page.get_by_text("Belum ada pemesanan.")).to_be_visible()
    assert_no_english(page, "teams")

    # Calendars, integrations (with the delivery log), profile, privacy (with the deletion's confirmation).
    _open(page, "Kalender")
    expect(page.get_by_text("Google Kalender Anda terhubung.")).to_be_visible()
    expect(page.get_by_role("button", name="Pilih kalender")).to_be_visible()
    assert_no_english(page, "calendars")

    _open(page, "Integrasi")
    hooks = page.get_by_role("region", name="Webhook")
    expect(hooks.get_by_role("heading", name="http://127.0.0.1:9/kait/kaleno")).to_be_visible()
    hooks.get_by_role("button", name="Pengiriman ke Sistem CRM").click()
    expect(hooks.get_by_text("Tidak ada pengiriman dalam 30 hari terakhir.")).to_be_visible()
    assert_no_english(page, "integrations")

    _open(page, "Profil")
    expect(page.get_by_label("Nama tampilan")).to_be_visible()
    expect(page.get_by_role("heading", name="Foto Anda")).to_be_visible()
    assert_no_english(page, "profile")
    # The look: a brand colour too light for text, its verdict and the darker shade offered.
    page.get_by_label("Gunakan warna merek saya di halaman saya").check()
    page.get_by_label("Warna", exact=True).fill("#7a9cff")
    expect(page.get_by_text(re.compile(r"^Kontras \d+,\d\d:1, di bawah 4,5:1"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Gunakan #[0-9a-f]{6}$"))).to_be_visible()
    assert_no_english(page, "profile, a brand colour refused")
    page.get_by_role("button", name=re.compile(r"^Gunakan #")).click()
    expect(page.get_by_text(re.compile(r"^Kontras \d+,\d\d:1: mudah dibaca\.$"))).to_be_visible()
    assert_no_english(page, "profile, a readable brand colour")
    check_layout(indonesian, "dashboard-id-profile-look", expected_statuses=SIGNED_OUT)

    _open(page, "Privasi")
    page.get_by_role("button", name="Hapus akun saya", exact=True).click()
    expect(page.get_by_text("1 pemesanan mendatang akan dibatalkan.")).to_be_visible()
    assert_no_english(page, "privacy")
    page.get_by_role("button", name="Pertahankan akun saya").click()
