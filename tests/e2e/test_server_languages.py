"""Issue 29: the server speaks its reader's language, through the real path (HTTP → Cloud Tasks → notifications →
the sandbox's SMTP relay → `GET /_sandbox/mail`).

- An invitee who books with `Accept-Language: id` gets every mail and its .ics in Indonesian (Babel's date:
  "Senin, 7 Desember 2026"), and so do their later mails (the booking keeps its language); the host reads theirs
  in the host's own language, whatever the invitee's.
- A refused request answers in the request's language: the field messages and the problem's title (its type
  and codes unchanged); so does a booking's status line on the manage page.
- The privacy and cookie policies in Indonesian when the visitor's choice or browser asks for it.

"No English left" is checked against the English catalogue (tests/languages.py): every English message (or the
fixed words between its placeholders) that the Indonesian catalogue says differently must not appear.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import pytest
import requests
from icalendar import Calendar

from sandbox.client import Mail
from shared.domain.language import Language
from shared.i18n import translations
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_policy_pages import Page
from tests.languages import english_left, english_phrases
from tests.support import Browser, Google, host_with_hours

INDONESIAN_DATE = re.compile(
    r"\b(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} "
    r"(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}, "
    r"\d{2}\.\d{2}–\d{2}\.\d{2} \(Europe/Lisbon\)"
)
ENGLISH_DATE = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|December)\b")
PLACEHOLDER_OR_TAG = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s|<[^>]+>")
INDONESIAN = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}


def test_the_check_finds_english() -> None:
    """The check itself: an English mail line and policy sentence are found, their Indonesian are not."""
    assert english_left("Your booking is confirmed") != []
    assert english_left("Reschedule or cancel: https://example.org") != []
    assert english_left("Pemesanan Anda terkonfirmasi. Jadwalkan ulang atau batalkan.") == []
    assert len(english_phrases()) > 150


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, address = host_with_hours(browser, google, "Asia/Jakarta", EVERY_DAY)
    return {"slug": slug, "email": address}


def message_of(google: Google, mail_id: int) -> EmailMessage:
    message = email.message_from_bytes(google.raw_mail(mail_id), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def read(mail: Mail) -> str:
    """What the reader sees: the subject, the text part and the HTML part's words."""
    html = re.sub(r"<[^>]+>", " ", str(mail["html"]))
    return "\n".join((str(mail["subject"]), str(mail["text"]), html))


def event_of(google: Google, mail_id: int) -> Any:
    (part,) = [p for p in message_of(google, mail_id).walk() if p.get_filename() == "invite.ics"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    (event,) = Calendar.from_ical(payload).walk("VEVENT")
    return event


def booked(api: str, slug: str, hour: int, language: Language | None, who: str = "Sari Wulandari") -> dict[str, Any]:
    body = booking_body(slug, day_ahead(3, hour), who=who)
    headers = {"Idempotency-Key": f"lang-{body['invitee']['email']}"}
    if language:
        headers["Accept-Language"] = language
    answer = requests.post(f"{api}/bookings", json=body, headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "invitee": body["invitee"]["email"]}


def test_an_indonesian_invitee_reads_every_mail_and_its_ics_in_indonesian_and_the_host_in_theirs(
    api: str, browser: Browser, host: dict[str, str], google: Google
) -> None:
    booking = booked(api, host["slug"], 3, "id")  # 10:00 in Jakarta, the host's zone
    google.drain_tasks()
    auth = {"Authorization": f"Bearer {booking['manage_token']}"}
    moved = requests.post(  # no Accept-Language: the booking keeps the language it was made in
        f"{api}/bookings/{booking['id']}/reschedule",
        json={"start": day_ahead(3, 5).isoformat()},
        headers=auth,
        timeout=10,
    )
    google.drain_tasks()
    requests.post(f"{api}/bookings/{booking['id']}/cancel", json={}, headers=auth, timeout=10)
    google.drain_tasks()

    assert moved.status_code == 200, moved.text
    confirmed, new_time, cancelled = google.mail(to=booking["invitee"])
    assert str(confirmed["subject"]).startswith("Terkonfirmasi: Call dengan ")
    assert str(new_time["subject"]).startswith("Waktu baru: Call dengan ")
    assert str(cancelled["subject"]).startswith("Dibatalkan: Call dengan ")
    assert str(confirmed["text"]).startswith("Pemesanan Anda terkonfirmasi\n")
    for mail in (confirmed, new_time, cancelled):
        seen = read(mail)
        assert INDONESIAN_DATE.search(str(mail["subject"]) + str(mail["text"])), mail["subject"]
        assert ENGLISH_DATE.search(seen) is None
        assert english_left(seen) == [], (mail["subject"], english_left(seen))
        assert '<html lang="id">' in str(mail["html"])
    assert "Jadwalkan ulang" in str(confirmed["text"])
    assert "Batalkan" in str(confirmed["html"])
    event = event_of(google, confirmed["id"])
    assert str(event["summary"]).startswith("Call dengan ")
    assert str(event["description"]).startswith("Jadwalkan ulang atau batalkan: ")

    host_mail = [str(mail["subject"]) for mail in google.mail(to=host["email"])]  # the host's locale: English
    assert [subject.split(":")[0] for subject in host_mail] == ["New booking", "Rescheduled", "Cancelled"]
    assert all("Sari Wulandari" in subject and "(Asia/Jakarta)" in subject for subject in host_mail)


def test_a_host_who_chose_indonesian_reads_their_notices_in_it_whatever_the_invitee_speaks(
    api: str, browser: Browser, host: dict[str, str], google: Google
) -> None:
    assert browser.patch("/hosts/me", json={"locale": "id"}).status_code == 200
    booking = booked(api, host["slug"], 4, "en", who="Ines Invitee")
    google.drain_tasks()

    (invitee_mail,) = google.mail(to=booking["invitee"])
    (notice,) = google.mail(to=host["email"])
    assert str(invitee_mail["subject"]).startswith("Confirmed: Call with ")
    assert str(notice["subject"]).startswith("Pemesanan baru: Call dengan Ines Invitee, ")
    assert re.search(r"\d{2}\.\d{2}–\d{2}\.\d{2} \(Asia/Jakarta\)", str(notice["subject"]))
    text = str(notice["text"])
    assert "Tamu: Ines Invitee" in text
    assert "Dikirim oleh Kaleno, layanan pemesanan." in text
    assert english_left(read(notice).replace("Ines Invitee", "")) == []


def test_a_refused_request_answers_in_the_requests_language_with_the_same_codes(
    api: str, host: dict[str, str], google: Google
) -> None:
    bad = booking_body(host["slug"], day_ahead(4, 3), who="Sari Wulandari")
    bad["invitee"]["email"] = "not an address"
    bad["invitee"]["name"] = ""
    english = assert_problem(post_booking(api, bad), 422, "validation-error")
    answer = requests.post(f"{api}/bookings", json=bad, headers=INDONESIAN, timeout=10)
    indonesian = assert_problem(answer, 422, "validation-error")

    assert answer.headers["Content-Language"] == "id"
    assert indonesian["title"] == "Permintaan tidak valid"
    codes = [(error["field"], error["code"]) for error in indonesian["errors"]]
    assert codes == [(error["field"], error["code"]) for error in english["errors"]]
    assert ("invitee.email", "email-invalid") in codes
    words = translations("id", "messages")
    for said, english_error in zip(indonesian["errors"], english["errors"], strict=True):
        assert said["message"] == words.gettext(english_error["message"])
        assert said["message"] != english_error["message"]
        assert english_left(said["message"]) == []

    start = day_ahead(4, 4)
    assert post_booking(api, booking_body(host["slug"], start)).status_code == 201
    taken = requests.post(f"{api}/bookings", json=booking_body(host["slug"], start), headers=INDONESIAN, timeout=10)
    problem = assert_problem(taken, 409, "slot-taken")
    assert problem["title"] == "Slot waktu sudah dipesan"
    assert english_left(f"{problem['title']} {problem.get('detail', '')}") == []


def test_the_manage_pages_status_line_is_in_the_language_of_each_request(api: str, host: dict[str, str]) -> None:
    booking = booked(api, host["slug"], 5, None)  # booked in English; read, then cancelled, from an Indonesian page
    auth = {"Authorization": f"Bearer {booking['manage_token']}"}

    def status(**headers: str) -> str:
        answer = requests.get(f"{api}/bookings/{booking['id']}", headers={**auth, **headers}, timeout=10)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["status_message"])

    cancelled = requests.post(
        f"{api}/bookings/{booking['id']}/cancel", json={}, headers={**auth, **INDONESIAN}, timeout=10
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status_message"] == "Pemesanan ini telah dibatalkan."
    assert status(**INDONESIAN) == "Pemesanan ini telah dibatalkan."
    assert status() == "This booking was cancelled."


def policy(api: str, path: str, **request: Any) -> tuple[requests.Response, Page]:
    answer = requests.get(f"{api}{path}", timeout=10, **request)
    assert answer.status_code == 200, answer.text
    return answer, Page(answer.text)


@pytest.mark.parametrize("path", ["/privacy-policy", "/cookie-policy"])
def test_the_policies_are_in_indonesian_when_the_visitor_asks_for_it(api: str, path: str) -> None:
    by_browser, page = policy(api, path, headers=INDONESIAN)
    by_choice, chosen = policy(api, f"{path}?lang=id", headers={"Accept-Language": "en"})
    by_cookie, remembered = policy(api, path, cookies={"kaleno_lang": "id"})
    english, english_page = policy(api, f"{path}?lang=en", headers=INDONESIAN)

    for answer in (by_browser, by_choice, by_cookie):
        assert '<html lang="id">' in answer.text
        assert answer.headers["Content-Language"] == "id"
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in answer.headers["Vary"].split(",")}
    assert page.words("main") == chosen.words("main") == remembered.words("main")
    assert english_left(page.words("main")) == [], english_left(page.words("main"))
    assert '<html lang="en">' in english.text
    assert english_left(english_page.words("main")) != []  # the check sees English where there is English
    if path == "/privacy-policy":
        assert re.search(r"berlaku sejak \d{1,2} (Desember|November) 2026", page.words("policy-version"))
        assert re.search(r"\b\d+ hari setelah pertemuan berakhir", page.words("retention-periods"))
    else:
        assert "sampai tab ditutup" in page.words("browser-storage")


def test_an_address_proof_is_mailed_in_the_language_of_the_request_that_asked_for_it(api: str, google: Google) -> None:
    asked = requests.post(
        f"{api}/privacy/address-proofs", json={"email": "sari-proof@example.org"}, headers=INDONESIAN, timeout=10
    )
    google.drain_tasks()

    assert asked.status_code == 202, asked.text
    (mail,) = google.mail(to="sari-proof@example.org")
    assert mail["subject"] == "Tautan privasi Kaleno Anda"
    assert "dalam 30 menit" in str(mail["text"])
    assert english_left(read(mail)) == [], english_left(read(mail))
