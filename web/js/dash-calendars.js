// @ts-check
// Dashboard: which Google calendars count as busy (conflict calendars) and which one receives new bookings.
// Listing calendars needs one more Google permission, asked for only from here ("Choose calendars"); without
// it the primary calendar is used for both, and everything else keeps working. The list is asked for only once
// the host holds that permission (GET /hosts/me names the granted scopes), so nothing is refused on the way.
import { api, ApiError, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy, uid } from "./dom.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./types.js").HostCalendars} HostCalendars */

const WHY = t("To offer only times when you are really free, Kaleno can check several of your Google calendars " +
  "(for example Work and Personal) and add bookings to the one you choose. To show you your calendars' names, " +
  "it asks Google for permission to see your calendar list. It still reads only when you are busy, never what " +
  "your events are about. If you do not allow it, your primary calendar stays in use for both.");

const CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly";

/**
 * `connection`: the Google Calendar connection card, shown first; `consentPath`: asks Google for the list.
 * @param {import("./types.js").GetHost} getHost
 * @param {{refused?: boolean, connection?: HTMLElement | null, consentPath: string}} options
 */
export function calendarsSection(getHost, { refused = false, connection = null, consentPath }) {
  const status = h("p", { class: "status-line", role: "status" });
  const area = h("div", { class: "form-placeholder" });
  const element = h("section", { class: "card", id: "calendars", "aria-labelledby": "calendars-title" },
    h("h2", { id: "calendars-title" }, t("Calendars")),
    connection,
    h("h3", {}, t("Calendars for busy times and bookings")),
    h("p", {}, WHY),
    status, area);

  if (refused) {
    fill(status, t("Google did not give Kaleno your calendar list, so your primary calendar stays in use. You can ask again any time."));
  }

  async function load() {
    area.classList.remove("form-placeholder");
    if (getHost().connection.state !== "connected") {
      fill(area, h("p", {}, t("Connect your Google Calendar first: then you can choose calendars here.")));
      return;
    }
    if (!getHost().granted_scopes.includes(CALENDAR_LIST)) return askPermission(consentPath);
    fill(area, h("p", { class: "meta" }, t("Loading your calendars…")));
    try {
      draw(await api("/hosts/me/calendars"));
    } catch (error) {
      const consentUrl = error instanceof ApiError && error.status === 403 ? error.problem.consent_url : undefined;
      if (consentUrl) return askPermission(consentUrl);
      fill(area, h("p", { class: "error" }, `${t("Your calendars could not be loaded.")} ${describe(error)} `,
        h("button", { type: "button", class: "link", onclick: load }, t("Try again"))));
    }
  }

  /** @param {string} consentUrl */
  function askPermission(consentUrl) {
    const open = h("button", { type: "button", class: "primary" }, t("Choose calendars"));
    open.addEventListener("click", () => location.assign(consentUrl));
    fill(area,
      h("p", {}, t("Kaleno uses your primary calendar: its busy times block your booking pages and new bookings are added to it.")),
      h("p", { class: "actions" }, open),
      h("p", { class: "hint" }, t("Google will ask you to let Kaleno see your calendar list.")));
  }

  /** @param {HostCalendars} found */
  function draw(found) {
    const checks = found.calendars.map((calendar) => {
      const id = uid("conflict");
      const input = h("input", { type: "checkbox", id, value: calendar.id, checked: calendar.conflict });
      const label = calendar.primary ? t("{calendar} (primary)", { calendar: calendar.summary }) : calendar.summary;
      return { input, wrap: h("div", { class: "check" }, input, h("label", { for: id }, label)) };
    });
    const conflict = h("fieldset", { id: uid("conflict"), class: "choices", "data-field": "conflict" },
      h("legend", {}, t("Calendars that block your booking times")),
      h("p", { class: "hint" }, t("Busy times in any ticked calendar are not offered (at most {max}).", { max: found.max_conflict })),
      checks.map((c) => c.wrap));
    const owned = found.calendars.filter((calendar) => calendar.owned);
    const write = field(t("Calendar that receives new bookings"), {
      kind: "select", name: "write",
      options: owned.map((calendar) => /** @type {[string, string]} */ ([calendar.id, calendar.primary ? t("{calendar} (primary)", { calendar: calendar.summary }) : calendar.summary])),
      hint: t("Only calendars you own. Bookings made earlier stay where they were added."),
    });
    write.input.value = found.write;
    const submit = h("button", { type: "submit", class: "primary" }, t("Save calendars"));
    const done = h("p", { class: "status-line", role: "status" });
    const form = h("form", { novalidate: true, "aria-labelledby": "calendars-title" },
      summaryBox(), h("div", { class: "field" }, conflict), write.wrap, h("div", { class: "actions" }, submit), done);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      fill(done);
      const body = { conflict: checks.filter((c) => c.input.checked).map((c) => c.input.value), write: write.input.value };
      try {
        /** @type {HostCalendars} */
        const saved = await busy(submit, () => api("/hosts/me/calendars", { method: "PUT", body }), t("Saving…"));
        draw(saved);
        fill(status, tn("Calendars saved: {count} calendar blocks your booking times.", "Calendars saved: {count} calendars block your booking times.", saved.conflict.length));
      } catch (error) {
        showErrors(form, error);
      }
    });
    fill(area, form);
  }

  return { element, load };
}
