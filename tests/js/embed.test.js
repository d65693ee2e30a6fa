// @ts-check
// web/js/embed.js, the script other sites load: at most 5 KiB compressed, a classic script (document.currentScript
// names Kaleno's origin), the frame address it builds from the options, and the messages it takes: only from
// Kaleno's origin and its own frame, passing on a booking's id, start and end and nothing else. It runs here in a
// small stand-in for a page (node:vm), just enough of the DOM for what it touches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import vm from "node:vm";
import { snippets } from "../../web/js/dash-share.js";

const source = readFileSync(new URL("../../web/js/embed.js", import.meta.url));
const KALENO = "https://kaleno.example";

test("embed.js is at most 5 KiB gzip-compressed (level 9) and a classic script", () => {
  const size = gzipSync(source, { level: 9 }).length;
  assert.ok(size <= 5120, `${size} bytes compressed`);
  assert.doesNotMatch(source.toString(), /^\s*(import|export)\s/m);
});

/**
 * A page on https://shop.example holding `attributes` elements, with embed.js loaded from Kaleno.
 * @param {Record<string, string>[]} attributes
 */
function page(attributes) {
  /** @type {((event: {origin: string, source: unknown, data: unknown}) => void)[]} */
  const listeners = [];
  /** @type {{type: string, detail: unknown, on: string}[]} */
  const events = [];
  const element = (/** @type {Record<string, string>} */ attrs, /** @type {string} */ name) => ({
    attrs, name, children: /** @type {any[]} */ ([]), style: {},
    getAttribute: (/** @type {string} */ key) => attrs[key] ?? null,
    hasAttribute: (/** @type {string} */ key) => key in attrs,
    setAttribute(/** @type {string} */ key, /** @type {string} */ value) { attrs[key] = value; },
    replaceChildren(/** @type {any} */ child) { this.children = [child]; },
    addEventListener() {},
    dispatchEvent: (/** @type {{type: string, detail: unknown}} */ event) => events.push({ ...event, on: name }),
  });
  const elements = attributes.map((attrs, index) => element(attrs, `element ${index}`));
  const window = {
    document: {
      currentScript: { src: `${KALENO}/embed.js` },
      readyState: "complete",
      querySelectorAll: (/** @type {string} */ selector) => {
        const wanted = /^\[([\w-]+)\]/.exec(selector)?.[1] ?? "";
        return elements.filter((e) => wanted in e.attrs && !("data-kaleno-ready" in e.attrs));
      },
      createElement: (/** @type {string} */ tag) => ({ tag, style: {}, contentWindow: { frame: tag } }),
    },
    location: { protocol: "https:", origin: "https://shop.example" },
    URL, URLSearchParams, Number, Math, String,
    CustomEvent: class { constructor(/** @type {string} */ type, /** @type {{detail: unknown}} */ init) { Object.assign(this, { type, detail: init.detail }); } },
    addEventListener: (/** @type {string} */ type, /** @type {any} */ listener) => type === "message" && listeners.push(listener),
    dispatchEvent: (/** @type {{type: string, detail: unknown}} */ event) => events.push({ ...event, on: "window" }),
  };
  vm.runInNewContext(source.toString(), { ...window, window });
  const send = (/** @type {{origin: string, source: unknown, data: unknown}} */ message) => listeners.forEach((listener) => listener(message));
  return { elements, events, send };
}

test("an inline embed becomes a titled, full-width frame of the page at ?embed=1 with the options", () => {
  const { elements } = page([
    { "data-kaleno": "ada/intro", "data-kaleno-lang": "id", "data-kaleno-hide-host": "", "data-kaleno-name": "Siti Rahma",
      "data-kaleno-email": "siti@example.id" },
    { "data-kaleno": "ada/intro" },
  ]);

  const [first, second] = elements.map((e) => e.children[0]);
  const address = new URL(first.src);
  assert.equal(address.origin + address.pathname, `${KALENO}/ada/intro`);
  assert.deepEqual(Object.fromEntries(address.searchParams),
    { embed: "1", origin: "https://shop.example", lang: "id", hide_host: "1" });
  // The name and email ride in the fragment, which no server (nor its log) ever receives.
  assert.deepEqual(Object.fromEntries(new URLSearchParams(address.hash.slice(1))), { name: "Siti Rahma", email: "siti@example.id" });
  assert.equal(first.title, "Pesan waktu di Kaleno");
  assert.equal(first.style.width, "100%");
  assert.equal(second.src, `${KALENO}/ada/intro?embed=1&origin=https%3A%2F%2Fshop.example`);
  assert.equal(second.title, "Book a time with Kaleno");
});

test("an address that is not a host's or event type's slug is never framed", () => {
  const { elements } = page([{ "data-kaleno": "../manage" }, { "data-kaleno": "//evil.example/x" }, { "data-kaleno": "ada/intro?x=1" }]);

  assert.deepEqual(elements.map((e) => e.children.length), [0, 0, 0]);
});

test("only Kaleno's own frame is listened to, and a booking is passed on as id, start and end alone", () => {
  const { elements, events, send } = page([{ "data-kaleno": "ada/intro" }]);
  const frame = elements[0].children[0];
  const booking = { id: "b1", start: "2026-12-08T09:00:00Z", end: "2026-12-08T09:30:00Z", email: "siti@example.id" };

  send({ origin: "https://evil.example", source: frame.contentWindow, data: { type: "kaleno:resize", height: 900 } });
  send({ origin: KALENO, source: { another: "frame" }, data: { type: "kaleno:resize", height: 901 } });
  assert.equal(frame.style.height, "40rem");
  send({ origin: KALENO, source: frame.contentWindow, data: { type: "kaleno:resize", height: 902 } });
  assert.equal(frame.style.height, "902px");
  send({ origin: KALENO, source: frame.contentWindow, data: { type: "kaleno:booked", booking } });

  const expected = { booking: { id: "b1", start: "2026-12-08T09:00:00Z", end: "2026-12-08T09:30:00Z" } };
  assert.deepEqual(events.map((e) => [e.type, e.on, JSON.stringify(e.detail)]), [
    ["kaleno:booked", "element 0", JSON.stringify(expected)], ["kaleno:booked", "window", JSON.stringify(expected)]]);
});

test("the dashboard's snippets load embed.js from Kaleno and name the event type", () => {
  const code = snippets(KALENO, "ada/intro");

  assert.equal(code.inline, `<div data-kaleno="ada/intro"></div>\n<script src="${KALENO}/embed.js" async></script>`);
  assert.match(code.popup, /^<a data-kaleno-popup="ada\/intro" href="https:\/\/kaleno\.example\/ada\/intro">Book a meeting<\/a>\n<script /);
  assert.match(code.button, /^<script src="https:\/\/kaleno\.example\/embed\.js" data-kaleno-button="ada\/intro" /);
});

test("the snippets' link and button say the dashboard's words, escaped for HTML", () => {
  const code = snippets(KALENO, "ada/intro", "Pesan \"waktu\" & <lain>");

  assert.match(code.popup, />Pesan &quot;waktu&quot; &amp; &lt;lain><\/a>\n/);
  assert.match(code.button, / data-kaleno-text="Pesan &quot;waktu&quot; &amp; &lt;lain>" async><\/script>$/);
});
