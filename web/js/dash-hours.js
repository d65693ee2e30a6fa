// @ts-check
// Dashboard: the host's schedules (GET/POST /hosts/me/schedules; GET/PUT/PATCH/DELETE /hosts/me/schedules/{id}):
// create, rename, delete, and the hours of each: weekly hours, date overrides and time off.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, checkbox, busy, uid } from "./dom.js";
import { formatDay, zoneOptions } from "./time.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./types.js").Schedule} Schedule */
/** @typedef {import("./types.js").TimeOff} TimeOff */
/** @typedef {import("./types.js").TimeRange} TimeRange */

/** @type {[string, string][]} */
const DAYS = [["mon", t("Monday")], ["tue", t("Tuesday")], ["wed", t("Wednesday")], ["thu", t("Thursday")],
  ["fri", t("Friday")], ["sat", t("Saturday")], ["sun", t("Sunday")]];
/** @type {TimeRange} */
const DEFAULT_RANGE = ["09:00", "17:00"];
/** @type {Intl.DateTimeFormatOptions} */
const LONG_DAY = { weekday: "long", day: "numeric", month: "long", year: "numeric" };

/**
 * @param {import("./dom.js").Child} label
 * @param {string} value
 * @param {string} dataField
 * @param {(value: string) => void} onChange
 */
function timeInput(label, value, dataField, onChange) {
  const id = uid("time");
  const input = h("input", { id, type: "time", step: 300, value, "data-field": dataField, required: true });
  input.addEventListener("change", () => onChange(input.value));
  return h("div", { class: "time-field" }, h("label", { for: id }, label), input);
}

/** @param {string} id */
const path = (id) => `/hosts/me/schedules/${encodeURIComponent(id)}`;
/** @param {Schedule} s */
const usedBy = (s) => tn("used by {count} event type", "used by {count} event types", s.used_by.length);

/**
 * `changed(schedules)`: told after every change of the list (the event type form offers them).
 * @param {(schedules: Schedule[]) => void} [changed]
 * @returns {import("./types.js").Section}
 */
export function hoursSection(changed = () => {}) {
  /** @type {Schedule[]} */
  let schedules = [];
  /** @type {Schedule | null} */
  let schedule = null; // the schedule being edited (a copy: saved only by "Save hours")
  const status = h("p", { class: "status-line", role: "status" }, t("Loading hours…"));
  const list = h("ul", { class: "plain", "aria-label": t("Your schedules") }, h("li", { class: "placeholder", "aria-hidden": "true" }));
  const body = h("div", { class: "form-placeholder" });
  const creating = newScheduleForm();
  creating.hidden = true; // below the list: shown with it, so the list's arrival moves nothing
  const element = h("section", { class: "card", "aria-labelledby": "hours-title" },
    h("h2", { id: "hours-title" }, t("Availability")),
    h("p", { class: "hint" }, t("Each event type offers the hours of one schedule; without a choice, the default one.")),
    status, list, creating, body);

  /** @param {string} [editId] the schedule to edit (else: the one being edited, or the first) */
  async function load(editId) {
    try {
      schedules = (await api("/hosts/me/schedules")).schedules;
      fill(status);
      body.classList.remove("form-placeholder");
      creating.hidden = false;
      drawList();
      changed(schedules);
      edit(schedules.find((s) => s.id === (editId ?? schedule?.id)) ?? schedules[0]);
    } catch (error) {
      status.className = "error";
      fill(status, `${t("Hours could not be loaded.")} ${describe(error)} `, h("button", { type: "button", class: "link", onclick: () => load() }, t("Try again")));
    }
  }

  function drawList() {
    fill(list, schedules.map((s) => {
      const area = h("div");
      return h("li", {},
        h("h3", {}, s.name),
        h("p", { class: "meta" }, [s.is_default && t("default"), usedBy(s), s.time_zone].filter(Boolean).join(" · ")),
        h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => edit(s, true) }, t("Edit hours"), h("span", { class: "vh" }, ` ${t("of {schedule}", { schedule: s.name })}`)),
          h("button", { type: "button", onclick: () => askRename(s, area) }, t("Rename"), h("span", { class: "vh" }, ` ${s.name}`)),
          !s.is_default && h("button", { type: "button", class: "danger", onclick: () => askDelete(s, area) }, t("Delete"),
            h("span", { class: "vh" }, ` ${s.name}`))),
        area);
    }));
  }

  function newScheduleForm() {
    const name = field(t("New schedule's name"), { name: "name", maxlength: 60, hint: t("For example Mornings or Office hours.") });
    const submit = h("button", { type: "submit" }, t("Create schedule"));
    const form = h("form", { novalidate: true, "aria-label": t("New schedule") }, summaryBox(), name.wrap, h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        /** @type {Schedule} */
        const created = await busy(submit, () => api("/hosts/me/schedules", { method: "POST", body: { name: name.input.value.trim() } }), t("Creating…"));
        name.input.value = "";
        fill(status, t("{schedule} was created: set its hours below.", { schedule: created.name }));
        await load(created.id);
        body.querySelector("h3")?.focus();
      } catch (error) {
        showErrors(form, error);
      }
    });
    return form;
  }

  /**
   * @param {Schedule} s
   * @param {HTMLElement} area
   */
  function askRename(s, area) {
    const name = field(t("New name for {schedule}", { schedule: s.name }), { name: "name", value: s.name, maxlength: 60 });
    const save = h("button", { type: "submit", class: "primary" }, t("Save name"));
    const form = h("form", { novalidate: true, "aria-label": t("Rename {schedule}", { schedule: s.name }) }, summaryBox(), name.wrap,
      h("div", { class: "actions" }, save, h("button", { type: "button", onclick: () => fill(area) }, t("Cancel"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        const saved = await busy(save, () => api(path(s.id), { method: "PATCH", body: { name: name.input.value.trim() } }), t("Saving…"));
        fill(status, t("{old} is now called {new}.", { old: s.name, new: saved.name }));
        await load();
      } catch (error) {
        showErrors(form, error);
      }
    });
    fill(area, form);
    name.input.focus();
  }

  /**
   * @param {Schedule} s
   * @param {HTMLElement} area
   */
  function askDelete(s, area) {
    const confirm = h("button", { type: "button", class: "danger primary" }, t("Yes, delete {schedule}", { schedule: s.name }));
    confirm.addEventListener("click", async () => {
      try {
        await busy(confirm, () => api(path(s.id), { method: "DELETE" }), t("Deleting…"));
        fill(status, t("{schedule} was deleted.", { schedule: s.name }));
        await load(schedule?.id === s.id ? "default" : undefined);
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, t("Delete {schedule}?", { schedule: s.name }), " ", s.used_by.length ? t("Event types still use it: point them at another schedule first.") : t("No event type uses it.")),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, t("Keep it")))));
    confirm.focus();
  }

  /**
   * @param {Schedule} s
   * @param {boolean} [focus]
   */
  function edit(s, focus = false) {
    const copy = structuredClone(s);
    copy.weekly ??= {};
    copy.overrides ??= {};
    copy.time_off ??= [];
    schedule = copy;
    draw(focus ? "#hours-of" : undefined);
  }

  /**
   * Say in the hours form's status line (data-saved) what was saved, or what still needs saving.
   * @param {string} text
   */
  function sayInForm(text) {
    const note = body.querySelector("[data-saved]");
    if (note) fill(note, text);
  }

  /** @param {string} [focusSelector] what to focus once drawn */
  function draw(focusSelector) {
    const current = schedule;
    if (!current) return;
    const zone = field(t("Time zone of these hours"), { kind: "select", name: "time_zone", options: zoneOptions(current.time_zone) });
    zone.input.value = current.time_zone;
    zone.input.addEventListener("change", () => { current.time_zone = zone.input.value; });
    const submit = h("button", { type: "submit", class: "primary" }, t("Save hours"));
    const saved = h("p", { class: "status-line", role: "status" });
    const form = h("form", { novalidate: true, "aria-labelledby": "hours-of" },
      summaryBox(), zone.wrap,
      h("h4", {}, t("Weekly hours")),
      h("ul", { class: "plain", "aria-label": t("Weekly hours") }, DAYS.map(([key, name]) => dayRow(current, key, name))),
      h("h4", {}, t("Date overrides")),
      h("p", { class: "hint" }, t("A date override replaces that day's weekly hours: a day off, or other hours.")),
      overridesList(current), addOverride(current),
      h("h4", {}, t("Time off")),
      h("p", { class: "hint" }, t("Whole days with nothing offered, whatever the hours say. The reason is only for you.")),
      timeOffList(current), addTimeOff(current),
      h("div", { class: "actions" }, submit), saved);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      fill(saved);
      const { name, time_zone, weekly, overrides, time_off } = current;
      try {
        const stored = await busy(submit, () => api(path(current.id), { method: "PUT", body: { name, time_zone, weekly, overrides, time_off } }), t("Saving…"));
        schedules = schedules.map((s) => (s.id === stored.id ? stored : s));
        edit(stored);
        sayInForm(t("Hours saved."));
      } catch (error) {
        showErrors(form, error);
      }
    });
    saved.setAttribute("data-saved", "");
    fill(body, h("h3", { id: "hours-of", tabindex: "-1" }, t("Hours of {schedule}", { schedule: current.name })), form);
    /** @type {HTMLElement | null} */
    const target = focusSelector ? body.querySelector(focusSelector) : null;
    target?.focus();
  }

  /**
   * @param {Schedule} current
   * @param {string} key
   * @param {string} name
   */
  function dayRow(current, key, name) {
    const ranges = current.weekly[key] || [];
    const open = checkbox(name, { checked: ranges.length > 0, "data-field": `weekly.${key}` });
    open.input.addEventListener("change", () => {
      if (open.input.checked) current.weekly[key] = [[...DEFAULT_RANGE]];
      else delete current.weekly[key];
      draw(`[data-field="weekly.${key}"]`);
    });
    const rows = ranges.map((range, i) => {
      const n = ranges.length > 1 ? ` (${i + 1})` : "";
      const [from, until] = [`${t("from")}${n}`, `${t("until")}${n}`];
      return h("div", { class: "hours-row" },
        timeInput([h("span", { class: "vh" }, `${name} `), from], range[0], `weekly.${key}.${i}.0`, (v) => { range[0] = v; }),
        timeInput([h("span", { class: "vh" }, `${name} `), until], range[1], `weekly.${key}.${i}.1`, (v) => { range[1] = v; }),
        h("button", { type: "button", class: "compact", onclick: () => {
          ranges.splice(i, 1);
          if (!ranges.length) delete current.weekly[key];
          draw(`[data-field="weekly.${key}"]`);
        } }, h("span", { "aria-hidden": "true" }, "✕"), h("span", { class: "vh" }, t("Remove {day} {from}–{until}", { day: name, from: range[0], until: range[1] }))));
    });
    return h("li", {}, open.wrap, rows,
      ranges.length > 0 && h("button", { type: "button", class: "link", onclick: () => {
        const last = ranges[ranges.length - 1];
        ranges.push(last && last[1] < "23:00" ? [last[1], last[1] < "22:00" ? `${String(Number(last[1].slice(0, 2)) + 1).padStart(2, "0")}${last[1].slice(2)}` : "24:00"] : [...DEFAULT_RANGE]);
        draw(`[data-field="weekly.${key}.${ranges.length - 1}.0"]`);
      } }, t("Add hours"), h("span", { class: "vh" }, ` ${t("on {day}", { day: name })}`)));
  }

  /** @param {Schedule} current */
  function overridesList(current) {
    const dates = Object.keys(current.overrides).sort();
    if (!dates.length) return h("p", { class: "meta" }, t("No date overrides."));
    return h("ul", { class: "plain", "aria-label": t("Date overrides") }, dates.map((day) => {
      const ranges = current.overrides[day];
      const label = formatDay(day, LONG_DAY);
      return h("li", { "data-field": `overrides.${day}`, tabindex: "-1" },
        h("span", { class: "summary" }, label), ": ",
        ranges.length ? ranges.map((r) => `${r[0]}–${r[1]}`).join(", ") : t("day off"), " ",
        h("button", { type: "button", class: "link", onclick: () => {
          delete current.overrides[day];
          draw("#override-date");
        } }, t("Remove"), h("span", { class: "vh" }, ` ${t("override for {day}", { day: label })}`)));
    }));
  }

  /** @param {Schedule} current */
  function addOverride(current) {
    const date = field(t("Date"), { name: "override_date", type: "date", id: "override-date" });
    const off = checkbox(t("Day off"), { checked: true });
    const from = field(t("From"), { name: "override_from", type: "time", step: 300, value: DEFAULT_RANGE[0] });
    const until = field(t("Until"), { name: "override_until", type: "time", step: 300, value: DEFAULT_RANGE[1] });
    const times = h("div", { class: "row", hidden: true }, from.wrap, until.wrap);
    off.input.addEventListener("change", () => { times.hidden = off.input.checked; });
    const problem = h("p", { class: "error", role: "alert" });
    const add = h("button", { type: "button" }, t("Add date override"));
    add.addEventListener("click", () => {
      if (!date.input.value) {
        fill(problem, t("Choose a date first."));
        date.input.focus();
        return;
      }
      current.overrides[date.input.value] = off.input.checked ? [] : [[from.input.value, until.input.value]];
      draw("#override-date");
      sayInForm(t("Override added: save hours to keep it."));
    });
    return h("fieldset", { class: "card" }, h("legend", {}, t("Add a date override")), date.wrap, off.wrap, times,
      h("div", { class: "actions" }, add), problem);
  }

  /** @param {Schedule} current */
  function timeOffList(current) {
    if (!current.time_off.length) return h("p", { class: "meta" }, t("No time off."));
    return h("ul", { class: "plain", "aria-label": t("Time off") }, current.time_off.map((entry, i) => {
      const first = formatDay(entry.first_day, LONG_DAY);
      const label = entry.last_day === entry.first_day ? first : `${first} – ${formatDay(entry.last_day, LONG_DAY)}`;
      return h("li", { "data-field": `time_off.${i}`, tabindex: "-1" },
        h("span", { class: "summary" }, label), entry.reason ? ` · ${entry.reason}` : "", " ",
        h("button", { type: "button", class: "link", onclick: () => {
          current.time_off.splice(i, 1);
          draw("#time-off-first");
          sayInForm(t("Time off removed: save hours to keep the change."));
        } }, t("Remove"), h("span", { class: "vh" }, ` ${t("time off {days}", { days: label })}`)));
    }));
  }

  /** @param {Schedule} current */
  function addTimeOff(current) {
    const first = field(t("First day off"), { name: "time_off_first", type: "date", id: "time-off-first" });
    const last = field(t("Last day off"), { name: "time_off_last", type: "date" });
    const reason = field(t("Reason (only you see it)"), { name: "time_off_reason", maxlength: 200 });
    const problem = h("p", { class: "error", role: "alert" });
    const add = h("button", { type: "button" }, t("Add time off"));
    add.addEventListener("click", () => {
      const firstDay = first.input.value;
      const lastDay = last.input.value || firstDay;
      if (!firstDay) {
        fill(problem, t("Choose the first day off."));
        first.input.focus();
        return;
      }
      if (lastDay < firstDay) {
        fill(problem, t("The last day off cannot be before the first."));
        last.input.focus();
        return;
      }
      /** @type {TimeOff} */
      const entry = { first_day: firstDay, last_day: lastDay };
      if (reason.input.value.trim()) entry.reason = reason.input.value.trim();
      current.time_off.push(entry);
      current.time_off.sort((a, b) => (a.first_day + a.last_day).localeCompare(b.first_day + b.last_day));
      draw("#time-off-first");
      sayInForm(t("Time off added: save hours to keep it."));
    });
    return h("fieldset", { class: "card" }, h("legend", {}, t("Add time off")), h("div", { class: "row" }, first.wrap, last.wrap),
      reason.wrap, h("div", { class: "actions" }, add), problem);
  }

  /** The list again (which event types use which schedule), leaving the hours being edited as they are. */
  async function refreshList() {
    try {
      schedules = (await api("/hosts/me/schedules")).schedules;
      drawList();
      changed(schedules);
    } catch (error) {
      fill(status, `${t("Schedules could not be refreshed.")} ${describe(error)}`);
    }
  }

  return { element, load, refreshList };
}
