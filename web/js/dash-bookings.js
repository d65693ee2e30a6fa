// Dashboard: the host's bookings, with calendar sync state, moved-in-Google flags, and cancel.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy } from "./dom.js";
import { formatWhen } from "./time.js";

const STATUS = {
  confirmed: ["Confirmed", "ok"],
  needs_attention: ["Needs attention", "warn"],
  cancelled: ["Cancelled", "bad"],
  cancelled_by_host: ["Deleted in Google Calendar", "bad"],
};
const SYNC = {
  synced: ["In your calendar", "ok"],
  pending: ["Updating your calendar…", ""],
  failed: ["Calendar update failed", "bad"],
};
const ACTIVE = new Set(["confirmed", "needs_attention"]);

export function bookingsSection(getHost) {
  const highlight = new URLSearchParams(location.search).get("booking");
  const status = h("p", { class: "status-line", role: "status" });
  const upcoming = h("ul", { class: "plain", "aria-label": "Upcoming bookings" });
  const cancelled = h("ul", { class: "plain", "aria-label": "Cancelled bookings" });
  const refresh = h("button", { type: "button", onclick: () => load() }, "Refresh bookings");
  const element = h("section", { class: "card", "aria-labelledby": "bookings-title" },
    h("h2", { id: "bookings-title" }, "Bookings"),
    h("p", { class: "actions" }, refresh), status,
    h("h3", {}, "Upcoming"), upcoming,
    h("h3", {}, "Cancelled"), cancelled,
    h("p", { class: "hint" }, "Bookings that have ended are not listed."));
  let focused = false;

  async function load() {
    fill(status, "Loading bookings…");
    element.setAttribute("aria-busy", "true");
    try {
      const { bookings } = await busy(refresh, () => api("/hosts/me/bookings"));
      const zone = getHost().time_zone;
      const active = bookings.filter((b) => ACTIVE.has(b.status));
      const gone = bookings.filter((b) => !ACTIVE.has(b.status));
      fill(upcoming, active.length ? active.map((b) => item(b, zone)) : h("li", { class: "meta" }, "No upcoming bookings."));
      fill(cancelled, gone.length ? gone.map((b) => item(b, zone)) : h("li", { class: "meta" }, "None."));
      fill(status, `${active.length} upcoming, ${gone.length} cancelled. Times in ${zone}.`);
      const target = highlight && element.querySelector(`[data-booking="${CSS.escape(highlight)}"]`);
      if (target && !focused) {
        focused = true;
        target.focus();
      }
    } catch (error) {
      fill(status, h("span", { class: "error" }, `Bookings could not be loaded. ${describe(error)}`));
    } finally {
      element.removeAttribute("aria-busy");
    }
  }

  function item(booking, zone) {
    const [statusText, statusClass] = STATUS[booking.status] || [booking.status, ""];
    const [syncText, syncClass] = SYNC[booking.sync_state] || [booking.sync_state, ""];
    const area = h("div");
    const li = h("li", { "data-booking": booking.id, tabindex: "-1", class: booking.id === highlight ? "highlight" : "" },
      h("h4", { class: "summary" }, `${booking.event_title}: ${booking.invitee.name}`),
      h("p", {}, formatWhen(booking.start, booking.end, zone)),
      h("p", { class: "meta" }, booking.invitee.email, booking.invitee.time_zone !== zone ? ` · their zone ${booking.invitee.time_zone}` : ""),
      booking.notes && h("p", { class: "meta" }, `Notes: ${booking.notes}`),
      h("p", {}, h("span", { class: `badge ${statusClass}` }, statusText), " ",
        ACTIVE.has(booking.status) && h("span", { class: `badge ${syncClass}` }, syncText)),
      booking.status === "needs_attention" && h("p", { class: "notice warn" },
        "This meeting was moved in Google Calendar. Kaleno still holds the booked time above: tell the invitee, or cancel the booking."),
      booking.sync_state === "failed" && ACTIVE.has(booking.status) && h("p", { class: "notice bad" },
        "Kaleno could not update this meeting in your calendar", booking.sync_error ? ` (${booking.sync_error})` : "",
        ". It retries after you reconnect your calendar."),
      ACTIVE.has(booking.status) && h("p", { class: "actions" }, h("button", { type: "button", class: "danger",
        onclick: () => askCancel(booking, area) }, "Cancel booking", h("span", { class: "vh" }, ` with ${booking.invitee.name}`))),
      area);
    return li;
  }

  function askCancel(booking, area) {
    const reason = field("Reason (optional)", { kind: "textarea", name: "reason", maxlength: 500, hint: "Shown to the invitee." });
    const submit = h("button", { type: "submit", class: "danger primary" }, "Confirm cancellation");
    const form = h("form", { novalidate: true, "aria-label": `Cancel booking with ${booking.invitee.name}` }, summaryBox(), reason.wrap,
      h("p", { class: "actions" }, submit, h("button", { type: "button", onclick: () => fill(area) }, "Keep booking")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const text = reason.input.value.trim();
      try {
        await busy(submit, () => api(`/hosts/me/bookings/${encodeURIComponent(booking.id)}/cancel`,
          { method: "POST", body: text ? { reason: text } : {} }), "Cancelling…");
        await load();
      } catch (error) {
        showErrors(form, error);
      }
    });
    fill(area, form);
    reason.input.focus();
  }

  return { element, load };
}
