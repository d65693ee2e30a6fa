// @ts-check
// Public booking page /{host_slug}/{event_type_slug}: a host card (who, what, how long, where, the description),
// the month and the day's times, then name and email (and the host's questions), then a confirmation.
import { api, ApiError, describe, showErrors, clearErrors, statusOf, summaryBox } from "./api.js";
import { byId, fill, h, field, busy } from "./dom.js";
import { createPicker, firstSlotsPath } from "./picker.js";
import { questionControl, requiredMark } from "./questions.js";
import { addToCalendar, locationFacts, locationKindText, placeText, richText, showHostLook, watchMeetingUrl } from "./booking-facts.js";
import { detectedZone, formatWhen } from "./time.js";
import { locale, t, tn } from "./i18n.js";
import { initConsent } from "./consent.js";
import { withProof } from "./proof.js";
import { embedded, reportHeight, tellBooked } from "./embedded.js";

/** @typedef {import("./types.js").AnswerValue} AnswerValue */
/** @typedef {import("./types.js").BookingCreated} BookingCreated */
/** @typedef {import("./types.js").BookingPage} BookingPage */
/** @typedef {import("./types.js").PublicEventType} PublicEventType */
/** @typedef {import("./types.js").PublicHost} PublicHost */
/** @typedef {import("./types.js").Slot} Slot */
/** @typedef {import("./types.js").SlotsAnswer} SlotsAnswer */

const [host, type] = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
const title = byId("title");
const status = byId("status");
const page = byId("page");
const FIELD_ALIASES = { "invitee.name": "name", "invitee.email": "email", "invitee.time_zone": "time_zone" };
// A single-use link's token rides in the fragment (/{host}/{type}#link=…), which the browser never sends to a
// server nor in a Referer; the API gets it in a header (reads) and in the booking's body, never in a URL.
// Once read, it leaves the address bar (and so any script's sight of location.hash and the history); the
// tab keeps it for a reload or "Try again". The fragment may also prefill the form (`#name=…&email=…`: embed.js
// puts them there, so they reach no server's log either). In another site's frame, storage may be refused (third-
// party storage blocked): the page then works without it.
const linkKey = `kaleno-link:${location.pathname}`;
const fragment = new URLSearchParams(location.hash.slice(1));
const link = fragment.get("link") || stored(() => sessionStorage.getItem(linkKey));
const prefill = { name: fragment.get("name") ?? "", email: fragment.get("email") ?? "" };
if (location.hash) {
  if (link) stored(() => sessionStorage.setItem(linkKey, link));
  history.replaceState(null, "", location.pathname + location.search);
}
/** @type {Record<string, string>} */
const linkHeaders = link ? { "Kaleno-Link": link } : {};
/**
 * Why a single-use link can no longer book, if that is why a call failed.
 * @param {unknown} error
 * @returns {string | undefined}
 */
function linkProblem(error) {
  switch (String(error instanceof ApiError && error.problem.type || "").split("/").pop()) {
    case "link-used": return t("This single-use link was already used for a booking. Ask the host for a new link.");
    case "link-expired": return t("This link has expired or was withdrawn by the host. Ask the host for a new link.");
    default: return undefined;
  }
}

initConsent();
reportHeight();
start();

/**
 * What storage answers, or null where the browser refuses it (a third-party frame).
 * @template T
 * @param {() => T} use
 * @returns {T | null}
 */
function stored(use) {
  try {
    return use();
  } catch {
    return null;
  }
}

/**
 * The whole booking area becomes one calm message (an ended link, an unknown page, a host who cannot book).
 * @param {string} heading
 * @param {string} text
 * @param {boolean} [retry]
 */
function calm(heading, text, retry) {
  document.title = `${heading} · Kaleno`;
  const booker = byId("booker");
  booker.classList.add("single");
  fill(booker, h("section", { class: "calm", "aria-labelledby": "title" },
    h("h1", { id: "title" }, heading),
    h("p", { id: "status", role: "status" }, text),
    retry && h("p", {}, h("button", { type: "button", onclick: () => location.reload() }, t("Try again")))));
}

async function start() {
  // The page's details and its first free times are asked for at once: the times are what the visitor waits for.
  const pageInfo = api(`/bookings/pages/${encodeURIComponent(host)}/${encodeURIComponent(type)}`, { headers: linkHeaders });
  const zone = detectedZone();
  const first = firstSlotsPath(host, type, zone);
  /** @type {Promise<SlotsAnswer>} */
  const firstSlots = api(first, { headers: linkHeaders });
  const prefetched = new Map([[first, firstSlots]]);
  firstSlots.catch(() => {}); // a failure is shown by the picker when it uses this answer
  /** @type {BookingPage} */
  let info;
  try {
    info = await pageInfo;
  } catch (error) {
    const ended = linkProblem(error);
    if (ended) calm(t("This link can no longer be used"), ended);
    else if (statusOf(error) === 404) calm(t("Page not found"), t("There is no booking page at this address. Check the link you were given."));
    else calm(t("This page could not be loaded"), describe(error), true);
    return;
  }
  const { event_type: event, host: owner } = info;
  document.title = t("{event} with {host} · Kaleno", { event: event.title, host: owner.display_name });
  hostCard(owner, event, info.attendees ?? []);
  fill(status);
  const pickSection = h("section", { "aria-labelledby": "pick-title" }, h("h2", { id: "pick-title", class: "vh", tabindex: "-1" }, t("Pick a time")));
  const alert = h("div", { class: "notice bad", role: "alert", tabindex: "-1", hidden: true });
  const picker = createPicker({
    host, type, zone, windowDays: event.booking_window_days, prefetched, request: { headers: linkHeaders }, clockSwitch: true,
    onPick: (slot, zone) => showForm(slot, zone),
    // Their calendar is not connected: no free time can be known, and trying again here cannot change that.
    onUnavailable: () => fill(page, h("section", { class: "calm", "aria-labelledby": "closed-title" },
      h("h2", { id: "closed-title" }, t("No times to book right now")),
      h("p", {}, t("{host} cannot take bookings at the moment. Please come back later, or contact them another way.", { host: owner.display_name })))),
  });
  pickSection.append(alert, picker.element);
  const formSection = h("section", { "aria-labelledby": "details-title", hidden: true });
  fill(page, pickSection, formSection);

  /** @type {{body: string | null, key: string}} */
  let attempt = { body: null, key: "" }; // one Idempotency-Key per distinct request, reused on a retry
  /** @type {{slot: Slot, zone: string} | null} */
  let chosen = null; // the time the form books
  const chosenLine = byId("chosen-time");
  const form = detailsForm();

  // The form is built once: what the visitor typed stays when they go back to choose another time.
  function detailsForm() {
    const name = field(t("Name"), { name: "name", autocomplete: "name", required: true, maxlength: 100, value: prefill.name });
    const email = field(t("Email"), { name: "email", type: "email", autocomplete: "email", required: true, maxlength: 254, value: prefill.email });
    const phone = event.asks_invitee_phone && field([t("Phone number"), requiredMark()], {
      name: "invitee_phone", type: "tel", autocomplete: "tel", required: true, "aria-required": "true", maxlength: 30,
      hint: t("The host calls you on this number."),
    });
    const questions = (event.questions || []).map(questionControl);
    const notes = field(t("Notes (optional)"), { kind: "textarea", name: "notes", maxlength: 2000,
      hint: t("Anything the host should know before the meeting.") });
    const submit = h("button", { type: "submit", class: "primary" }, t("Confirm booking"));
    const checking = h("p", { class: "status-line", role: "status" }); // the bot gate's check, if it is slow
    const when = h("p", { class: "summary" });
    const zoneLine = h("p", { class: "meta" });
    const element = h("form", { novalidate: true, "aria-labelledby": "details-title" },
      summaryBox(), name.wrap, email.wrap, phone && phone.wrap, questions.map((q) => q.wrap), notes.wrap,
      h("div", { class: "actions" }, submit), checking);
    element.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      clearErrors(element);
      if (!chosen) return; // the form shows only once a time is chosen
      const { slot, zone } = chosen;
      /** @type {Record<string, AnswerValue>} */
      const answers = {};
      (event.questions || []).forEach((question, index) => {
        const value = questions[index].answer();
        if (value !== undefined) answers[question.id] = value;
      });
      const body = {
        host, event_type: type, start: slot.start,
        invitee: { name: name.input.value.trim(), email: email.input.value.trim(), time_zone: zone },
        ...(notes.input.value.trim() ? { notes: notes.input.value.trim() } : {}),
        ...(Object.keys(answers).length ? { answers } : {}),
        ...(phone && phone.input.value.trim() ? { invitee_phone: phone.input.value.trim() } : {}),
        ...(link ? { link } : {}),
      };
      const json = JSON.stringify(body);
      if (attempt.body !== json) attempt = { body: json, key: crypto.randomUUID() };
      try {
        const send = (/** @type {Record<string, string>} */ proof) =>
          api("/bookings", { method: "POST", body, headers: { "Idempotency-Key": attempt.key, ...proof } });
        const slow = (/** @type {boolean} */ on) => fill(checking, on ? t("Checking your browser…") : "");
        const booked = await busy(submit, () => withProof(send, slow), t("Booking…"));
        confirmed(booked, body, zone);
      } catch (error) {
        const ended = linkProblem(error);
        if (ended) {
          calm(t("This link can no longer be used"), ended);
          return;
        }
        if (statusOf(error) === 409) {
          backToPicker();
          alert.hidden = false;
          fill(alert, t("Sorry, {time} was just taken. The day's free times have been refreshed: please pick another time.",
            { time: formatWhen(slot.start, slot.end, zone) }));
          alert.focus?.();
          picker.refresh();
          return;
        }
        showErrors(element, error, FIELD_ALIASES);
      }
    });
    const back = h("button", { type: "button", class: "step-back", onclick: () => backToPicker() },
      h("span", { "aria-hidden": "true" }, "← "), t("Back"));
    fill(formSection, back,
      h("h2", { id: "details-title", tabindex: "-1" }, t("Your details")),
      when, zoneLine, element);
    return { element, name, when, zoneLine };
  }

  /**
   * @param {Slot} slot
   * @param {string} zone
   */
  function showForm(slot, zone) {
    alert.hidden = true;
    chosen = { slot, zone };
    const text = formatWhen(slot.start, slot.end, zone);
    fill(form.when, t("{event}: {time}", { event: event.title, time: text }));
    fill(form.zoneLine, t("Time zone: {zone}", { zone }));
    fill(chosenLine, text);
    chosenLine.hidden = false;
    clearErrors(form.element);
    pickSection.hidden = true;
    formSection.hidden = false;
    form.name.input.focus();
  }

  function backToPicker() {
    formSection.hidden = true;
    pickSection.hidden = false;
    chosenLine.hidden = true;
    /** @type {HTMLElement | null} */
    const times = pickSection.querySelector(".day-times [tabindex='-1']");
    (times && times.offsetParent ? times : byId("pick-title")).focus();
  }

  /**
   * @param {BookingCreated} booked
   * @param {{invitee: {name: string, email: string}}} body what was sent
   * @param {string} zone
   */
  function confirmed(booked, body, zone) {
    const manage = `${location.origin}/manage?${new URLSearchParams({ booking: booked.id, host, type })}#token=${encodeURIComponent(booked.manage_token)}`;
    const summary = t("{event} with {host}", { event: event.title, host: owner.display_name });
    const hostZone = info.host_time_zone;
    const where = locationFacts(booked.location, booked.meeting_url);
    document.title = t("Booked: {summary} · Kaleno", { summary });
    const booker = byId("booker");
    booker.classList.add("single");
    fill(booker,
      h("section", { "aria-labelledby": "done-title", class: "done" },
        h("div", { class: "check-mark", "aria-hidden": "true" }, "✓"),
        h("h1", { id: "done-title", tabindex: "-1" }, t("You are booked")),
        h("p", {}, t("A calendar invitation is on its way to {email}.", { email: body.invitee.email })),
        h("dl", { class: "facts" },
          h("dt", {}, t("What")), h("dd", {}, summary),
          h("dt", {}, t("Your time ({zone})", { zone })), h("dd", {}, formatWhen(booked.start, booked.end, zone)),
          hostZone !== zone && [h("dt", {}, t("Host's time ({zone})", { zone: hostZone })), h("dd", {}, formatWhen(booked.start, booked.end, hostZone))],
          h("dt", {}, t("Who")), h("dd", {}, `${listed([...(info.attendees?.length ? info.attendees : [owner.display_name]), body.invitee.name])}`),
          where.facts),
        addToCalendar({ id: booked.id, start: booked.start, end: booked.end, title: summary,
          place: placeText(booked.location, booked.meeting_url), token: booked.manage_token }),
        // In another site's frame, the manage page (which refuses to be framed) opens in a tab of its own.
        h("div", { class: "actions" }, h("a", { class: "button primary", href: manage, ...(embedded && { target: "_blank", rel: "noopener" }) }, t("Manage this booking"))),
        h("p", { class: "hint" }, t("Keep the manage link: it lets you reschedule or cancel, and see or erase your data. Anyone holding it can do the same."))));
    byId("done-title").focus();
    tellBooked(booked);
    if (where.meetCell && !booked.meeting_url) watchMeetingUrl(booked.id, booked.manage_token, where.meetCell);
  }
}

/**
 * The host card: their picture (or initials) and colour, the host's name (or the team's), the event's title, its facts (for a team's
 * collective type, who will attend) and its description.
 * @param {PublicHost} owner
 * @param {PublicEventType} event
 * @param {string[]} attendees
 */
function hostCard(owner, event, attendees) {
  showHostLook(byId("avatar"), owner);
  fill(byId("host-name"), owner.display_name);
  fill(title, event.title);
  fill(byId("event-facts"),
    h("li", {}, tn("{count} minute", "{count} minutes", event.duration_minutes)),
    event.location_kind && h("li", {}, whereText(event)),
    event.seats > 1 && h("li", {}, tn("Group session, up to {count} person", "Group session, up to {count} people", event.seats)),
    attendees.length > 0 && h("li", {}, t("With {names}", { names: listed(attendees) })));
  fill(byId("description"), richText(event.description));
}

// The page shows the kind of place only: the address or link comes with the booking.
/** @param {PublicEventType} event */
const whereText = (event) => (event.asks_invitee_phone ? t("Phone call (the host calls you)") : locationKindText(event.location_kind));

// "Ada", "Ada and Bo", "Ada, Bo and Cy" ("Ada, Bo, dan Cy"): as the page's language lists names.
/** @param {string[]} names */
const listed = (names) => new Intl.ListFormat(locale(), { type: "conjunction" }).format(names);
