// Host dashboard `/`: sign-in, calendar connection, calendars (conflict and write), profile, event types, hours, bookings, webhooks, the host's data.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { byId, fill, h, field, checkbox, busy, download } from "./dom.js";
import { detectedZone, zoneOptions } from "./time.js";
import { initConsent } from "./consent.js";
import { eventTypesSection } from "./dash-types.js";
import { hoursSection } from "./dash-hours.js";
import { bookingsSection } from "./dash-bookings.js";
import { webhooksSection } from "./dash-webhooks.js";
import { calendarsSection } from "./dash-calendars.js";

const title = byId("title");
const status = byId("status");
const page = byId("page");
const account = byId("account");
// e.g. /?booking=<id>, the link in a booking's calendar event (not the calendar-list consent's own answer)
const RETURN_TO = `/${location.search.replace(/^\?calendars=refused$/, "")}`;
// Back from Google without the calendar list: said once on this page, not again after a reload.
const CALENDAR_LIST_REFUSED = location.search === "?calendars=refused";
if (CALENDAR_LIST_REFUSED) history.replaceState(null, "", `/${location.hash}`);

initConsent();
start();

async function start() {
  let host;
  try {
    host = await api("/hosts/me");
  } catch (error) {
    if (error.status === 401) return signedOut();
    status.className = "error";
    fill(status, `Your dashboard could not be loaded. ${describe(error)} `,
      h("button", { type: "button", class: "link", onclick: () => location.reload() }, "Try again"));
    return;
  }
  signedIn(host);
}

const signInUrl = () => `/oauth/start?${new URLSearchParams({ return_to: RETURN_TO })}`;

function signedOut(message) {
  document.title = "Kaleno: booking pages on your Google Calendar";
  fill(account);
  fill(title, "Kaleno");
  status.className = "status-line";
  fill(status, message || "");
  fill(page,
    h("p", {}, "Let people book time with you. Kaleno reads only when you are busy from your Google Calendar, ",
      "offers the free times on your booking pages, and adds each booking to your calendar."),
    h("p", { class: "actions" }, h("a", { class: "button primary", href: signInUrl() }, "Sign in with Google")),
    h("p", { class: "hint" }, "Kaleno asks Google only for your name, email, your free/busy times and the events it creates itself."));
}

function signedIn(initialHost) {
  let host = initialHost;
  document.title = "Dashboard · Kaleno";
  fill(title, "Dashboard");
  fill(status);
  const signOut = h("button", { type: "button" }, "Sign out");
  signOut.addEventListener("click", async () => {
    try {
      await busy(signOut, () => api("/oauth/logout", { method: "POST" }));
      signedOut("You are signed out.");
    } catch (error) {
      fill(status, describe(error));
    }
  });
  fill(account, h("span", { class: "meta" }, `${host.display_name} · `), signOut);

  const connection = h("section", { class: "card", "aria-labelledby": "calendar-title" });
  // Each tells the other: the event type form offers the schedules, the schedules list says who uses them.
  const types = eventTypesSection(() => host, () => hours.refreshList());
  const hours = hoursSection((schedules) => types.setSchedules(schedules));
  const profile = profileSection(() => host, (updated) => {
    const zoneMoved = updated.time_zone !== host.time_zone;
    host = updated;
    types.refreshLinks();
    if (zoneMoved) hours.load(); // hours kept in the old zone move with the profile: show them as stored
  });
  const bookings = bookingsSection(() => host);
  const webhooks = webhooksSection(() => host);
  const calendars = calendarsSection(() => host, { refused: CALENDAR_LIST_REFUSED });
  const drawConnection = () => fill(connection, ...connectionParts(host, (updated) => {
    host = updated;
    drawConnection();
    calendars.load();
  }));
  drawConnection();
  fill(page,
    h("nav", { "aria-label": "Dashboard sections" }, h("p", { class: "actions" },
      [["#calendar-title", "Calendar"], ["#calendars-title", "Calendars"], ["#profile-title", "Profile"], ["#types-title", "Event types"],
        ["#hours-title", "Hours"], ["#bookings-title", "Bookings"], ["#webhooks-title", "Webhooks"], ["#data-title", "Your data"]]
        .map(([href, text]) => h("a", { href }, text)))),
    connection, calendars.element, profile, types.element, hours.element, bookings.element, webhooks.element, dataSection());
  bookings.load();
  calendars.load();
  if (location.hash === "#calendars") calendars.element.scrollIntoView();
}

function connectionParts(host, changed) {
  const connected = host.connection.state === "connected";
  const parts = [
    h("h2", { id: "calendar-title" }, "Google Calendar"),
    h("p", {}, h("span", { class: `badge ${connected ? "ok" : "warn"}` }, connected ? "Connected" : "Not connected"), ` ${host.email}`),
  ];
  if (!connected) {
    parts.push(h("div", { class: "notice warn", role: "alert" },
      h("p", {}, host.connection.message.replace(/ Sign in again at \/oauth\/start.*$/, "")),
      h("p", {}, "Your booking pages offer no times until the calendar is connected."),
      h("p", { class: "actions" }, h("a", { class: "button primary", href: signInUrl() }, "Reconnect Google Calendar"))));
    return parts;
  }
  parts.push(h("p", {}, host.connection.message));
  const area = h("div");
  const start = h("button", { type: "button", class: "danger" }, "Disconnect calendar");
  start.addEventListener("click", () => {
    const confirm = h("button", { type: "button", class: "danger primary" }, "Yes, disconnect");
    confirm.addEventListener("click", async () => {
      try {
        changed(await busy(confirm, () => api("/hosts/me/disconnect", { method: "POST" }), "Disconnecting…"));
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, "Kaleno will give back its access to your Google Calendar, forget your busy times and stop adding bookings to it. Your booking pages offer no times until you reconnect."),
      closingImpact(),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, "Stay connected"))));
    confirm.focus();
  });
  parts.push(h("p", { class: "actions" }, start), area);
  return parts;
}

// Said before a disconnect or a deletion is confirmed: how many bookings still to come it cancels.
function closingImpact() {
  const told = "Each invitee gets a cancellation email that removes it from their calendar.";
  const line = h("p", { role: "status" }, "Counting your bookings still to come…");
  api("/hosts/me/closing-impact").then(({ future_bookings: count }) => fill(line, count === 0
    ? "You have no bookings still to come, so none will be cancelled."
    : `${count === 1 ? "1 booking" : `${count} bookings`} still to come will be cancelled. ${told}`))
    .catch(() => fill(line, `Every booking still to come will be cancelled. ${told}`));
  return line;
}

function profileSection(getHost, saved) {
  const host = getHost();
  const name = field("Display name", { name: "display_name", value: host.display_name, autocomplete: "name", maxlength: 100,
    hint: "Shown on your booking pages." });
  const slug = field("Page address (slug)", { name: "slug", value: host.slug, maxlength: 60, autocapitalize: "none", spellcheck: "false",
    hint: `Your booking pages live at ${location.origin}/<slug>/<event type>. Changing it breaks links you already shared.` });
  const zone = field("Time zone", { kind: "select", name: "time_zone", options: zoneOptions(host.time_zone) });
  zone.input.value = host.time_zone;
  const browserZone = detectedZone();
  const suggest = browserZone !== host.time_zone && h("button", { type: "button", class: "link", onclick: () => {
    zone.input.value = browserZone;
    zone.input.focus();
  } }, `Use this browser's zone (${browserZone})`);
  const submit = h("button", { type: "submit", class: "primary" }, "Save profile");
  const done = h("p", { class: "status-line", role: "status" });
  const form = h("form", { novalidate: true, "aria-labelledby": "profile-title" }, summaryBox(), name.wrap, slug.wrap, zone.wrap,
    suggest && h("p", {}, suggest), h("div", { class: "actions" }, submit), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    fill(done);
    const body = { display_name: name.input.value.trim(), slug: slug.input.value.trim(), time_zone: zone.input.value };
    try {
      const updated = await busy(submit, () => api("/hosts/me", { method: "PATCH", body }), "Saving…");
      saved(updated);
      fill(done, "Profile saved.");
    } catch (error) {
      showErrors(form, error);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "profile-title" }, h("h2", { id: "profile-title" }, "Profile"), form);
}

function dataSection() {
  const result = h("div", { role: "status" });
  const area = h("div");
  const exportButton = h("button", { type: "button" }, "Export my data");
  exportButton.addEventListener("click", async () => {
    try {
      const data = await busy(exportButton, () => api("/privacy/export"), "Preparing…");
      download("kaleno-export.json", JSON.stringify(data, null, 2), "application/json");
      fill(result, "Your data was downloaded as a JSON file.");
    } catch (error) {
      fill(result, h("p", { class: "error" }, describe(error)));
    }
  });
  const deleteButton = h("button", { type: "button", class: "danger" }, "Delete my account");
  deleteButton.addEventListener("click", () => {
    const understood = checkbox("I understand: my account, event types, hours and bookings are deleted for good, and future bookings are cancelled and removed from my calendar.");
    const confirm = h("button", { type: "button", class: "danger primary", disabled: true }, "Delete my account for good");
    understood.input.addEventListener("change", () => { confirm.disabled = !understood.input.checked; });
    confirm.addEventListener("click", () => eraseAccount(confirm, result));
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, "Deleting your account cannot be undone. Export your data first if you want a copy."),
      closingImpact(),
      understood.wrap,
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, "Keep my account"))));
    understood.input.focus();
  });
  return h("section", { class: "card", "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, "Your data"),
    h("p", {}, "Download everything Kaleno holds about you, or delete your account. ",
      h("a", { href: "/privacy-policy" }, "Privacy policy"), "."),
    h("p", { class: "actions" }, exportButton, deleteButton), area, result);
}

async function eraseAccount(confirm, result) {
  try {
    await busy(confirm, async () => {
      let receipt = await api("/privacy/erase", { method: "POST" });
      fill(result, "Deleting your account…");
      for (let i = 0; i < 60 && receipt.state !== "done"; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        receipt = await api(`/privacy/erase/${encodeURIComponent(receipt.erasure_id)}`);
      }
      if (receipt.state !== "done") throw new Error("still running");
    }, "Deleting…");
    signedOut("Your account was deleted. Thank you for using Kaleno.");
  } catch (error) {
    fill(result, h("p", { class: "error" }, error.message === "still running"
      ? "Your account is still being deleted; this page will not show it again once it is done."
      : describe(error)));
  }
}
