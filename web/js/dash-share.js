// @ts-check
// Dashboard: share one public event type, a host's or a team's. Its booking link as a QR code
// (GET /hosts/me/event-types/{id}/qr.svg, /teams/{team}/event-types/{id}/qr.svg: to show or download) and the three ways to embed it on the host's own website (web/js/embed.js): an inline
// frame, a popup behind a link, a floating button; each snippet in a read-only box with a Copy button.
import { fill, h, field } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A "Share and embed" button that opens and closes `type`'s share panel in the returned area (built when opened,
 * so only an open panel asks for the QR code). `owner()`: the slug its page is under (the host's, or a team's);
 * `collection`: its event types' path in the API (a host's by default, or a team's).
 * @param {{id: string, slug: string, title: string}} type
 * @param {() => string} owner
 * @param {string} [collection]
 */
export function shareDisclosure(type, owner, collection = "/hosts/me/event-types") {
  const area = h("div", { id: `share-${type.id}`, hidden: true });
  const button = h("button", { type: "button", "aria-expanded": "false", "aria-controls": area.id },
    t("Share and embed"), h("span", { class: "vh" }, ` ${type.title}`));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    area.hidden = !open;
    fill(area, open && sharePanel(type, owner(), `${collection}/${encodeURIComponent(type.id)}/qr.svg`));
  });
  return { button, area };
}

/**
 * The snippets a host pastes into their website, for `{slug}/{type}` (pure: tests/js/embed.test.js).
 * @param {string} origin Kaleno's origin, where embed.js is
 * @param {string} path "{host slug}/{event type slug}"
 * @param {string} [text] the link's and the button's words (the dashboard's language: the host's own site's)
 * @returns {{inline: string, popup: string, button: string}}
 */
export function snippets(origin, path, text = "Book a meeting") {
  const words = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const script = `<script src="${origin}/embed.js" async></script>`;
  return {
    inline: `<div data-kaleno="${path}"></div>\n${script}`,
    popup: `<a data-kaleno-popup="${path}" href="${origin}/${path}">${words}</a>\n${script}`,
    button: `<script src="${origin}/embed.js" data-kaleno-button="${path}" data-kaleno-text="${words}" async></script>`,
  };
}

/**
 * @param {{id: string, slug: string, title: string}} type
 * @param {string} hostSlug the host's or the team's
 * @param {string} qr the QR code's address in the API
 */
function sharePanel(type, hostSlug, qr) {
  const path = `${hostSlug}/${type.slug}`;
  const code = snippets(location.origin, path, t("Book a meeting"));
  const headingId = `share-title-${type.id}`;
  return h("section", { class: "share", "aria-labelledby": headingId },
    h("h4", { id: headingId }, t("Share {title}", { title: type.title })),
    h("div", { class: "qr-code" },
      h("img", { src: qr, alt: t("QR code of the booking link {link}", { link: `${location.origin}/${path}` }), width: "192", height: "192" }),
      h("p", {}, t("People scan it with their phone's camera to open the booking page: print it on a card, a poster or a slide.")),
      h("p", {}, h("a", { href: qr, download: `kaleno-${hostSlug}-${type.slug}-qr.svg` }, t("Download QR code"),
        h("span", { class: "vh" }, " ", t("for {title}", { title: type.title })), " (SVG)"))),
    h("h5", {}, t("Embed on your website")),
    h("p", { class: "hint" }, t("Paste one of these into your site's HTML. Options: {lang} (Bahasa Indonesia), {hide} (no host "
      + "card), {name} and {email} (fill in the form).", { lang: "data-kaleno-lang=\"id\"", hide: "data-kaleno-hide-host",
      name: "data-kaleno-name", email: "data-kaleno-email" })),
    snippet(t("Inline on the page"), code.inline, type.title),
    snippet(t("A link that opens a popup"), code.popup, type.title),
    snippet(t("A floating button"), code.button, type.title));
}

/**
 * @param {string} label
 * @param {string} text
 * @param {string} title the event type's, to tell the Copy buttons apart
 */
function snippet(label, text, title) {
  const box = field(label, { kind: "textarea", name: "snippet", value: text, readonly: true, rows: "3", spellcheck: "false",
    class: "code" });
  const copied = h("span", { role: "status", class: "meta" });
  const copy = h("button", { type: "button" }, t("Copy"), h("span", { class: "vh" }, " ", t("code: {label}, {title}", { label, title })));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      fill(copied, t("Code copied."));
    } catch {
      box.input.select();
      fill(copied, t("Copying is blocked here: the code is selected, copy it with your keyboard."));
    }
  });
  return h("div", { class: "snippet" }, box.wrap, h("div", { class: "actions" }, copy, copied));
}
