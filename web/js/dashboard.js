// @ts-check
// Host dashboard: sign-in, the first-run setup (dash-setup.js), then an app of sections, each at its own address
// under /dashboard/ (History API: deep links, reload and Back work). Only the section shown loads its data.
import { api, describe, showErrors, clearErrors, statusOf, summaryBox } from "./api.js";
import { byId, fill, h, field, busy } from "./dom.js";
import { detectedZone, zoneOptions } from "./time.js";
import { initConsent } from "./consent.js";
import { eventTypesSection, breakableUrl } from "./dash-types.js";
import { hoursSection } from "./dash-hours.js";
import { bookingsSection } from "./dash-bookings.js";
import { webhooksSection } from "./dash-webhooks.js";
import { calendarsSection } from "./dash-calendars.js";
import { privacySection } from "./dash-privacy.js";
import { setupFlow } from "./dash-setup.js";
import { askToConfirm, closingImpact } from "./dash-confirm.js";
import { teamsSection } from "./dash-teams.js";
import { lookFields, pictureCard } from "./dash-look.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Host} Host */
/** @typedef {import("./types.js").GetHost} GetHost */
/** @typedef {import("./types.js").Section} Section */

// Paths under /dashboard/ ("dashboard" is a reserved host slug, so no host page can take them; devstack/app.py
// serves index.html for each).
export const BASE = "/dashboard";
/** @type {[string, string][]} */
const SECTIONS = [
  ["event-types", t("Event types")],
  ["availability", t("Availability")],
  ["bookings", t("Bookings")],
  ["teams", t("Teams")],
  ["calendars", t("Calendars")],
  ["integrations", t("Integrations")],
  ["profile", t("Profile")],
  ["privacy", t("Privacy")],
];
const SETUP = "setup";
const FIRST = SECTIONS[0][0];

const title = byId("title");
const status = byId("status");
const page = byId("page");
const nav = byId("nav");
const account = byId("account");
// Back from Google without the calendar list: said once on this page, not again after a reload.
const CALENDAR_LIST_REFUSED = new URLSearchParams(location.search).get("calendars") === "refused";
if (CALENDAR_LIST_REFUSED) history.replaceState(null, "", location.pathname);
// Signing in comes back here (e.g. /dashboard/bookings?booking=<id>, the link in a booking's calendar event).
// A team invitation's link (/#team-invitation/<token>, shared/bootstrap.py BaseUrlLinks): signed in, it is accepted
// in the Teams section; signed out, signing in comes back to it.
const INVITATION = location.hash.match(/^#team-invitation\/([^/]+)$/)?.[1] ?? null;
const returnTo = () => `${location.pathname}${location.search}${location.hash}`;
const signInUrl = () => `/oauth/start?${new URLSearchParams({ return_to: returnTo() })}`;

const links = new Map(SECTIONS.map(([id, label]) => [id, h("a", { href: `${BASE}/${id}`, "data-section": id }, label)]));

initConsent();
start();

function showFrame() {
  document.body.classList.add("with-nav");
  nav.hidden = false;
  fill(nav, h("ul", {}, [...links.values()].map((link) => h("li", {}, link))));
  fill(title, t("Dashboard"));
}

async function start() {
  /** @type {Host} */
  let host;
  try {
    host = await api("/hosts/me");
  } catch (error) {
    // Until here the page showed only "Loading…" (body.booting): what it draws now appears at once, in place.
    document.body.classList.remove("booting");
    if (statusOf(error) === 401) return signedOut();
    status.className = "error";
    fill(status, `${t("Your dashboard could not be loaded.")} ${describe(error)} `,
      h("button", { type: "button", class: "link", onclick: () => location.reload() }, t("Try again")));
    return;
  }
  document.body.classList.remove("booting");
  signedIn(host);
}

/** @param {string} [message] */
function signedOut(message) {
  document.title = t("Kaleno: booking pages on your Google Calendar");
  fill(account);
  fill(nav);
  nav.hidden = true;
  document.body.classList.remove("with-nav");
  fill(title, "Kaleno");
  status.className = "status-line";
  fill(status, message || "");
  fill(page,
    h("p", { class: "lead" }, t("Let people book time with you. Kaleno reads only when you are busy from your Google Calendar, " +
      "offers the free times on your booking pages, and adds each booking to your calendar.")),
    INVITATION && h("p", { class: "notice" }, t("You were invited to join a team. Sign in with the Google account the invitation was sent to, and you join it at once.")),
    h("p", { class: "actions" }, h("a", { class: "button primary", href: signInUrl() }, t("Sign in with Google"))),
    h("p", { class: "hint" }, t("Kaleno asks Google only for your name, email, your free/busy times and the events it creates itself.")));
}

/**
 * The section a URL names: /dashboard/<section>, and the older forms (/, /?booking=<id>, /#calendars).
 * @param {URL} url
 * @returns {string}
 */
function sectionOf(url) {
  const [, base, name] = url.pathname.match(/^(\/dashboard)?\/?([^/]*)\/?$/) || [];
  if (base && (name === SETUP || SECTIONS.some(([id]) => id === name))) return name;
  if (url.searchParams.has("booking")) return "bookings";
  if (url.hash === "#calendars") return "calendars";
  return FIRST;
}

/** @param {Host} initialHost */
function signedIn(initialHost) {
  let host = initialHost;
  const getHost = () => host;
  const signOut = h("button", { type: "button" }, t("Sign out"));
  signOut.addEventListener("click", async () => {
    try {
      await busy(signOut, () => api("/oauth/logout", { method: "POST" }));
      history.replaceState(null, "", "/");
      signedOut(t("You are signed out."));
    } catch (error) {
      fill(status, describe(error));
    }
  });
  fill(account, h("span", { class: "meta account-name" }, host.display_name), " ", signOut);
  fill(status);

  /** @type {Map<string, Section>} */
  const made = new Map(); // section id → {element, load}: built and loaded the first time it is shown
  /** @param {Host} updated */
  const hostChanged = (updated) => {
    const zoneMoved = updated.time_zone !== host.time_zone;
    host = updated;
    made.get("event-types")?.refreshLinks?.();
    if (zoneMoved) made.get("availability")?.load(); // hours kept in the old zone moved with the profile
  };
  /** @type {Record<string, () => Section>} */
  const builders = {
    "event-types": () => eventTypesSection(getHost, () => made.get("availability")?.refreshList?.()),
    availability: () => hoursSection((schedules) => made.get("event-types")?.setSchedules?.(schedules)),
    bookings: () => bookingsSection(getHost),
    teams: () => {
      const teams = teamsSection(getHost);
      const load = () => {
        if (!INVITATION || accepted) return teams.load();
        accepted = true;
        return teams.accept(INVITATION);
      };
      return { element: teams.element, load };
    },
    calendars: () => {
      const connection = connectionCard(getHost, (updated) => {
        host = updated;
        calendars.load();
      });
      const calendars = calendarsSection(getHost, { refused: CALENDAR_LIST_REFUSED, connection: connection.element,
        consentPath: `/oauth/start?${new URLSearchParams({ purpose: "calendars", return_to: `${BASE}/calendars` })}` });
      return { element: calendars.element, load: () => { connection.draw(); calendars.load(); } };
    },
    integrations: () => webhooksSection(getHost),
    profile: () => profileSection(getHost, hostChanged),
    privacy: () => privacySection(getHost, { changed: hostChanged, erased: () => {
      history.replaceState(null, "", "/");
      signedOut(t("Your account was deleted. Thank you for using Kaleno."));
    }, askToConfirm }),
  };
  let accepted = false; // the invitation in the address, accepted once
  const body = h("div", { class: "sections" });
  let drawn = false;

  function showApp() {
    if (!nav.childElementCount) showFrame();
    fill(page, body);
    drawn = true;
  }

  /**
   * Show one section (building and loading it the first time); `focus` after a navigation, not on first load.
   * @param {string} id
   * @param {{focus?: boolean}} [how]
   */
  function show(id, { focus = false } = {}) {
    // Joining a team needs no setup first: the Teams section opens for a new host too.
    if (id === SETUP || (!host.onboarded && id !== "teams")) return showSetup();
    if (!drawn) showApp();
    let section = made.get(id);
    if (!section) {
      section = builders[id]();
      made.set(id, section);
      body.append(section.element);
      section.load();
    }
    for (const [other, built] of made) built.element.hidden = other !== id;
    for (const [other, link] of links) {
      if (other === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const link = links.get(id);
    if (link) showTab(link);
    const label = SECTIONS.find(([sectionId]) => sectionId === id)?.[1];
    document.title = t("{section} · Dashboard · Kaleno", { section: label });
    if (focus) {
      const heading = section.element.querySelector("h2");
      heading?.setAttribute("tabindex", "-1");
      heading?.focus();
      scrollTo(0, 0);
    }
  }

  function showSetup() {
    if (host.onboarded) return go(FIRST, { replace: true });
    if (location.pathname !== `${BASE}/${SETUP}`) history.replaceState(null, "", `${BASE}/${SETUP}`);
    document.title = t("Set up your booking page · Kaleno");
    document.body.classList.remove("with-nav");
    nav.hidden = true;
    fill(nav);
    drawn = false;
    fill(title, t("Welcome to Kaleno"));
    fill(page, setupFlow(getHost, {
      changed: (/** @type {Host} */ updated) => { host = updated; },
      done: (/** @type {Host} */ updated) => {
        host = updated;
        go(FIRST, { replace: true, focus: true });
      },
    }));
  }

  /**
   * @param {string} id
   * @param {{replace?: boolean, focus?: boolean}} [how]
   */
  function go(id, { replace = false, focus = false } = {}) {
    const url = `${BASE}/${id}`;
    if (replace) history.replaceState(null, "", url);
    else if (location.pathname !== url) history.pushState(null, "", url);
    show(id, { focus });
  }

  nav.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-section]") : null;
    if (!(link instanceof HTMLElement) || !link.dataset.section || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(link.dataset.section, { focus: true });
  });
  addEventListener("popstate", () => show(sectionOf(new URL(location.href)), { focus: true }));

  // The address as the section it names (older links: / and /?booking=<id> and /#calendars).
  const url = new URL(location.href);
  const id = INVITATION ? "teams" : sectionOf(url);
  const kept = { bookings: "booking", teams: "team" }[id]; // the one query a section reads
  const canonical = `${BASE}/${id}${kept && url.searchParams.has(kept) ? `?${kept}=${encodeURIComponent(url.searchParams.get(kept) ?? "")}` : ""}`;
  if (`${location.pathname}${location.search}` !== canonical || location.hash) history.replaceState(null, "", canonical);
  show(id);
}

/**
 * On phones the sections are a tab bar that scrolls sideways on its own: the current one is brought into it.
 * @param {HTMLElement} link
 */
function showTab(link) {
  const list = link.closest("ul");
  if (!list || list.scrollWidth <= list.clientWidth) return;
  const [box, item] = [list.getBoundingClientRect(), link.getBoundingClientRect()];
  list.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
}

/**
 * The Google Calendar connection: state, disconnect (confirmed first), reconnect.
 * @param {GetHost} getHost
 * @param {(host: Host) => void} changed
 */
function connectionCard(getHost, changed) {
  const element = h("section", { class: "card", "aria-labelledby": "calendar-title" });
  function draw() {
    const host = getHost();
    const connected = host.connection.state === "connected";
    const parts = [
      h("h3", { id: "calendar-title" }, t("Google Calendar")),
      h("p", {}, h("span", { class: `badge ${connected ? "ok" : "warn"}` }, connected ? t("Connected") : t("Not connected")), " ",
        h("span", { class: "email" }, breakableUrl(host.email))),
    ];
    if (!connected) {
      fill(element, ...parts, h("div", { class: "notice warn", role: "alert" },
        h("p", {}, connectionText(host.connection)),
        h("p", {}, t("Your booking pages offer no times until the calendar is connected.")),
        h("p", { class: "actions" }, h("a", { class: "button primary", href: signInUrl() }, t("Reconnect Google Calendar")))));
      return;
    }
    const area = h("div");
    const begin = h("button", { type: "button", class: "danger" }, t("Disconnect calendar"));
    begin.addEventListener("click", () => askToConfirm(area, {
      kind: "disconnect",
      message: t("Kaleno will give back its access to your Google Calendar, forget your busy times and stop adding bookings to it. Your booking pages offer no times until you reconnect."),
      details: [closingImpact()],
      confirm: t("Yes, disconnect"),
      keep: t("Stay connected"),
      busyText: t("Disconnecting…"),
      run: async () => {
        changed(await api("/hosts/me/disconnect", { method: "POST" }));
        draw();
      },
    }));
    fill(element, ...parts, h("p", {}, connectionText(host.connection)), h("p", { class: "actions" }, begin), area);
  }
  return { element, draw };
}

// What each missing Google permission lets Kaleno do (shared/web/views.py _SCOPE_NAMES, in the page's words).
/** @type {Record<string, string>} */
const SCOPE_USES = {
  "https://www.googleapis.com/auth/calendar.events.owned": t("create and manage the booking events Kaleno adds"),
  "https://www.googleapis.com/auth/calendar.freebusy": t("see when you are busy (times only, no event details)"),
  "https://www.googleapis.com/auth/calendar.calendarlist.readonly": t("see the names of your calendars, so you can choose which ones count as busy and which one receives bookings"),
};

/**
 * The connection's state in the page's language, from its fields (the API's `message` is in English and tells an
 * API client to visit /oauth/start; here the button below does that).
 * @param {import("./types.js").Connection} connection
 * @returns {string}
 */
function connectionText(connection) {
  if (connection.state === "connected") return t("Your Google Calendar is connected.");
  if (connection.missing_scopes.length) {
    const needed = connection.missing_scopes.map((scope) => SCOPE_USES[scope] || scope).join("; ");
    return t("Calendar not connected: Kaleno needs permission to {needed}. Tick the calendar permissions on Google's consent screen.", { needed });
  }
  if (connection.reason === "google_access_revoked") return t("Google no longer lets Kaleno use your calendar.");
  if (connection.reason === "host_disconnected") return t("You disconnected your calendar.");
  return t("Calendar not connected.");
}

/**
 * @param {GetHost} getHost
 * @param {(host: Host) => void} saved
 * @returns {Section}
 */
function profileSection(getHost, saved) {
  const host = getHost();
  const name = field(t("Display name"), { name: "display_name", value: host.display_name, autocomplete: "name", maxlength: 100,
    hint: t("Shown on your booking pages.") });
  const slug = field(t("Page address (slug)"), { name: "slug", value: host.slug, maxlength: 60, autocapitalize: "none", spellcheck: "false",
    hint: [t("Your booking pages live at "), breakableUrl(`${location.origin}/<slug>/${t("<event type>")}`),
      t(". Changing it breaks links you already shared.")] });
  const zone = field(t("Time zone"), { kind: "select", name: "time_zone", options: zoneOptions(host.time_zone) });
  zone.input.value = host.time_zone;
  const browserZone = detectedZone();
  const suggest = browserZone !== host.time_zone && h("button", { type: "button", class: "link", onclick: () => {
    zone.input.value = browserZone;
    zone.input.focus();
  } }, t("Use this browser's zone ({zone})", { zone: browserZone }));
  const submit = h("button", { type: "submit", class: "primary" }, t("Save profile"));
  const done = h("p", { class: "status-line", role: "status" });
  const look = lookFields(host);
  const form = h("form", { novalidate: true, "aria-labelledby": "profile-title" }, summaryBox(), name.wrap, slug.wrap, zone.wrap,
    suggest && h("p", {}, suggest), ...look.wraps, h("div", { class: "actions" }, submit), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    fill(done);
    const body = { display_name: name.input.value.trim(), slug: slug.input.value.trim(), time_zone: zone.input.value, ...look.values() };
    try {
      const updated = await busy(submit, () => api("/hosts/me", { method: "PATCH", body }), t("Saving…"));
      saved(updated);
      fill(done, t("Profile saved."));
    } catch (error) {
      showErrors(form, error);
    }
  });
  const card = h("section", { class: "card", "aria-labelledby": "profile-title" }, h("h2", { id: "profile-title" }, t("Profile")), form);
  const element = h("div", {}, card, pictureCard(getHost, saved));
  return { element, load: () => {} }; // drawn from the host already loaded
}
