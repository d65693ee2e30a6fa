// @ts-check
// Kaleno on any website (README "Embedding"). <script src="https://<kaleno>/embed.js" async></script> turns
//   <div data-kaleno="{slug}/{type}"></div>                     into an inline booking frame that fits its content;
//   <a data-kaleno-popup="{slug}/{type}" href="…">Book</a>       into a popup over the page (without the script,
//                                                                the plain link still works);
//   <div data-kaleno-button="{slug}/{type}"></div> (or the same attribute on the script) into a floating button
//                                                                that opens the popup (data-kaleno-text: its words);
// options: data-kaleno-lang="en|id", data-kaleno-hide-host, data-kaleno-name, data-kaleno-email (prefill, in the
// frame address's fragment, which reaches no server). A classic script with no dependency: its origin (its own src)
// is Kaleno's, messages are taken only from Kaleno's origin and from its own frames, and it styles only through the
// DOM, which a strict style-src on the embedding page allows. A booking is re-dispatched as a `kaleno:booked`
// CustomEvent ({detail: {booking: {id, start, end}}}) on the embed element and on window.
(() => {
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const global = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window));
  if (!script || global.kalenoEmbed) return; // loaded twice: the first one does it all
  global.kalenoEmbed = true;
  const kaleno = new URL(script.src).origin;
  const SLUGS = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/;
  /** @type {{frame: HTMLIFrameElement, element: Element, inline: boolean, close?: () => void}[]} */
  const embeds = [];

  /**
   * @param {Element} element
   * @param {string} name
   */
  const option = (element, name) => element.getAttribute(`data-kaleno-${name}`);
  /** @param {Element} element */
  const language = (element) => (option(element, "lang") === "id" ? "id" : "en");
  /** @param {Element} element */
  const words = (element) => (language(element) === "id"
    ? { title: "Pesan waktu di Kaleno", close: "Tutup", button: "Pesan waktu" }
    : { title: "Book a time with Kaleno", close: "Close", button: "Book a meeting" });

  /**
   * The framed page's address: `?embed=1`, this page's origin (the only one the frame will talk to) and the
   * options; the prefill in the fragment.
   * @param {Element} element
   * @param {string} path
   */
  function address(element, path) {
    const query = new URLSearchParams({ embed: "1" });
    if (/^https?:$/.test(location.protocol)) query.set("origin", location.origin);
    if (option(element, "lang")) query.set("lang", language(element));
    const hide = option(element, "hide-host");
    if (hide !== null && hide !== "false") query.set("hide_host", "1");
    const prefill = new URLSearchParams();
    for (const key of ["name", "email"]) {
      const value = option(element, key);
      if (value) prefill.set(key, value);
    }
    return `${kaleno}/${path}?${query}${String(prefill) ? `#${prefill}` : ""}`;
  }

  /**
   * @param {Element} element
   * @param {string} path
   * @param {boolean} inline
   */
  function frameFor(element, path, inline) {
    const frame = document.createElement("iframe");
    frame.title = words(element).title;
    frame.src = address(element, path);
    Object.assign(frame.style, { display: "block", width: "100%", height: inline ? "40rem" : "100%", border: "0" });
    return frame;
  }

  /** @param {Element} element */
  function inline(element) {
    const path = element.getAttribute("data-kaleno");
    if (!path || !SLUGS.test(path)) return;
    const frame = frameFor(element, path, true);
    element.replaceChildren(frame);
    embeds.push({ frame, element, inline: true });
  }

  /**
   * The popup, built when first opened: a modal dialog (the page behind it inert) holding the frame, closed by its
   * button, Escape (also pressed inside the frame, which tells us) or a click on the backdrop; focus goes back to
   * what opened it.
   * @param {Element} element
   * @param {string} path
   */
  function popup(element, path) {
    const said = words(element);
    const dialog = document.createElement("dialog");
    dialog.setAttribute("aria-label", said.title);
    Object.assign(dialog.style, { position: "fixed", inset: "0", width: "100%", height: "100%", maxWidth: "none",
      maxHeight: "none", margin: "0", padding: "0", border: "0", background: "rgba(17, 17, 26, 0.6)" });
    const panel = document.createElement("div");
    Object.assign(panel.style, { position: "absolute", inset: "0", margin: "auto", width: "min(calc(100% - 1rem), 64rem)",
      height: "min(calc(100% - 1rem), 52rem)", display: "flex", flexDirection: "column", overflow: "hidden",
      // Light or dark as the visitor's system, like the page it holds.
      colorScheme: "light dark", background: "Canvas", borderRadius: "12px", boxShadow: "0 8px 32px rgba(0, 0, 0, 0.35)" });
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", said.close);
    Object.assign(close.style, { alignSelf: "flex-end", width: "2.75rem", height: "2.75rem", margin: "0", padding: "0",
      border: "0", background: "none", color: "CanvasText", font: "1.75rem/1 system-ui, sans-serif", cursor: "pointer" });
    const frame = frameFor(element, path, false);
    frame.style.flex = "1";
    panel.append(close, frame);
    dialog.append(panel);
    document.body.append(dialog);
    /** @type {Element | null} */
    let opener = null;
    let overflow = "";
    const shut = () => dialog.open && dialog.close();
    close.addEventListener("click", shut);
    dialog.addEventListener("click", (event) => event.target === dialog && shut());
    dialog.addEventListener("close", () => {
      document.documentElement.style.overflow = overflow;
      if (opener instanceof HTMLElement) opener.focus();
    });
    embeds.push({ frame, element, inline: false, close: shut });
    return () => {
      opener = document.activeElement;
      overflow = document.documentElement.style.overflow;
      document.documentElement.style.overflow = "hidden"; // the page behind does not scroll
      dialog.showModal();
      close.focus();
    };
  }

  /**
   * @param {Element} element what opens it (a link or our floating button)
   * @param {string} path
   * @returns {(event: Event) => void}
   */
  function opens(element, path) {
    /** @type {(() => void) | null} */
    let open = null;
    return (event) => {
      const click = /** @type {MouseEvent} */ (event);
      if (click.ctrlKey || click.metaKey || click.shiftKey || click.button) return; // a new tab: the link's own way
      event.preventDefault();
      (open ??= popup(element, path))();
    };
  }

  /** @param {Element} link */
  function popupLink(link) {
    const path = link.getAttribute("data-kaleno-popup");
    if (path && SLUGS.test(path)) link.addEventListener("click", opens(link, path));
  }

  /** @param {Element} element a container, or this script (the button then goes at the end of the page) */
  function floatingButton(element) {
    const path = element.getAttribute("data-kaleno-button");
    if (!path || !SLUGS.test(path)) return;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = option(element, "text") || words(element).button;
    Object.assign(button.style, { position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000",
      minHeight: "3rem", padding: "0.75rem 1.25rem", border: "0", borderRadius: "999px", background: "#0b57d0",
      color: "#fff", font: "600 1rem/1.2 system-ui, sans-serif", cursor: "pointer",
      boxShadow: "0 4px 16px rgba(0, 0, 0, 0.3)" });
    button.addEventListener("click", opens(element, path));
    (element === script ? document.body : element).append(button);
  }

  /** @param {string} attribute */
  const each = (attribute) => [...document.querySelectorAll(`[${attribute}]:not([data-kaleno-ready])`)];
  function start() {
    for (const [attribute, make] of /** @type {[string, (element: Element) => void][]} */ ([
      ["data-kaleno", inline], ["data-kaleno-popup", popupLink], ["data-kaleno-button", floatingButton]])) {
      for (const element of each(attribute)) {
        element.setAttribute("data-kaleno-ready", "");
        make(element);
      }
    }
  }

  // Only Kaleno's own frames are listened to: the origin is Kaleno's and the sender is one of the frames made here.
  window.addEventListener("message", (event) => {
    const found = event.origin === kaleno && embeds.find((embed) => embed.frame.contentWindow === event.source);
    const data = event.data;
    if (!found || !data || typeof data !== "object") return;
    if (data.type === "kaleno:resize" && found.inline && Number.isFinite(data.height)) {
      found.frame.style.height = `${Math.min(Math.max(data.height, 0), 20000)}px`;
    } else if (data.type === "kaleno:escape") {
      found.close?.();
    } else if (data.type === "kaleno:booked" && data.booking) {
      const { id, start, end } = data.booking;
      const booking = { id: String(id), start: String(start), end: String(end) };
      for (const target of [found.element, window]) target.dispatchEvent(new CustomEvent("kaleno:booked", { detail: { booking } }));
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
