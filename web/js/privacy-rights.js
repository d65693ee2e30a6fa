// @ts-check
// Rights over everything Kaleno holds about an email address (/privacy-rights): proof first. Without a
// proof, the visitor asks for a one-time link mailed to the address; opened from that mail
// (/privacy-rights#proof=<token>), the link is redeemed once for a short-lived grant, kept in memory only,
// which downloads, restricts, objects to or erases every booking made with the address.
import { api, describe, showErrors, clearErrors, statusOf, summaryBox } from "./api.js";
import { byId, fill, h, field, busy, download } from "./dom.js";
import { initConsent } from "./consent.js";
import { t, tn } from "./i18n.js";

const status = byId("status");
const page = byId("page");

initConsent();
start();
addEventListener("hashchange", start); // the mailed link pasted into a tab already showing this page

function start() {
  const proof = new URLSearchParams(location.hash.slice(1)).get("proof");
  if (proof) {
    history.replaceState(null, "", location.pathname); // the token is spent once redeemed: keep it out of history
    redeem(proof);
  } else {
    askForLink();
  }
}

/** @param {string} [notice] */
function askForLink(notice) {
  const email = field(t("Email"), { name: "email", type: "email", autocomplete: "email", maxlength: 254, required: true,
    hint: t("We send a link to this address. It works once, for 30 minutes.") });
  const submit = h("button", { type: "submit", class: "primary" }, t("Email me a link"));
  const form = h("form", { novalidate: true, "aria-labelledby": "ask-title" }, summaryBox(), email.wrap,
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const address = email.input.value.trim();
    try {
      await busy(submit, () => api("/privacy/address-proofs", { method: "POST", body: { email: address } }), t("Sending…"));
      sent(address);
    } catch (error) {
      showErrors(form, error);
    }
  });
  fill(status, notice || "");
  status.className = notice ? "notice warn" : "status-line";
  fill(page, h("section", { class: "card", "aria-labelledby": "ask-title" },
    h("h2", { id: "ask-title" }, t("See or manage everything about your email address")),
    h("p", {}, t("A booking's own link lets you manage that booking. To download, restrict or erase every booking made with your email address, with any host, first show that the address is yours.")),
    form,
    h("p", {}, h("a", { href: "/privacy-policy" }, t("How Kaleno uses your data")), ".")));
}

/** @param {string} address */
function sent(address) {
  status.className = "status-line";
  fill(status, t("Check your inbox."));
  const heading = h("h2", { id: "sent-title", tabindex: "-1" }, t("Check your inbox"));
  fill(page, h("section", { class: "card", "aria-labelledby": "sent-title" }, heading,
    h("p", {}, t("If {address} receives mail, a link is on its way there. Open it within 30 minutes; it works once.", { address })),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => askForLink() }, t("Use another address")))));
  heading.focus();
}

/** @param {string} proof */
async function redeem(proof) {
  fill(status, t("Checking your link…"));
  let granted;
  try {
    granted = await api("/privacy/address-proofs/redeem", { method: "POST", body: { token: proof } });
  } catch (error) {
    const spent = statusOf(error) === 410 || statusOf(error) === 401;
    askForLink(spent ? t("This link was already used, has expired or is not valid. Ask for a new one below.") : describe(error));
    return;
  }
  rights(granted.grant, granted.email);
}

/**
 * @param {string} grant
 * @param {string} email
 */
function rights(grant, email) {
  status.className = "status-line";
  fill(status, t("Your address {email} is confirmed for 30 minutes.", { email }));
  const result = h("div", { role: "status" });
  const confirmArea = h("div");
  const say = (/** @type {any} */ message) => fill(result, message);
  const failed = (/** @type {unknown} */ error) => say(h("p", { class: "error" }, describe(error)));

  const exportButton = h("button", { type: "button" }, t("Download my data"));
  exportButton.addEventListener("click", async () => {
    try {
      const data = await busy(exportButton, () => api("/privacy/export", { token: grant }), t("Preparing…"));
      download("kaleno-my-data.json", JSON.stringify(data, null, 2), "application/json");
      say(tn("Your data was downloaded as a JSON file ({count} booking).", "Your data was downloaded as a JSON file ({count} bookings).", data.bookings.length));
    } catch (error) {
      failed(error);
    }
  });

  const restrictButton = processingButton(grant, "restrict", [t("Restrict processing"), t("Lift the restriction")], say, failed);
  const objectButton = processingButton(grant, "object", [t("Object to processing"), t("Withdraw my objection")], say, failed);

  const eraseButton = h("button", { type: "button", class: "danger" }, t("Erase my details"));
  eraseButton.addEventListener("click", () => {
    const confirm = h("button", { type: "button", class: "danger primary" }, t("Erase them for good"));
    confirm.addEventListener("click", async () => {
      try {
        const receipt = await busy(confirm, () => api("/privacy/erase", { method: "POST", token: grant }), t("Erasing…"));
        fill(confirmArea);
        say(tn("Your name, email, phone number, notes and answers were erased from {count} booking. The times stay booked.",
          "Your name, email, phone number, notes and answers were erased from {count} bookings. The times stay booked.", receipt.steps.bookings_anonymised));
      } catch (error) {
        failed(error);
      }
    });
    fill(confirmArea, h("div", { class: "notice warn" },
      h("p", {}, t("Your name, email, phone number, notes and answers will be removed from every booking made with {email}, with every host, and from the hosts' calendars. The booked times stay. This cannot be undone.", { email })),
      h("div", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(confirmArea) }, t("Keep my details")))));
    confirm.focus();
  });

  const heading = h("h2", { id: "rights-title", tabindex: "-1" }, t("Everything about your address"));
  fill(page, h("section", { class: "card", "aria-labelledby": "rights-title" }, heading,
    h("p", {}, t("These act on every booking made with {email}, with every host.", { email })),
    h("p", {}, t("Restricting or objecting keeps your bookings as they are and stops Kaleno processing them further (no reminders, nothing new sent to the host's calendar or systems). Changes you make yourself, such as a reschedule or a cancellation, still reach the host.")),
    h("div", { class: "actions" }, exportButton, restrictButton, objectButton, eraseButton), confirmArea, result,
    h("p", {}, h("a", { href: "/privacy-policy" }, t("How Kaleno uses your data")), ".")));
  heading.focus();
}

/**
 * What a processing flag's change did, said whole (a sentence is translated whole, never pieced together).
 * @param {"restrict" | "object"} right
 * @param {boolean} active
 * @returns {string}
 */
function processingSaid(right, active) {
  if (right === "restrict") return active ? t("Processing of your bookings is restricted.") : t("Processing of your bookings is no longer restricted.");
  return active ? t("Processing of your bookings is objected to.") : t("Processing of your bookings is no longer objected to.");
}

/**
 * A button that sets a processing flag and, once set, lifts it.
 * @param {string} grant
 * @param {"restrict" | "object"} right
 * @param {[string, string]} labels what the button says while the flag is off, and while it is on
 * @param {(message: any) => void} say
 * @param {(error: unknown) => void} failed
 */
function processingButton(grant, right, [setLabel, liftLabel], say, failed) {
  let active = false;
  const button = h("button", { type: "button" }, setLabel);
  button.addEventListener("click", async () => {
    try {
      const state = await busy(button, () => api(`/privacy/${right}`, { method: "POST", body: { active: !active }, token: grant }), t("Saving…"));
      active = right === "restrict" ? state.restricted : state.objected;
      fill(button, active ? liftLabel : setLabel);
      say(processingSaid(right, active));
    } catch (error) {
      failed(error);
    }
  });
  return button;
}
