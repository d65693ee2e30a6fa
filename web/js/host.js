// @ts-check
// A host's public page /{host_slug}: the host card and their public event types as cards, each a link to its
// booking page. Private event types are not listed here (the API leaves them out): they open only by link.
import { api, describe, statusOf } from "./api.js";

/** @typedef {import("./types.js").HostPage} HostPage */
/** @typedef {import("./types.js").PublicEventType} PublicEventType */
import { byId, fill, h } from "./dom.js";
import { locationKindText, richText, showHostLook } from "./booking-facts.js";
import { initConsent } from "./consent.js";
import { t, tn } from "./i18n.js";
import { embedded, reportHeight } from "./embedded.js";

const [host] = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
const title = byId("title");
const status = byId("status");

// In another site's frame, a meeting's booking page stays in the frame, with the embed's options.
const carried = embedded ? location.search + location.hash : "";

initConsent();
reportHeight();
start();

async function start() {
  /** @type {HostPage} */
  let info;
  try {
    info = await api(`/bookings/pages/${encodeURIComponent(host)}`);
  } catch (error) {
    byId("avatar").hidden = true;
    const missing = statusOf(error) === 404;
    fill(title, missing ? t("Page not found") : t("This page could not be loaded"));
    status.className = "error";
    fill(status, missing ? t("There is no booking page at this address. Check the link you were given.") : describe(error));
    if (!missing) status.append(" ", h("button", { type: "button", class: "link", onclick: () => location.reload() }, t("Try again")));
    return;
  }
  const { host: owner, event_types: types } = info;
  document.title = `${owner.display_name} · Kaleno`;
  showHostLook(byId("avatar"), owner);
  fill(title, owner.display_name);
  fill(status, types.length ? t("Choose a meeting to see its free times.")
    : t("{host} offers no meetings to book here yet.", { host: owner.display_name }));
  fill(byId("page"), h("ul", { class: "type-cards", "aria-label": t("Meetings you can book") }, types.map((/** @type {PublicEventType} */ type) =>
    h("li", { class: "type-card" },
      h("h2", {}, h("a", { href: `/${encodeURIComponent(owner.slug)}/${encodeURIComponent(type.slug)}${carried}` }, type.title)),
      h("p", { class: "meta" }, [tn("{count} minute", "{count} minutes", type.duration_minutes),
        type.location_kind && locationKindText(type.location_kind),
        type.seats > 1 && tn("up to {count} person", "up to {count} people", type.seats)].filter(Boolean).join(" · ")),
      type.description && h("p", { class: "description" }, richText(type.description))))));
}
