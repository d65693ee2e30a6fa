// @ts-check
// Dashboard: the host's schedules (GET/POST /hosts/me/schedules; GET/PUT/PATCH/DELETE /hosts/me/schedules/{id}):
// create, rename, delete, and the hours of each: weekly hours, date overrides and time off.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, checkbox, busy, uid } from "./dom.js";
import { formatDay, zoneOptions } from "./time.js";

/** @typedef {import("./types.js").Schedule} Schedule */
/** @typedef {import("./types.js").TimeOff} TimeOff */
/** @typedef {import("./types.js").TimeRange} TimeRange */

/** @type {[string, string][]} */
const DAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"],
  ["sat", "Saturday"], ["sun", "Sunday"]];
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
const usedBy = (s) => (s.used_by.length === 1 ? "used by 1 event type" : `used by ${s.used_by.length} event types`);

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
  const status = h("p", { class: "status-line", role: "status" }, "Loading hours…");
  const list = h("ul", { class: "plain", "aria-label": "Your schedules" }, h("li", { class: "placeholder", "aria-hidden": "true" }));
  const body = h("div", { class: "form-placeholder" });
  const creating = newScheduleForm();
  creating.hidden = true; // below the list: shown with it, so the list's arrival moves nothing
  const element = h("section", { class: "card", "aria-labelledby": "hours-title" },
    h("h2", { id: "hours-title" }, "Availability"),
    h("p", { class: "hint" }, "Each event type offers the hours of one schedule; without a choice, the default one."),
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
      fill(status, `Hours could not be loaded. ${describe(error)} `, h("button", { type: "button", class: "link", onclick: () => load() }, "Try again"));
    }
  }

  function drawList() {
    fill(list, schedules.map((s) => {
      const area = h("div");
      return h("li", {},
        h("h3", {}, s.name),
        h("p", { class: "meta" }, [s.is_default && "default", usedBy(s), s.time_zone].filter(Boolean).join(" · ")),
        h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => edit(s, true) }, "Edit hours", h("span", { class: "vh" }, ` of ${s.name}`)),
          h("button", { type: "button", onclick: () => askRename(s, area) }, "Rename", h("span", { class: "vh" }, ` ${s.name}`)),
          !s.is_default && h("button", { type: "button", class: "danger", onclick: () => askDelete(s, area) }, "Delete",
            h("span", { class: "vh" }, ` ${s.name}`))),
        area);
    }));
  }

  function newScheduleForm() {
    const name = field("New schedule's name", { name: "name", maxlength: 60, hint: "For example Mornings or Office hours." });
    const submit = h("button", { type: "submit" }, "Create schedule");
    const form = h("form", { novalidate: true, "aria-label": "New schedule" }, summaryBox(), name.wrap, h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        /** @type {Schedule} */
        const created = await busy(submit, () => api("/hosts/me/schedules", { method: "POST", body: { name: name.input.value.trim() } }), "Creating…");
        name.input.value = "";
        fill(status, `${created.name} was created: set its hours below.`);
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
    const name = field(`New name for ${s.name}`, { name: "name", value: s.name, maxlength: 60 });
    const save = h("button", { type: "submit", class: "primary" }, "Save name");
    const form = h("form", { novalidate: true, "aria-label": `Rename ${s.name}` }, summaryBox(), name.wrap,
      h("div", { class: "actions" }, save, h("button", { type: "button", onclick: () => fill(area) }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        const saved = await busy(save, () => api(path(s.id), { method: "PATCH", body: { name: name.input.value.trim() } }), "Saving…");
        fill(status, `${s.name} is now called ${saved.name}.`);
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
    const confirm = h("button", { type: "button", class: "danger primary" }, `Yes, delete ${s.name}`);
    confirm.addEventListener("click", async () => {
      try {
        await busy(confirm, () => api(path(s.id), { method: "DELETE" }), "Deleting…");
        fill(status, `${s.name} was deleted.`);
        await load(schedule?.id === s.id ? "default" : undefined);
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, `Delete ${s.name}? ${s.used_by.length ? "Event types still use it: point them at another schedule first." : "No event type uses it."}`),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, "Keep it"))));
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
    const zone = field("Time zone of these hours", { kind: "select", name: "time_zone", options: zoneOptions(current.time_zone) });
    zone.input.value = current.time_zone;
    zone.input.addEventListener("change", () => { current.time_zone = zone.input.value; });
    const submit = h("button", { type: "submit", class: "primary" }, "Save hours");
    const saved = h("p", { class: "status-line", role: "status" });
    const form = h("form", { novalidate: true, "aria-labelledby": "hours-of" },
      summaryBox(), zone.wrap,
      h("h4", {}, "Weekly hours"),
      h("ul", { class: "plain", "aria-label": "Weekly hours" }, DAYS.map(([key, name]) => dayRow(current, key, name))),
      h("h4", {}, "Date overrides"),
      h("p", { class: "hint" }, "A date override replaces that day's weekly hours: a day off, or other hours."),
      overridesList(current), addOverride(current),
      h("h4", {}, "Time off"),
      h("p", { class: "hint" }, "Whole days with nothing offered, whatever the hours say. The reason is only for you."),
      timeOffList(current), addTimeOff(current),
      h("div", { class: "actions" }, submit), saved);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      fill(saved);
      const { name, time_zone, weekly, overrides, time_off } = current;
      try {
        const stored = await busy(submit, () => api(path(current.id), { method: "PUT", body: { name, time_zone, weekly, overrides, time_off } }), "Saving…");
        schedules = schedules.map((s) => (s.id === stored.id ? stored : s));
        edit(stored);
        sayInForm("Hours saved.");
      } catch (error) {
        showErrors(form, error);
      }
    });
    saved.setAttribute("data-saved", "");
    fill(body, h("h3", { id: "hours-of", tabindex: "-1" }, `Hours of ${current.name}`), form);
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
      return h("div", { class: "hours-row" },
        timeInput([h("span", { class: "vh" }, `${name} `), `from${n}`], range[0], `weekly.${key}.${i}.0`, (v) => { range[0] = v; }),
        timeInput([h("span", { class: "vh" }, `${name} `), `until${n}`], range[1], `weekly.${key}.${i}.1`, (v) => { range[1] = v; }),
        h("button", { type: "button", class: "compact", onclick: () => {
          ranges.splice(i, 1);
          if (!ranges.length) delete current.weekly[key];
          draw(`[data-field="weekly.${key}"]`);
        } }, h("span", { "aria-hidden": "true" }, "✕"), h("span", { class: "vh" }, `Remove ${name} ${range[0]}–${range[1]}`)));
    });
    return h("li", {}, open.wrap, rows,
      ranges.length > 0 && h("button", { type: "button", class: "link", onclick: () => {
        const last = ranges[ranges.length - 1];
        ranges.push(last && last[1] < "23:00" ? [last[1], last[1] < "22:00" ? `${String(Number(last[1].slice(0, 2)) + 1).padStart(2, "0")}${last[1].slice(2)}` : "24:00"] : [...DEFAULT_RANGE]);
        draw(`[data-field="weekly.${key}.${ranges.length - 1}.0"]`);
      } }, "Add hours", h("span", { class: "vh" }, ` on ${name}`)));
  }

  /** @param {Schedule} current */
  function overridesList(current) {
    const dates = Object.keys(current.overrides).sort();
    if (!dates.length) return h("p", { class: "meta" }, "No date overrides.");
    return h("ul", { class: "plain", "aria-label": "Date overrides" }, dates.map((day) => {
      const ranges = current.overrides[day];
      const label = formatDay(day, LONG_DAY);
      return h("li", { "data-field": `overrides.${day}`, tabindex: "-1" },
        h("span", { class: "summary" }, label), ": ",
        ranges.length ? ranges.map((r) => `${r[0]}–${r[1]}`).join(", ") : "day off", " ",
        h("button", { type: "button", class: "link", onclick: () => {
          delete current.overrides[day];
          draw("#override-date");
        } }, "Remove", h("span", { class: "vh" }, ` override for ${label}`)));
    }));
  }

  /** @param {Schedule} current */
  function addOverride(current) {
    const date = field("Date", { name: "override_date", type: "date", id: "override-date" });
    const off = checkbox("Day off", { checked: true });
    const from = field("From", { name: "override_from", type: "time", step: 300, value: DEFAULT_RANGE[0] });
    const until = field("Until", { name: "override_until", type: "time", step: 300, value: DEFAULT_RANGE[1] });
    const times = h("div", { class: "row", hidden: true }, from.wrap, until.wrap);
    off.input.addEventListener("change", () => { times.hidden = off.input.checked; });
    const problem = h("p", { class: "error", role: "alert" });
    const add = h("button", { type: "button" }, "Add date override");
    add.addEventListener("click", () => {
      if (!date.input.value) {
        fill(problem, "Choose a date first.");
        date.input.focus();
        return;
      }
      current.overrides[date.input.value] = off.input.checked ? [] : [[from.input.value, until.input.value]];
      draw("#override-date");
      sayInForm("Override added: save hours to keep it.");
    });
    return h("fieldset", { class: "card" }, h("legend", {}, "Add a date override"), date.wrap, off.wrap, times,
      h("div", { class: "actions" }, add), problem);
  }

  /** @param {Schedule} current */
  function timeOffList(current) {
    if (!current.time_off.length) return h("p", { class: "meta" }, "No time off.");
    return h("ul", { class: "plain", "aria-label": "Time off" }, current.time_off.map((entry, i) => {
      const first = formatDay(entry.first_day, LONG_DAY);
      const label = entry.last_day === entry.first_day ? first : `${first} – ${formatDay(entry.last_day, LONG_DAY)}`;
      return h("li", { "data-field": `time_off.${i}`, tabindex: "-1" },
        h("span", { class: "summary" }, label), entry.reason ? ` · ${entry.reason}` : "", " ",
        h("button", { type: "button", class: "link", onclick: () => {
          current.time_off.splice(i, 1);
          draw("#time-off-first");
          sayInForm("Time off removed: save hours to keep the change.");
        } }, "Remove", h("span", { class: "vh" }, ` time off ${label}`)));
    }));
  }

  /** @param {Schedule} current */
  function addTimeOff(current) {
    const first = field("First day off", { name: "time_off_first", type: "date", id: "time-off-first" });
    const last = field("Last day off", { name: "time_off_last", type: "date" });
    const reason = field("Reason (only you see it)", { name: "time_off_reason", maxlength: 200 });
    const problem = h("p", { class: "error", role: "alert" });
    const add = h("button", { type: "button" }, "Add time off");
    add.addEventListener("click", () => {
      const firstDay = first.input.value;
      const lastDay = last.input.value || firstDay;
      if (!firstDay) {
        fill(problem, "Choose the first day off.");
        first.input.focus();
        return;
      }
      if (lastDay < firstDay) {
        fill(problem, "The last day off cannot be before the first.");
        last.input.focus();
        return;
      }
      /** @type {TimeOff} */
      const entry = { first_day: firstDay, last_day: lastDay };
      if (reason.input.value.trim()) entry.reason = reason.input.value.trim();
      current.time_off.push(entry);
      current.time_off.sort((a, b) => (a.first_day + a.last_day).localeCompare(b.first_day + b.last_day));
      draw("#time-off-first");
      sayInForm("Time off added: save hours to keep it.");
    });
    return h("fieldset", { class: "card" }, h("legend", {}, "Add time off"), h("div", { class: "row" }, first.wrap, last.wrap),
      reason.wrap, h("div", { class: "actions" }, add), problem);
  }

  /** The list again (which event types use which schedule), leaving the hours being edited as they are. */
  async function refreshList() {
    try {
      schedules = (await api("/hosts/me/schedules")).schedules;
      drawList();
      changed(schedules);
    } catch (error) {
      fill(status, `Schedules could not be refreshed. ${describe(error)}`);
    }
  }

  return { element, load, refreshList };
}
