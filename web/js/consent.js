// @ts-check
// Cookie banner: only essential cookies (sign-in, the choice itself) until the visitor chooses. Analytics is
// first-party and loaded only after the server has recorded consent; rejecting is one click, like accepting.
import { api, describe } from "./api.js";
import { h, fill } from "./dom.js";
import { initLanguageSwitch, t } from "./i18n.js";

const ANALYTICS_COOKIE = "kaleno_analytics";

// Every page calls this first: it also wires the footer's other control, the language switch.
export async function initConsent() {
  initLanguageSwitch();
  const settings = document.querySelectorAll("[data-consent-settings]");
  // In another site's frame (an embedded booking page) nothing is asked and nothing non-essential is ever loaded:
  // the visitor is on that site, and booking needs no cookie. (At ?embed=1 the page has no footer to begin with.)
  if (window.parent !== window) {
    for (const button of settings) button.setAttribute("hidden", "");
    return;
  }
  for (const button of settings) {
    button.addEventListener("click", () => showBanner({ reopened: true }));
  }
  let consent = { decided: false, analytics: false };
  try {
    consent = await api("/privacy/consent");
  } catch {
    // Unknown: ask, and load nothing non-essential meanwhile.
  }
  if (!consent.decided) showBanner({ reopened: false });
  else if (consent.analytics) loadAnalytics();
}

/** @param {{reopened: boolean}} how */
function showBanner({ reopened }) {
  const slot = document.getElementById("consent");
  if (!slot) return;
  const message = h("p", { role: "status", class: "status-line" });
  /**
   * @param {boolean} analytics
   * @param {HTMLButtonElement} button
   */
  const choose = async (analytics, button) => {
    for (const b of buttons) b.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await api("/privacy/consent", { method: "POST", body: { analytics } });
      fill(slot);
      announce(analytics ? t("Analytics allowed. You can change this under Cookie settings.") : t("Only essential cookies are used."));
      if (analytics) loadAnalytics();
      else forgetAnalytics();
    } catch (error) {
      message.className = "error";
      fill(message, t("Your choice could not be saved: {problem}", { problem: describe(error) }));
      if (!analytics) forgetAnalytics();
    } finally {
      for (const b of buttons) b.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };
  const reject = h("button", { type: "button", onclick: () => choose(false, reject) }, t("Reject non-essential"));
  const accept = h("button", { type: "button", onclick: () => choose(true, accept) }, t("Accept analytics"));
  const buttons = [reject, accept];
  fill(slot, h("section", { class: "banner", "aria-labelledby": "consent-title" },
    h("div", { class: "wrap" },
      h("h2", { id: "consent-title", tabindex: "-1" }, t("Cookies")),
      h("p", {}, t("Kaleno uses only essential cookies (to keep you signed in and to remember this choice). With your consent it also counts page visits with its own first-party analytics; nothing is loaded from other sites either way.")),
      h("p", {}, h("a", { href: "/privacy-policy" }, t("Privacy policy")), " · ",
        h("a", { href: "/cookie-policy" }, t("Cookie policy"))),
      h("div", { class: "actions" }, reject, accept),
      message)));
  if (reopened) slot.querySelector("h2")?.focus();
}

/** @param {string} text */
function announce(text) {
  const live = document.getElementById("consent-live") ||
    document.body.appendChild(h("p", { id: "consent-live", class: "vh", role: "status" }));
  live.textContent = text;
}

/** @type {Promise<typeof import("./analytics.js")> | null} */
let analytics = null; // the module, once consent has loaded it
function loadAnalytics() {
  analytics ??= import("./analytics.js").then((module) => {
    module.start();
    return module;
  });
  analytics.catch(() => { analytics = null; });
}

/** Withdrawn or refused: drop the cookie and stop counting. Never loads the analytics script to do so. */
function forgetAnalytics() {
  document.cookie = `${ANALYTICS_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  analytics?.then((module) => module.stop());
  analytics = null;
}
