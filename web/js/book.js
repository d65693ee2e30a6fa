// Public booking page /{host_slug}/{event_type_slug}: pick a time, give name and email, get a confirmation.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { byId, fill, h, field, busy, download } from "./dom.js";
import { createPicker, firstSlotsPath } from "./picker.js";
import { detectedZone, formatWhen, icsEvent } from "./time.js";
import { initConsent } from "./consent.js";

const [host, type] = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
const title = byId("title");
const status = byId("status");
const page = byId("page");
const FIELD_ALIASES = { "invitee.name": "name", "invitee.email": "email", "invitee.time_zone": "time_zone" };

initConsent();
start();

async function start() {
  // The page's details and its first free times are asked for at once: the times are what the visitor waits for.
  const pageInfo = api(`/bookings/pages/${encodeURIComponent(host)}/${encodeURIComponent(type)}`);
  const zone = detectedZone();
  const first = firstSlotsPath(host, type, zone);
  const prefetched = new Map([[first, api(first)]]);
  prefetched.get(first).catch(() => {}); // a failure is shown by the picker when it uses this answer
  let info;
  try {
    info = await pageInfo;
  } catch (error) {
    fill(title, error.status === 404 ? "Page not found" : "This page could not be loaded");
    status.className = "error";
    fill(status, error.status === 404 ? "There is no booking page at this address. Check the link you were given." : describe(error));
    if (error.status !== 404) status.append(" ", h("button", { type: "button", class: "link", onclick: () => location.reload() }, "Try again"));
    return;
  }
  const { event_type: event, host: owner } = info;
  document.title = `${event.title} with ${owner.display_name} · Kaleno`;
  fill(title, event.title);
  fill(status);
  const pickSection = h("section", { "aria-labelledby": "pick-title" }, h("h2", { id: "pick-title" }, "Pick a time"));
  const alert = h("div", { class: "notice bad", role: "alert", tabindex: "-1", hidden: true });
  const picker = createPicker({
    host, type, zone, windowDays: event.booking_window_days, prefetched,
    onPick: (slot, zone) => showForm(slot, zone),
  });
  pickSection.append(alert, picker.element);
  const formSection = h("section", { "aria-labelledby": "details-title", hidden: true });
  fill(page,
    h("p", { class: "meta" }, `with ${owner.display_name} · ${event.duration_minutes} minutes`,
      event.location ? ` · ${locationText(event.location)}` : ""),
    pickSection, formSection);

  let attempt = { body: null, key: null }; // one Idempotency-Key per distinct request, reused on a retry

  function showForm(slot, zone) {
    alert.hidden = true;
    const name = field("Name", { name: "name", autocomplete: "name", required: true, maxlength: 100 });
    const email = field("Email", { name: "email", type: "email", autocomplete: "email", required: true, maxlength: 254 });
    const notes = field("Notes (optional)", { kind: "textarea", name: "notes", maxlength: 2000,
      hint: "Anything the host should know before the meeting." });
    const submit = h("button", { type: "submit", class: "primary" }, "Confirm booking");
    const form = h("form", { novalidate: true, "aria-labelledby": "details-title" },
      summaryBox(), name.wrap, email.wrap, notes.wrap,
      h("div", { class: "actions" }, submit,
        h("button", { type: "button", onclick: () => backToPicker() }, "Choose another time")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = {
        host, event_type: type, start: slot.start,
        invitee: { name: name.input.value.trim(), email: email.input.value.trim(), time_zone: zone },
        ...(notes.input.value.trim() ? { notes: notes.input.value.trim() } : {}),
      };
      const json = JSON.stringify(body);
      if (attempt.body !== json) attempt = { body: json, key: crypto.randomUUID() };
      try {
        const booked = await busy(submit, () => api("/bookings", { method: "POST", body, headers: { "Idempotency-Key": attempt.key } }), "Booking…");
        confirmed(booked, body, zone);
      } catch (error) {
        if (error.status === 409) {
          backToPicker();
          alert.hidden = false;
          fill(alert, `Sorry, ${formatWhen(slot.start, slot.end, zone)} was just taken. The day's free times have been refreshed: please pick another time.`);
          alert.focus?.();
          picker.refresh();
          return;
        }
        showErrors(form, error, FIELD_ALIASES);
      }
    });
    fill(formSection,
      h("h2", { id: "details-title", tabindex: "-1" }, "Your details"),
      h("p", { class: "summary" }, `${event.title}: ${formatWhen(slot.start, slot.end, zone)}`),
      h("p", { class: "meta" }, `Time zone: ${zone}`),
      form);
    pickSection.hidden = true;
    formSection.hidden = false;
    name.input.focus();
  }

  function backToPicker() {
    formSection.hidden = true;
    pickSection.hidden = false;
    byId("pick-title").setAttribute("tabindex", "-1");
    byId("pick-title").focus();
  }

  function confirmed(booked, body, zone) {
    const manage = `${location.origin}/manage?${new URLSearchParams({ booking: booked.id, host, type })}#token=${encodeURIComponent(booked.manage_token)}`;
    const summary = `${event.title} with ${owner.display_name}`;
    const ics = icsEvent({
      uid: `${booked.id}@kaleno`, start: booked.start, end: booked.end, summary,
      description: `Manage or cancel: ${manage}`, url: manage,
    });
    const hostZone = info.host_time_zone;
    const heading = h("h2", { id: "done-title", tabindex: "-1" }, "You are booked");
    fill(page,
      h("section", { "aria-labelledby": "done-title", class: "card" },
        heading,
        h("p", {}, `${summary}. A calendar invitation is on its way to ${body.invitee.email}.`),
        h("dl", { class: "facts" },
          h("dt", {}, `Your time (${zone})`), h("dd", {}, formatWhen(booked.start, booked.end, zone)),
          hostZone !== zone && [h("dt", {}, `Host's time (${hostZone})`), h("dd", {}, formatWhen(booked.start, booked.end, hostZone))]),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", onclick: () => download("kaleno-booking.ics", ics, "text/calendar") }, "Add to calendar"),
          h("a", { class: "button", href: manage }, "Manage this booking")),
        h("p", { class: "hint" }, "Keep the manage link: it lets you reschedule or cancel, and see or erase your data. Anyone holding it can do the same.")));
    heading.focus();
  }
}

function locationText(location) {
  const kinds = { google_meet: "Google Meet", phone: "Phone call", in_person: "In person", link: "Online" };
  return [kinds[location.kind] || location.kind, location.kind === "in_person" ? location.value : ""].filter(Boolean).join(": ");
}
