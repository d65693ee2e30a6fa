// What a booking says beyond its time, shown alike on the booking page's confirmation, the manage page and
// the host's dashboard: where the meeting happens (with the Google Meet link once Google made it) and the
// invitee's answers. Everything goes in as text; a link only when it is an https:// address.
import { api } from "./api.js";
import { h, fill } from "./dom.js";

export const LOCATION_KINDS = { google_meet: "Google Meet", phone: "Phone call", in_person: "In person", link: "Video link" };

export const locationKindText = (kind) => LOCATION_KINDS[kind] || kind;

/** An <a> for an https:// address (the API only stores those), plain text for anything else. */
export function safeLink(url, text = url) {
  return /^https:\/\/[^\s]+$/i.test(String(url)) ? h("a", { href: url, rel: "noreferrer" }, text) : String(text);
}

/** dt/dd pairs for a booking's location; `meetCell` is the dd the Meet link goes in (see watchMeetingUrl). */
export function locationFacts(location, meetingUrl) {
  if (!location) return { facts: [], meetCell: null };
  const where = [locationKindText(location.kind)];
  if (location.value) {
    where.push(": ", location.kind === "link" ? safeLink(location.value) : location.value);
  }
  const facts = [h("dt", {}, "Where"), h("dd", {}, where)];
  let meetCell = null;
  if (location.kind === "google_meet") {
    meetCell = h("dd", { "aria-live": "polite" });
    showMeetingUrl(meetCell, meetingUrl);
    facts.push(h("dt", {}, "Meet link"), meetCell);
  }
  return { facts, meetCell };
}

/** Fill a Meet link cell: the link, or what to expect while Google is still creating it. */
export function showMeetingUrl(cell, url) {
  if (url) fill(cell, safeLink(url));
  else fill(cell, h("span", { class: "meta" }, "Google is still creating the link. It will also be in the calendar invitation."));
}

/** An answer as text: a ticked box is "Yes", several choices are listed. */
export function answerText(value) {
  if (value === true) return "Yes";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** dt/dd pairs, one per answered question (labelled as it was asked). */
export const answerFacts = (answers = []) =>
  answers.map((answer) => [h("dt", {}, answer.label), h("dd", { class: "answer" }, answerText(answer.value))]);

/**
 * While a Google Meet booking has no link yet, look again now and then (Google creates it shortly after
 * the event is written) and put it in `cell` once known. Light: every few seconds, a bounded number of
 * times, stopped by the returned function (a page drawing the booking again calls it).
 */
export function watchMeetingUrl(bookingId, token, cell, { every = 2500, tries = 12 } = {}) {
  let left = tries;
  let timer = null;
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
    else fill(cell, h("span", { class: "meta" }, "The link is in the calendar invitation. Reload this page to see it here."));
  };
  timer = setTimeout(look, every);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
