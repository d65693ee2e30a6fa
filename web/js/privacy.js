// Privacy policy page: the cookie banner, and the complaint contact from the API (kept in one place: settings).
import { api } from "./api.js";
import { fill, h } from "./dom.js";
import { initConsent } from "./consent.js";

initConsent();
api("/privacy/complaint").then(
  ({ contact, authority }) => fill(document.getElementById("complaint"),
    "Write to ", h("a", { href: `mailto:${contact}` }, contact), `. You can also complain to ${authority}.`),
  () => fill(document.getElementById("complaint"), "The contact could not be loaded; please try again later."),
);
