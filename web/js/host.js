// A host's public page /{host_slug}: their public event types, each a link to its booking page. Private event
// types are not listed here (the API leaves them out): they open only through a single-use link.
import { api, describe } from "./api.js";
import { byId, fill, h } from "./dom.js";
import { locationKindText } from "./booking-facts.js";
import { initConsent } from "./consent.js";

const [host] = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
const title = byId("title");
const status = byId("status");

initConsent();
start();

async function start() {
  let info;
  try {
    info = await api(`/bookings/pages/${encodeURIComponent(host)}`);
  } catch (error) {
    fill(title, error.status === 404 ? "Page not found" : "This page could not be loaded");
    status.className = "error";
    fill(status, error.status === 404 ? "There is no booking page at this address. Check the link you were given." : describe(error));
    if (error.status !== 404) status.append(" ", h("button", { type: "button", class: "link", onclick: () => location.reload() }, "Try again"));
    return;
  }
  const { host: owner, event_types: types } = info;
  document.title = `${owner.display_name} · Kaleno`;
  fill(title, `Book a time with ${owner.display_name}`);
  fill(status, types.length ? "" : `${owner.display_name} offers no meetings to book here yet.`);
  fill(byId("page"), h("ul", { class: "plain", "aria-label": "Meetings you can book" }, types.map((type) =>
    h("li", {},
      h("h2", {}, h("a", { href: `/${encodeURIComponent(owner.slug)}/${encodeURIComponent(type.slug)}` }, type.title)),
      h("p", { class: "meta" }, [`${type.duration_minutes} minutes`, type.location_kind && locationKindText(type.location_kind)]
        .filter(Boolean).join(" · "))))));
}
