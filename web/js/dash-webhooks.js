// @ts-check
// Dashboard: outgoing webhooks. Add an endpoint (its signing secret is shown once, here, until the page is
// left), rotate its secret (shown once likewise), delete it, and read its delivery log.
import { api, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy, uid } from "./dom.js";
import { breakableUrl } from "./dash-types.js";
import { language, t, tn } from "./i18n.js";

/** @typedef {import("./types.js").Webhook} Webhook */
/** @typedef {import("./types.js").Delivery} Delivery */

const EVENTS = [
  ["booking.created", t("Booking created")],
  ["booking.rescheduled", t("Booking rescheduled")],
  ["booking.cancelled", t("Booking cancelled")],
];
/** @type {Record<string, [string, string]>} */
const STATE = { delivered: [t("Delivered"), "ok"], pending: [t("Pending"), ""], failed: [t("Failed"), "bad"] };
const PAGE = 20;

/**
 * @param {import("./types.js").GetHost} getHost
 * @returns {import("./types.js").Section}
 */
export function webhooksSection(getHost) {
  /** @type {Webhook[]} */
  let endpoints = [];
  /** @type {Map<string, string>} */
  const secrets = new Map(); // endpoint id → secret: in this page only, never stored
  const status = h("p", { class: "status-line", role: "status" }, t("Loading webhooks…"));
  const list = h("ul", { class: "plain", "aria-label": t("Your webhook endpoints") }, h("li", { class: "placeholder short", "aria-hidden": "true" }));
  const form = addForm();
  // Below the list: shown with it, so the list's arrival moves nothing.
  const adding = h("div", { hidden: true }, h("h3", { id: "webhook-form-title" }, t("Add an endpoint")), form);
  const element = h("section", { class: "card", "aria-labelledby": "webhooks-title" },
    h("h2", { id: "webhooks-title" }, t("Webhooks")),
    h("p", {}, t("Kaleno can send each new, moved or cancelled booking to another system (a CRM, a chat tool) as a signed POST request.")),
    status, list, adding);

  /** @param {string | null} instant */
  const when = (instant) => instant ? new Intl.DateTimeFormat(language(), {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: getHost().time_zone,
  }).format(new Date(instant)) : "—";

  async function load() {
    try {
      endpoints = (await api("/hosts/me/webhooks")).webhooks;
      status.className = "status-line";
      fill(status, endpoints.length ? "" : t("No endpoints yet."));
      draw();
      adding.hidden = false;
    } catch (error) {
      status.className = "error";
      fill(status, `${t("Webhooks could not be loaded.")} ${describe(error)} `, h("button", { type: "button", class: "link", onclick: load }, t("Try again")));
    }
  }

  function draw() {
    fill(list, endpoints.map(item));
  }

  /** @param {Webhook} endpoint */
  function item(endpoint) {
    const name = endpoint.description || endpoint.url;
    const area = h("div");
    const deliveries = h("div", { id: uid("deliveries"), hidden: true });
    const toggle = h("button", { type: "button", "aria-expanded": "false", "aria-controls": deliveries.id },
      t("Deliveries"), h("span", { class: "vh" }, ` ${t("to {endpoint}", { endpoint: name })}`));
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      deliveries.hidden = !open;
      if (open) deliveryLog(endpoint, deliveries);
      else fill(deliveries);
    });
    const secret = secrets.get(endpoint.id);
    return h("li", { "data-webhook": endpoint.id },
      h("h3", {}, breakableUrl(endpoint.url)),
      h("p", { class: "meta" }, [endpoint.description, endpoint.events.join(", "), t("added {when}", { when: when(endpoint.created_at) })]
        .filter(Boolean).join(" · ")),
      secret && secretPanel(endpoint, secret),
      h("div", { class: "actions" },
        toggle,
        h("button", { type: "button", onclick: () => askRotate(endpoint, area) }, t("Rotate secret"), h("span", { class: "vh" }, ` ${t("of {endpoint}", { endpoint: name })}`)),
        h("button", { type: "button", class: "danger", onclick: () => askDelete(endpoint, area) }, t("Delete"), h("span", { class: "vh" }, ` ${name}`))),
      area, deliveries);
  }

  /**
   * @param {Webhook} endpoint
   * @param {string} secret
   */
  function secretPanel(endpoint, secret) {
    const box = field(t("Signing secret"), { name: "secret", value: secret, readonly: true, autocomplete: "off", spellcheck: "false",
      class: "secret", hint: t("Copy it now: it will not be shown again. Your receiver uses it to check each request's Kaleno-Signature header.") });
    const copied = h("span", { role: "status", class: "meta" });
    const copy = h("button", { type: "button", class: "primary" }, t("Copy secret"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(secret);
        fill(copied, t("Secret copied."));
      } catch {
        box.input.select();
        fill(copied, t("Copying is blocked here: the secret is selected, copy it with your keyboard."));
      }
    });
    const hide = h("button", { type: "button", onclick: () => {
      secrets.delete(endpoint.id);
      draw();
    } }, t("I have saved it, hide the secret"));
    return h("div", { class: "notice warn", "data-secret": "", tabindex: "-1" },
      h("p", {}, h("strong", {}, t("Save this secret now"))),
      box.wrap, h("div", { class: "actions" }, copy, hide, copied));
  }

  /**
   * Show `secret` once for `endpoint` (just created or rotated) and move focus to it.
   * @param {Webhook} endpoint
   * @param {string} secret
   */
  function reveal(endpoint, secret) {
    secrets.clear(); // one secret on screen at a time
    secrets.set(endpoint.id, secret);
    draw();
    /** @type {HTMLInputElement | null} */
    const box = list.querySelector(`[data-webhook="${CSS.escape(endpoint.id)}"] [data-secret] input`);
    box?.focus();
  }

  /**
   * @param {Webhook} endpoint
   * @param {HTMLElement} area
   */
  function askDelete(endpoint, area) {
    const confirm = h("button", { type: "button", class: "danger primary" }, t("Yes, delete this endpoint"));
    confirm.addEventListener("click", async () => {
      try {
        await busy(confirm, () => api(`/hosts/me/webhooks/${encodeURIComponent(endpoint.id)}`, { method: "DELETE" }), t("Deleting…"));
        endpoints = endpoints.filter((e) => e.id !== endpoint.id);
        secrets.delete(endpoint.id);
        fill(status, t("The endpoint {url} was deleted.", { url: endpoint.url }));
        draw();
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, t("Delete the endpoint {url}? Kaleno stops sending it events, including deliveries still on their way.", { url: endpoint.url })),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, t("Keep it")))));
    confirm.focus();
  }

  /**
   * @param {Webhook} endpoint
   * @param {HTMLElement} area
   */
  function askRotate(endpoint, area) {
    const confirm = h("button", { type: "button", class: "primary" }, t("Yes, make a new secret"));
    confirm.addEventListener("click", async () => {
      try {
        /** @type {Webhook & {secret: string}} */
        const rotated = await busy(confirm, () => api(`/hosts/me/webhooks/${encodeURIComponent(endpoint.id)}/rotate-secret`, { method: "POST" }), t("Rotating…"));
        const { secret, ...view } = rotated;
        endpoints = endpoints.map((e) => (e.id === view.id ? view : e));
        fill(status, t("A new secret signs the requests to {url} from now on.", { url: endpoint.url }));
        reveal(view, secret);
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    fill(area, h("div", { class: "notice warn" },
      h("p", {}, t("The current secret stops working at once: update your receiver with the new one.")),
      h("p", { class: "actions" }, confirm, h("button", { type: "button", onclick: () => fill(area) }, t("Keep the current secret")))));
    confirm.focus();
  }

  /**
   * @param {Webhook} endpoint
   * @param {HTMLElement} area
   */
  function deliveryLog(endpoint, area) {
    /** @type {Delivery[]} */
    let rows = [];
    /** @type {string | null} */
    let cursor = null;
    const note = h("p", { class: "status-line", role: "status" });
    const body = h("tbody");
    const more = h("button", { type: "button", hidden: true, onclick: () => page(true) }, t("Show more deliveries"));
    const refresh = h("button", { type: "button", onclick: () => page(false) }, t("Refresh deliveries"));
    const table = h("table", {},
      h("caption", {}, t("Deliveries to {endpoint}, latest first", { endpoint: endpoint.description || endpoint.url })),
      h("thead", {}, h("tr", {}, [t("Event"), t("State"), t("Attempts"), t("Last answer"), t("Created"), t("Delivered")]
        .map((text) => h("th", { scope: "col" }, text)))),
      body);
    const scroller = h("div", { class: "table-scroll", role: "region", "aria-label": t("Deliveries to {endpoint}", { endpoint: endpoint.url }), tabindex: "0" }, table);
    fill(area, h("div", { class: "actions" }, refresh), note, scroller, h("p", { class: "actions" }, more));

    /** @param {boolean} next the page after those shown (else: the first again) */
    async function page(next) {
      fill(note, t("Loading deliveries…"));
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (next && cursor) params.set("cursor", cursor);
      try {
        /** @type {{deliveries: Delivery[], next_cursor: string | null}} */
        const found = await busy(next ? more : refresh,
          () => api(`/hosts/me/webhooks/${encodeURIComponent(endpoint.id)}/deliveries?${params}`));
        rows = next ? [...rows, ...found.deliveries] : found.deliveries;
        cursor = found.next_cursor;
        more.hidden = !cursor;
        fill(body, rows.length ? rows.map(row) : h("tr", {}, h("td", { colspan: "6" }, t("No deliveries in the last 30 days."))));
        fill(note, tn("{count} delivery.", "{count} deliveries.", rows.length), " ", t("Times in {zone}.", { zone: getHost().time_zone }));
      } catch (error) {
        fill(note, h("span", { class: "error" }, `${t("Deliveries could not be loaded.")} ${describe(error)}`));
      }
    }

    /** @param {Delivery} d */
    const row = (d) => {
      const [text, tone] = STATE[d.state] || [d.state, ""];
      const answer = [d.last_status, d.last_error].filter((part) => part !== null && part !== undefined && part !== "").join(" ");
      return h("tr", {},
        h("td", {}, d.event),
        h("td", {}, h("span", { class: `badge ${tone}` }, text)),
        h("td", {}, String(d.attempts)),
        h("td", {}, answer || "—"),
        h("td", {}, when(d.created_at)),
        h("td", {}, when(d.delivered_at)));
    };
    page(false);
  }

  function addForm() {
    const url = field(t("Endpoint URL"), { name: "url", type: "url", inputmode: "url", autocomplete: "off", autocapitalize: "none",
      spellcheck: "false", maxlength: 2048, placeholder: "https://", hint: t("An https:// address that accepts POST requests.") });
    const checks = EVENTS.map(([value, label]) => {
      const id = uid("event");
      const input = h("input", { type: "checkbox", id, value, checked: true });
      input.defaultChecked = true; // what the form's reset puts back
      return { input, wrap: h("div", { class: "check" }, input, h("label", { for: id }, label, h("span", { class: "meta" }, ` (${value})`))) };
    });
    const events = h("fieldset", { id: uid("events"), class: "choices", "data-field": "events" },
      h("legend", {}, t("Events")), checks.map((c) => c.wrap));
    const description = field(t("Description (optional)"), { name: "description", maxlength: 200, hint: t("Your own note, such as which system receives it.") });
    const submit = h("button", { type: "submit", class: "primary" }, t("Add endpoint"));
    const element = h("form", { novalidate: true, "aria-labelledby": "webhook-form-title" },
      summaryBox(), url.wrap, h("div", { class: "field" }, events), description.wrap, h("div", { class: "actions" }, submit));
    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(element);
      /** @type {{url: string, events: string[], description?: string}} */
      const body = { url: url.input.value.trim(), events: checks.filter((c) => c.input.checked).map((c) => c.input.value) };
      const note = description.input.value.trim();
      if (note) body.description = note;
      try {
        /** @type {Webhook & {secret: string}} */
        const created = await busy(submit, () => api("/hosts/me/webhooks", { method: "POST", body }), t("Adding…"));
        const { secret, ...view } = created;
        endpoints = [...endpoints, view];
        element.reset();
        fill(status, t("The endpoint {url} was added.", { url: view.url }));
        reveal(view, secret);
      } catch (error) {
        showErrors(element, error);
      }
    });
    return element;
  }

  return { element, load };
}
