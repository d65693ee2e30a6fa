// @ts-check
// First-party analytics, loaded only after consent (consent.js): a random visitor id in a first-party cookie
// and page views sent to the collector named by <meta name="kaleno-analytics" content="/path">, if the
// deployment configures one (none locally). Nothing goes to another origin.
const COOKIE = "kaleno_analytics";
const HALF_YEAR = 182 * 24 * 3600;
let active = false;

export function start() {
  if (active) return;
  active = true;
  let id = document.cookie.split("; ").find((c) => c.startsWith(`${COOKIE}=`))?.split("=")[1];
  if (!id) id = crypto.randomUUID();
  document.cookie = `${COOKIE}=${id}; Max-Age=${HALF_YEAR}; Path=/; SameSite=Lax`;
  const collector = document.querySelector('meta[name="kaleno-analytics"]')?.getAttribute("content");
  if (collector && collector.startsWith("/")) {
    const view = { visitor: id, page: location.pathname.split("/").length > 2 ? "booking" : location.pathname };
    navigator.sendBeacon(collector, JSON.stringify(view));
  }
}

export function stop() {
  active = false;
}
