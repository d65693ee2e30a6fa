// @ts-check
// web/js/i18n.js: the page's words by message id, plural forms by the language's rules, numbers, dates and the
// clock in the page's locale. A page is faked with the one thing i18n.js reads of it: <html lang>.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { clock, initLanguageSwitch, language, locale, localeClock, setClock, t, tn, useWords } from "../../web/js/i18n.js";
import { formatDay, formatTime } from "../../web/js/time.js";

const scope = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));

/**
 * A page in `lang`, with `cookie` in its browser.
 * @param {string} lang
 * @param {string} [cookie]
 */
function page(lang, cookie = "") {
  scope.document = { documentElement: { lang }, cookie, getElementById: () => null };
}

afterEach(() => {
  delete scope.document;
  useWords({});
});

test("without a page or words, a message is its English id with its placeholders filled in", () => {
  assert.equal(language(), "en");
  assert.equal(t("Book a time"), "Book a time");
  assert.equal(t("Time zone: {zone}", { zone: "Asia/Jakarta" }), "Time zone: Asia/Jakarta");
  assert.equal(t("Keep {missing} as written"), "Keep {missing} as written");
});

test("an English page picks English plural forms by count", () => {
  page("en");
  assert.equal(tn("{count} seat left", "{count} seats left", 1), "1 seat left");
  assert.equal(tn("{count} seat left", "{count} seats left", 3), "3 seats left");
  assert.equal(tn("{count} seat left", "{count} seats left", 0), "0 seats left");
  assert.equal(tn("{count} seat left", "{count} seats left", 1234), "1,234 seats left");
});

test("an Indonesian page says its words, with Indonesian plural rules and numbers", () => {
  page("id");
  useWords({
    "Book a time": "Pesan waktu",
    "Time zone: {zone}": "Zona waktu: {zone}",
    "{count} seat left": ["Sisa {count} kursi"],
  });
  assert.equal(language(), "id");
  assert.equal(locale(), "id");
  assert.equal(t("Book a time"), "Pesan waktu");
  assert.equal(t("Time zone: {zone}", { zone: "Asia/Jakarta" }), "Zona waktu: Asia/Jakarta");
  assert.equal(t("Not translated yet"), "Not translated yet"); // its English id, never an empty string
  assert.equal(tn("{count} seat left", "{count} seats left", 1), "Sisa 1 kursi");
  assert.equal(tn("{count} seat left", "{count} seats left", 1234), "Sisa 1.234 kursi");
});

test("a plural not yet translated falls back to the English forms and rules", () => {
  page("id");
  useWords({});
  assert.equal(tn("{count} day", "{count} days", 1), "1 day");
  assert.equal(tn("{count} day", "{count} days", 2), "2 days");
});

test("dates are written in the page's language", () => {
  page("id");
  assert.equal(formatDay("2026-12-07"), "Senin, 7 Desember");
  page("en");
  assert.match(formatDay("2026-12-07"), /^Monday, (7 December|December 7)$/);
});

test("the clock follows the locale unless the visitor chose one", () => {
  page("id");
  assert.equal(localeClock(), "24");
  assert.equal(clock(), "24");
  assert.equal(formatTime("2026-12-07T13:05:00Z", "UTC"), "13.05");
  page("id", "other=1; kaleno_clock=12");
  assert.equal(clock(), "12");
  assert.match(formatTime("2026-12-07T13:05:00Z", "UTC"), /^1\.05\sPM$/);
  page("en");
  assert.equal(clock(), localeClock());
  assert.match(formatTime("2026-12-07T13:05:00Z", "UTC", "24"), /^13:05$/);
  assert.match(formatTime("2026-12-07T13:05:00Z", "UTC", "12"), /^1:05\s[Pp][Mm]$/);
});

test("the language switch remembers the choice for a year and reloads the same address in that language", () => {
  /** @type {Record<string, (event: {preventDefault: () => void}) => void>} */
  const listeners = {};
  const link = {
    getAttribute: () => "id",
    addEventListener: (/** @type {string} */ name, /** @type {(event: {preventDefault: () => void}) => void} */ listener) => {
      listeners[name] = listener;
    },
  };
  /** @type {string[]} */
  const written = [];
  /** @type {string[]} */
  const opened = [];
  scope.document = {
    documentElement: { lang: "en" },
    querySelectorAll: () => [link],
    set cookie(/** @type {string} */ value) { written.push(value); },
    get cookie() { return ""; },
  };
  scope.location = {
    href: "https://kaleno.id/manage?booking=b1&lang=en#token=abc",
    protocol: "https:",
    assign: (/** @type {string} */ address) => opened.push(address),
  };
  try {
    initLanguageSwitch();
    let prevented = false;
    listeners.click({ preventDefault: () => { prevented = true; } });
    assert.ok(prevented);
    assert.deepEqual(written, ["kaleno_lang=id; Path=/; Max-Age=31536000; SameSite=Lax; Secure"]);
    assert.deepEqual(opened, ["https://kaleno.id/manage?booking=b1&lang=id#token=abc"]);
    setClock("12");
    assert.equal(written[1], "kaleno_clock=12; Path=/; Max-Age=31536000; SameSite=Lax; Secure");
  } finally {
    delete scope.location;
  }
});
