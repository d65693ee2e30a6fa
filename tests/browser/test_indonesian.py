"""Issue 29: a visitor whose browser speaks Bahasa Indonesia books end to end in Indonesian (the page, a refused
form, the confirmation, the confirmation email, the manage page) and finds no English at any step; the
12/24-hour switch and the language switch work and are remembered.

`assert_no_english(page)` is the check: every visible text, `aria-label`, placeholder, title and alt text of the
page, and its title, against every English message of the `web` catalogue whose Indonesian differs, and against a
few common English words. The words the server makes for the page (its field messages, a booking's status line:
in the page's language through api.js's Accept-Language) are checked with the rest. The email is checked against
the `messages` catalogue (tests/languages.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from playwright.sync_api import BrowserContext, Page, expect

from shared.i18n import catalogue, client_catalogue
from tests.browser.pages import PageWatch, check_layout
from tests.e2e.test_server_languages import read
from tests.languages import english_left
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# What an English page says everywhere; none of these is an Indonesian word.
COMMON_ENGLISH = (
    "the", "and", "your", "you", "with", "time", "times", "free", "book", "booking", "day", "month", "next",
    "previous", "please", "loading", "cancel", "confirm", "minutes", "back", "name", "notes", "zone", "choose",
    "pick", "details", "required", "cookie settings", "privacy policy",
)  # fmt: skip
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Everything a person sees or hears of the page: visible text (visually hidden text for screen readers included),
# and the attributes that are read out or shown. An element in another language (lang="en": the switch's
# "English") is left out.
SHOWN = """
(lang) => {
  const left = (el) => el.closest(`[lang]:not([lang="${lang}"])`);
  const said = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || left(el) || ["SCRIPT", "STYLE"].includes(el.tagName) || !node.textContent.trim()) continue;
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    said.push(node.textContent.trim());
  }
  for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
    if (left(el)) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      if (el.getAttribute(name)) said.push(el.getAttribute(name));
    }
  }
  return said;
}
"""


@cache
def english_messages() -> tuple[str, ...]:
    """The web catalogue's English words whose Indonesian differs: a message with placeholders is looked for by
    its fixed parts (" was just taken. The day's free times…"), each long enough to say something and not also
    in the Indonesian."""
    indonesian = client_catalogue("id", "web")
    found: set[str] = set()
    for message in catalogue("en", "web"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        said = indonesian.get(str(ids[0]))
        forms = said if isinstance(said, list) else [said]
        for english in map(str, ids):
            if english in forms:
                continue
            for part in PLACEHOLDER.split(english):
                part = part.strip(" :·,.()?")
                kept = any(part in str(form) for form in forms)  # a name both say: "· Kaleno"
                if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part) and not kept:
                    found.add(part)
    return tuple(sorted(found))


def english_in(texts: list[str]) -> list[str]:
    """Every English message or common English word found in `texts`, with where it was found."""
    found = []
    for text in texts:
        for english in english_messages():
            if re.search(rf"(?<![\w]){re.escape(english)}(?![\w])", text):
                found.append(f"{english!r} in {text!r}")
        for word in COMMON_ENGLISH:
            if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text, flags=re.IGNORECASE):
                found.append(f"word {word!r} in {text!r}")
    return found


def assert_no_english(page: Page) -> None:
    """No English left on an Indonesian page, as it is now."""
    expect(page.locator("html")).to_have_attribute("lang", "id")
    texts = page.evaluate(SHOWN, "id")
    assert len(texts) > 5, texts
    assert english_in(texts) == []


def test_the_english_messages_are_found_and_the_indonesian_ones_are_not() -> None:
    assert "Book a time" in english_messages()
    assert "was just taken. The day's free times have been refreshed: please pick another time" in english_messages()
    assert english_in(["Pesan waktu", "Senin, 7 Desember 2026, 10.00–10.30", "Google Meet"]) == []
    assert english_in(["Maaf, Senin baru saja dipesan"]) == []
    assert english_in(["Confirm booking"]) != []
    assert english_in(["Senin, 2 free times"]) != []


def test_an_indonesian_visitor_books_in_indonesian_and_finds_no_english(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    question = {"id": "perusahaan", "label": "Nama perusahaan", "kind": "short_text", "required": True}
    slug, _ = host_with_hours(
        browser,
        google,
        "Asia/Jakarta",
        EVERY_DAY,
        slug="konsultasi",
        title="Konsultasi awal",
        description="Diskusi pertama tentang proyek Anda.",
        location={"kind": "google_meet"},
        questions=[question],
    )
    assert browser.patch("/hosts/me", json={"display_name": "Budi Santoso"}).status_code == 200
    _, watch = open_context("Asia/Jakarta", locale="id-ID")
    page = watch.page

    # The host's page, and the rights page, in Indonesian.
    page.goto(f"/{slug}")
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "Pilih pertemuan untuk melihat waktu yang tersedia."
    )
    expect(page.get_by_role("list", name="Pertemuan yang dapat Anda pesan")).to_contain_text("30 menit · Google Meet")
    assert_no_english(page)
    page.goto("/privacy-rights")
    expect(page.get_by_role("button", name="Kirimi saya tautan")).to_be_visible()
    assert_no_english(page)

    # The month, in Indonesian from the first byte: the server rendered it so for this browser.
    page.goto(f"/{slug}/konsultasi")
    expect(page.get_by_role("heading", name="Konsultasi awal", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="waktu tersedia pada")).to_be_visible()
    expect(page.get_by_text("30 menit")).to_be_visible()
    assert_no_english(page)

    # A day's times, on the locale's 24-hour clock; the 12-hour clock is one click, and is remembered.
    page.get_by_role("button", name=re.compile(r"\d+ waktu tersedia$")).first.click()
    times = page.get_by_role("list", name=re.compile("^Waktu yang tersedia pada"))
    first = times.get_by_role("button").first
    expect(first).to_have_text(re.compile(r"^\d\d\.\d\d"))
    expect(page.get_by_role("radio", name=re.compile("^24 jam"))).to_be_checked()
    check_layout(watch, "indonesian-times")
    assert_no_english(page)
    page.get_by_role("radio", name=re.compile("^12 jam")).check()
    expect(first).to_have_text(re.compile(r"^\d{1,2}\.\d\d\s?[AP]M"))
    page.reload()
    page.get_by_role("button", name=re.compile(r"\d+ waktu tersedia$")).first.click()
    expect(page.get_by_role("radio", name=re.compile("^12 jam"))).to_be_checked()
    expect(times.get_by_role("button").first).to_have_text(re.compile(r"^\d{1,2}\.\d\d\s?[AP]M"))
    page.get_by_role("radio", name=re.compile("^24 jam")).check()
    expect(times.get_by_role("button").first).to_have_text(re.compile(r"^\d\d\.\d\d"))

    # The form, refused: an address that is not one and the host's question left empty, each marked.
    times.get_by_role("button").first.click()
    name = page.get_by_label("Nama", exact=True)
    expect(name).to_be_focused()
    name.fill("Siti Rahayu")
    email = page.get_by_label("Email")
    email.fill("bukan-alamat")
    page.get_by_role("button", name="Konfirmasi pemesanan").click()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").filter(has_text="Perbaiki isian yang ditandai.")).to_be_visible()
    check_layout(watch, "indonesian-form-errors", expected_statuses=(422,))
    expect(page.locator("[data-error]").first).not_to_be_empty()  # the server's own sentence, checked below
    assert_no_english(page)

    # Booked: the confirmation in Indonesian.
    email.fill("siti@example.com")
    page.get_by_role("textbox", name=re.compile("^Nama perusahaan")).fill("PT Maju Jaya")
    page.get_by_role("button", name="Konfirmasi pemesanan").click()
    expect(page.get_by_role("heading", name="Pemesanan Anda berhasil")).to_be_visible()
    expect(page.get_by_text("Undangan kalender sedang dikirim ke siti@example.com.")).to_be_visible()
    check_layout(watch, "indonesian-confirmation", expected_statuses=(422,))  # the refused form, above
    assert_no_english(page)

    # The confirmation email, as the sandbox's relay received it (and the reminder: the time is within a day, so
    # its task is due too): in Indonesian, with no English left.
    google.drain_tasks()
    confirmed, reminder = google.mail(to="siti@example.com")
    assert str(confirmed["subject"]).startswith("Terkonfirmasi: Konsultasi awal dengan Budi Santoso, "), confirmed
    assert str(reminder["subject"]).startswith("Pengingat: Konsultasi awal dengan Budi Santoso, "), reminder
    assert str(confirmed["text"]).startswith("Pemesanan Anda terkonfirmasi\n")
    for mail in (confirmed, reminder):
        assert '<html lang="id">' in str(mail["html"])
        assert english_left(read(mail)) == [], (mail["subject"], english_left(read(mail)))

    # The manage page, in Indonesian too, its status line (the server's sentence) with it.
    page.get_by_role("link", name="Kelola pemesanan ini").click()
    expect(page.get_by_role("button", name="Jadwalkan ulang")).to_be_visible()
    expect(page.get_by_role("heading", name="Jawaban Anda")).to_be_visible()
    expect(page.locator("main > #status")).not_to_be_empty()
    assert_no_english(page)

    # The switch: English, at the same address (the manage token in the fragment kept), and remembered over
    # the browser's Indonesian; then back, remembered too.
    page.get_by_role("navigation", name="Bahasa").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Reschedule")).to_be_visible()
    assert "#token=" in page.url
    assert {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}.get("kaleno_lang") == "en"
    page.goto(f"/{slug}/konsultasi")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("contentinfo").get_by_role("link", name="Privacy policy")).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.goto(f"/{slug}/konsultasi")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("status").filter(has_text="waktu tersedia pada")).to_be_visible()
    assert_no_english(page)
