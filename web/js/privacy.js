// @ts-check
// The privacy and cookie policy pages (rendered by the server, shared/web/pages.py): the cookie banner.
import { initConsent } from "./consent.js";

initConsent();
