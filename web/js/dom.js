// @ts-check
// Building the page from data: text always goes in as text nodes (textContent), never as HTML.

/**
 * What h() and fill() take as children: nodes, text, numbers, nested lists; null, undefined and false are left out
 * (so `cond && h(...)` works).
 * @typedef {Node | string | number | boolean | null | undefined | Child[]} Child
 */

/**
 * Attributes, properties ("value", "checked", "selected", "class", "text") and listeners ("onclick": a function);
 * undefined, null and false leave the attribute out, true sets it empty.
 * @typedef {Record<string, unknown>} Props
 */

/**
 * h("button", {class: "primary", onclick: f, "aria-label": x}, "Text", child, ...)
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else if (name === "class") el.className = String(value);
    else if (name === "text") el.textContent = String(value);
    else if (name === "value" || name === "checked" || name === "selected") Object.assign(el, { [name]: value });
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replace everything inside `el`.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * An element the page's HTML carries: a missing one is a bug in the page, said at once rather than as a null later.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no element #${id}`);
  return found;
}

let counter = 0;
/**
 * A page-unique id for label/for and aria-describedby pairs.
 * @param {string} [prefix]
 */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * @template {"input" | "textarea" | "select"} K
 * @typedef {object} Field a labelled control and the element that wraps the two
 * @property {HTMLDivElement} wrap
 * @property {HTMLElementTagNameMap[K]} input
 */

/**
 * A labelled form field. `kind`: "input" (the default), "textarea" or "select" (with `options`: [value, text] pairs);
 * any other key is an attribute of the control.
 * @template {"input" | "textarea" | "select"} [K="input"]
 * @param {Child} label
 * @param {{kind?: K, name?: string, hint?: Child, options?: [string, string][]} & Props} [settings]
 * @returns {Field<K>}
 */
export function field(label, { kind = /** @type {K} */ ("input"), name, hint, options, ...attrs } = {}) {
  const id = typeof attrs.id === "string" && attrs.id ? attrs.id : uid(name || "field");
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h(kind, { id, name, "aria-describedby": hintId, "data-field": name, ...attrs });
  if (kind === "select") for (const [value, text] of options || []) input.append(h("option", { value }, text));
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hint && h("p", { id: hintId, class: "hint" }, hint), input);
  return { wrap, input };
}

/**
 * A checkbox with its label beside it.
 * @param {Child} label
 * @param {Props} [attrs]
 * @returns {{wrap: HTMLDivElement, input: HTMLInputElement}}
 */
export function checkbox(label, attrs = {}) {
  const id = uid("check");
  const input = h("input", { type: "checkbox", id, ...attrs });
  return { wrap: h("div", { class: "check" }, input, h("label", { for: id, class: "inline" }, label)), input };
}

/**
 * Run `work` with `button` showing it is busy (disabled, aria-busy, optional busy text).
 * @template T
 * @param {HTMLButtonElement} button
 * @param {() => T | Promise<T>} work
 * @param {string} [busyText]
 * @returns {Promise<T>}
 */
export async function busy(button, work, busyText) {
  const content = [...button.childNodes]; // put back as they were: a visually hidden part stays hidden
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (busyText) button.textContent = busyText;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (busyText) button.replaceChildren(...content);
  }
}

/**
 * Offer `text` as a file download (blob URL: generated here, nothing fetched).
 * @param {string} filename
 * @param {string} text
 * @param {string} type
 */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename, class: "vh" }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
