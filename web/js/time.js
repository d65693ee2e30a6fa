// @ts-check
// Time zones and dates. Calendar dates are "YYYY-MM-DD" strings; date arithmetic is done on
// them in UTC, so no local DST shift can move a day. Instants come from the API as RFC 3339 with offset.
// Dates and times are written in the page's language (i18n.js locale()), times on the visitor's clock (12 or 24 hours).
import { clock, locale } from "./i18n.js";

/** @returns {string} the browser's IANA zone ("UTC" when it says none) */
export function detectedZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * Every IANA zone the browser knows, `current` included.
 * @param {string} current
 * @returns {string[]}
 */
export function zoneNames(current) {
  /** @type {string[]} */
  let names;
  try {
    names = Intl.supportedValuesOf("timeZone");
  } catch {
    names = [];
  }
  return names.includes(current) ? names : [current, ...names].filter(Boolean);
}

/**
 * <option>s for a zone <select>, as [value, text] pairs.
 * @param {string} current
 * @returns {[string, string][]}
 */
export const zoneOptions = (current) => zoneNames(current).map((zone) => [zone, zone.replaceAll("_", " ")]);

/**
 * Today's calendar date in `zone`.
 * @param {string} zone
 * @param {Date} [now]
 * @returns {string}
 */
export function todayIn(zone, now = new Date()) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(now);
}

/** @param {string} day */
const asUtc = (day) => new Date(`${day}T12:00:00Z`);
/** @param {Date} date */
const iso = (date) => date.toISOString().slice(0, 10);

/**
 * @param {string} day "YYYY-MM-DD"
 * @param {number} n days (negative: back)
 * @returns {string}
 */
export const addDays = (day, n) => iso(new Date(asUtc(day).getTime() + n * 86_400_000));
/**
 * @param {string} day
 * @returns {string} "YYYY-MM"
 */
export const monthOf = (day) => day.slice(0, 7);
/**
 * @param {string} month "YYYY-MM"
 * @returns {string}
 */
export const firstOfMonth = (month) => `${month}-01`;

/**
 * @param {string} month "YYYY-MM"
 * @param {number} n months (negative: back)
 * @returns {string} "YYYY-MM"
 */
export function addMonths(month, n) {
  const [year, m] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year, m - 1 + n, 1, 12));
  return iso(date).slice(0, 7);
}

/**
 * @param {string} month "YYYY-MM"
 * @returns {string} its last day
 */
export function lastOfMonth(month) {
  return addDays(firstOfMonth(addMonths(month, 1)), -1);
}

/**
 * 0 = Monday … 6 = Sunday.
 * @param {string} day
 * @returns {number}
 */
export const weekdayIndex = (day) => (asUtc(day).getUTCDay() + 6) % 7;

/**
 * The calendar date of an API instant in the zone it was asked in (the API answers in that zone).
 * @param {string} instant RFC 3339 with offset
 * @returns {string}
 */
export const dateOf = (instant) => instant.slice(0, 10);

/**
 * @param {string} day
 * @param {Intl.DateTimeFormatOptions} [options]
 * @returns {string}
 */
export function formatDay(day, options = { weekday: "long", day: "numeric", month: "long" }) {
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(asUtc(day));
}

/**
 * @param {string} month "YYYY-MM"
 * @returns {string}
 */
export function formatMonth(month) {
  return new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(asUtc(`${month}-01`));
}

// A day's list writes dozens of times: one formatter per locale, zone and clock (building one costs more than using it).
/** @type {Map<string, Intl.DateTimeFormat>} */
const timeFormats = new Map();

/**
 * A time of day on the visitor's clock: "09:00" or "9:00 AM" ("09.00" in Indonesian).
 * @param {string} instant
 * @param {string} zone
 * @param {"12" | "24"} [hours] the clock (the visitor's choice, else their locale's)
 * @returns {string}
 */
export function formatTime(instant, zone, hours = clock()) {
  const lang = locale();
  const key = `${lang}|${zone}|${hours}`;
  let format = timeFormats.get(key);
  if (!format) {
    /** @type {Intl.DateTimeFormatOptions} */
    const options = hours === "12" ? { hour: "numeric", hourCycle: "h12" } : { hour: "2-digit", hourCycle: "h23" };
    format = new Intl.DateTimeFormat(lang, { ...options, minute: "2-digit", timeZone: zone });
    timeFormats.set(key, format);
  }
  return format.format(new Date(instant));
}

/**
 * @param {string} start
 * @param {string} end
 * @param {string} zone
 * @returns {string}
 */
export function formatWhen(start, end, zone) {
  const day = new Intl.DateTimeFormat(locale(), {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: zone,
  }).format(new Date(start));
  return `${day}, ${formatTime(start, zone)}–${formatTime(end, zone)}`;
}

/**
 * @param {string} instant
 * @returns {boolean}
 */
export const isPast = (instant) => new Date(instant).getTime() < Date.now();
