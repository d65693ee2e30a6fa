// @ts-check
// Dashboard: one event type's single-use links. Create one (its address is shown once, here, until the page is
// left: Kaleno keeps only a fingerprint of it), list them with their state, revoke one still open. A host's type's
// links and a team's type's (dash-teams-types.js) are the same panel over a different path.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy } from "./dom.js";
import { language, t } from "./i18n.js";

/** @typedef {import("./types.js").BookingLink} BookingLink */

/** @type {Record<string, [string, string]>} */
const STATE = {
  active: [t("Open"), "ok"],
  used: [t("Used"), ""],
  expired: [t("Expired"), "warn"],
  revoked: [t("Revoked"), "bad"],
};

/**
 * A "Single-use links" button that opens and closes `type`'s links panel (built when opened, so only an open
 * panel asks for its links) in the returned area. `path`: as for linksPanel.
 * @param {import("./types.js").EventType} type
 * @param {import("./types.js").GetHost} getHost
 * @param {string} [path]
 */
export function linksDisclosure(type, getHost, path) {
  const area = h("div", { id: `links-${type.id}`, hidden: true });
  const button = h("button", { type: "button", "aria-expanded": "false", "aria-controls": area.id },
    t("Single-use links"), h("span", { class: "vh" }, ` ${t("for {title}", { title: type.title })}`));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    area.hidden = !open;
    if (open) fill(area, linksPanel(type, getHost, path));
    else fill(area);
  });
  return { button, area };
}

/**
 * linksPanel(type, getHost, path) → an element listing `type`'s links, with a form to create one.
 * @param {import("./types.js").EventType} type
 * @param {import("./types.js").GetHost} getHost
 * @param {string} [path] the links' collection: a host's type by default, a team's type's under its team
 */
export function linksPanel(type, getHost, path = `/hosts/me/event-types/${encodeURIComponent(type.id)}/links`) {
  const headingId = `links-title-${type.id}`;
  const status = h("p", { class: "status-line", role: "status" }, t("Loading links…"));
  const list = h("ul", { class: "plain", "aria-label": t("Single-use links for {title}", { title: type.title }) });
  const fresh = h("div");
  const expires = field(t("Expires (optional)"), { name: "expires_at", type: "datetime-local",
    hint: t("In this browser's time zone. Without a date the link works until it is used or revoked.") });
  const create = h("button", { type: "submit", class: "primary" }, t("Create single-use link"));
  const form = h("form", { novalidate: true, "aria-label": t("New single-use link for {title}", { title: type.title }) },
    summaryBox(), expires.wrap, h("div", { class: "actions" }, create));
  const element = h("section", { class: "links", "aria-labelledby": headingId },
    h("h4", { id: headingId }, t("Single-use links for {title}", { title: type.title })),
    h("p", { class: "hint" }, t("Each link lets one person book one meeting, then it stops working (cancelling that booking does not free it).")),
    fresh, form, status, list);

  /** @param {string} instant */
  const when = (instant) => new Intl.DateTimeFormat(language(), {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: getHost().time_zone,
  }).format(new Date(instant));

  /** Show the links as they are now; `message`: what was just done, said once the list is there. */
  async function load(message = "") {
    try {
      /** @type {BookingLink[]} */
      const links = (await api(path)).links;
      status.className = "status-line";
      fill(status, message || (links.length ? "" : t("No single-use links yet.")));
      fill(list, links.map(item));
    } catch (error) {
      status.className = "error";
      fill(status, `${t("Links could not be loaded.")} ${describe(error)} `, h("button", { type: "button", class: "link", onclick: () => load() }, t("Try again")));
    }
  }

  /** @param {BookingLink} link */
  function item(link) {
    const [label, tone] = STATE[link.state] || [link.state, ""];
    const name = t("link created {when}", { when: when(link.created_at) });
    const area = h("span", { role: "status", class: "meta" });
    const facts = [t("created {when}", { when: when(link.created_at) }), link.expires_at && t("expires {when}", { when: when(link.expires_at) }),
      link.used_at && t("used {when}", { when: when(link.used_at) }), link.revoked_at && t("revoked {when}", { when: when(link.revoked_at) })];
    const revoke = link.state === "active" ? h("button", { type: "button", class: "danger" }, t("Revoke"), h("span", { class: "vh" }, ` ${name}`)) : null;
    revoke?.addEventListener("click", async () => {
      try {
        await busy(revoke, () => api(`${path}/${encodeURIComponent(link.id)}`, { method: "DELETE" }), t("Revoking…"));
        load(t("The link was revoked: it no longer opens this event type."));
      } catch (error) {
        fill(area, describe(error));
      }
    });
    return h("li", { "data-link": link.id },
      h("p", {}, h("span", { class: `badge ${tone}` }, label), " ", facts.filter(Boolean).join(" · ")),
      h("div", { class: "actions" }, revoke, area));
  }

  /** @param {string} url */
  function reveal(url) {
    const box = field(t("New single-use link"), { name: "link_url", value: url, readonly: true, autocomplete: "off", spellcheck: "false",
      class: "secret", hint: t("Copy it now: it will not be shown again. Send it to the one person who should book.") });
    const copied = h("span", { role: "status", class: "meta" });
    const copy = h("button", { type: "button", class: "primary" }, t("Copy link"), h("span", { class: "vh" }, ` ${t("to send")}`));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        fill(copied, t("Link copied."));
      } catch {
        box.input.select();
        fill(copied, t("Copying is blocked here: the link is selected, copy it with your keyboard."));
      }
    });
    const hide = h("button", { type: "button", onclick: () => fill(fresh) }, t("I have saved it, hide the link"));
    fill(fresh, h("div", { class: "notice warn", "data-secret": "" },
      h("p", {}, h("strong", {}, t("Save this link now"))), box.wrap, h("div", { class: "actions" }, copy, hide, copied)));
    box.input.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const raw = expires.input.value;
    const body = raw ? { expires_at: new Date(raw).toISOString() } : {};
    try {
      const created = await busy(create, () => api(path, { method: "POST", body }), t("Creating…"));
      expires.input.value = "";
      reveal(created.url);
      load();
    } catch (error) {
      showErrors(form, error);
    }
  });

  load();
  return element;
}
