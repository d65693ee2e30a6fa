// Dashboard: weekly hours and date overrides (GET/PUT /hosts/me/schedule).
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, checkbox, busy, uid } from "./dom.js";
import { formatDay, zoneOptions } from "./time.js";

const DAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"],
  ["sat", "Saturday"], ["sun", "Sunday"]];
const DEFAULT_RANGE = ["09:00", "17:00"];

function timeInput(label, value, dataField, onChange) {
  const id = uid("time");
  const input = h("input", { id, type: "time", step: 300, value, "data-field": dataField, required: true });
  input.addEventListener("change", () => onChange(input.value));
  return h("div", { class: "time-field" }, h("label", { for: id }, label), input);
}

export function hoursSection() {
  let schedule = null;
  const status = h("p", { class: "status-line", role: "status" }, "Loading hours…");
  const body = h("div");
  const element = h("section", { class: "card", "aria-labelledby": "hours-title" },
    h("h2", { id: "hours-title" }, "Hours"), status, body);

  async function load() {
    try {
      schedule = await api("/hosts/me/schedule");
      schedule.weekly ??= {};
      schedule.overrides ??= {};
      fill(status);
      draw();
    } catch (error) {
      status.className = "error";
      fill(status, `Hours could not be loaded. ${describe(error)} `, h("button", { type: "button", class: "link", onclick: load }, "Try again"));
    }
  }

  function draw(focusSelector) {
    const zone = field("Time zone of these hours", { kind: "select", name: "time_zone", options: zoneOptions(schedule.time_zone) });
    zone.input.value = schedule.time_zone;
    zone.input.addEventListener("change", () => { schedule.time_zone = zone.input.value; });
    const submit = h("button", { type: "submit", class: "primary" }, "Save hours");
    const saved = h("p", { class: "status-line", role: "status" });
    const form = h("form", { novalidate: true, "aria-labelledby": "hours-title" },
      summaryBox(), zone.wrap,
      h("h3", {}, "Weekly hours"),
      h("ul", { class: "plain", "aria-label": "Weekly hours" }, DAYS.map(([key, name]) => dayRow(key, name))),
      h("h3", {}, "Date overrides"),
      h("p", { class: "hint" }, "A date override replaces that day's weekly hours: a day off, or other hours."),
      overridesList(), addOverride(),
      h("div", { class: "actions" }, submit), saved);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      fill(saved);
      try {
        schedule = await busy(submit, () => api("/hosts/me/schedule", { method: "PUT", body: schedule }), "Saving…");
        schedule.overrides ??= {};
        draw();
        fill(body.querySelector("[data-saved]"), "Hours saved.");
      } catch (error) {
        showErrors(form, error);
      }
    });
    saved.setAttribute("data-saved", "");
    fill(body, form);
    if (focusSelector) body.querySelector(focusSelector)?.focus();
  }

  function dayRow(key, name) {
    const ranges = schedule.weekly[key] || [];
    const open = checkbox(name, { checked: ranges.length > 0, "data-field": `weekly.${key}` });
    open.input.addEventListener("change", () => {
      if (open.input.checked) schedule.weekly[key] = [[...DEFAULT_RANGE]];
      else delete schedule.weekly[key];
      draw(`[data-field="weekly.${key}"]`);
    });
    const rows = ranges.map((range, i) => {
      const n = ranges.length > 1 ? ` (${i + 1})` : "";
      return h("div", { class: "hours-row" },
        timeInput([h("span", { class: "vh" }, `${name} `), `from${n}`], range[0], `weekly.${key}.${i}.0`, (v) => { range[0] = v; }),
        timeInput([h("span", { class: "vh" }, `${name} `), `until${n}`], range[1], `weekly.${key}.${i}.1`, (v) => { range[1] = v; }),
        h("button", { type: "button", class: "compact", onclick: () => {
          ranges.splice(i, 1);
          if (!ranges.length) delete schedule.weekly[key];
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

  function overridesList() {
    const dates = Object.keys(schedule.overrides).sort();
    if (!dates.length) return h("p", { class: "meta" }, "No date overrides.");
    return h("ul", { class: "plain", "aria-label": "Date overrides" }, dates.map((day) => {
      const ranges = schedule.overrides[day];
      const label = formatDay(day, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
      return h("li", { "data-field": `overrides.${day}`, tabindex: "-1" },
        h("span", { class: "summary" }, label), ": ",
        ranges.length ? ranges.map((r) => `${r[0]}–${r[1]}`).join(", ") : "day off", " ",
        h("button", { type: "button", class: "link", onclick: () => {
          delete schedule.overrides[day];
          draw("#override-date");
        } }, "Remove", h("span", { class: "vh" }, ` override for ${label}`)));
    }));
  }

  function addOverride() {
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
      schedule.overrides[date.input.value] = off.input.checked ? [] : [[from.input.value, until.input.value]];
      draw("#override-date");
      fill(body.querySelector("[data-saved]"), "Override added: save hours to keep it.");
    });
    return h("fieldset", { class: "card" }, h("legend", {}, "Add a date override"), date.wrap, off.wrap, times,
      h("div", { class: "actions" }, add), problem);
  }

  load();
  return { element, load };
}
