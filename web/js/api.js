// Same-origin calls to Kaleno's HTTP API; errors arrive as application/problem+json (RFC 9457).
import { h, fill } from "./dom.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** fetch + JSON + problem details. `token`: a manage token sent as Bearer. */
export async function api(path, { method = "GET", body, token, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: "Network error", detail: "Kaleno could not be reached. Check your connection and try again." });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => ({})) : {};
  if (!response.ok) throw new ApiError(response.status, { title: response.statusText, ...data });
  return data;
}

/** A message for a failed call, for a role="alert" element. */
export function describe(error) {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  const { title, detail } = error.problem;
  return detail && title && !detail.startsWith(title) ? `${title}: ${detail}` : detail || title || error.message;
}

/** Show a problem's field errors next to the form's inputs (matched by data-field, the API's field path;
 * `aliases` maps API paths to data-field names); anything unmatched goes to the form's summary. Each error
 * carries the server's sentence (`message`, in the page's language) and a stable `code`. */
export function showErrors(form, error, aliases = {}) {
  clearErrors(form);
  const summary = form.querySelector("[data-summary]");
  const loose = [];
  let first = null;
  for (const { field, message } of error instanceof ApiError ? error.fields : []) {
    const input = fieldInput(form, aliases[field] ?? field);
    if (!input) {
      loose.push(field ? `${fieldName(field)}: ${clean(message)}` : clean(message));
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
    const lines = loose.length || !first ? [describe(error), ...loose] : ["Please correct the marked fields."];
    fill(summary, ...lines.map((line) => h("span", { class: "line" }, line, h("br"))));
    summary.hidden = false;
  }
  // The first marked field in the form's order (the API lists problems in its own order).
  (focusable(first && form.querySelector('[aria-invalid="true"]')) || summary)?.focus?.();
}

// A group of radios or checkboxes (a <fieldset data-field>) carries its error inside, after its options; a
// lone checkbox, after its label; any other field, right after the input.
function placeNote(input, note) {
  if (input.tagName === "FIELDSET") input.append(note);
  else (input.closest(".check") || input).after(note);
}

// What to focus for a marked field: a group's first option, else the field itself.
const focusable = (input) => (input?.tagName === "FIELDSET" ? input.querySelector("input, select, textarea") : input);

// The input for an API field path, or for its closest parent path ("weekly.mon.0" → "weekly.mon").
function fieldInput(form, path) {
  const parts = String(path || "").split(".");
  for (let n = parts.length; n > 0; n -= 1) {
    const found = form.querySelector(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (found) return found;
  }
  return null;
}

export function clearErrors(form) {
  for (const note of form.querySelectorAll("[data-error]")) {
    const input = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (input) {
      const rest = input.getAttribute("aria-describedby").split(" ").filter((id) => id !== note.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
    }
    note.remove();
  }
  const summary = form.querySelector("[data-summary]");
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

// The API words each error as a sentence for people ("Enter your name"), from shared/web/field_messages.py;
// a form's own wording of a field (dash-questions.js) is shown as a sentence too.
const clean = (message) => {
  const text = String(message);
  return text.charAt(0).toUpperCase() + text.slice(1);
};

// A field the form has no input for, named for people: "invitee.time_zone" → "Time zone".
const fieldName = (path) => {
  const named = String(path).split(".").filter((part) => !/^\d+$/.test(part)).pop() ?? String(path);
  const words = named.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** The summary element every form carries for errors not tied to a field. */
export const summaryBox = () => h("div", { class: "notice bad", role: "alert", tabindex: "-1", "data-summary": "", hidden: true });
