// @ts-check
// Dashboard: the host's rights over their data, side by side: export, restrict or object to processing (either
// pauses every calendar read and write, and the booking pages, while the data is kept), and erase the account.
import { closingImpact } from "./dash-confirm.js";
import { api, describe } from "./api.js";
import { fill, h, busy, download } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Host} Host */
/** @typedef {import("./types.js").Erasure} Erasure */

/** @type {["restricted" | "objected", string, string, string, string][]} */
const PAUSES = [
  ["restricted", "/privacy/restrict", t("Restrict processing"), t("Lift the restriction"),
    t("Processing is restricted: Kaleno keeps your data but reads and writes nothing in your calendar, and your booking pages offer no times.")],
  ["objected", "/privacy/object", t("Object to processing"), t("Withdraw the objection"),
    t("You object to processing: Kaleno keeps your data but reads and writes nothing in your calendar, and your booking pages offer no times.")],
];

/**
 * `changed(host)` after a pause is set or lifted; `erased()` once the account is gone.
 * @param {import("./types.js").GetHost} getHost
 * @param {{changed: (host: Host) => void, erased: () => void, askToConfirm: typeof import("./dash-confirm.js").askToConfirm}} hooks
 * @returns {import("./types.js").Section}
 */
export function privacySection(getHost, { changed, erased, askToConfirm }) {
  const result = h("div", { role: "status", class: "status-line" });
  const area = h("div");
  const state = h("div");
  const exportButton = h("button", { type: "button" }, t("Export my data"));
  exportButton.addEventListener("click", async () => {
    try {
      const data = await busy(exportButton, () => api("/privacy/export"), t("Preparing…"));
      download("kaleno-export.json", JSON.stringify(data, null, 2), "application/json");
      fill(result, t("Your data was downloaded as a JSON file."));
    } catch (error) {
      fill(result, h("span", { class: "error" }, describe(error)));
    }
  });
  const pauseButtons = PAUSES.map(([flag, path, set, lift]) => {
    const button = h("button", { type: "button", "data-flag": flag }, getHost()[flag] ? lift : set);
    button.addEventListener("click", async () => {
      const active = !getHost()[flag];
      try {
        await busy(button, () => api(path, { method: "POST", body: { active } }), t("Saving…"));
        changed({ ...getHost(), [flag]: active });
        draw();
        fill(result, t("{action}: done.", { action: active ? set : lift }));
      } catch (error) {
        fill(result, h("span", { class: "error" }, describe(error)));
      }
    });
    return button;
  });
  const deleteButton = h("button", { type: "button", class: "danger" }, t("Delete my account"));
  deleteButton.addEventListener("click", () => askToConfirm(area, {
    kind: "erase",
    message: t("Deleting your account cannot be undone. Export your data first if you want a copy."),
    details: [closingImpact()],
    tick: t("I understand: my account, event types, hours and bookings are deleted for good, and future bookings are cancelled and removed from my calendar."),
    confirm: t("Delete my account for good"),
    keep: t("Keep my account"),
    busyText: t("Deleting…"),
    run: () => eraseAccount(result, erased),
  }));

  function draw() {
    const host = getHost();
    PAUSES.forEach(([flag, , set, lift], i) => fill(pauseButtons[i], host[flag] ? lift : set));
    const active = PAUSES.filter(([flag]) => host[flag]).map(([, , , , said]) => h("p", {}, said));
    fill(state, active.length ? h("div", { class: "notice warn" }, active) : null);
  }
  draw();

  const element = h("section", { class: "card", "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, t("Privacy and your data")),
    h("p", {}, t("Download everything Kaleno holds about you, pause what Kaleno does with it, or delete your account."), " ",
      h("a", { href: "/privacy-policy" }, t("Privacy policy")), "."),
    state,
    h("p", { class: "actions" }, exportButton, pauseButtons, deleteButton),
    h("p", { class: "hint" }, t("Restricting or objecting keeps your account and bookings; lift it here any time.")),
    area, result);
  return { element, load: () => {} }; // drawn from the host already loaded
}

/**
 * @param {HTMLElement} result
 * @param {() => void} erased
 */
async function eraseAccount(result, erased) {
  /** @type {Erasure} */
  let receipt = await api("/privacy/erase", { method: "POST" });
  fill(result, t("Deleting your account…"));
  for (let i = 0; i < 60 && receipt.state !== "done"; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    receipt = await api(`/privacy/erase/${encodeURIComponent(receipt.erasure_id)}`);
  }
  if (receipt.state !== "done") {
    fill(result, t("Your account is still being deleted; this page will not show it again once it is done."));
    return;
  }
  erased();
}
