"""Issue 25, finding 7: the privacy policy and the cookie policy say what the code does — the retention
periods the purge uses, everyone who receives personal data, a complaint sentence that reads, the policy's
version — and the cookie policy lists every cookie and storage key, generated from the code's own list."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from shared.config import get_settings
from shared.domain.links import KEPT_AFTER_END
from shared.domain.team import INVITATION_TTL
from shared.domain.webhooks import DELIVERY_RETENTION
from shared.services.booking import IDEMPOTENCY_TTL
from shared.services.onboarding import SESSION_TTL, STATE_TTL
from shared.services.retention import MONTH_GRACE
from shared.web.browser_storage import BROWSER_STORAGE, listed, spoken

WEB_JS = Path(__file__).resolve().parents[2] / "web" / "js"


class Page(HTMLParser):
    """The visible text of a page, the text of each element with an id, and every link."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append((tag, found.get("id")))
            if found.get("id"):
                self.by_id[str(found["id"])] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        for _, element_id in self._open:
            if element_id:
                self.by_id[element_id].append(data)

    def words(self, element_id: str | None = None) -> str:
        chunks = self.text if element_id is None else self.by_id[element_id]
        return re.sub(r"\s+", " ", "".join(chunks)).strip()


def fetched(api: str, path: str) -> Page:
    answer = requests.get(f"{api}{path}", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/html")
    return Page(answer.text)


def periods_in(text: str) -> set[str]:
    return set(re.findall(r"\b[\d,]+ (?:days?|hours?|minutes?)\b", text))


def test_the_privacy_policy_states_the_periods_the_purge_uses_and_every_recipient(
    api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALENO_BOOKING_RETENTION_DAYS", "400")  # a deployment's own period shows as such
    monkeypatch.setenv("KALENO_AUDIT_RETENTION_DAYS", "800")
    get_settings.cache_clear()
    settings = get_settings()

    page = fetched(api, "/privacy-policy")

    text, retention = page.words(), page.words("retention-periods")
    assert "400 days after the meeting ended" in retention
    assert "800 days" in retention
    assert f"{settings.erasure_receipt_retention_days:,} days" in retention
    assert f"{settings.consent_days} days" in retention
    used_by_the_code = {
        spoken(period)
        for period in (
            timedelta(days=400),
            timedelta(days=800),
            timedelta(days=settings.erasure_receipt_retention_days),
            timedelta(days=settings.consent_days),
            SESSION_TTL,
            STATE_TTL,
            IDEMPOTENCY_TTL,
            KEPT_AFTER_END,
            DELIVERY_RETENTION,
            MONTH_GRACE,
            INVITATION_TTL,
        )
    }
    assert periods_in(text) == used_by_the_code  # no number the code does not use, none it uses left out
    recipients = page.words("processors")
    for recipient in ("Google Cloud", "Google Calendar", "mail relay", "webhook endpoints"):
        assert recipient in recipients
    assert f"SMTP service at {settings.smtp_host}" in recipients  # this stack's relay, named
    assert "Nobody else." not in text.replace("Nobody else: Kaleno sells nothing", "")
    assert page.words("complaint") == (
        f"Write to {settings.privacy_contact_email}. You can also complain to {settings.supervisory_authority}."
    )
    assert "complain to You" not in text
    assert ".." not in text
    assert page.words("policy-version").startswith(f"Version {settings.privacy_policy_version}, in force since")


def test_every_page_the_policy_links_exists(api: str) -> None:
    page = fetched(api, "/privacy-policy")

    local = sorted({link for link in page.links if link.startswith("/")})
    answers = {link: requests.get(f"{api}{link}", timeout=10) for link in local}

    assert "/cookie-policy" in local
    assert {link: answer.status_code for link, answer in answers.items()} == dict.fromkeys(local, 200)
    assert "Cookie policy" in Page(answers["/cookie-policy"].text).words()


def test_the_cookie_policy_lists_every_entry_of_the_codes_list_with_purpose_lifetime_and_consent(api: str) -> None:
    settings = get_settings()

    page = fetched(api, "/cookie-policy")

    listing = page.words("browser-storage")
    for entry in BROWSER_STORAGE:
        shown = entry.shown_name or entry.name
        described = listing.split(shown, 1)[1]
        assert described.startswith(" Kind"), shown
        assert entry.purpose in described
        assert f"Lifetime {spoken(entry.lifetime(settings))} Consent" in described
        consent = "Needs your consent" if entry.needs_consent else "Essential: no consent needed"
        assert described.split("Consent ", 1)[1].startswith(consent), shown
    assert f"{settings.consent_days} days" in listing  # the consent cookie lasts as the settings say


def test_every_cookie_and_storage_key_the_web_client_sets_is_in_the_list() -> None:
    """web/js, read as code: each `document.cookie =` and `…Storage.setItem(` names a listed key."""
    set_keys: list[tuple[str, str]] = []
    for script in sorted(WEB_JS.glob("*.js")):
        source = script.read_text()
        for cookie in re.findall(r"document\.cookie\s*=\s*`([^`]*?)=", source):
            set_keys.append(("cookie", resolved(cookie, source)))
        for kind, key in re.findall(r"\b(sessionStorage|localStorage)\.setItem\(\s*([^,]+),", source):
            set_keys.append((kind, resolved(key.strip(), source)))

    assert {kind for kind, _ in set_keys} >= {"cookie", "sessionStorage"}
    assert [(kind, key) for kind, key in set_keys if listed(kind, key) is None] == []


def resolved(expression: str, source: str) -> str:
    """A key as written: a literal, `${CONSTANT}` or a constant, resolved to its literal (up to any `${`)."""
    expression = expression.strip("`\"'")
    name = re.fullmatch(r"\$\{(\w+)\}|(\w+)", expression)
    if name:
        constant = name.group(1) or name.group(2)
        (value,) = re.findall(rf"const {constant} = [`\"']([^`\"']*)", source)
        expression = value
    return expression.split("${", 1)[0]
