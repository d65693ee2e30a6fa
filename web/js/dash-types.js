// @ts-check
// Dashboard: event types (create, edit, delete, copy the public link), with their location and questions, their
// visibility (public or private), their single-use links (dash-links.js) and a public one's QR code and embed
// snippets (dash-share.js).
import { api, ApiError, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy, uid } from "./dom.js";
import { locationEditor, questionsEditor } from "./dash-questions.js";
import { locationKindText } from "./booking-facts.js";
import { linksDisclosure } from "./dash-links.js";
import { shareDisclosure } from "./dash-share.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./types.js").EventType} EventType */
/** @typedef {import("./types.js").Schedule} Schedule */
/** @typedef {import("./types.js").GetHost} GetHost */
/** @typedef {import("./types.js").HostBooking} HostBooking */

/**
 * The event type's settings that are a number (some optional: null).
 * @typedef {"duration_minutes" | "booking_window_days" | "reminder_minutes_before" | "min_notice_minutes"
 *   | "buffer_before_minutes" | "buffer_after_minutes" | "slot_step_minutes" | "daily_limit" | "weekly_limit"
 *   | "monthly_limit" | "daily_minutes_limit" | "weekly_minutes_limit"} NumberSetting
 */

/** @type {[NumberSetting, string, {min: number, max?: number, step?: number, hint?: string}][]} */
const NUMBERS = [
  ["duration_minutes", t("Duration (minutes)"), { min: 5, max: 720, step: 5 }],
  ["booking_window_days", t("Booking window (days ahead)"), { min: 1, max: 366 }],
  ["reminder_minutes_before", t("Reminder email (minutes before)"), { min: 0, max: 10080, step: 5, hint: t("0: no reminder.") }],
  ["min_notice_minutes", t("Minimum notice (minutes)"), { min: 0, step: 5 }],
  ["buffer_before_minutes", t("Buffer before (minutes)"), { min: 0, max: 240, step: 5 }],
  ["buffer_after_minutes", t("Buffer after (minutes)"), { min: 0, max: 240, step: 5 }],
  ["slot_step_minutes", t("Start times every (minutes)"), { min: 5, max: 720, step: 5 }],
  ["daily_limit", t("Daily limit (bookings)"), { min: 1 }],
  ["weekly_limit", t("Weekly limit (bookings)"), { min: 1, max: 2000 }],
  ["monthly_limit", t("Monthly limit (bookings)"), { min: 1, max: 2000 }],
  ["daily_minutes_limit", t("Daily limit (booked minutes)"), { min: 5, max: 1440, step: 5 }],
  ["weekly_minutes_limit", t("Weekly limit (booked minutes)"), { min: 5, max: 10080, step: 5 }],
];
const MAIN = 3; // the first three numbers are always shown, the others under "More options"
/** @type {[string, string][]} */
const BOT_GATE = [
  ["auto", t("Automatic: only when bookings arrive unusually fast")],
  ["always", t("Always: every booking")],
];
/** @type {[string, string][]} */
const VISIBILITY = [
  ["public", t("Public: listed on your page, anyone with its address can book")],
  ["private", t("Private: not listed, bookable only through a single-use link")],
];
/** @type {[string, string][]} */
const TEAM_VISIBILITY = [
  ["public", t("Public: listed on the team's page")],
  ["private", t("Private: booked only through a single-use link")],
];

/**
 * @param {string} text
 * @returns {string}
 */
export const slugify = (text) => text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
  .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);

/** A URL or an email address as text that may wrap after each "/" or "@" (a <wbr> there), so a long address never forces a narrow
 * screen to scroll sideways or squeezes its column.
 * @param {string} url
 * @returns {(string | HTMLElement)[]}
 */
export const breakableUrl = (url) => url.split(/(?<=[/@])/).flatMap((part, i) => (i ? [h("wbr"), part] : [part]));

/**
 * `onSaved()`: told after an event type is saved or deleted (the schedules list shows which types use which).
 * @param {GetHost} getHost
 * @param {() => void} [onSaved]
 * @returns {import("./types.js").Section}
 */
export function eventTypesSection(getHost, onSaved = () => {}) {
  /** @type {EventType[]} */
  let types = [];
  /** @type {Schedule[]} */
  let schedules = []; // from the Hours section
  /** @param {string | null} id */
  const scheduleName = (id) => schedules.find((s) => s.id === (id ?? "default"))?.name;
  const list = h("ul", { class: "plain", "aria-label": t("Your event types") }, h("li", { class: "placeholder", "aria-hidden": "true" }));
  const status = h("p", { class: "status-line", role: "status" }, t("Loading event types…"));
  const formArea = h("div", { class: "form-placeholder" });
  const element = h("section", { class: "card", "aria-labelledby": "types-title" },
    h("h2", { id: "types-title" }, t("Event types")), status, list, formArea);

  /** @param {EventType} type */
  const link = (type) => `${location.origin}/${encodeURIComponent(getHost().slug)}/${encodeURIComponent(type.slug)}`;

  async function load() {
    try {
      // The form offers the schedules (the Availability section may not have been opened).
      [{ event_types: types }, { schedules }] = await Promise.all([api("/hosts/me/event-types"), api("/hosts/me/schedules")]);
      formArea.classList.remove("form-placeholder");
      fill(status, types.length ? "" : t("No event types yet: create one so people can book you."));
      draw();
    } catch (error) {
      status.className = "error";
      fill(status, `${t("Event types could not be loaded.")} ${describe(error)} `, h("button", { type: "button", class: "link", onclick: load }, t("Try again")));
    }
  }

  function draw() {
    fill(list, types.map((type) => {
      const copied = h("span", { role: "status", class: "meta" });
      const confirmArea = h("div");
      const isPrivate = type.visibility === "private";
      const { button: linksToggle, area: linksArea } = linksDisclosure(type, getHost);
      const { button: shareToggle, area: shareArea } = shareDisclosure(type, () => getHost().slug);
      return h("li", {},
        h("h3", {}, type.title, isPrivate && [" ", h("span", { class: "badge warn" }, t("Private"))]),
        h("p", { class: "meta" }, [tn("{count} minute", "{count} minutes", type.duration_minutes),
          tn("up to {count} day ahead", "up to {count} days ahead", type.booking_window_days),
          type.schedule_id && scheduleName(type.schedule_id) && t("hours of {schedule}", { schedule: scheduleName(type.schedule_id) }),
          type.daily_limit && t("at most {count} a day", { count: type.daily_limit }),
          type.weekly_limit && t("at most {count} a week", { count: type.weekly_limit }),
          type.monthly_limit && t("at most {count} a month", { count: type.monthly_limit }),
          type.daily_minutes_limit && t("at most {count} minutes a day", { count: type.daily_minutes_limit }),
          type.weekly_minutes_limit && t("at most {count} minutes a week", { count: type.weekly_minutes_limit }),
          type.seats > 1 && tn("{count} seat per time", "{count} seats per time", type.seats),
          type.location && locationKindText(type.location.kind),
          type.questions.length > 0 && tn("{count} question", "{count} questions", type.questions.length)]
          .filter(Boolean).join(" · ")),
        isPrivate
          ? h("p", { class: "hint" }, t("Not listed on your page: its address answers “not found” unless opened with a single-use link."))
          : h("p", { class: "share-link" }, h("a", { href: link(type) }, breakableUrl(link(type)))),
        h("div", { class: "actions" },
          !isPrivate && h("button", { type: "button", onclick: () => copy(link(type), copied) }, t("Copy link"), h("span", { class: "vh" }, ` ${t("for {title}", { title: type.title })}`)),
          !isPrivate && shareToggle,
          linksToggle,
          h("button", { type: "button", onclick: () => showForm(type) }, t("Edit"), h("span", { class: "vh" }, ` ${type.title}`)),
          h("button", { type: "button", class: "danger", onclick: () => askDelete(type, confirmArea) }, t("Delete"), h("span", { class: "vh" }, ` ${type.title}`)),
          copied),
        confirmArea, !isPrivate && shareArea, linksArea);
    }));
    if (!formArea.childElementCount) showForm(null);
  }

  /**
   * @param {string} url
   * @param {HTMLElement} out
   */
  async function copy(url, out) {
    try {
      await navigator.clipboard.writeText(url);
      fill(out, t("Link copied."));
    } catch {
      fill(out, t("Copying is blocked here: select the link above and copy it."));
    }
  }

  /**
   * @param {EventType} type
   * @param {HTMLElement} area
   */
  function askDelete(type, area) {
    const confirm = h("button", { type: "button", class: "danger primary" }, t("Yes, delete {title}", { title: type.title }));
    confirm.addEventListener("click", async () => {
      try {
        await busy(confirm, () => api(`/hosts/me/event-types/${encodeURIComponent(type.id)}`, { method: "DELETE" }), t("Deleting…"));
        types = types.filter((other) => other.id !== type.id);
        fill(status, t("{title} was deleted.", { title: type.title }));
        draw();
        onSaved();
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, t("Delete {title}? Its booking page stops working; bookings already made stay.", { title: type.title })),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, t("Keep it")))));
    confirm.focus();
  }

  /** @param {EventType | null} type null: a new one */
  function showForm(type) {
    const editing = type !== null;
    const headingId = "type-form-title";
    const fields = typeFields(type, { schedules });
    const submit = h("button", { type: "submit", class: "primary" }, editing ? t("Save event type") : t("Create event type"));
    const form = h("form", { novalidate: true, "aria-labelledby": headingId }, summaryBox(), fields.parts,
      h("div", { class: "actions" }, submit, editing && h("button", { type: "button", onclick: () => showForm(null) }, t("Cancel editing"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = fields.body(editing);
      try {
        /** @type {EventType} */
        const saved = await busy(submit, () => type
          ? api(`/hosts/me/event-types/${encodeURIComponent(type.id)}`, { method: "PATCH", body })
          : api("/hosts/me/event-types", { method: "POST", body }), t("Saving…"));
        types = editing ? types.map((other) => (other.id === saved.id ? saved : other)) : [...types, saved];
        fill(status, editing ? t("{title} was saved.", { title: saved.title }) : t("{title} was created.", { title: saved.title }));
        fill(formArea);
        draw();
        onSaved();
      } catch (error) {
        fields.showErrors(form, error);
      }
    });
    const heading = h("h3", { id: headingId, tabindex: "-1" }, type ? t("Edit {title}", { title: type.title }) : t("New event type"));
    fill(formArea, heading, form);
    if (editing) heading.focus();
  }

  /**
   * The schedules the form offers, from the Hours section; an open form keeps what was chosen in it.
   * @param {Schedule[]} list
   */
  function setSchedules(list) {
    schedules = list;
    /** @type {HTMLSelectElement | null} */
    const select = formArea.querySelector('select[name="schedule_id"]');
    if (select) {
      const chosen = select.value;
      fill(select, schedules.map((s) => h("option", { value: s.is_default ? "" : s.id }, s.is_default ? t("{schedule} (default)", { schedule: s.name }) : s.name)));
      select.value = schedules.some((s) => (s.is_default ? "" : s.id) === chosen) ? chosen : "";
    }
    if (types.length) draw(); // the list names each type's schedule
  }

  return { element, load, refreshLinks: draw, setSchedules };
}

/**
 * The event type form's fields, for a host's type or a team's (`team`: no schedule and no seats, since a team
 * type offers each member's own hours one-to-one).
 * `parts` go in the form; `body(editing)` is what to send (PATCH: a cleared number is null, its default);
 * `showErrors` marks a 422's field errors in the form's words.
 * @param {EventType | null} type null: a new one
 * @param {{schedules?: Schedule[], team?: boolean}} [options]
 */
export function typeFields(type, { schedules = [], team = false } = {}) {
  const editing = type !== null;
  const titleField = field(t("Title"), { name: "title", value: type?.title ?? "", maxlength: 200 });
  const slugField = field(t("Address (slug)"), { name: "slug", value: type?.slug ?? "", maxlength: 60, autocapitalize: "none",
    spellcheck: "false", hint: t("Lowercase letters, digits and hyphens: the last part of the booking page's address.") });
  let slugTouched = editing;
  slugField.input.addEventListener("input", () => { slugTouched = true; });
  titleField.input.addEventListener("input", () => { if (!slugTouched) slugField.input.value = slugify(titleField.input.value); });
  const description = field(t("Description (optional)"), { kind: "textarea", name: "description", maxlength: 2000,
    value: type?.description ?? "", hint: t("Plain text under the title on the booking page; line breaks are kept and links work.") });
  /** @type {Partial<Record<NumberSetting, number>>} */
  const defaults = { duration_minutes: 30, booking_window_days: 60, reminder_minutes_before: 1440 };
  const numbers = NUMBERS.map(([name, label, attrs]) => /** @type {const} */ ([name, field(label, {
    name, type: "number", inputmode: "numeric", value: type?.[name] ?? defaults[name] ?? "", ...attrs,
  })]));
  const seats = team ? null : seatsField(type);
  const visibility = field(t("Visibility"), { kind: "select", name: "visibility", options: team ? TEAM_VISIBILITY : VISIBILITY });
  visibility.input.value = type?.visibility ?? "public";
  const botGate = field(t("Bot check"), { kind: "select", name: "bot_gate", options: BOT_GATE,
    hint: t("Invitees' browsers solve a short puzzle in the background before booking; nobody is asked anything.") });
  botGate.input.value = type?.bot_gate ?? "auto";
  const scheduleField = field(t("Hours from schedule"), { kind: "select", name: "schedule_id",
    options: schedules.map((s) => [s.is_default ? "" : s.id, s.is_default ? t("{schedule} (default)", { schedule: s.name }) : s.name]),
    hint: t("Which of your schedules (under Availability) gives this event type's hours.") });
  scheduleField.input.value = type?.schedule_id && type.schedule_id !== "default" ? type.schedule_id : "";
  const guestsId = uid("seats-show-attendees");
  const showGuests = h("input", { type: "checkbox", name: "seats_show_attendees", id: guestsId,
    "data-field": "seats_show_attendees", checked: Boolean(type?.seats_show_attendees) });
  const showGuestsWrap = h("div", { class: "check" }, showGuests,
    h("label", { for: guestsId, class: "inline" }, t("Invitees of a group session see each other in the invitation")));
  const where = locationEditor(type?.location ?? null);
  const questions = questionsEditor(type?.questions ?? []);
  const parts = [titleField.wrap, slugField.wrap, description.wrap,
    h("div", { class: "row" }, numbers.slice(0, MAIN).map(([, f]) => f.wrap)),
    !team && scheduleField.wrap,
    visibility.wrap,
    where.element,
    questions.element,
    moreOptions(h("div", { class: "row" }, numbers.slice(MAIN).map(([, f]) => f.wrap)), seats?.element, !team && showGuestsWrap,
      botGate.wrap)];

  /** @param {boolean} patching */
  function body(patching) {
    /** @type {Record<string, unknown>} */
    const sent = { title: titleField.input.value.trim(), slug: slugField.input.value.trim(),
      description: description.input.value.trim(), location: where.value(), questions: questions.value(), bot_gate: botGate.input.value,
      visibility: visibility.input.value };
    if (!team) {
      Object.assign(sent, { seats_show_attendees: showGuests.checked });
      if (scheduleField.input.value) sent.schedule_id = scheduleField.input.value;
      else if (patching) sent.schedule_id = null; // PATCH: null is the default schedule
    }
    for (const [name, f] of numbers) {
      const raw = f.input.value.trim();
      if (raw !== "") sent[name] = Number(raw);
      else if (patching) sent[name] = null; // PATCH: null puts an optional field back to its default
    }
    const seatCount = seats?.value();
    if (seatCount !== undefined) sent.seats = seatCount;
    return sent;
  }

  /**
   * The API's field paths and words, turned into the form's fields and words.
   * @param {HTMLElement} form
   * @param {unknown} error
   */
  function markErrors(form, error) {
    /** @type {Record<string, string>} */
    const aliases = {};
    for (const problem of error instanceof ApiError ? error.fields : []) {
      const path = String(problem.field || "");
      problem.message = questions.message(path, where.message(path, String(problem.message)));
      const alias = questions.alias(path);
      if (alias) aliases[path] = alias;
    }
    showErrors(form, error, aliases);
  }

  return { parts, body, showErrors: markErrors };
}

/**
 * The options most event types leave as they are, behind a disclosure button (hidden, not merely collapsed).
 * @param {...import("./dom.js").Child} parts
 */
function moreOptions(...parts) {
  const area = h("div", { id: uid("type-more-options"), hidden: true }, parts);
  const toggle = h("button", { type: "button", class: "link disclosure", "aria-expanded": "false", "aria-controls": area.id },
    t("More options"));
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    area.hidden = !open;
  });
  return h("div", { class: "more-options" }, h("p", {}, toggle), area);
}

/** Seats per time: editable until the type has bookings (they were made one-to-one or as seats of a group
 * session, and the API keeps a type the kind it is), then shown with the reason.
 * @param {EventType | null} type
 */
function seatsField(type) {
  const input = field(t("Seats per time (more than 1: a group session)"), { name: "seats", type: "number", inputmode: "numeric",
    min: 1, max: 200, value: type?.seats ?? 1 });
  const element = h("div", { class: "field" }, input.wrap);
  let fixed = false;
  if (type) {
    hasBookings(type).then((booked) => {
      if (!booked || !element.isConnected) return;
      fixed = true;
      fill(element, h("p", { class: "label-like" }, t("Seats per time")),
        h("p", { "data-field": "seats" }, h("strong", {}, String(type.seats)), " ", type.seats > 1 ? t("(a group session)") : t("(one-to-one)")),
        h("p", { class: "hint" }, type.seats > 1
          ? t("Fixed: this event type has bookings, made as seats of group sessions. Create a new event type for one-to-one meetings.")
          : t("Fixed: this event type has bookings, made one-to-one. Create a new event type for group sessions.")));
    }).catch(() => {}); // unknown: the field stays, and the API says why if a change is refused
  }
  return { element, value: () => (fixed || input.input.value.trim() === "" ? undefined : Number(input.input.value)) };
}

/**
 * @param {EventType} type
 * @returns {Promise<boolean>}
 */
async function hasBookings(type) {
  /**
   * @param {string} when
   * @returns {Promise<{bookings: HostBooking[]}>}
   */
  const ask = (when) => api(`/hosts/me/bookings?${new URLSearchParams({ when, event_type: type.id, limit: "1" })}`);
  const [upcoming, past] = await Promise.all([ask("upcoming"), ask("past")]);
  return upcoming.bookings.length + past.bookings.length > 0;
}

