// @ts-check
// The host's look, in the dashboard's profile: their pages' language, their brand colour (its contrast shown
// while it is chosen, as the server will judge it: web/js/brand.js) and their picture (chosen with a preview,
// uploaded, removed).
import { api, clearErrors, showErrors, summaryBox } from "./api.js";
import { busy, checkbox, field, fill, h } from "./dom.js";
import { AA_MINIMUM, brandContrast, nearestReadable } from "./brand.js";
import { initials } from "./booking-facts.js";
import { locale, t } from "./i18n.js";

/** @typedef {import("./types.js").Host} Host */
/** @typedef {import("./types.js").GetHost} GetHost */

const KALENO_ACCENT = "#0b57d0"; // web/app.css --accent: where a colour input starts without a brand colour
const PICTURE_TYPES = "image/png,image/jpeg,image/webp,image/gif";

/** @param {number} ratio @returns {string} a contrast ratio the locale's way, to two decimals ("4,50" in Indonesian) */
const twoDecimals = (ratio) => new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  .format(ratio);

/**
 * The profile form's fields for the language and the brand colour, and what they say to PATCH /hosts/me.
 * @param {Host} host
 * @returns {{ wraps: HTMLElement[], values: () => { locale: string, brand_color: string | null } }}
 */
export function lookFields(host) {
  const language = field(t("Language of your pages"), {
    kind: "select", name: "locale", options: [["en", "English"], ["id", "Bahasa Indonesia"]], // each language by its own name
    hint: t("Visitors whose browser asks for neither language see this one; the emails Kaleno sends you use it too."),
  });
  language.input.value = host.locale || "en";
  const own = checkbox(t("Use my brand colour on my pages"), { checked: Boolean(host.brand_color) });
  const color = field(t("Colour"), {
    type: "color", name: "brand_color", value: host.brand_color || KALENO_ACCENT,
    hint: t("Buttons, links and the chosen time on your pages. It must be dark enough for white text on it and for "
      + "links on white (contrast {minimum}:1 or more).", { minimum: AA_MINIMUM }),
  });
  const verdict = h("p", { class: "brand-verdict", role: "status" });
  const sample = h("div", { class: "brand-sample", "aria-hidden": "true" },
    h("span", { class: "brand-sample-button" }, t("Book")), h("span", { class: "brand-sample-link" }, t("A link on your page")));
  const useSuggested = h("button", { type: "button", class: "link", hidden: true });
  const brand = h("fieldset", { class: "brand-colour" }, h("legend", {}, t("Brand colour")), own.wrap, color.wrap, sample, verdict, useSuggested);

  const draw = () => {
    const chosen = /** @type {HTMLInputElement} */ (color.input).value.toLowerCase();
    const enabled = /** @type {HTMLInputElement} */ (own.input).checked;
    color.wrap.hidden = sample.hidden = verdict.hidden = !enabled;
    useSuggested.hidden = true;
    if (!enabled) return;
    sample.style.setProperty("--sample", chosen); // CSSOM: the Content-Security-Policy refuses style attributes
    const ratio = brandContrast(chosen);
    if (ratio >= AA_MINIMUM) {
      fill(verdict, t("Contrast {ratio}:1: readable.", { ratio: twoDecimals(ratio) }));
      verdict.className = "brand-verdict ok";
      return;
    }
    const suggestion = nearestReadable(chosen);
    fill(verdict, t("Contrast {ratio}:1, below the {minimum}:1 that text needs: this colour would be refused. "
      + "{suggestion} is the nearest darker shade that is readable.",
    { ratio: twoDecimals(Math.min(ratio, AA_MINIMUM - 0.01)), minimum: AA_MINIMUM, suggestion }));
    verdict.className = "brand-verdict bad";
    fill(useSuggested, t("Use {suggestion}", { suggestion }));
    useSuggested.hidden = false;
    useSuggested.onclick = () => {
      /** @type {HTMLInputElement} */ (color.input).value = suggestion;
      draw();
      color.input.focus();
    };
  };
  color.input.addEventListener("input", draw);
  own.input.addEventListener("change", draw);
  draw();
  return {
    wraps: [language.wrap, brand],
    values: () => ({
      locale: /** @type {HTMLSelectElement} */ (language.input).value,
      brand_color: /** @type {HTMLInputElement} */ (own.input).checked ? /** @type {HTMLInputElement} */ (color.input).value.toLowerCase() : null,
    }),
  };
}

/**
 * The picture card: the current picture (or initials), a file chosen shown before it is sent, upload and remove.
 * @param {GetHost} getHost
 * @param {(host: Host) => void} saved
 * @returns {HTMLElement}
 */
export function pictureCard(getHost, saved) {
  const current = h("div", { class: "avatar large", "aria-hidden": "true" });
  const file = field(t("Picture"), { type: "file", name: "avatar", accept: PICTURE_TYPES,
    hint: t("PNG, JPEG, WebP or GIF, up to {size} MB. Kaleno keeps only its own square copy ({pixels} pixels), "
      + "without the file's details such as where a photo was taken. It is shown to anyone who opens your pages.",
    { size: 2, pixels: 256 }) });
  const upload = h("button", { type: "submit", class: "primary", disabled: true }, t("Upload picture"));
  const remove = h("button", { type: "button" }, t("Remove picture"));
  const done = h("p", { class: "status-line", role: "status" });
  const form = h("form", { novalidate: true, "aria-labelledby": "picture-title" }, summaryBox(), file.wrap,
    h("div", { class: "actions" }, upload, remove), done);
  /** @type {string | null} */
  let previewUrl = null;

  const show = () => {
    const host = getHost();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    fill(current, host.avatar_url ? h("img", { src: host.avatar_url, alt: "", width: 96, height: 96 }) : initials(host.display_name));
    remove.hidden = !host.avatar_url;
    upload.disabled = true;
  };
  const input = /** @type {HTMLInputElement} */ (file.input);
  input.addEventListener("change", () => {
    clearErrors(form);
    fill(done);
    const chosen = input.files?.[0];
    if (!chosen) return show();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(chosen); // the chosen file, shown before anything is sent
    fill(current, h("img", { src: previewUrl, alt: "", width: 96, height: 96 }));
    upload.disabled = false;
  });
  /** @param {() => Promise<Host>} work @param {HTMLButtonElement} button @param {string} said */
  const change = async (work, button, said) => {
    clearErrors(form);
    fill(done);
    try {
      saved(await busy(button, work, t("Saving…")));
      input.value = "";
      show();
      fill(done, said);
    } catch (error) {
      showErrors(form, error);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = input.files?.[0];
    if (chosen) change(() => api("/hosts/me/avatar", { method: "PUT", body: chosen }), upload, t("Picture saved."));
  });
  remove.addEventListener("click", () =>
    change(() => api("/hosts/me/avatar", { method: "DELETE" }), remove, t("Picture removed: your pages show your initials.")));
  show();
  return h("section", { class: "card", "aria-labelledby": "picture-title" },
    h("h2", { id: "picture-title" }, t("Your picture")), h("div", { class: "picture" }, current, form));
}
