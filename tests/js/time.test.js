// @ts-check
// web/js/time.js: calendar dates as "YYYY-MM-DD" strings, done in UTC so no local DST shift moves a day.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addDays, addMonths, dateOf, firstOfMonth, formatDay, formatTime, formatWhen, isPast, lastOfMonth, monthOf, todayIn,
  weekdayIndex, zoneNames, zoneOptions,
} from "../../web/js/time.js";

test("addDays crosses months, years and leap days", () => {
  assert.equal(addDays("2026-01-31", 1), "2026-02-01");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
  assert.equal(addDays("2028-02-28", 1), "2028-02-29");
  assert.equal(addDays("2027-02-28", 1), "2027-03-01");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  assert.equal(addDays("2026-05-10", 0), "2026-05-10");
  assert.equal(addDays("2026-01-01", 365), "2027-01-01");
});

test("addDays is not moved by the DST change of the process's own zone", () => {
  // Europe's and the US's spring-forward and fall-back days, stepped across one day at a time.
  for (const [day, next] of [["2026-03-28", "2026-03-29"], ["2026-03-29", "2026-03-30"], ["2026-10-24", "2026-10-25"],
    ["2026-10-25", "2026-10-26"], ["2026-03-07", "2026-03-08"], ["2026-03-08", "2026-03-09"], ["2026-10-31", "2026-11-01"],
    ["2026-11-01", "2026-11-02"]]) {
    assert.equal(addDays(day, 1), next);
    assert.equal(addDays(next, -1), day);
  }
});

test("months: add, first and last day, the month of a day", () => {
  assert.equal(addMonths("2026-12", 1), "2027-01");
  assert.equal(addMonths("2026-01", -1), "2025-12");
  assert.equal(addMonths("2026-05", 12), "2027-05");
  assert.equal(addMonths("2026-05", -17), "2024-12");
  assert.equal(firstOfMonth("2026-07"), "2026-07-01");
  assert.equal(lastOfMonth("2026-02"), "2026-02-28");
  assert.equal(lastOfMonth("2028-02"), "2028-02-29");
  assert.equal(lastOfMonth("2026-04"), "2026-04-30");
  assert.equal(lastOfMonth("2026-12"), "2026-12-31");
  assert.equal(monthOf("2026-09-15"), "2026-09");
});

test("weekdayIndex counts from Monday", () => {
  assert.equal(weekdayIndex("2026-12-07"), 0); // a Monday
  assert.equal(weekdayIndex("2026-12-12"), 5);
  assert.equal(weekdayIndex("2026-12-13"), 6); // a Sunday
  assert.equal(weekdayIndex("2026-03-29"), 6); // Europe's spring-forward Sunday
});

test("dateOf reads the date an API instant has in the zone it was asked in", () => {
  // 23:30 in Kolkata is 18:00 UTC: the API answers in the asked zone, so the day is the local one.
  assert.equal(dateOf("2026-03-29T23:30:00+05:30"), "2026-03-29");
  assert.equal(dateOf("2026-03-30T00:15:00-04:00"), "2026-03-30");
});

test("todayIn: the calendar date in a zone at a given instant", () => {
  const instant = new Date("2026-06-30T22:30:00Z");
  assert.equal(todayIn("UTC", instant), "2026-06-30");
  assert.equal(todayIn("Europe/Berlin", instant), "2026-07-01"); // UTC+2 in summer
  assert.equal(todayIn("America/Los_Angeles", instant), "2026-06-30");
  assert.equal(todayIn("Asia/Kolkata", new Date("2026-06-30T18:29:00Z")), "2026-06-30"); // +5:30: 23:59
  assert.equal(todayIn("Asia/Kolkata", new Date("2026-06-30T18:30:00Z")), "2026-07-01"); // +5:30: 00:00
  assert.equal(todayIn("Pacific/Kiritimati", new Date("2026-01-01T09:59:00Z")), "2026-01-01"); // +14: 23:59
  assert.equal(todayIn("Pacific/Kiritimati", new Date("2026-01-01T10:00:00Z")), "2026-01-02");
});

/**
 * A shown time as "HHMM" on a 24-hour clock, whichever clock the runtime's default locale uses ("2:30 PM", "14:30").
 * @param {string} text
 */
function clock(text) {
  const [, hours, minutes, half] = /(\d{1,2})\D(\d{2})(?:\s*([AP]M))?/i.exec(text) ?? [];
  assert.ok(hours && minutes, `no time in ${text}`);
  const hour = Number(hours) % (half ? 12 : 24) + (half?.toUpperCase() === "PM" ? 12 : 0);
  return `${String(hour).padStart(2, "0")}${minutes}`;
}

test("formatTime shows an instant in the zone asked, 30- and 45-minute zones and DST included", () => {
  const hhmm = (/** @type {string} */ instant, /** @type {string} */ zone) => clock(formatTime(instant, zone));
  assert.equal(hhmm("2026-01-15T09:00:00Z", "Asia/Kolkata"), "1430"); // +5:30
  assert.equal(hhmm("2026-01-15T09:00:00Z", "Asia/Kathmandu"), "1445"); // +5:45
  assert.equal(hhmm("2026-01-15T09:00:00Z", "Australia/Adelaide"), "1930"); // +10:30 in its summer
  assert.equal(hhmm("2026-07-15T09:00:00Z", "Australia/Adelaide"), "1830"); // +9:30 in its winter
  assert.equal(hhmm("2026-01-15T09:00:00Z", "America/St_Johns"), "0530"); // -3:30
  // Europe/Berlin on its spring-forward day (29 March 2026, 02:00 → 03:00): an hour before and after.
  assert.equal(hhmm("2026-03-29T00:30:00Z", "Europe/Berlin"), "0130");
  assert.equal(hhmm("2026-03-29T01:30:00Z", "Europe/Berlin"), "0330");
  // Its fall-back day (25 October 2026): 02:30 happens twice, an hour apart.
  assert.equal(hhmm("2026-10-25T00:30:00Z", "Europe/Berlin"), "0230");
  assert.equal(hhmm("2026-10-25T01:30:00Z", "Europe/Berlin"), "0230");
  // The offset written in the instant is honoured whatever the zone shown.
  assert.equal(hhmm("2026-01-15T14:30:00+05:30", "UTC"), "0900");
});

test("formatWhen names the day in the zone shown, not the instant's own", () => {
  // 22:00 UTC on 31 December is already New Year's Day in Tokyo.
  // Compared with the runtime's own wording of those days, so the test holds in any default locale.
  /** @type {Intl.DateTimeFormatOptions} */
  const long = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
  const tokyo = formatWhen("2026-12-31T22:00:00Z", "2026-12-31T22:30:00Z", "Asia/Tokyo");
  assert.ok(tokyo.startsWith(`${formatDay("2027-01-01", long)}, `), tokyo);
  const utc = formatWhen("2026-12-31T22:00:00Z", "2026-12-31T22:30:00Z", "UTC");
  assert.ok(utc.startsWith(`${formatDay("2026-12-31", long)}, `), utc);
  const [from, to] = utc.split(", ").at(-1)?.split("–") ?? [];
  assert.equal(clock(from), "2200");
  assert.equal(clock(to), "2230");
});

test("zone lists: every IANA zone, the current one always among them, underscores shown as spaces", () => {
  const names = zoneNames("Europe/Berlin");
  assert.ok(names.length > 300);
  assert.ok(names.includes("Europe/Berlin"));
  assert.ok(names.includes("America/Los_Angeles"));
  assert.equal(names.filter((name) => name === "Europe/Berlin").length, 1);
  // A zone the runtime does not list (a backward-compatible alias) is put first, so a <select> can still show it.
  assert.equal(names.includes("US/Pacific"), false);
  assert.deepEqual(zoneNames("US/Pacific").slice(0, 1), ["US/Pacific"]);
  assert.equal(zoneNames("US/Pacific").length, names.length + 1);
  assert.equal(zoneNames("").includes(""), false);
  const options = new Map(zoneOptions("America/New_York"));
  assert.equal(options.get("America/New_York"), "America/New York");
  assert.equal(options.get("America/Port_of_Spain"), "America/Port of Spain");
});

test("isPast compares with now", () => {
  assert.equal(isPast(new Date(Date.now() - 60_000).toISOString()), true);
  assert.equal(isPast(new Date(Date.now() + 60_000).toISOString()), false);
});
