// @ts-check
// The page's words in the page's language. The server renders each page in the visitor's language
// (shared/web/pages.py: `?lang=`, the kaleno_lang cookie, Accept-Language, the host's default) and says which in
// <html lang>; a page in another language than English carries its modules' words in a JSON data block,
// <script type="application/json" id="kaleno-words">, from the gettext catalogues (shared/locales/<lang>/web.po).
// The English text is the message id: t("Book a time") is the Indonesian words on an Indonesian page, the id
// itself on an English one (or for a message not yet translated). `python -m devstack.catalogues` finds every
// t("…") and tn("…", "…", n) call, so a message must be written out as a literal, with {name} placeholders.

/** @typedef {Record<string, string | string[]>} Words message id (the singular for a plural) → text or plural forms */

const A_YEAR = 365 * 24 * 3600; // shared/web/browser_storage.py PREFERENCE_LIFETIME
const LANGUAGE_COOKIE = "kaleno_lang";
const CLOCK_COOKIE = "kaleno_clock";
// CLDR's plural categories in gettext's order of forms ("one" before "other" in English; Indonesian has one form).
const CATEGORIES = ["zero", "one", "two", "few", "many", "other"];

/** @type {Words} */
let words = readWords();

/** @returns {Words} the page's data block, or none (an English page, or no page: node's tests) */
function readWords() {
  if (typeof document === "undefined") return {};
  const block = document.getElementById("kaleno-words");
  try {
    const parsed = JSON.parse(block?.textContent || "{}");
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * The page's language, as its <html lang> says ("en" without a page).
 * @returns {string}
 */
export function language() {
  return (typeof document !== "undefined" && document.documentElement.lang) || "en";
}

/** @type {Map<string, string>} */
const locales = new Map();

/**
 * The locale dates, times and numbers are written in: the page's language, in the visitor's own region of it when
 * their browser names one ("en-GB" for a British browser on an English page; "id-ID" on an Indonesian one).
 * @returns {string}
 */
export function locale() {
  const lang = language();
  const theirs = typeof navigator === "undefined" ? [] : navigator.languages || [navigator.language];
  const key = `${lang}|${theirs.join(",")}`; // a page asks for every time it writes: worked out once per language
  const known = locales.get(key);
  if (known) return known;
  const regional = theirs.find((code) => code && code.toLowerCase().split("-")[0] === lang.toLowerCase());
  let found = lang;
  try {
    found = Intl.getCanonicalLocales(regional || lang)[0];
  } catch {
    // not a locale Intl knows: the language alone
  }
  locales.set(key, found);
  return found;
}

/**
 * A message in the page's language, with its {placeholders} filled in (numbers written the locale's way).
 * @param {string} id the English text
 * @param {Record<string, unknown>} [params]
 * @returns {string}
 */
export function t(id, params = {}) {
  const found = words[id];
  const text = Array.isArray(found) ? found[0] : found;
  return filled(text || id, params);
}

/**
 * A message that depends on a number: the plural form for `count` by the language's rules (Intl.PluralRules).
 * `{count}` is the number itself.
 * @param {string} singular the English text for one
 * @param {string} plural the English text for more
 * @param {number} count
 * @param {Record<string, unknown>} [params]
 * @returns {string}
 */
export function tn(singular, plural, count, params = {}) {
  const found = words[singular];
  const forms = Array.isArray(found) && found.every(Boolean) ? found : [singular, plural];
  const rules = pluralRules(Array.isArray(found) ? language() : "en");
  const categories = CATEGORIES.filter((category) => rules.resolvedOptions().pluralCategories.includes(
    /** @type {Intl.LDMLPluralRule} */ (category)));
  const index = Math.min(Math.max(categories.indexOf(rules.select(count)), 0), forms.length - 1);
  return filled(forms[index], { count, ...params });
}

// Intl's objects cost more to build than to use, and a page writes many numbers and plurals: one per locale.
/** @type {Map<string, Intl.PluralRules>} */
const plurals = new Map();
/** @type {Map<string, Intl.NumberFormat>} */
const numbers = new Map();

/** @param {string} lang */
function pluralRules(lang) {
  let rules = plurals.get(lang);
  if (!rules) plurals.set(lang, rules = new Intl.PluralRules(lang));
  return rules;
}

/** @param {string} lang */
function numberFormat(lang) {
  let format = numbers.get(lang);
  if (!format) numbers.set(lang, format = new Intl.NumberFormat(lang));
  return format;
}

/**
 * @param {string} text
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
function filled(text, params) {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? numberFormat(locale()).format(value) : String(value);
  });
}

/**
 * The words of a page (for tests: node has no page to read them from).
 * @param {Words} given
 */
export function useWords(given) {
  words = given;
}

/**
 * Remember a choice of the visitor's for a year (an essential cookie: listed in shared/web/browser_storage.py).
 * @param {string} name
 * @param {string} value
 */
function remember(name, value) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  if (name === LANGUAGE_COOKIE) document.cookie = `${LANGUAGE_COOKIE}=${encodeURIComponent(value)}; Path=/; Max-Age=${A_YEAR}; SameSite=Lax${secure}`;
  else document.cookie = `${CLOCK_COOKIE}=${encodeURIComponent(value)}; Path=/; Max-Age=${A_YEAR}; SameSite=Lax${secure}`;
}

/**
 * A cookie's value, if the page's browser holds it.
 * @param {string} name
 * @returns {string | undefined}
 */
function cookie(name) {
  if (typeof document === "undefined") return undefined;
  const found = String(document.cookie || "").split("; ").find((pair) => pair.startsWith(`${name}=`));
  return found === undefined ? undefined : decodeURIComponent(found.slice(name.length + 1));
}

/**
 * The language switch in the page's footer (page.html: links with `?lang=`): a choice is remembered, and the page
 * is loaded again in that language at the same address (its query and fragment kept: a manage link's token).
 */
export function initLanguageSwitch() {
  for (const link of document.querySelectorAll("a[data-language]")) {
    link.addEventListener("click", (event) => {
      const chosen = link.getAttribute("data-language") || "en";
      event.preventDefault();
      remember(LANGUAGE_COOKIE, chosen);
      const address = new URL(location.href);
      address.searchParams.set("lang", chosen);
      location.assign(address.href);
    });
  }
}

/**
 * The clock times are shown with: the visitor's choice on a booking page, else their locale's own.
 * @returns {"12" | "24"}
 */
export function clock() {
  const chosen = cookie(CLOCK_COOKIE);
  if (chosen === "12" || chosen === "24") return chosen;
  return localeClock();
}

/** @type {Map<string, "12" | "24">} */
const clocks = new Map();

/**
 * The clock the page's locale uses (Intl's hourCycle: h11/h12 are 12-hour clocks).
 * @returns {"12" | "24"}
 */
export function localeClock() {
  const lang = locale();
  let cycle = clocks.get(lang);
  if (!cycle) {
    const hourCycle = new Intl.DateTimeFormat(lang, { hour: "numeric" }).resolvedOptions().hourCycle;
    cycle = hourCycle === "h11" || hourCycle === "h12" ? "12" : "24";
    clocks.set(lang, cycle);
  }
  return cycle;
}

/**
 * Remember the visitor's clock.
 * @param {"12" | "24"} chosen
 */
export function setClock(chosen) {
  remember(CLOCK_COOKIE, chosen);
}
