// @ts-check
// Manage page /manage?booking=<id>#token=<manage token>: the token stays in the fragment, so it never
// reaches a server log or a Referer. View, reschedule, cancel, correct details, export or erase.
import { api, describe, showErrors, clearErrors, statusOf, summaryBox } from "./api.js";
import { byId, fill, h, field, busy, download } from "./dom.js";
import { createPicker } from "./picker.js";
import { addToCalendar, answerFacts, locationFacts, placeText, watchMeetingUrl } from "./booking-facts.js";
import { detectedZone, formatWhen, isPast, zoneOptions } from "./time.js";
import { initConsent } from "./consent.js";
import { withProof } from "./proof.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").ManagedBooking} ManagedBooking */
/** @typedef {import("./types.js").Slot} Slot */

const query = new URLSearchParams(location.search);
const id = query.get("booking");
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const title = byId("title");
const status = byId("status");
const page = byId("page");
const ACTIVE = new Set(["confirmed", "needs_attention"]);
// An email's "Reschedule" or "Cancel" button links here with `&action=…`: that step opens once, on arrival.
let action = query.get("action");
let stopWatching = () => {}; // the Meet link's watch of the booking drawn last

initConsent();
load();

/** @param {string} [message] what just happened, said in the status line */
async function load(message) {
  if (!id || !token) {
    status.className = "error";
    fill(status, t("This link is incomplete. Open the manage link from your booking confirmation."));
    return;
  }
  let booking;
  try {
    booking = await api(`/bookings/${encodeURIComponent(id)}`, { token });
  } catch (error) {
    status.className = "error";
    const invalid = [401, 403, 404].includes(statusOf(error));
    fill(status, invalid ? t("This manage link is not valid (or the booking was erased).") : describe(error));
    if (!invalid) status.append(" ", h("button", { type: "button", class: "link", onclick: () => load() }, t("Try again")));
    return;
  }
  render(booking, message);
}

/**
 * @param {ManagedBooking} booking
 * @param {string} [message]
 */
function render(booking, message) {
  stopWatching();
  const zone = booking.invitee.time_zone;
  const here = detectedZone();
  const active = ACTIVE.has(booking.status) && !isPast(booking.end);
  fill(title, booking.event_title);
  status.className = "status-line";
  fill(status, message || booking.status_message);
  const actions = h("div", { class: "actions" });
  const panel = h("div");
  if (active) {
    actions.append(
      h("button", { type: "button", class: "primary", onclick: () => reschedule(booking, panel) }, t("Reschedule")),
      h("button", { type: "button", class: "danger", onclick: () => cancel(booking, panel) }, t("Cancel booking")),
      h("button", { type: "button", onclick: () => editDetails(booking, panel) }, t("Correct my details")));
  }
  const summary = booking.event_title;
  const where = locationFacts(booking.location, booking.meeting_url);
  const answers = booking.answers || [];
  fill(page,
    h("section", { class: "card", "aria-labelledby": "when-title" },
      h("h2", { id: "when-title" }, t("When")),
      h("p", { class: "summary" }, `${formatWhen(booking.start, booking.end, zone)} (${zone})`),
      here !== zone && h("p", { class: "meta" }, t("{time} in your current zone ({zone})", { time: formatWhen(booking.start, booking.end, here), zone: here })),
      h("p", {}, h("span", { class: `badge ${!active ? "bad" : booking.status === "needs_attention" ? "warn" : "ok"}` }, statusText(booking.status))),
      // The status line above may be saying what just happened: the booking's own state stays in view.
      message && booking.status === "needs_attention" && h("p", { class: "notice warn" }, booking.status_message),
      mailFailedNotice(booking),
      h("dl", { class: "facts" },
        where.facts,
        h("dt", {}, t("Name")), h("dd", {}, booking.invitee.name),
        h("dt", {}, t("Email")), h("dd", {}, booking.invitee.email),
        booking.notes && [h("dt", {}, t("Notes")), h("dd", {}, booking.notes)]),
      answers.length > 0 && [h("h3", { id: "answers-title" }, t("Your answers")),
        h("dl", { class: "facts" }, answerFacts(answers))],
      active && addToCalendar({ id: booking.id, start: booking.start, end: booking.end, title: summary,
        place: placeText(booking.location, booking.meeting_url), token }),
      actions, panel),
    privacySection(booking));
  if (where.meetCell && !booking.meeting_url && active) stopWatching = watchMeetingUrl(booking.id, token, where.meetCell);
  if (active && action === "reschedule") reschedule(booking, panel);
  if (active && action === "cancel") cancel(booking, panel);
  action = null;
}

// Our email about the latest change was refused for good: this page is where the invitee can learn it.
/** @param {ManagedBooking} booking */
function mailFailedNotice(booking) {
  return booking.confirmation_mail === "failed" && h("p", { class: "notice bad" },
    t("We could not email you about this booking at {email}: the mail service refused it. Everything on this page is current, and your host has been told.",
      { email: booking.invitee.email }));
}

/**
 * @param {string} s
 * @returns {string}
 */
function statusText(s) {
  switch (s) {
    case "confirmed": return t("Confirmed");
    case "cancelled": return t("Cancelled");
    case "cancelled_by_host": return t("Cancelled by the host");
    case "needs_attention": return t("Time being confirmed by the host");
    default: return s;
  }
}

/**
 * @param {ManagedBooking} booking
 * @param {HTMLElement} panel
 */
function reschedule(booking, panel) {
  const host = booking.host_slug || query.get("host");
  const type = booking.event_type_slug || query.get("type");
  if (!host || !type) {
    fill(panel, h("p", { class: "error", role: "alert" }, t("This link does not say which booking page to pick a new time from.")));
    return;
  }
  const alert = h("div", { class: "notice bad", role: "alert", tabindex: "-1", hidden: true });
  const confirmBox = h("div");
  // The manage token opens the times of a private event type too (its booking may move).
  const picker = createPicker({ host, type, zone: booking.invitee.time_zone, request: { token },
    level: 4, onPick: (slot, zone) => confirmMove(slot, zone),
    onUnavailable: () => fill(panel, h("p", { class: "notice", role: "status" },
      t("The host cannot take bookings at the moment, so no new time can be picked now. Your booking stays as it is."))) });
  const heading = h("h3", { id: "move-title", tabindex: "-1" }, t("Pick a new time"));
  fill(panel, h("section", { "aria-labelledby": "move-title" }, heading, alert, picker.element, confirmBox,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => fill(panel) }, t("Keep the current time")))));
  heading.focus();

  /**
   * @param {Slot} slot
   * @param {string} zone
   */
  function confirmMove(slot, zone) {
    const confirm = h("button", { type: "button", class: "primary" }, t("Confirm new time"));
    confirm.addEventListener("click", async () => {
      try {
        const move = (/** @type {Record<string, string>} */ proof) => api(`/bookings/${encodeURIComponent(booking.id)}/reschedule`,
          { method: "POST", body: { start: slot.start }, token, headers: proof });
        const moved = await busy(confirm, () => withProof(move), t("Moving…")); // a bot-gated type: solved quietly
        render(moved, t("Your booking was moved to {time}.", { time: formatWhen(moved.start, moved.end, zone) }));
        status.focus?.();
      } catch (error) {
        alert.hidden = false;
        const taken = statusOf(error) === 409;
        fill(alert, taken ? t("Sorry, that time was just taken. The free times have been refreshed: please pick another.") : describe(error));
        fill(confirmBox);
        alert.focus();
        if (taken) picker.refresh();
      }
    });
    const question = h("p", { class: "summary", id: "move-summary", tabindex: "-1" },
      t("Move to {time} ({zone})?", { time: formatWhen(slot.start, slot.end, zone), zone }));
    fill(confirmBox, h("div", { class: "notice" }, question, h("div", { class: "actions" }, confirm)));
    question.focus();
  }
}

/**
 * @param {ManagedBooking} booking
 * @param {HTMLElement} panel
 */
function cancel(booking, panel) {
  const reason = field(t("Reason (optional)"), { kind: "textarea", name: "reason", maxlength: 500,
    hint: t("The host sees this reason.") });
  const submit = h("button", { type: "submit", class: "danger primary" }, t("Confirm cancellation"));
  const form = h("form", { novalidate: true, "aria-labelledby": "cancel-title" }, summaryBox(), reason.wrap,
    h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => fill(panel) }, t("Keep my booking"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = reason.input.value.trim();
    try {
      const cancelled = await busy(submit, () => api(`/bookings/${encodeURIComponent(booking.id)}/cancel`,
        { method: "POST", body: text ? { reason: text } : {}, token }), t("Cancelling…"));
      render(cancelled, t("Your booking is cancelled. The host's calendar has been updated."));
    } catch (error) {
      showErrors(form, error);
    }
  });
  fill(panel, h("h3", { id: "cancel-title" }, t("Cancel this booking")), form);
  reason.input.focus();
}

/**
 * @param {ManagedBooking} booking
 * @param {HTMLElement} panel
 */
function editDetails(booking, panel) {
  const name = field(t("Name"), { name: "name", autocomplete: "name", value: booking.invitee.name, maxlength: 100 });
  const email = field(t("Email"), { name: "email", type: "email", autocomplete: "email", value: booking.invitee.email, maxlength: 254 });
  const zone = field(t("Your time zone"), { kind: "select", name: "time_zone", options: zoneOptions(booking.invitee.time_zone) });
  zone.input.value = booking.invitee.time_zone;
  const submit = h("button", { type: "submit", class: "primary" }, t("Save my details"));
  const form = h("form", { novalidate: true, "aria-labelledby": "edit-title" }, summaryBox(), name.wrap, email.wrap, zone.wrap,
    h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => fill(panel) }, t("Discard changes"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { name: name.input.value.trim(), email: email.input.value.trim(), time_zone: zone.input.value };
    try {
      const saved = await busy(submit, () => api(`/bookings/${encodeURIComponent(booking.id)}`, { method: "PATCH", body, token }), t("Saving…"));
      render(saved, t("Your details were saved."));
    } catch (error) {
      showErrors(form, error);
    }
  });
  fill(panel, h("h3", { id: "edit-title" }, t("Correct my details")), form);
  name.input.focus();
}

/** @param {ManagedBooking} booking */
function privacySection(booking) {
  const result = h("div", { role: "status" });
  const confirmArea = h("div");
  const exportButton = h("button", { type: "button" }, t("Download my data"));
  exportButton.addEventListener("click", async () => {
    try {
      const data = await busy(exportButton, () => api("/privacy/export", { token }), t("Preparing…"));
      download(`kaleno-my-data-${booking.id}.json`, JSON.stringify(data, null, 2), "application/json");
      fill(result, t("Your data was downloaded as a JSON file."));
    } catch (error) {
      fill(result, h("p", { class: "error" }, describe(error)));
    }
  });
  const eraseButton = h("button", { type: "button", class: "danger" }, t("Erase my details"));
  eraseButton.addEventListener("click", () => {
    const confirm = h("button", { type: "button", class: "danger primary" }, t("Erase them for good"));
    confirm.addEventListener("click", async () => {
      try {
        await busy(confirm, () => api("/privacy/erase", { method: "POST", token }), t("Erasing…"));
        load(t("Your name, email, phone number, notes and answers were erased from this booking. The time stays booked."));
      } catch (error) {
        fill(result, h("p", { class: "error" }, describe(error)));
      }
    });
    fill(confirmArea, h("div", { class: "notice warn" },
      h("p", {}, t("Your name, email, phone number, notes and answers will be removed from this booking, and from the host's calendar. The booked time stays. This cannot be undone.")),
      h("div", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(confirmArea) }, t("Keep my details")))));
    confirm.focus();
  });
  return h("section", { class: "card", "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, t("Your data")),
    h("p", {}, t("Download or erase what Kaleno holds about you in this booking."), " ",
      h("a", { href: "/privacy-rights" }, t("All your bookings, with every host")), " ",
      t("need a link mailed to your address."), " ",
      h("a", { href: "/privacy-policy" }, t("How Kaleno uses your data")), "."),
    h("div", { class: "actions" }, exportButton, eraseButton), confirmArea, result);
}
