// @ts-check
// Same-origin calls to Kaleno's HTTP API; errors arrive as application/problem+json (RFC 9457).
import { h, fill } from "./dom.js";
import { language, t } from "./i18n.js";

/** @typedef {import("./types.js").Problem} Problem */

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: the network failed)
   * @param {Problem} problem
   */
  constructor(status, problem) {
    super(problem.detail || problem.title || t("Request failed ({status})", { status: String(status) }));
    this.status = status;
    this.problem = problem;
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/**
 * What a call sends besides its path. `token`: a manage token sent as Bearer.
 * @typedef {object} Request
 * @property {string} [method]
 * @property {unknown} [body] sent as JSON; a Blob (a file) as it is, with its own type
 * @property {string | null} [token] a manage token (null or none: the session's cookie alone)
 * @property {Record<string, string>} [headers]
 */

/**
 * fetch + JSON + problem details. The answer is the API's JSON as it came (null for 204): each caller reads it
 * through the typedef of what that route answers (types.js), at the parameter it hands it to.
 * @param {string} path
 * @param {Request} [request]
 * @returns {Promise<any>}
 */
export async function api(path, { method = "GET", body, token, headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: "application/json", "Accept-Language": language(), ...headers }; // the server's words in the page's language
  /** @type {RequestInit} */
  const init = { method, credentials: "same-origin", headers: sent };
  if (body instanceof Blob) {
    sent["Content-Type"] = body.type;
    init.body = body;
  } else if (body !== undefined) {
    sent["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) sent.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: t("Network error"), detail: t("Kaleno could not be reached. Check your connection and try again.") });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => ({})) : {};
  if (!response.ok) throw new ApiError(response.status, { title: response.statusText, ...data });
  return data;
}

/**
 * A message for a failed call, for a role="alert" element.
 * @param {unknown} error
 * @returns {string}
 */
export function describe(error) {
  if (!(error instanceof ApiError)) return t("Something went wrong. Please try again.");
  const { title, detail } = error.problem;
  return detail && title && !detail.startsWith(title) ? `${title}: ${detail}` : detail || title || error.message;
}

/** Show a problem's field errors next to the form's inputs (matched by data-field, the API's field path;
 * `aliases` maps API paths to data-field names); anything unmatched goes to the form's summary. Each error
 * carries the server's sentence (`message`, in the page's language) and a stable `code`.
 * @param {HTMLElement} form
 * @param {unknown} error
 * @param {Record<string, string>} [aliases]
 */
export function showErrors(form, error, aliases = {}) {
  clearErrors(form);
  /** @type {HTMLElement | null} */
  const summary = form.querySelector("[data-summary]");
  /** @type {string[]} */
  const loose = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const { field, message } of error instanceof ApiError ? error.fields : []) {
    const input = fieldInput(form, field === undefined ? field : aliases[field] ?? field);
    if (!input) {
      loose.push(field ? t("{field}: {message}", { field: fieldName(field), message: clean(message) }) : clean(message));
      continue;
    }
    const existing = document.getElementById(`${input.id}-error`);
    if (existing) {
      existing.append(` ${clean(message)}`);
      continue;
    }
    const note = h("p", { id: `${input.id}-error`, class: "field-error", "data-error": "" }, clean(message));
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
    placeNote(input, note);
    first ??= input;
  }
  if (summary) {
    const lines = loose.length || !first ? [describe(error), ...loose] : [t("Please correct the marked fields.")];
    fill(summary, ...lines.map((line) => h("span", { class: "line" }, line, h("br"))));
    summary.hidden = false;
  }
  // The first marked field in the form's order (the API lists problems in its own order).
  /** @type {HTMLElement | null} */
  const firstMarked = first && form.querySelector('[aria-invalid="true"]');
  (focusable(firstMarked) || summary)?.focus?.();
}

// A group of radios or checkboxes (a <fieldset data-field>) carries its error inside, after its options; a
// lone checkbox, after its label; any other field, right after the input.
/**
 * @param {HTMLElement} input
 * @param {HTMLElement} note
 */
function placeNote(input, note) {
  if (input.tagName === "FIELDSET") input.append(note);
  else (input.closest(".check") || input).after(note);
}

// What to focus for a marked field: a group's first option, else the field itself.
/**
 * @param {HTMLElement | null} input
 * @returns {HTMLElement | null}
 */
const focusable = (input) => (input?.tagName === "FIELDSET" ? input.querySelector("input, select, textarea") : input);

// The input for an API field path, or for its closest parent path ("weekly.mon.0" → "weekly.mon").
/**
 * @param {HTMLElement} form
 * @param {string | undefined} path
 * @returns {HTMLElement | null}
 */
function fieldInput(form, path) {
  const parts = String(path || "").split(".");
  for (let n = parts.length; n > 0; n -= 1) {
    /** @type {HTMLElement | null} */
    const found = form.querySelector(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (found) return found;
  }
  return null;
}

/** @param {HTMLElement} form */
export function clearErrors(form) {
  for (const note of form.querySelectorAll("[data-error]")) {
    const input = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (input) {
      const rest = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id !== note.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
    }
    note.remove();
  }
  /** @type {HTMLElement | null} */
  const summary = form.querySelector("[data-summary]");
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

// The API words each error as a sentence for people ("Enter your name"), from shared/web/field_messages.py;
// a form's own wording of a field (dash-questions.js) is shown as a sentence too.
/** @param {unknown} message */
const clean = (message) => {
  const text = String(message);
  return text.charAt(0).toUpperCase() + text.slice(1);
};

// A field the form has no input for, named for people: "invitee.time_zone" → "Time zone".
/** @param {string} path */
const fieldName = (path) => {
  const named = String(path).split(".").filter((part) => !/^\d+$/.test(part)).pop() ?? String(path);
  switch (named) { // the fields a public form may be told about without an input of its own, in the page's language
    case "time_zone": return t("Time zone");
    case "name": return t("Name");
    case "email": return t("Email");
    case "start": return t("Time");
    default: {
      const words = named.replaceAll("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
};

/** The summary element every form carries for errors not tied to a field. */
export const summaryBox = () => h("div", { class: "notice bad", role: "alert", tabindex: "-1", "data-summary": "", hidden: true });

/**
 * The HTTP status of a failed call (0: no answer, or not an API error at all).
 * @param {unknown} error
 * @returns {number}
 */
export const statusOf = (error) => (error instanceof ApiError ? error.status : 0);
