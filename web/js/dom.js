// Building the page from data: text always goes in as text nodes (textContent), never as HTML.

/** h("button", {class: "primary", onclick: f, "aria-label": x}, "Text", child, ...) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name === "value" || name === "checked" || name === "selected") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const byId = (id) => document.getElementById(id);

let counter = 0;
/** A page-unique id for label/for and aria-describedby pairs. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form field: returns {wrap, input}. kind: "input" | "textarea" | "select". */
export function field(label, { kind = "input", name, hint, options, ...attrs } = {}) {
  const id = attrs.id || uid(name || "field");
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h(kind, { id, name, "aria-describedby": hintId, "data-field": name, ...attrs });
  if (kind === "select") for (const [value, text] of options || []) input.append(h("option", { value }, text));
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hint && h("p", { id: hintId, class: "hint" }, hint), input);
  return { wrap, input };
}

/** A checkbox with its label beside it. */
export function checkbox(label, attrs = {}) {
  const id = uid("check");
  const input = h("input", { type: "checkbox", id, ...attrs });
  return { wrap: h("div", { class: "check" }, input, h("label", { for: id, class: "inline" }, label)), input };
}

/** Run `work` with `button` showing it is busy (disabled, aria-busy, optional busy text). */
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

/** Offer `text` as a file download (blob URL: generated here, nothing fetched). */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename, class: "vh" }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
