// Time zones and dates. Calendar dates are "YYYY-MM-DD" strings; date arithmetic is done on
// them in UTC, so no local DST shift can move a day. Instants come from the API as RFC 3339 with offset.

export function detectedZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every IANA zone the browser knows, `current` included. */
export function zoneNames(current) {
  let names = [];
  try {
    names = Intl.supportedValuesOf("timeZone");
  } catch {
    names = [];
  }
  return names.includes(current) ? names : [current, ...names].filter(Boolean);
}

/** <option>s for a zone <select>, as [value, text] pairs. */
export const zoneOptions = (current) => zoneNames(current).map((zone) => [zone, zone.replaceAll("_", " ")]);

/** Today's calendar date in `zone`. */
export function todayIn(zone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date());
}

const asUtc = (day) => new Date(`${day}T12:00:00Z`);
const iso = (date) => date.toISOString().slice(0, 10);

export const addDays = (day, n) => iso(new Date(asUtc(day).getTime() + n * 86_400_000));
export const monthOf = (day) => day.slice(0, 7);
export const firstOfMonth = (month) => `${month}-01`;

export function addMonths(month, n) {
  const [year, m] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year, m - 1 + n, 1, 12));
  return iso(date).slice(0, 7);
}

export function lastOfMonth(month) {
  return addDays(firstOfMonth(addMonths(month, 1)), -1);
}

/** 0 = Monday … 6 = Sunday. */
export const weekdayIndex = (day) => (asUtc(day).getUTCDay() + 6) % 7;

/** The calendar date of an API instant in the zone it was asked in (the API answers in that zone). */
export const dateOf = (instant) => instant.slice(0, 10);

export function formatDay(day, options = { weekday: "long", day: "numeric", month: "long" }) {
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" }).format(asUtc(day));
}

export function formatMonth(month) {
  return new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(asUtc(`${month}-01`));
}

export function formatTime(instant, zone) {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(instant));
}

export function formatWhen(start, end, zone) {
  const day = new Intl.DateTimeFormat(undefined, {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: zone,
  }).format(new Date(start));
  return `${day}, ${formatTime(start, zone)}–${formatTime(end, zone)}`;
}

export const isPast = (instant) => new Date(instant).getTime() < Date.now();
