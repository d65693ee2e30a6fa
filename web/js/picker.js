// @ts-check
// The slot picker shared by the booking page and the manage page's reschedule: a month grid (the WAI-ARIA grid
// pattern: one Tab stop, arrow keys, Home/End, Page Up/Down for months) whose days with free times stand out,
// the chosen day's times as buttons, and a time zone picker. Side by side on wide screens; on narrow ones one
// step at a time (the times have a "Back" to the month).
import { api, ApiError, describe } from "./api.js";
import { h, fill, field } from "./dom.js";
import { clock, setClock, t, tn } from "./i18n.js";
import {
  addDays, addMonths, dateOf, firstOfMonth, formatDay, formatMonth, formatTime, lastOfMonth, monthOf,
  todayIn, weekdayIndex, zoneOptions,
} from "./time.js";

/** @typedef {import("./types.js").Slot} Slot */
/** @typedef {import("./types.js").SlotsAnswer} SlotsAnswer */
/** @typedef {import("./api.js").Request} Request */

// The week's days, Monday first, as the page's language names them (short and long): 5 January 2026 is a Monday.
const weekdays = () => [0, 1, 2, 3, 4, 5, 6].map((n) => [formatDay(addDays("2026-01-05", n), { weekday: "short" }),
  formatDay(addDays("2026-01-05", n), { weekday: "long" })]);
const FIRST_SLOTS = "kaleno:first-slots"; // when a visitor first sees times to pick (bench/web_client.py reads it)
const MAX_DAYS_PER_ASK = 62; // the API's longest range
const LOOKAHEAD_ASKS = 6; // how far "the next free day" is looked for: about a year, two months per ask

/**
 * The API path of the free times from `from` to `to` (dates in `zone`).
 * @param {string} host
 * @param {string} type
 * @param {string} from
 * @param {string} to
 * @param {string} zone
 * @returns {string}
 */
export const slotsPath = (host, type, from, to, zone) =>
  `/bookings/pages/${encodeURIComponent(host)}/${encodeURIComponent(type)}/slots?${new URLSearchParams({ from, to, tz: zone })}`;

/**
 * What the picker asks first: the rest of the current month. Lets a page start that request early.
 * @param {string} host
 * @param {string} type
 * @param {string} zone
 * @returns {string}
 */
export function firstSlotsPath(host, type, zone) {
  const today = todayIn(zone);
  return slotsPath(host, type, today, lastOfMonth(monthOf(today)), zone);
}

/**
 * Whether an API error says the host cannot take bookings now (their calendar is not connected).
 * @param {unknown} error
 * @returns {boolean}
 */
export const hostUnavailable = (error) => error instanceof ApiError && String(error.problem.type || "").endsWith("/host-not-connected");

// The picker's pure maths (unit-tested in tests/js/picker.test.js): which dates a month asks for, how the grid is
// laid out, where a key moves the focus.

/**
 * The dates a month asks free times for: from today (or the 1st) to the booking window's last day (or the month's
 * last). `from > to`: nothing of the month can be booked.
 * @param {string} month "YYYY-MM"
 * @param {string} today
 * @param {string} lastDay the booking window's last day
 * @returns {{from: string, to: string}}
 */
export function monthRange(month, today, lastDay) {
  const first = firstOfMonth(month);
  const last = lastOfMonth(month);
  return { from: first < today ? today : first, to: last > lastDay ? lastDay : last };
}

/**
 * Free times by their calendar date, days and times in the order the API gave them (its order: by start).
 * @param {Slot[]} slots
 * @returns {Map<string, Slot[]>}
 */
export function byDay(slots) {
  /** @type {Map<string, Slot[]>} */
  const days = new Map();
  for (const slot of slots) {
    const day = dateOf(slot.start);
    const list = days.get(day) ?? [];
    list.push(slot);
    days.set(day, list);
  }
  return days;
}

/**
 * A month's grid: six weeks of seven cells from Monday, so its height never changes; null is a cell outside the
 * month.
 * @param {string} month "YYYY-MM"
 * @returns {(string | null)[][]} 6 rows of 7 dates or nulls
 */
export function monthWeeks(month) {
  const first = firstOfMonth(month);
  /** @type {(string | null)[]} */
  const cells = Array.from({ length: weekdayIndex(first) }, () => null);
  for (let day = first; day <= lastOfMonth(month); day = addDays(day, 1)) cells.push(day);
  while (cells.length < 42) cells.push(null);
  return Array.from({ length: 6 }, (_, week) => cells.slice(week * 7, week * 7 + 7));
}

/**
 * The same day of the month `step` months on, or that month's last day when it is shorter (31 Jan + 1 → 28 Feb).
 * @param {string} day
 * @param {number} step
 * @returns {string}
 */
export function sameDayIn(day, step) {
  const month = addMonths(monthOf(day), step);
  const last = lastOfMonth(month);
  const wanted = `${month}-${day.slice(8)}`;
  return wanted > last ? last : wanted;
}

/**
 * Where a key moves the focus in the month grid (the WAI-ARIA grid pattern), from the focused `day`: arrows by
 * a day or a week, Home/End to the week's Monday/Sunday, Page Up/Down by a month (with Shift: a year).
 * null: the key is not the grid's.
 * @param {string} day
 * @param {string} key KeyboardEvent.key
 * @param {boolean} [shiftKey]
 * @returns {string | null}
 */
export function keyTarget(day, key, shiftKey = false) {
  const weekday = weekdayIndex(day);
  switch (key) {
    case "ArrowLeft": return addDays(day, -1);
    case "ArrowRight": return addDays(day, 1);
    case "ArrowUp": return addDays(day, -7);
    case "ArrowDown": return addDays(day, 7);
    case "Home": return addDays(day, -weekday);
    case "End": return addDays(day, 6 - weekday);
    case "PageUp": return sameDayIn(day, shiftKey ? -12 : -1);
    case "PageDown": return sameDayIn(day, shiftKey ? 12 : 1);
    default: return null;
  }
}

/**
 * How many months `to` is after `from` (negative: before).
 * @param {string} from "YYYY-MM"
 * @param {string} to "YYYY-MM"
 * @returns {number}
 */
export const monthsBetween = (from, to) =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));

/**
 * @typedef {object} PickerOptions
 * @property {string} host
 * @property {string} type
 * @property {string} zone
 * @property {number} [windowDays]
 * @property {(slot: Slot, zone: string) => void} onPick
 * @property {(zone: string) => void} [onZone]
 * @property {(error: unknown) => void} [onUnavailable]
 * @property {Map<string, Promise<SlotsAnswer>>} [prefetched]
 * @property {Request} [request]
 * @property {number} [level]
 * @property {boolean} [clockSwitch] offer a 12/24-hour clock switch beside the day's times
 */

/**
 * @typedef {object} Picker
 * @property {HTMLDivElement} element
 * @property {() => void} refresh
 * @property {() => string} zone
 * @property {(text: string) => void} showMessage
 */

/**
 * createPicker({host, type, zone, windowDays, onPick, onZone, onUnavailable, prefetched, request, level})
 *   → {element, refresh(), zone(), showMessage(text)}
 * `prefetched`: a Map of slots path → pending api() call, used instead of asking again.
 * `request`: what every slots call sends besides the path (a single-use link's header, a manage token).
 * onPick({start, end}, zone) is called when a time is chosen; times are in the picked zone.
 * onUnavailable(error): the host cannot take bookings now (no use offering "Try again").
 * `level`: the heading level of the month and the day's times (the page's outline decides).
 * `clockSwitch`: a 12/24-hour switch beside the day's times (the booking page), remembered as the visitor's choice.
 * @param {PickerOptions} options
 * @returns {Picker}
 */
export function createPicker({
  host, type, zone, windowDays = 366, onPick, onZone, onUnavailable, prefetched,
  request: init = {}, level = 3, clockSwitch = false,
}) {
  /**
   * @type {{zone: string, month: string, day: string | null, byDay: Map<string, Slot[]>, request: number,
   *   tries: number, focusDay: string | null}}
   */
  const state = { zone, month: monthOf(todayIn(zone)), day: null, byDay: new Map(), request: 0, tries: 0, focusDay: null };
  const heading = /** @type {"h2" | "h3" | "h4" | "h5" | "h6"} */ (`h${level}`);

  const zoneField = field(t("Time zone"), { kind: "select", name: "time_zone", options: zoneOptions(zone),
    hint: t("Times are shown in this zone.") });
  zoneField.input.value = zone;
  zoneField.input.addEventListener("change", () => {
    state.zone = zoneField.input.value;
    onZone?.(state.zone);
    load({ keepDay: false });
  });

  const monthId = `month-${Math.random().toString(36).slice(2, 8)}`;
  const previous = h("button", { type: "button", "aria-label": t("Previous month"), onclick: () => go(-1) }, h("span", { "aria-hidden": "true" }, "‹"));
  const next = h("button", { type: "button", "aria-label": t("Next month"), onclick: () => go(1) }, h("span", { "aria-hidden": "true" }, "›"));
  const monthTitle = h(heading, { id: monthId, "aria-live": "polite" });
  const body = h("tbody");
  const grid = h("table", { class: "month", role: "grid", "aria-labelledby": monthId },
    h("thead", {}, h("tr", {}, weekdays().map(([short, long]) => h("th", { scope: "col", abbr: long }, h("span", { title: long }, short))))),
    body);
  grid.addEventListener("keydown", onGridKey);
  const status = h("p", { class: "status-line", role: "status" });
  const nextFree = h("p", { class: "next-free" });
  const back = h("button", { type: "button", class: "step-back", onclick: () => showStep("month", true) },
    h("span", { "aria-hidden": "true" }, "← "), t("Back"));
  const timesHeading = h(heading, { tabindex: "-1" });
  const times = h("ul", { class: "times" });
  const monthPane = h("div", { class: "month-pane" },
    h("div", { class: "month-nav" }, monthTitle, previous, next), grid, status, nextFree, zoneField.wrap);
  const timesPane = h("div", { class: "day-times" }, back, timesHeading, times, clockSwitch && clockChoice(() => drawTimes()));
  const picker = h("div", { class: "picker", "data-step": "month" }, monthPane, timesPane);
  const element = h("div", { class: "picker-wrap" }, picker); // the page's own section names it

  const lastDay = () => addDays(todayIn(state.zone), windowDays);
  /**
   * The grid's day button matching `which` (an attribute selector such as `[data-day="2026-03-01"]`).
   * @param {string} which
   */
  const dayButton = (which) => /** @type {HTMLButtonElement | null} */ (body.querySelector(`button${which}`));

  /**
   * @param {"month" | "times"} step
   * @param {boolean} [moveFocus]
   */
  function showStep(step, moveFocus = false) {
    picker.dataset.step = step;
    if (!moveFocus) return;
    if (step === "times") timesHeading.focus();
    else dayButton('[tabindex="0"]')?.focus();
  }

  /**
   * @param {number} step months
   * @param {string | null} [focusDay]
   */
  function go(step, focusDay = null) {
    state.month = addMonths(state.month, step);
    state.day = null;
    state.focusDay = focusDay;
    load({ keepDay: false, explore: true });
  }

  /**
   * @param {string} from
   * @param {string} to
   * @returns {Promise<SlotsAnswer>}
   */
  async function ask(from, to) {
    const path = slotsPath(host, type, from, to, state.zone);
    const early = prefetched?.get(path);
    prefetched?.delete(path);
    return early ?? api(path, init);
  }

  // `explore`: the visitor went to this month themselves, so an empty one stays (saying when the next free day
  // is); the first month shown instead moves on to the first free day by itself.
  /**
   * @param {{keepDay?: boolean, explore?: boolean}} [how]
   * @returns {Promise<void>}
   */
  async function load({ keepDay = true, explore = false } = {}) {
    const request = ++state.request;
    const today = todayIn(state.zone);
    const { from, to } = monthRange(state.month, today, lastDay());
    previous.disabled = state.month <= monthOf(today);
    next.disabled = addMonths(state.month, 1) > monthOf(lastDay());
    fill(monthTitle, formatMonth(state.month));
    status.className = "status-line";
    fill(status, t("Loading free times…"));
    fill(nextFree);
    element.setAttribute("aria-busy", "true");
    if (!keepDay) state.day = null;
    if (!keepDay) state.byDay = new Map();
    drawDays(today, { loading: true });
    keepFocusOn(state.focusDay); // a key that changed the month keeps the focus in the grid while it loads
    /** @type {Slot[]} */
    let found = [];
    let complete = true;
    if (from <= to) {
      try {
        const data = await ask(from, to);
        found = data.slots;
        complete = data.complete !== false;
      } catch (error) {
        if (request !== state.request) return;
        failed(error, () => load({ keepDay, explore }));
        return;
      }
    }
    if (request !== state.request) return; // a later month or zone was asked for meanwhile
    state.byDay = byDay(found);
    if (!state.byDay.size && !explore && !keepDay) {
      const first = await nextFreeDay(addMonths(state.month, 1), request).catch(() => null); // else: this month, empty
      if (request !== state.request) return;
      if (first) {
        state.month = monthOf(first);
        return load({ keepDay: false, explore: true });
      }
    }
    element.removeAttribute("aria-busy");
    if (!state.day || !state.byDay.has(state.day)) state.day = state.byDay.keys().next().value ?? null;
    drawDays(today);
    drawTimes();
    const count = state.byDay.size;
    fill(status, count ? tn("{count} day has free times in {month}.", "{count} days have free times in {month}.", count,
      { month: formatMonth(state.month) }) : t("No free times in {month}.", { month: formatMonth(state.month) }));
    if (!count) offerNextFree(request);
    keepFocusOn(state.focusDay);
    state.focusDay = null;
    // Part of the month is not yet covered by the host's calendar mirror: ask again shortly (a few times).
    if (!complete && state.tries < 3) {
      state.tries += 1;
      setTimeout(() => request === state.request && load(), 2000);
    }
  }

  /**
   * @param {unknown} error
   * @param {() => void} retry
   */
  function failed(error, retry) {
    element.removeAttribute("aria-busy");
    drawDays(todayIn(state.zone));
    if (hostUnavailable(error) && onUnavailable) {
      onUnavailable(error);
      return;
    }
    status.className = "error";
    fill(status, t("Free times could not be loaded. {problem}", { problem: describe(error) }), " ",
      h("button", { type: "button", class: "link", onclick: retry }, t("Try again")));
  }

  /**
   * The first day with a free time from the first of `month` on, within the booking window (null: none).
   * @param {string} month
   * @param {number} request
   * @returns {Promise<string | null>}
   */
  async function nextFreeDay(month, request) {
    let from = firstOfMonth(month);
    for (let asks = 0; asks < LOOKAHEAD_ASKS && from <= lastDay(); asks += 1) {
      const end = addDays(from, MAX_DAYS_PER_ASK - 1);
      const to = end > lastDay() ? lastDay() : end;
      const data = await ask(from < todayIn(state.zone) ? todayIn(state.zone) : from, to);
      if (request !== state.request) return null;
      if (data.slots.length) return dateOf(data.slots[0].start);
      from = addDays(to, 1);
    }
    return null;
  }

  /** @param {number} request */
  async function offerNextFree(request) {
    if (next.disabled) return;
    let first = null;
    try {
      first = await nextFreeDay(addMonths(state.month, 1), request);
    } catch {
      return; // the month says it has no free times; the visitor can still go on by month
    }
    if (request !== state.request) return;
    if (!first) {
      fill(status, t("No free times in {month}, nor in the months after it that can be booked.", { month: formatMonth(state.month) }));
      return;
    }
    fill(status, t("No free times in {month}. The next free day is {day}.", { month: formatMonth(state.month), day: formatDay(first) }));
    fill(nextFree, h("button", { type: "button", onclick: () => jumpTo(first) },
      t("Go to {day}", { day: formatDay(first, { day: "numeric", month: "long" }) })));
  }

  /** @param {string} day */
  function jumpTo(day) {
    state.month = monthOf(day);
    state.focusDay = day;
    load({ keepDay: false, explore: true }); // its first free day is chosen, and focused
  }

  /**
   * @param {string} today
   * @param {{loading?: boolean}} [how]
   */
  function drawDays(today, { loading = false } = {}) {
    /** @param {string | null} day */
    const cell = (day) => {
      if (!day) return h("td", { role: "gridcell" });
      const slots = state.byDay.get(day) || [];
      const name = formatDay(day);
      const label = loading ? name : slots.length
        ? tn("{day}, {count} free time", "{day}, {count} free times", slots.length, { day: name })
        : t("{day}, no free times", { day: name });
      return h("td", { role: "gridcell" }, h("button", {
        type: "button",
        class: ["day", slots.length && "free", day === today && "today"].filter(Boolean).join(" "),
        "aria-disabled": slots.length ? undefined : "true",
        "aria-pressed": slots.length ? String(day === state.day) : undefined,
        "aria-current": day === today ? "date" : undefined,
        tabindex: "-1",
        "data-day": day,
        onclick: () => slots.length && choose(day),
      }, h("span", { "aria-hidden": "true" }, String(Number(day.slice(8)))), h("span", { class: "vh" }, label)));
    };
    fill(body, monthWeeks(state.month).map((week) => h("tr", {}, week.map(cell))));
    /** @type {HTMLButtonElement | null} */
    const focusable = (state.day && dayButton(`[data-day="${state.day}"]`))
      || body.querySelector("button.free") || dayButton(`[data-day="${today}"]`) || body.querySelector("button");
    makeFocusable(focusable);
  }

  /** @param {string | null} day */
  function keepFocusOn(day) {
    /** @type {HTMLButtonElement | null} */
    const target = day ? dayButton(`[data-day="${day}"]`) : null;
    if (!target) return;
    makeFocusable(target);
    target.focus();
  }

  // Roving tabindex: exactly one day of the grid is in the Tab order.
  /** @param {HTMLButtonElement | null} button */
  function makeFocusable(button) {
    for (const other of body.querySelectorAll('button[tabindex="0"]')) other.setAttribute("tabindex", "-1");
    button?.setAttribute("tabindex", "0");
  }

  /** @param {KeyboardEvent} event */
  function onGridKey(event) {
    const from = event.target instanceof Element
      ? event.target.closest("button[data-day]") : null;
    const day = from instanceof HTMLElement ? from.dataset.day : undefined;
    if (!day) return;
    const to = keyTarget(day, event.key, event.shiftKey);
    if (!to) return;
    event.preventDefault();
    if (monthOf(to) === state.month) {
      keepFocusOn(to);
      return;
    }
    // Another month: go there when it can be booked at all, and keep the focus on the same day.
    if (monthOf(to) < monthOf(todayIn(state.zone)) || monthOf(to) > monthOf(lastDay())) return; // nothing to book there
    go(monthsBetween(state.month, monthOf(to)), to);
  }

  /**
   * @param {string} day
   * @param {{focusTimes?: boolean}} [how]
   */
  function choose(day, { focusTimes = true } = {}) {
    state.day = day;
    for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (body.querySelectorAll("button[aria-pressed]"))) {
      button.setAttribute("aria-pressed", String(button.dataset.day === day));
    }
    makeFocusable(dayButton(`[data-day="${day}"]`));
    drawTimes();
    showStep("times");
    if (focusTimes) timesHeading.focus();
  }

  function drawTimes() {
    if (!state.day) {
      fill(timesHeading, t("Choose a day to see its times"));
      times.removeAttribute("aria-label");
      fill(times);
      return;
    }
    fill(timesHeading, t("Times on {day}", { day: formatDay(state.day) }));
    times.setAttribute("aria-label", t("Free times on {day}", { day: formatDay(state.day) }));
    fill(times, (state.byDay.get(state.day) || []).map((slot) =>
      h("li", {}, h("button", { type: "button", "data-start": slot.start, onclick: () => onPick(slot, state.zone) },
        h("span", { class: "time" }, formatTime(slot.start, state.zone)), seatsLeft(slot)))));
    if (times.childElementCount && !performance.getEntriesByName(FIRST_SLOTS).length) performance.mark(FIRST_SLOTS);
  }

  load({ keepDay: false });
  return {
    element,
    zone: () => state.zone,
    refresh: () => load({ keepDay: true, explore: true }),
    showMessage(text) {
      status.className = "error";
      fill(status, text);
    },
  };
}

/**
 * The 12/24-hour switch: two radios, each showing an afternoon time the way it would write it. A choice is
 * remembered (the kaleno_clock cookie) and the times are drawn again on it.
 * @param {() => void} redraw
 * @returns {HTMLFieldSetElement}
 */
function clockChoice(redraw) {
  const name = `clock-${Math.random().toString(36).slice(2, 8)}`;
  const afternoon = "2026-01-05T13:00:00Z";
  /** @type {["24" | "12", string][]} */
  const clocks = [["24", t("24-hour")], ["12", t("12-hour")]];
  return h("fieldset", { class: "choices clock" }, h("legend", {}, t("Clock")),
    clocks.map(([value, label]) => {
      const id = `${name}-${value}`;
      const input = h("input", { type: "radio", id, name, value, checked: clock() === value,
        onchange: () => { setClock(value); redraw(); } });
      return h("div", { class: "check" }, input,
        h("label", { for: id }, label, " ", h("span", { class: "meta" }, `(${formatTime(afternoon, "UTC", value)})`)));
    }));
}

/**
 * A group session's free seats: a badge beside its time that wraps whole, below it, when room is short.
 * @param {Slot} slot
 */
function seatsLeft(slot) {
  if (slot.seats_left == null) return null;
  return h("span", { class: "badge seats" }, tn("{count} seat left", "{count} seats left", slot.seats_left));
}
