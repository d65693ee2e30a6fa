// @ts-check
// Dashboard: the host's bookings, upcoming or past, with answers, location, calendar sync state and what
// happened in Google (a move onto another booking's time waits for the host: keep it or put it back);
// reschedule to an offered time, or cancel with a reason. Filters by status, event type and dates ask the API; the
// search by invitee name or email looks through the bookings loaded in the page. A group session is one row.
import { api, ApiError, describe, showErrors, clearErrors, statusOf, summaryBox } from "./api.js";
import { fill, h, field, busy, uid } from "./dom.js";
import { formatWhen, addDays } from "./time.js";
import { createPicker } from "./picker.js";
import { answerFacts, locationFacts } from "./booking-facts.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./types.js").HostBooking} HostBooking */
/** @typedef {import("./types.js").Slot} Slot */
/** @typedef {import("./dom.js").Child} Child */

/** @type {Record<string, [string, string]>} */
const STATUS = {
  confirmed: [t("Confirmed"), "ok"],
  needs_attention: [t("Needs your decision"), "warn"],
  cancelled: [t("Cancelled"), "bad"],
  cancelled_by_host: [t("Deleted in Google Calendar"), "bad"],
};
/** @type {Record<string, [string, string]>} */
const SYNC = {
  synced: [t("In your calendar"), "ok"],
  pending: [t("Updating your calendar…"), ""],
  failed: [t("Calendar update failed"), "bad"],
};
const ACTIVE = new Set(["confirmed", "needs_attention"]);
/** @type {["upcoming" | "past", string][]} */
const WHEN = [["upcoming", t("Upcoming")], ["past", t("Past")]];
/** @type {[string, string][]} */
const STATUS_CHOICES = [["", t("Any status")], ...Object.entries(STATUS).map(([value, [text]]) => /** @type {[string, string]} */ ([value, text]))];

/**
 * Midnight starting `day` ("YYYY-MM-DD") in `zone`, as an RFC 3339 instant (the API's from/to).
 * @param {string} day
 * @param {string} zone
 * @returns {string}
 */
function startOfDay(day, zone) {
  const noon = new Date(`${day}T12:00:00Z`);
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(noon).find((part) => part.type === "timeZoneName")?.value || "GMT";
  const offset = name === "GMT" ? "Z" : name.slice(3);
  return `${day}T00:00:00${offset}`;
}

/**
 * @param {import("./types.js").GetHost} getHost
 * @returns {import("./types.js").Section}
 */
export function bookingsSection(getHost) {
  const highlight = new URLSearchParams(location.search).get("booking");
  /** @type {{when: "upcoming" | "past", cursor: string | null, bookings: HostBooking[], search: string}} */
  const state = { when: "upcoming", cursor: null, bookings: [], search: "" };
  const status = h("p", { class: "status-line", role: "status" });
  const refresh = h("button", { type: "button", onclick: () => load() }, t("Refresh bookings"));
  const toggles = WHEN.map(([when, text]) => h("button", { type: "button", "aria-pressed": String(when === state.when),
    onclick: () => show(when) }, text));
  const more = h("button", { type: "button", hidden: true, onclick: () => load({ more: true }) }, t("Show more bookings"));
  const lists = h("div", { class: "list-placeholder" });
  const filters = filterForm();
  const element = h("section", { class: "card", "aria-labelledby": "bookings-title" },
    h("h2", { id: "bookings-title" }, t("Bookings")),
    h("div", { class: "actions" },
      h("div", { class: "toggle", role: "group", "aria-label": t("Which bookings") }, toggles), refresh),
    filters.element, status, lists, h("p", { class: "actions" }, more));
  let focused = false;

  /** @param {"upcoming" | "past"} when */
  function show(when) {
    if (when === state.when) return;
    state.when = when;
    toggles.forEach((button, i) => button.setAttribute("aria-pressed", String(WHEN[i][0] === when)));
    load();
  }

  /**
   * load({more}) asks for the first page again (or the next one); `focus` names a booking to focus after.
   * @param {{more?: boolean, focus?: string | null, message?: string}} [how]
   */
  async function load({ more: next = false, focus = null, message = "" } = {}) {
    fill(status, t("Loading bookings…"));
    element.setAttribute("aria-busy", "true");
    const params = new URLSearchParams({ when: state.when, ...filters.params() });
    if (next && state.cursor) params.set("cursor", state.cursor);
    try {
      /** @type {{bookings: HostBooking[], next_cursor: string | null}} */
      const page = await busy(next ? more : refresh, () => api(`/hosts/me/bookings?${params}`));
      state.bookings = next ? [...state.bookings, ...page.bookings] : page.bookings;
      state.cursor = page.next_cursor;
      lists.classList.remove("list-placeholder");
      draw(message);
      const target = focus || (!focused && highlight);
      /** @type {HTMLElement | null} */
      const item = target ? element.querySelector(`[data-booking="${CSS.escape(target)}"]`) : null;
      if (item) {
        focused = true;
        item.focus();
      }
    } catch (error) {
      fill(status, h("span", { class: "error" }, `${t("Bookings could not be loaded.")} ${describe(error)}`));
    } finally {
      element.removeAttribute("aria-busy");
    }
  }

  /** @param {string} [message] what was just done, said first */
  function draw(message = "") {
    const zone = getHost().time_zone;
    const words = state.search.toLowerCase().split(/\s+/).filter(Boolean);
    /** @param {HostBooking} b */
    const found = (b) => words.every((word) => `${b.invitee.name} ${b.invitee.email}`.toLowerCase().includes(word));
    const bookings = state.bookings.filter(found);
    const searched = words.length
      ? ` ${t("{found} of the {loaded} loaded match “{search}”.", { found: bookings.length, loaded: state.bookings.length, search: state.search.trim() })}` : "";
    more.hidden = !state.cursor;
    if (state.when === "past") {
      fill(lists, h("h3", {}, t("Past")),
        h("ul", { class: "plain", "aria-label": t("Past bookings") },
          bookings.length ? rows(bookings, zone) : h("li", { class: "meta" }, t("No past bookings."))));
      fill(status, message, message && " ", tn("{count} past booking, latest first.", "{count} past bookings, latest first.", bookings.length), " ",
        t("Times in {zone}.", { zone }), searched);
      return;
    }
    const active = bookings.filter((b) => ACTIVE.has(b.status));
    const gone = bookings.filter((b) => !ACTIVE.has(b.status));
    fill(lists,
      h("h3", {}, t("Upcoming")),
      h("ul", { class: "plain", "aria-label": t("Upcoming bookings") },
        active.length ? rows(active, zone) : h("li", { class: "meta" }, t("No upcoming bookings."))),
      h("h3", {}, t("Cancelled")),
      h("ul", { class: "plain", "aria-label": t("Cancelled bookings") },
        gone.length ? rows(gone, zone) : h("li", { class: "meta" }, t("None."))));
    fill(status, message, message && " ", t("{upcoming} upcoming, {cancelled} cancelled.", { upcoming: active.length, cancelled: gone.length }), " ",
      t("Times in {zone}.", { zone }), searched);
  }

  /**
   * One row per booking, and one per group session (its seats' bookings: same event type and start).
   * @param {HostBooking[]} bookings
   * @param {string} zone
   */
  function rows(bookings, zone) {
    /** @type {Map<string, HostBooking[]>} */
    const sessions = new Map();
    for (const booking of bookings) {
      const key = sessionKey(booking);
      sessions.set(key, [...(sessions.get(key) || []), booking]);
    }
    return [...sessions.values()].map((members) => (members[0].seat == null ? item(members[0], zone) : sessionRow(members, zone)));
  }

  /**
   * @param {HostBooking[]} members
   * @param {string} zone
   */
  function sessionRow(members, zone) {
    const [first] = members;
    const when = formatWhen(first.start, first.end, zone);
    // The session's attendees in the same list (upcoming, cancelled or past), whatever the search keeps.
    const active = ACTIVE.has(first.status);
    /** @param {HostBooking} b */
    const sameList = (b) => state.when === "past" || ACTIVE.has(b.status) === active;
    const all = state.bookings.filter((b) => sessionKey(b) === sessionKey(first) && sameList(b)).length;
    const count = all > members.length
      ? tn("{count} attendee, {shown} shown", "{count} attendees, {shown} shown", all, { shown: members.length })
      : tn("{count} attendee", "{count} attendees", all);
    return h("li", { class: "session", "data-session": `${first.event_type_id} ${first.start}` },
      h("h4", { class: "summary" }, t("{event}: group session", { event: first.event_title })),
      h("p", {}, when),
      h("p", { class: "meta" }, count),
      h("ul", { class: "attendees", "aria-label": t("Attendees, {event} {when}", { event: first.event_title, when }) },
        members.map((booking) => item(booking, zone, { inSession: true }))));
  }

  /** Status, event type and dates go to the API (a new first page); the search filters what is loaded. */
  function filterForm() {
    const search = field(t("Search by invitee name or email"), { name: "search", type: "search", autocomplete: "off",
      hint: t("Looks through the bookings loaded below.") });
    const statusField = field(t("Status"), { kind: "select", name: "status", options: STATUS_CHOICES });
    const typeField = field(t("Event type"), { kind: "select", name: "event_type", options: [["", t("Any event type")]] });
    const from = field(t("From"), { name: "from", type: "date" });
    const to = field(t("Until"), { name: "to", type: "date" });
    search.input.addEventListener("input", () => {
      state.search = search.input.value;
      draw();
    });
    for (const control of [statusField, typeField, from, to]) control.input.addEventListener("change", () => load());
    const clear = h("button", { type: "button", class: "link" }, t("Clear filters"));
    clear.addEventListener("click", () => {
      for (const control of [search, statusField, typeField, from, to]) control.input.value = "";
      state.search = "";
      load();
    });
    const element = h("form", { role: "search", "aria-label": t("Filter bookings"), class: "filters",
      onsubmit: (/** @type {SubmitEvent} */ event) => event.preventDefault() },
      h("div", { class: "filter-grid" }, search.wrap, statusField.wrap, typeField.wrap, from.wrap, to.wrap),
      h("p", {}, clear));
    let typesAsked = false;
    async function offerTypes() {
      if (typesAsked) return;
      typesAsked = true;
      try {
        const { event_types: types } = await api("/hosts/me/event-types");
        for (const type of types) typeField.input.append(h("option", { value: type.id }, type.title));
      } catch {
        typesAsked = false; // offered again with the next load
      }
    }
    const params = () => {
      offerTypes();
      const zone = getHost().time_zone;
      /** @type {Record<string, string>} */
      const chosen = {};
      if (statusField.input.value) chosen.status = statusField.input.value;
      if (typeField.input.value) chosen.event_type = typeField.input.value;
      if (from.input.value) chosen.from = startOfDay(from.input.value, zone);
      if (to.input.value) chosen.to = startOfDay(addDays(to.input.value, 1), zone); // "until" includes that day
      return chosen;
    };
    return { element, params };
  }

  /**
   * @param {HostBooking} booking
   * @param {string} zone
   * @param {{inSession?: boolean}} [how]
   */
  function item(booking, zone, { inSession = false } = {}) {
    const [statusText, statusClass] = STATUS[booking.status] || [booking.status, ""];
    const [syncText, syncClass] = SYNC[booking.sync_state] || [booking.sync_state, ""];
    const active = ACTIVE.has(booking.status) && new Date(booking.end).getTime() > Date.now();
    const area = h("div");
    const name = booking.invitee.name;
    const where = locationFacts(booking.location, booking.meeting_url);
    const answers = booking.answers || [];
    /** @type {Child[]} */
    const details = [
      where.facts,
      booking.notes && [h("dt", {}, t("Notes")), h("dd", {}, booking.notes)],
      answerFacts(answers),
      booking.cancel_reason && [h("dt", {}, t("Reason for cancelling")), h("dd", {}, booking.cancel_reason)],
    ].flat(2).filter(Boolean);
    return h("li", { "data-booking": booking.id, tabindex: "-1", class: booking.id === highlight ? "highlight" : "" },
      inSession ? h("h5", { class: "summary" }, name) : h("h4", { class: "summary" }, t("{event}: {name}", { event: booking.event_title, name })),
      !inSession && h("p", {}, formatWhen(booking.start, booking.end, zone)),
      h("p", { class: "meta" }, booking.invitee.email, booking.invitee.time_zone !== zone ? ` · ${t("their zone {zone}", { zone: booking.invitee.time_zone })}` : ""),
      details.length > 0 && h("dl", { class: "facts" }, details),
      h("p", {}, h("span", { class: `badge ${statusClass}` }, statusText), " ",
        ACTIVE.has(booking.status) && h("span", { class: `badge ${syncClass}` }, syncText)),
      booking.status === "needs_attention" && movedNotice(booking, zone),
      booking.sync_state === "failed" && ACTIVE.has(booking.status) && h("p", { class: "notice bad" },
        t("Kaleno could not update this meeting in your calendar"), booking.sync_error ? ` (${booking.sync_error})` : "",
        t(". It retries after you reconnect your calendar.")),
      mailFailedNotice(booking),
      active && h("p", { class: "actions" },
        h("button", { type: "button", onclick: () => reschedule(booking, zone, area) }, t("Reschedule"), h("span", { class: "vh" }, ` ${t("booking with {name}", { name })}`)),
        h("button", { type: "button", class: "danger", onclick: () => askCancel(booking, area) }, t("Cancel booking"), h("span", { class: "vh" }, ` ${t("with {name}", { name })}`))),
      area);
  }

  // The host moved the event in Google onto another booking's time: the booked time holds until they decide.
  /**
   * @param {HostBooking} booking
   * @param {string} zone
   */
  function movedNotice(booking, zone) {
    /** @param {string} text */
    const named = (text) => [text, h("span", { class: "vh" }, ` ${t("for the booking with {name}", { name: booking.invitee.name })}`)];
    const keep = h("button", { type: "button", class: "primary" }, named(t("Keep the new time")));
    const back = h("button", { type: "button" }, named(t("Put back the original time")));
    const problem = h("div", { class: "notice bad", role: "alert", tabindex: "-1", hidden: true });
    /**
     * @param {HTMLButtonElement} button
     * @param {"moved" | "original"} choice
     */
    const decide = async (button, choice) => {
      problem.hidden = true;
      try {
        const resolved = await busy(button, () => api(`/hosts/me/bookings/${encodeURIComponent(booking.id)}/resolve`,
          { method: "POST", body: { keep: choice } }), t("Saving…"));
        const when = formatWhen(resolved.start, resolved.end, zone);
        await load({ focus: booking.id, message: choice === "moved"
          ? t("The booking with {name} now takes the new time, {when}.", { name: booking.invitee.name, when })
          : t("The meeting with {name} is back at {when}; your calendar is being updated.", { name: booking.invitee.name, when }) });
      } catch (error) {
        problem.hidden = false;
        fill(problem, error instanceof ApiError && error.status === 409 ? sentence(error.problem.detail) || describe(error) : describe(error));
        problem.focus();
      }
    };
    keep.addEventListener("click", () => decide(keep, "moved"));
    back.addEventListener("click", () => decide(back, "original"));
    const moved = booking.moved_start && booking.moved_end ? formatWhen(booking.moved_start, booking.moved_end, zone) : t("another time");
    return h("div", { class: "notice warn" },
      h("p", {}, h("strong", {}, t("Moved in Google Calendar to ")), h("strong", { class: "moved-time" }, moved), "."),
      h("p", {}, t("That time overlaps another booking, so the booked time above still stands for the invitee until you choose.")),
      h("div", { class: "actions" }, keep, back),
      problem);
  }

  /**
   * @param {HostBooking} booking
   * @param {string} zone
   * @param {HTMLElement} area
   */
  async function reschedule(booking, zone, area) {
    const name = booking.invitee.name;
    /** @type {string | undefined} */
    let type;
    try {
      // The free times come from the event type's booking page: its address (slug) as it is now.
      const { event_types: types } = await api("/hosts/me/event-types");
      type = types.find((/** @type {import("./types.js").EventType} */ other) => other.id === booking.event_type_id)?.slug;
    } catch (error) {
      fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      return;
    }
    if (!type) {
      fill(area, h("p", { class: "notice bad", role: "alert" },
        t("This event type no longer exists, so there are no times to offer: move the event in Google Calendar instead.")));
      return;
    }
    const headingId = uid("move");
    const heading = h("h5", { id: headingId, tabindex: "-1" }, t("Pick a new time for {name}", { name }));
    const alert = h("div", { class: "notice bad", role: "alert", tabindex: "-1", hidden: true });
    const confirmBox = h("div");
    const picker = createPicker({ host: getHost().slug, type, zone,
      onPick: (slot, pickedZone) => confirmMove(slot, pickedZone) });
    fill(area, h("section", { "aria-labelledby": headingId, class: "move" }, heading,
      h("p", { class: "hint" }, t("The times your booking page offers now. Google sends the invitee the update.")),
      alert, picker.element, confirmBox,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => fill(area) }, t("Keep the current time")))));
    heading.focus();

    /**
     * @param {Slot} slot
     * @param {string} pickedZone
     */
    function confirmMove(slot, pickedZone) {
      alert.hidden = true;
      const confirm = h("button", { type: "button", class: "primary" }, t("Confirm new time"));
      const summary = h("p", { class: "summary", tabindex: "-1" }, t("Move to {when} ({zone})?", { when: formatWhen(slot.start, slot.end, pickedZone), zone: pickedZone }));
      confirm.addEventListener("click", async () => {
        try {
          const moved = await busy(confirm, () => api(`/hosts/me/bookings/${encodeURIComponent(booking.id)}/reschedule`,
            { method: "POST", body: { start: slot.start } }), t("Moving…"));
          await load({ focus: booking.id, message: t("The booking with {name} was moved to {when}.", { name, when: formatWhen(moved.start, moved.end, zone) }) });
        } catch (error) {
          alert.hidden = false;
          const taken = statusOf(error) === 409;
          fill(alert, taken ? t("Sorry, that time was just taken. The free times have been refreshed: please pick another.") : describe(error));
          fill(confirmBox);
          alert.focus();
          if (taken) picker.refresh();
        }
      });
      fill(confirmBox, h("div", { class: "notice" }, summary, h("div", { class: "actions" }, confirm)));
      summary.focus();
    }
  }

  /**
   * @param {HostBooking} booking
   * @param {HTMLElement} area
   */
  function askCancel(booking, area) {
    const reason = field(t("Reason (optional)"), { kind: "textarea", name: "reason", maxlength: 500, hint: t("Shown to the invitee.") });
    const submit = h("button", { type: "submit", class: "danger primary" }, t("Confirm cancellation"));
    const form = h("form", { novalidate: true, "aria-label": t("Cancel booking with {name}", { name: booking.invitee.name }) }, summaryBox(), reason.wrap,
      h("p", { class: "actions" }, submit, h("button", { type: "button", onclick: () => fill(area) }, t("Keep booking"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const text = reason.input.value.trim();
      try {
        await busy(submit, () => api(`/hosts/me/bookings/${encodeURIComponent(booking.id)}/cancel`,
          { method: "POST", body: text ? { reason: text } : {} }), t("Cancelling…"));
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

/** @param {HostBooking} booking */
const sessionKey = (booking) => (booking.seat == null ? booking.id : `${booking.event_type_id} ${booking.start}`);
/** @param {string | undefined} text */
const sentence = (text) => (text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.`.replace(/\.\.$/, ".") : "");

// The invitee's email about the latest change was refused for good: the host is the one who can reach them.
/** @param {HostBooking} booking */
function mailFailedNotice(booking) {
  return booking.confirmation_mail === "failed" && h("p", { class: "notice bad" },
    t("{name} did not get our email about this booking (the mail service refused it). Please contact them at {email}.",
      { name: booking.invitee.name, email: booking.invitee.email }));
}
