// @ts-check
// Dashboard: the first-run setup, in four short steps, each skippable: page address (suggested from the name and
// checked while typed), time zone and weekly hours, a first event type, and the link to share. Finishing or
// skipping it marks the host onboarded (PATCH /hosts/me {"onboarded": true}): it is never shown again.
import { api, describe, showErrors, clearErrors, summaryBox, ApiError } from "./api.js";
import { fill, h, field, busy } from "./dom.js";
import { detectedZone, zoneOptions } from "./time.js";
import { slugify, breakableUrl } from "./dash-types.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Host} Host */
/** @typedef {import("./types.js").EventType} EventType */

const STEPS = [t("Page address"), t("Time zone and hours"), t("First event type"), t("Share your link")];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const RANDOM_SLUG = /^host-[0-9a-f]{8}$/; // what a first sign-in is given until the host chooses

/**
 * `changed(host)` after each saved step; `done(host)` once the host finished or skipped the setup.
 * @param {import("./types.js").GetHost} getHost
 * @param {{changed: (host: Host) => void, done: (host: Host) => void}} hooks
 * @returns {HTMLElement}
 */
export function setupFlow(getHost, { changed, done }) {
  let step = 0;
  /** @type {EventType | null} */
  let eventType = null; // the event type made in step 3, for the link of step 4
  const body = h("div");
  const problem = h("p", { class: "error", role: "alert" });
  const skipAll = h("button", { type: "button", class: "link" }, t("Skip setup"));
  skipAll.addEventListener("click", () => finish(skipAll));
  const skipLine = h("p", { class: "setup-skip" }, skipAll, " ", h("span", { class: "hint" }, t("You can change everything later in your dashboard.")));
  const progress = h("p", { class: "meta", id: "setup-progress" });
  const heading = h("h2", { id: "setup-title", tabindex: "-1" });
  const element = h("section", { class: "card setup", "aria-labelledby": "setup-title" },
    progress, heading, body, problem, skipLine);

  /** @param {HTMLButtonElement} button */
  async function finish(button) {
    try {
      done(await busy(button, () => api("/hosts/me", { method: "PATCH", body: { onboarded: true } })));
    } catch (error) {
      fill(problem, describe(error));
    }
  }

  function next(focus = true) {
    step += 1;
    draw(focus);
  }

  function draw(focus = true) {
    fill(problem);
    fill(progress, t("Step {step} of {steps}", { step: step + 1, steps: STEPS.length }));
    fill(heading, STEPS[step]);
    fill(body, [addressStep, hoursStep, typeStep, shareStep][step]());
    skipLine.hidden = step === STEPS.length - 1; // the last step's own button ends the setup
    if (focus) heading.focus();
  }

  /**
   * A form with "Continue" (runs `save`, then the next step) and "Skip this step".
   * @param {import("./dom.js").Child[]} fields
   * @param {() => Promise<void>} save
   * @param {string} [continueText]
   */
  function stepForm(fields, save, continueText = t("Continue")) {
    const submit = h("button", { type: "submit", class: "primary" }, continueText);
    const skip = h("button", { type: "button", onclick: () => next() }, t("Skip this step"));
    const form = h("form", { novalidate: true, "aria-labelledby": "setup-title" }, summaryBox(), fields,
      h("div", { class: "actions" }, submit, skip));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        await busy(submit, save, t("Saving…"));
        next();
      } catch (error) {
        showErrors(form, error);
      }
    });
    return form;
  }

  function addressStep() {
    const host = getHost();
    const suggested = RANDOM_SLUG.test(host.slug) ? slugify(host.display_name) || host.slug : host.slug;
    const slug = field(t("Page address"), { name: "slug", value: suggested, maxlength: 60, autocapitalize: "none",
      spellcheck: "false", hint: t("Lowercase letters, digits and hyphens. People book you at this address.") });
    const preview = h("p", { class: "setup-address" });
    const verdict = h("p", { class: "status-line", role: "status", id: "slug-verdict" });
    slug.input.setAttribute("aria-describedby", `${slug.input.getAttribute("aria-describedby")} ${verdict.id}`);
    let asked = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    async function check() {
      const value = slug.input.value.trim();
      fill(preview, breakableUrl(`${location.origin}/`), h("strong", {}, value || "…"));
      const mine = ++asked;
      if (!value) return fill(verdict);
      try {
        const { available } = await api(`/hosts/me/slug-check?${new URLSearchParams({ slug: value })}`);
        if (mine !== asked) return;
        verdict.className = `status-line ${available ? "ok-text" : "bad-text"}`;
        fill(verdict, available ? t("Available.") : t("Taken: try another address."));
      } catch (error) {
        if (mine !== asked) return;
        verdict.className = "status-line bad-text";
        const message = error instanceof ApiError && error.fields[0]?.message;
        fill(verdict, message ? sentence(message) : describe(error));
      }
    }
    slug.input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
    check();
    return stepForm([h("p", {}, t("Choose the address of your booking page.")), slug.wrap, preview, verdict], async () => {
      changed(await api("/hosts/me", { method: "PATCH", body: { slug: slug.input.value.trim() } }));
    });
  }

  function hoursStep() {
    const host = getHost();
    // The zone Google Calendar gave the new host; if that was UTC, the browser's (UTC only if the host is in UTC).
    const suggested = host.time_zone !== "UTC" ? host.time_zone : detectedZone();
    const zone = field(t("Time zone"), { kind: "select", name: "time_zone", options: zoneOptions(suggested),
      hint: t("Times on your booking pages are offered in this zone; invitees see them in theirs.") });
    zone.input.value = suggested;
    const said = h("p", {}, t("Your booking pages will offer "), h("strong", {}, t("Monday to Friday, 09:00–17:00")),
      t(". Change the hours, add days off and more schedules later under Availability."));
    return stepForm([zone.wrap, said], async () => {
      changed(await api("/hosts/me", { method: "PATCH", body: { time_zone: zone.input.value } }));
      const weekly = Object.fromEntries(WEEKDAYS.map((day) => [day, [["09:00", "17:00"]]]));
      await api("/hosts/me/schedule", { method: "PUT", body: { time_zone: zone.input.value, weekly } });
    });
  }

  function typeStep() {
    const titleField = field(t("Title"), { name: "title", value: t("Meeting"), maxlength: 200,
      hint: t("What people book, for example Intro call. It lasts 30 minutes; change that and more later.") });
    return stepForm([titleField.wrap], async () => {
      const title = titleField.input.value.trim();
      eventType = await api("/hosts/me/event-types", { method: "POST",
        body: { title, slug: slugify(title) || "meeting", duration_minutes: 30 } });
    }, t("Create event type"));
  }

  function shareStep() {
    const host = getHost();
    // One template literal per line: the message extractor (Babel) loses its place in a nested one.
    const typePath = eventType ? "/" + encodeURIComponent(eventType.slug) : "";
    const url = `${location.origin}/${encodeURIComponent(host.slug)}${typePath}`;
    const copied = h("p", { class: "status-line", role: "status" });
    const copy = h("button", { type: "button", class: "primary" }, t("Copy link"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        fill(copied, t("Link copied."));
      } catch {
        fill(copied, t("Copying is blocked here: select the link and copy it."));
      }
    });
    const finishButton = h("button", { type: "button" }, t("Go to your dashboard"));
    finishButton.addEventListener("click", () => finish(finishButton));
    return [
      h("p", {}, eventType ? t("People book “{title}” with you at:", { title: eventType.title }) : t("Your booking page:")),
      h("p", { class: "share-link" }, h("a", { href: url }, breakableUrl(url))),
      h("div", { class: "actions" }, copy, finishButton),
      copied,
    ];
  }

  draw(false);
  return element;
}

/** @param {string} text */
const sentence = (text) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`.replace(/^Value error, /i, "");
