// Dashboard: the one confirmation step before anything that cannot be undone with a click (disconnecting the
// calendar, deleting the account). Every such step is built here, so what they say and do stays alike.
import { describe } from "./api.js";
import { fill, h, checkbox, busy } from "./dom.js";

/**
 * Fill `area` with a confirmation: `message` (text or nodes; `details` adds more, e.g. what else it affects),
 * an optional `tick` box that must be ticked first, the `confirm` button that runs `run()` and the `keep` button
 * that closes it. An error of `run` is said in the area. `kind` names the step (data-confirm) for whoever adds to it.
 */
export function askToConfirm(area, { kind, message, details = [], tick, confirm, keep, busyText, run }) {
  const button = h("button", { type: "button", class: "danger primary", disabled: Boolean(tick) }, confirm);
  const problem = h("p", { class: "error", role: "alert" });
  const understood = tick && checkbox(tick);
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
