// @ts-check
// web/js/picker.js's pure parts: the dates a month asks for, the six-week grid, keyboard moves (the WAI-ARIA grid
// pattern) and free times grouped by day. The module imports only DOM-free code at its top level, so Node loads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  byDay, firstSlotsPath, hostUnavailable, keyTarget, monthRange, monthWeeks, monthsBetween, sameDayIn, slotsPath,
} from "../../web/js/picker.js";
import { ApiError } from "../../web/js/api.js";
import { todayIn, lastOfMonth, monthOf } from "../../web/js/time.js";

test("monthWeeks: six weeks from Monday, the month's days in place, blanks around", () => {
  const weeks = monthWeeks("2026-12"); // 1 December 2026 is a Tuesday
  assert.equal(weeks.length, 6);
  assert.ok(weeks.every((week) => week.length === 7));
  assert.deepEqual(weeks[0], [null, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
  assert.deepEqual(weeks[4], ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", null, null, null]);
  assert.deepEqual(weeks[5], [null, null, null, null, null, null, null]);
  assert.equal(weeks.flat().filter(Boolean).length, 31);
});

test("monthWeeks: a month starting on Sunday fills the sixth week; February 2027 fits four", () => {
  const march = monthWeeks("2026-03"); // 1 March 2026 is a Sunday, 31 days: six rows used
  assert.deepEqual(march[0], [null, null, null, null, null, null, "2026-03-01"]);
  assert.deepEqual(march[5], ["2026-03-30", "2026-03-31", null, null, null, null, null]);
  const february = monthWeeks("2027-02"); // starts on a Monday, 28 days
  assert.equal(february[0][0], "2027-02-01");
  assert.equal(february[3][6], "2027-02-28");
  assert.ok(february.slice(4).flat().every((cell) => cell === null));
  assert.equal(monthWeeks("2028-02").flat().filter(Boolean).at(-1), "2028-02-29");
});

test("monthWeeks lays out DST months like any other (dates, not instants)", () => {
  const october = monthWeeks("2026-10").flat().filter(Boolean); // Europe falls back on Sunday the 25th
  assert.equal(october.length, 31);
  assert.deepEqual(october.slice(23, 27), ["2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]);
});

test("keyTarget: arrows move by a day and a week, across months and years", () => {
  assert.equal(keyTarget("2026-12-09", "ArrowLeft"), "2026-12-08");
  assert.equal(keyTarget("2026-12-09", "ArrowRight"), "2026-12-10");
  assert.equal(keyTarget("2026-12-09", "ArrowUp"), "2026-12-02");
  assert.equal(keyTarget("2026-12-09", "ArrowDown"), "2026-12-16");
  assert.equal(keyTarget("2026-12-31", "ArrowRight"), "2027-01-01");
  assert.equal(keyTarget("2026-12-01", "ArrowLeft"), "2026-11-30");
  assert.equal(keyTarget("2026-12-29", "ArrowDown"), "2027-01-05");
  assert.equal(keyTarget("2026-03-02", "ArrowUp"), "2026-02-23");
  // Across a DST change a week is still seven calendar days.
  assert.equal(keyTarget("2026-03-25", "ArrowDown"), "2026-04-01");
  assert.equal(keyTarget("2026-10-25", "ArrowLeft"), "2026-10-24");
});

test("keyTarget: Home and End go to the week's Monday and Sunday", () => {
  assert.equal(keyTarget("2026-12-09", "Home"), "2026-12-07"); // a Wednesday
  assert.equal(keyTarget("2026-12-09", "End"), "2026-12-13");
  assert.equal(keyTarget("2026-12-07", "Home"), "2026-12-07"); // already Monday
  assert.equal(keyTarget("2026-12-13", "End"), "2026-12-13"); // already Sunday
  assert.equal(keyTarget("2027-01-01", "Home"), "2026-12-28"); // the week began the year before
  assert.equal(keyTarget("2026-03-01", "Home"), "2026-02-23");
});

test("keyTarget: Page Up/Down by a month (Shift: a year), onto a shorter month's last day", () => {
  assert.equal(keyTarget("2026-12-09", "PageDown"), "2027-01-09");
  assert.equal(keyTarget("2026-12-09", "PageUp"), "2026-11-09");
  assert.equal(keyTarget("2026-01-31", "PageDown"), "2026-02-28");
  assert.equal(keyTarget("2028-01-31", "PageDown"), "2028-02-29");
  assert.equal(keyTarget("2026-03-31", "PageUp"), "2026-02-28");
  assert.equal(keyTarget("2026-05-31", "PageDown"), "2026-06-30");
  assert.equal(keyTarget("2026-12-09", "PageDown", true), "2027-12-09");
  assert.equal(keyTarget("2028-02-29", "PageDown", true), "2029-02-28");
  assert.equal(keyTarget("2028-02-29", "PageUp", true), "2027-02-28");
});

test("keyTarget: other keys are not the grid's", () => {
  for (const key of ["Enter", " ", "Tab", "a", "Escape"]) assert.equal(keyTarget("2026-12-09", key), null);
});

test("sameDayIn and monthsBetween", () => {
  assert.equal(sameDayIn("2026-08-31", 1), "2026-09-30");
  assert.equal(sameDayIn("2026-08-31", -6), "2026-02-28");
  assert.equal(sameDayIn("2026-08-15", 0), "2026-08-15");
  assert.equal(monthsBetween("2026-12", "2027-01"), 1);
  assert.equal(monthsBetween("2027-01", "2026-12"), -1);
  assert.equal(monthsBetween("2026-05", "2027-05"), 12);
  assert.equal(monthsBetween("2026-05", "2026-05"), 0);
});

test("monthRange: from today in the current month, up to the booking window's end", () => {
  assert.deepEqual(monthRange("2026-12", "2026-12-07", "2027-12-08"), { from: "2026-12-07", to: "2026-12-31" });
  assert.deepEqual(monthRange("2027-01", "2026-12-07", "2027-12-08"), { from: "2027-01-01", to: "2027-01-31" });
  assert.deepEqual(monthRange("2027-01", "2026-12-07", "2027-01-06"), { from: "2027-01-01", to: "2027-01-06" });
  assert.deepEqual(monthRange("2027-02", "2026-12-07", "2027-01-06"), { from: "2027-02-01", to: "2027-01-06" }); // nothing to ask
  assert.deepEqual(monthRange("2026-12", "2026-12-31", "2026-12-31"), { from: "2026-12-31", to: "2026-12-31" });
});

test("byDay groups free times by the date they have in the zone asked, keeping their order", () => {
  const slots = [
    { start: "2026-03-28T23:30:00+05:30", end: "2026-03-29T00:00:00+05:30" },
    { start: "2026-03-29T00:00:00+05:30", end: "2026-03-29T00:30:00+05:30" },
    { start: "2026-03-29T09:00:00+05:30", end: "2026-03-29T09:30:00+05:30", seats_left: 3 },
    { start: "2026-03-31T10:00:00+05:30", end: "2026-03-31T10:30:00+05:30" },
  ];
  const days = byDay(slots);
  assert.deepEqual([...days.keys()], ["2026-03-28", "2026-03-29", "2026-03-31"]);
  assert.deepEqual(days.get("2026-03-29"), [slots[1], slots[2]]);
  assert.equal(byDay([]).size, 0);
});

test("slotsPath escapes the slugs and carries the range and zone", () => {
  const path = slotsPath("ada lovelace", "30/min", "2026-12-07", "2026-12-31", "America/St_Johns");
  const url = new URL(path, "https://kaleno.test");
  assert.equal(url.pathname, "/bookings/pages/ada%20lovelace/30%2Fmin/slots");
  assert.deepEqual(Object.fromEntries(url.searchParams), { from: "2026-12-07", to: "2026-12-31", tz: "America/St_Johns" });
});

test("firstSlotsPath asks the rest of today's month in the visitor's zone", () => {
  for (const zone of ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]) {
    const today = todayIn(zone);
    const url = new URL(firstSlotsPath("ada", "intro", zone), "https://kaleno.test");
    assert.equal(url.searchParams.get("from"), today);
    assert.equal(url.searchParams.get("to"), lastOfMonth(monthOf(today)));
    assert.equal(url.searchParams.get("tz"), zone);
  }
});

test("hostUnavailable: only the API's host-not-connected problem", () => {
  assert.equal(hostUnavailable(new ApiError(409, { type: "https://kaleno.app/problems/host-not-connected" })), true);
  assert.equal(hostUnavailable(new ApiError(409, { type: "https://kaleno.app/problems/slot-taken" })), false);
  assert.equal(hostUnavailable(new ApiError(0, { title: "Network error" })), false);
  assert.equal(hostUnavailable(new Error("host-not-connected")), false);
  assert.equal(hostUnavailable(null), false);
});
