// The slot picker shared by the booking page and the manage page's reschedule: a zone picker, a month
// view whose days with free times stand out, and the chosen day's times as buttons.
import { api, describe } from "./api.js";
import { h, fill, field } from "./dom.js";
import {
  addDays, addMonths, dateOf, firstOfMonth, formatDay, formatMonth, formatTime, lastOfMonth, monthOf,
  todayIn, weekdayIndex, zoneOptions,
} from "./time.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const FIRST_SLOTS = "kaleno:first-slots"; // when a visitor first sees times to pick (bench/web_client.py reads it)

/** The API path of the free times from `from` to `to` (dates in `zone`). */
export const slotsPath = (host, type, from, to, zone) =>
  `/bookings/pages/${encodeURIComponent(host)}/${encodeURIComponent(type)}/slots?${new URLSearchParams({ from, to, tz: zone })}`;

/** What the picker asks first: the rest of the current month. Lets a page start that request early. */
export function firstSlotsPath(host, type, zone) {
  const today = todayIn(zone);
  return slotsPath(host, type, today, lastOfMonth(monthOf(today)), zone);
}

/**
 * createPicker({host, type, zone, windowDays, onPick, onZone, prefetched}) → {element, refresh(), zone()}
 * `prefetched`: a Map of slots path → pending api() call, used instead of asking again.
 * `request`: what every slots call sends besides the path (a single-use link's header, a manage token).
 * onPick({start, end}, zone) is called when a time is chosen; times are in the picked zone.
 */
export function createPicker({ host, type, zone, windowDays = 366, onPick, onZone, label = "Pick a time", prefetched, request: init = {} }) {
  const state = { zone, month: monthOf(todayIn(zone)), day: null, byDay: new Map(), request: 0, tries: 0 };

  const zoneField = field("Time zone", { kind: "select", name: "time_zone", options: zoneOptions(zone),
    hint: "Times are shown in this zone." });
  zoneField.input.value = zone;
  zoneField.input.addEventListener("change", () => {
    state.zone = zoneField.input.value;
    onZone?.(state.zone);
    load({ keepDay: false });
  });

  const previous = h("button", { type: "button", onclick: () => go(-1) }, h("span", { "aria-hidden": "true" }, "‹ "), "Previous month");
  const next = h("button", { type: "button", onclick: () => go(1) }, "Next month", h("span", { "aria-hidden": "true" }, " ›"));
  const monthTitle = h("h3", { "aria-live": "polite" });
  const days = h("div", { class: "days", role: "group" });
  const status = h("p", { class: "status-line", role: "status" });
  const timesHeading = h("h3", { tabindex: "-1" });
  const times = h("ul", { class: "times" });
  const timesPane = h("div", { class: "day-times" }, timesHeading, times);

  const element = h("section", { class: "picker-wrap", "aria-label": label },
    zoneField.wrap,
    h("div", { class: "picker" },
      h("div", {},
        h("div", { class: "month-nav" }, previous, monthTitle, next),
        h("div", { class: "weekdays", "aria-hidden": "true" }, WEEKDAYS.map((d) => h("span", {}, d))),
        days,
        status),
      timesPane));

  const lastDay = () => addDays(todayIn(state.zone), windowDays);

  function go(step) {
    state.month = addMonths(state.month, step);
    state.day = null;
    load({ keepDay: false });
  }

  async function load({ keepDay = true, hops = 0 } = {}) {
    const request = ++state.request;
    const today = todayIn(state.zone);
    const from = firstOfMonth(state.month) < today ? today : firstOfMonth(state.month);
    const to = lastOfMonth(state.month) > lastDay() ? lastDay() : lastOfMonth(state.month);
    previous.disabled = state.month <= monthOf(today);
    next.disabled = addMonths(state.month, 1) > monthOf(lastDay());
    fill(monthTitle, formatMonth(state.month));
    days.setAttribute("aria-label", formatMonth(state.month));
    status.className = "status-line";
    fill(status, "Loading free times…");
    element.setAttribute("aria-busy", "true");
    if (!keepDay) state.day = null;
    let found = [];
    let complete = true;
    if (from <= to) {
      try {
        const path = slotsPath(host, type, from, to, state.zone);
        const early = prefetched?.get(path);
        prefetched?.delete(path);
        const data = await (early ?? api(path, init));
        found = data.slots;
        complete = data.complete !== false;
      } catch (error) {
        if (request !== state.request) return;
        element.removeAttribute("aria-busy");
        status.className = "error";
        fill(status, `Free times could not be loaded. ${describe(error)} `,
          h("button", { type: "button", class: "link", onclick: () => load() }, "Try again"));
        return;
      }
    }
    if (request !== state.request) return; // a later month or zone was asked for meanwhile
    element.removeAttribute("aria-busy");
    state.byDay = new Map();
    for (const slot of found) {
      const day = dateOf(slot.start);
      if (!state.byDay.has(day)) state.byDay.set(day, []);
      state.byDay.get(day).push(slot);
    }
    // Nothing free this month yet later months are bookable: show the next one (at most twice).
    if (!state.byDay.size && !next.disabled && hops < 2 && !keepDay) {
      state.month = addMonths(state.month, 1);
      return load({ keepDay: false, hops: hops + 1 });
    }
    if (!state.day || !state.byDay.has(state.day)) state.day = state.byDay.keys().next().value ?? null;
    drawDays(today);
    drawTimes();
    const count = state.byDay.size;
    fill(status, count ? `${count} ${count === 1 ? "day has" : "days have"} free times in ${formatMonth(state.month)}.`
      : `No free times in ${formatMonth(state.month)}.`);
    // Part of the month is not yet covered by the host's calendar mirror: ask again shortly (a few times).
    if (!complete && state.tries < 3) {
      state.tries += 1;
      setTimeout(() => request === state.request && load(), 2000);
    }
  }

  function drawDays(today) {
    const first = firstOfMonth(state.month);
    const cells = Array.from({ length: weekdayIndex(first) }, () => h("span", { "aria-hidden": "true" }));
    for (let day = first; day <= lastOfMonth(state.month); day = addDays(day, 1)) {
      const slots = state.byDay.get(day) || [];
      const name = formatDay(day);
      const label = slots.length ? `${name}, ${slots.length} free ${slots.length === 1 ? "time" : "times"}` : `${name}, no free times`;
      cells.push(h("button", {
        type: "button",
        class: [slots.length && "free", day === today && "today"].filter(Boolean).join(" "),
        disabled: !slots.length,
        "aria-pressed": slots.length ? String(day === state.day) : undefined,
        "data-day": day,
        onclick: () => choose(day),
      }, h("span", { "aria-hidden": "true" }, String(Number(day.slice(8)))), h("span", { class: "vh" }, label)));
    }
    fill(days, cells);
  }

  function choose(day) {
    state.day = day;
    for (const button of days.querySelectorAll("button[aria-pressed]")) {
      button.setAttribute("aria-pressed", String(button.dataset.day === day));
    }
    drawTimes();
    timesHeading.focus();
  }

  function drawTimes() {
    if (!state.day) {
      fill(timesHeading, "No day chosen");
      fill(times);
      return;
    }
    fill(timesHeading, `Times on ${formatDay(state.day)}`);
    times.setAttribute("aria-label", `Free times on ${formatDay(state.day)}`);
    fill(times, (state.byDay.get(state.day) || []).map((slot) =>
      h("li", {}, h("button", { type: "button", "data-start": slot.start, onclick: () => onPick(slot, state.zone) },
        formatTime(slot.start, state.zone), ...seatsLeft(slot)))));
    if (times.childElementCount && !performance.getEntriesByName(FIRST_SLOTS).length) performance.mark(FIRST_SLOTS);
  }

  load({ keepDay: false });
  return {
    element,
    zone: () => state.zone,
    refresh: () => load({ keepDay: true }),
    showMessage(text) {
      status.className = "error";
      fill(status, text);
    },
  };
}

/** A group session's free seats, under its time (only group event types' slots carry `seats_left`). */
function seatsLeft(slot) {
  if (slot.seats_left == null) return [];
  const text = `${slot.seats_left} ${slot.seats_left === 1 ? "seat" : "seats"} left`;
  return [h("span", { class: "seats-left" }, ` · ${text}`)];
}
