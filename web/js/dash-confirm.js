// @ts-check
// Dashboard: the one confirmation step before anything that cannot be undone with a click (disconnecting the
// calendar, deleting the account). Every such step is built here, so what they say and do stays alike.
import { api, describe } from "./api.js";
import { fill, h, checkbox, busy } from "./dom.js";
import { t, tn } from "./i18n.js";

/**
 * @typedef {object} Confirmation
 * @property {string} kind
 * @property {import("./dom.js").Child} message
 * @property {import("./dom.js").Child[]} [details]
 * @property {string} [tick]
 * @property {string} confirm
 * @property {string} keep
 * @property {string} [busyText]
 * @property {() => Promise<unknown>} run
 */

/**
 * Fill `area` with a confirmation: `message` (text or nodes; `details` adds more, e.g. what else it affects),
 * an optional `tick` box that must be ticked first, the `confirm` button that runs `run()` and the `keep` button
 * that closes it. An error of `run` is said in the area. `kind` names the step (data-confirm) for whoever adds to it.
 * @param {HTMLElement} area
 * @param {Confirmation} confirmation
 */
export function askToConfirm(area, { kind, message, details = [], tick, confirm, keep, busyText, run }) {
  const button = h("button", { type: "button", class: "danger primary", disabled: Boolean(tick) }, confirm);
  const problem = h("p", { class: "error", role: "alert" });
  const understood = tick ? checkbox(tick) : null;
  understood?.input.addEventListener("change", () => { button.disabled = !understood.input.checked; });
  button.addEventListener("click", async () => {
    fill(problem);
    try {
      await busy(button, run, busyText);
    } catch (error) {
      fill(problem, describe(error));
    }
  });
  fill(area, h("div", { class: "notice warn", "data-confirm": kind },
    h("p", {}, message), details,
    understood?.wrap,
    h("p", { class: "actions" }, button, h("button", { type: "button", onclick: () => fill(area) }, keep)),
    problem));
  (understood?.input || button).focus();
}

// Said before a disconnect or a deletion is confirmed: how many bookings still to come it cancels.
export function closingImpact() {
  const told = t("Each invitee gets a cancellation email that removes it from their calendar.");
  const line = h("p", { role: "status" }, t("Counting your bookings still to come…"));
  api("/hosts/me/closing-impact").then(({ future_bookings: count }) => fill(line, count === 0
    ? t("You have no bookings still to come, so none will be cancelled.")
    : `${tn("{count} booking still to come will be cancelled.", "{count} bookings still to come will be cancelled.", count)} ${told}`))
    .catch(() => fill(line, `${t("Every booking still to come will be cancelled.")} ${told}`));
  return line;
}
