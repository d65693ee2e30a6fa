// @ts-check
// What a booking says beyond its time, shown alike on the booking page's confirmation, the manage page and
// the host's dashboard: where the meeting happens (with the Google Meet link once Google made it) and the
// invitee's answers. Everything goes in as text; a link only when it is an https:// address.
import { api } from "./api.js";
import { h, fill, busy, download } from "./dom.js";
import { t } from "./i18n.js";
import { applyBrand } from "./brand.js";

/** @typedef {import("./types.js").Location} Location */
/** @typedef {import("./types.js").Answer} Answer */
/** @typedef {import("./types.js").AnswerValue} AnswerValue */
/** @typedef {import("./dom.js").Child} Child */

/**
 * The kind of place a meeting happens in, in the page's language.
 * @param {string | null} kind
 * @returns {string}
 */
export function locationKindText(kind) {
  switch (kind) {
    case "google_meet": return t("Google Meet");
    case "phone": return t("Phone call");
    case "in_person": return t("In person");
    case "link": return t("Video link");
    default: return kind || "";
  }
}

/**
 * An <a> for an https:// address (the API only stores those), plain text for anything else.
 * @param {string} url
 * @param {string} [text]
 * @returns {HTMLAnchorElement | string}
 */
export function safeLink(url, text = url) {
  return /^https:\/\/[^\s]+$/i.test(String(url)) ? h("a", { href: url, rel: "noreferrer", class: "url" }, text) : String(text);
}

/**
 * dt/dd pairs for a booking's location; `meetCell` is the dd the Meet link goes in (see watchMeetingUrl).
 * @param {Location | null | undefined} location
 * @param {string | null | undefined} meetingUrl
 * @returns {{facts: HTMLElement[], meetCell: HTMLElement | null}}
 */
export function locationFacts(location, meetingUrl) {
  if (!location) return { facts: [], meetCell: null };
  /** @type {Child[]} */
  const where = [locationKindText(location.kind)];
  if (location.value) {
    where.push(": ", location.kind === "link" ? safeLink(location.value) : location.value);
  }
  const facts = [h("dt", {}, t("Where")), h("dd", {}, where)];
  /** @type {HTMLElement | null} */
  let meetCell = null;
  if (location.kind === "google_meet") {
    meetCell = h("dd", { "aria-live": "polite" });
    showMeetingUrl(meetCell, meetingUrl);
    facts.push(h("dt", {}, t("Meet link")), meetCell);
  }
  return { facts, meetCell };
}

/**
 * Fill a Meet link cell: the link, or what to expect while Google is still creating it.
 * @param {HTMLElement} cell
 * @param {string | null | undefined} url
 */
export function showMeetingUrl(cell, url) {
  if (url) fill(cell, safeLink(url));
  else fill(cell, h("span", { class: "meta" }, t("Google is still creating the link. It will also be in the calendar invitation.")));
}

/**
 * An answer as text: a ticked box is "Yes", several choices are listed.
 * @param {AnswerValue} value
 * @returns {string}
 */
export function answerText(value) {
  if (value === true) return t("Yes");
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/**
 * dt/dd pairs, one per answered question (labelled as it was asked).
 * @param {Answer[]} [answers]
 */
export const answerFacts = (answers = []) =>
  answers.map((answer) => [h("dt", {}, answer.label), h("dd", { class: "answer" }, answerText(answer.value))]);

/**
 * While a Google Meet booking has no link yet, look again now and then (Google creates it shortly after
 * the event is written) and put it in `cell` once known. Light: every few seconds, a bounded number of
 * times, stopped by the returned function (a page drawing the booking again calls it).
 * @param {string} bookingId
 * @param {string | null | undefined} token the manage token (none: the host's session)
 * @param {HTMLElement} cell
 * @param {{every?: number, tries?: number}} [pace]
 * @returns {() => void}
 */
export function watchMeetingUrl(bookingId, token, cell, { every = 2500, tries = 12 } = {}) {
  let left = tries;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  const look = async () => {
    if (stopped || !cell.isConnected) return;
    try {
      const booking = await api(`/bookings/${encodeURIComponent(bookingId)}`, { token });
      if (stopped) return;
      if (booking.meeting_url) {
        showMeetingUrl(cell, booking.meeting_url);
        return;
      }
    } catch {
      // Asked again below; the cell keeps saying the link is on its way.
    }
    left -= 1;
    if (left > 0) timer = setTimeout(look, every);
    else fill(cell, h("span", { class: "meta" }, t("The link is in the calendar invitation. Reload this page to see it here.")));
  };
  timer = setTimeout(look, every);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * A host's plain text (an event type's description) as nodes: line breaks stay (the element is styled
 * `white-space: pre-line`), http(s) addresses become links that pass no rank or opener. Never parsed as HTML.
 * @param {string | null | undefined} text
 * @returns {(string | HTMLAnchorElement)[]}
 */
export function richText(text) {
  const source = String(text || "");
  /** @type {(string | HTMLAnchorElement)[]} */
  const parts = [];
  const pattern = /\bhttps?:\/\/[^\s<>"]+/gi;
  let from = 0;
  for (const match of source.matchAll(pattern)) {
    const url = match[0].replace(/[.,;:!?)\]]+$/, ""); // a sentence's closing punctuation is not the link's
    if (match.index > from) parts.push(source.slice(from, match.index));
    parts.push(h("a", { href: url, rel: "noopener nofollow ugc" }, url));
    from = match.index + url.length;
  }
  if (from < source.length) parts.push(source.slice(from));
  return parts;
}

/**
 * Up to two initials of a display name, for an avatar ("Ada Lovelace" → "AL").
 * @param {string | null | undefined} name
 * @returns {string}
 */
export function initials(name) {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => [...word][0]).join("").toUpperCase() || "?";
}

/** @param {string} instant */
const utcStamp = (instant) => new Date(instant).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/**
 * "Add to calendar" for a booking: links that open Google Calendar and Outlook with the event filled in, and
 * the booking's own .ics from the API (`GET /bookings/{id}/ics`, manage token): its UID is the one the emailed
 * invitation carries, so adding both never makes two meetings. The links carry no manage link (its token
 * would travel in another site's URL).
 * @param {{id: string, start: string, end: string, title: string, place: string, token: string | null | undefined}} booking
 * @returns {HTMLDivElement}
 */
export function addToCalendar({ id, start, end, title, place, token }) {
  const details = t("Booked with Kaleno. The confirmation email has the link to reschedule or cancel.");
  const google = `https://calendar.google.com/calendar/render?${new URLSearchParams({
    action: "TEMPLATE", text: title, dates: `${utcStamp(start)}/${utcStamp(end)}`, details, ...(place ? { location: place } : {}),
  })}`;
  const outlook = `https://outlook.live.com/calendar/0/deeplink/compose?${new URLSearchParams({
    path: "/calendar/action/compose", rru: "addevent", subject: title,
    startdt: new Date(start).toISOString(), enddt: new Date(end).toISOString(), body: details, ...(place ? { location: place } : {}),
  })}`;
  const result = h("p", { role: "status", class: "status-line" });
  const ics = h("button", { type: "button" }, t("Other calendar (.ics)"));
  ics.addEventListener("click", async () => {
    try {
      await busy(ics, () => downloadIcs(id, token), t("Preparing…"));
      fill(result);
    } catch {
      result.className = "error";
      fill(result, t("The calendar file could not be downloaded. Please try again."));
    }
  });
  const titleId = `add-${id}`;
  return h("div", { class: "add-to-calendar-box" },
    h("p", { id: titleId, class: "summary" }, t("Add to calendar")),
    h("div", { class: "add-to-calendar", role: "group", "aria-labelledby": titleId },
      h("a", { class: "button", href: google, target: "_blank", rel: "noopener noreferrer" }, t("Google Calendar")),
      h("a", { class: "button", href: outlook, target: "_blank", rel: "noopener noreferrer" }, "Outlook"),
      ics),
    result);
}

/**
 * @param {string} id
 * @param {string | null | undefined} token
 */
async function downloadIcs(id, token) {
  const response = await fetch(`/bookings/${encodeURIComponent(id)}/ics`, {
    credentials: "same-origin", headers: { Accept: "text/calendar", Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`ics ${response.status}`);
  download("kaleno-booking.ics", await response.text(), "text/calendar");
}

/**
 * Where a booking happens, as one line for a calendar entry (the Meet link once Google made it).
 * @param {Location | null | undefined} location
 * @param {string | null | undefined} meetingUrl
 * @returns {string}
 */
export function placeText(location, meetingUrl) {
  if (meetingUrl) return meetingUrl;
  if (!location) return "";
  return location.value ? `${locationKindText(location.kind)}: ${location.value}` : locationKindText(location.kind);
}

/**
 * The host's own look on their pages: their picture (else their initials) and their brand colour.
 * @param {HTMLElement} avatar the card's `.avatar`
 * @param {import("./types.js").PublicHost} owner
 */
export function showHostLook(avatar, owner) {
  if (owner.avatar_url) fill(avatar, h("img", { src: owner.avatar_url, alt: "", width: 96, height: 96, decoding: "async" }));
  else fill(avatar, initials(owner.display_name));
  applyBrand(owner.brand_color);
}
