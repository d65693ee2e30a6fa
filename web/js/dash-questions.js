// @ts-check
// Dashboard, event type form: where the meetings happen (location) and what the booking form asks (questions).
// Each editor returns {element, value(), aliases(fields)}: the body part to send, and where a 422's field
// errors belong (the API names them by path: "location", "questions.2.options", "questions.2").
import { fill, h, field, checkbox, uid } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Location} Location */
/** @typedef {import("./types.js").LocationKind} LocationKind */
/** @typedef {import("./types.js").Question} Question */
/** @typedef {import("./types.js").QuestionKind} QuestionKind */

/** @type {[LocationKind | "", string][]} */
const KINDS = [
  ["", t("None: agreed separately")],
  ["google_meet", "Google Meet"],
  ["phone", t("Phone call")],
  ["in_person", t("In person")],
  ["link", t("Video link")],
];
// What the second field is for, by kind (Google Meet and "none" have none).
/** @type {Record<string, [string, {hint: string} & Record<string, string | number>]>} */
const VALUE_FIELDS = {
  phone: [t("Your phone number (optional)"), { type: "tel", autocomplete: "tel", maxlength: 30,
    hint: t("Leave it empty to ask the invitee for their number on the booking form: you call them.") }],
  in_person: [t("Meeting address"), { maxlength: 500, autocomplete: "street-address", hint: t("Sent to the invitee with the booking.") }],
  link: [t("Meeting link"), { type: "url", maxlength: 500, placeholder: "https://",
    hint: t("An https:// address, for example your Zoom or Teams room. Sent to the invitee with the booking.") }],
};

/**
 * @param {Location | null} location
 * @returns {{element: HTMLElement, value: () => Location | null,
 *   message: (fieldPath: string, message: string) => string}}
 */
export function locationEditor(location) {
  /** @type {Record<string, string>} */
  const values = { [location?.kind ?? ""]: location?.value ?? "" }; // what was typed, kept per kind
  const kind = field(t("Location"), { kind: "select", name: "location_kind", options: KINDS });
  kind.input.value = location?.kind ?? "";
  const detail = h("div");
  /** @type {import("./dom.js").Field<"input"> | null} */
  let valueField = null;

  function drawValue() {
    const chosen = kind.input.value;
    const spec = VALUE_FIELDS[chosen];
    // The API names a location's problem "location": it belongs to the field the host types into.
    kind.input.setAttribute("data-field", spec ? "location_kind" : "location");
    if (!spec) {
      valueField = null;
      fill(detail, chosen === "google_meet"
        ? h("p", { class: "hint" }, t("Google creates a Meet link for each booking and adds it to the invitation."))
        : []);
      return;
    }
    const [label, { hint, ...attrs }] = spec;
    const typed = field(label, { name: "location", hint, value: values[chosen] ?? "", ...attrs });
    typed.input.addEventListener("input", () => { values[chosen] = typed.input.value; });
    valueField = typed;
    fill(detail, typed.wrap);
  }
  kind.input.addEventListener("change", drawValue);
  drawValue();

  return {
    element: h("div", { class: "field-group" }, kind.wrap, detail),
    value() {
      const chosen = /** @type {LocationKind | ""} */ (kind.input.value); // one of KINDS
      if (!chosen) return null;
      const text = valueField?.input.value.trim();
      return text ? { kind: chosen, value: text } : { kind: chosen };
    },
    /**
     * @param {string} fieldPath
     * @param {string} message
     */
    message(fieldPath, message) {
      // The API's words name its own values ("a link location needs a value"); the host sees the form's.
      if (!fieldPath.startsWith("location")) return message;
      if (/needs a value|at least 1 character/.test(message)) {
        return kind.input.value === "link" ? t("Enter the meeting link.") : t("Enter the meeting address.");
      }
      if (/https:\/\//.test(message)) return t("The meeting link must start with https://");
      return message;
    },
  };
}

/** @type {[QuestionKind, string][]} */
const QUESTION_KINDS = [
  ["short_text", t("Short text")],
  ["long_text", t("Paragraph")],
  ["single_choice", t("One choice (radio buttons)")],
  ["multiple_choice", t("Several choices (checkboxes)")],
  ["phone", t("Phone number")],
  ["checkbox", t("Checkbox (tick to agree)")],
];
const CHOICES = new Set(["single_choice", "multiple_choice"]);
const MAX_QUESTIONS = 20;

/**
 * A stable key for a new question's answers, from its text ("Company name" → "company_name"), unique.
 * @param {string} label
 * @param {Set<string>} used
 * @returns {string}
 */
function newId(label, used) {
  let base = label.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(base)) base = `q_${base}`;
  base = base.slice(0, 34).replace(/_+$/, "") || "q";
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
  used.add(id);
  return id;
}

/**
 * A question as the editor holds it while the host changes it (`options`: one per line).
 * @typedef {object} QuestionItem
 * @property {string} key the row's own key, for keeping the focus across redraws
 * @property {string | null} id null: a new question (given one when saved)
 * @property {string} label
 * @property {QuestionKind} kind
 * @property {boolean} required
 * @property {string} options
 */

/**
 * @param {Question[]} questions
 * @returns {{element: HTMLElement, value: () => Question[], alias: (fieldPath: string) => string | undefined,
 *   message: (fieldPath: string, message: string) => string}}
 */
export function questionsEditor(questions) {
  // Existing questions keep their id (the key of answers already given); new ones get theirs when saved.
  /** @type {QuestionItem[]} */
  let items = questions.map((q) => ({ key: uid("qk"), id: q.id, label: q.label, kind: q.kind, required: Boolean(q.required),
    options: (q.options || []).join("\n") }));
  const list = h("ol", { class: "questions" });
  const said = h("p", { class: "status-line", role: "status" });
  const add = h("button", { type: "button" }, t("Add a question"));
  add.addEventListener("click", () => {
    items.push({ key: uid("qk"), id: null, label: "", kind: "short_text", required: false, options: "" });
    draw({ key: items[items.length - 1].key, control: "label" });
    fill(said, t("Question {number} added.", { number: items.length }));
  });

  /** @param {{key: string, control: string}} [focus] what to focus once drawn */
  function draw(focus) {
    fill(list, items.map((item, index) => row(item, index)));
    add.disabled = items.length >= MAX_QUESTIONS;
    if (!items.length) list.append(h("li", { class: "meta" }, t("No questions: the form asks for name, email and notes only.")));
    /** @type {HTMLElement | null} */
    const control = focus ? list.querySelector(`[data-key="${focus.key}"] [data-control="${focus.control}"]`) : null;
    if (focus) (control || add).focus();
  }

  /**
   * @param {number} index
   * @param {number} step
   * @param {"up" | "down"} control
   */
  function move(index, step, control) {
    const [item] = items.splice(index, 1);
    items.splice(index + step, 0, item);
    const target = index + step;
    // Keep focus on the button pressed unless it can go no further that way.
    const edge = (step < 0 && target === 0) || (step > 0 && target === items.length - 1);
    draw({ key: item.key, control: edge ? (control === "up" ? "down" : "up") : control });
    const question = item.label || t("Question"); // not inside the t() below: the extractor would not see it
    fill(said, t("{question} is now question {number} of {count}.", { question, number: target + 1, count: items.length }));
  }

  /** @param {number} index */
  function remove(index) {
    const [item] = items.splice(index, 1);
    const next = items[Math.min(index, items.length - 1)];
    draw(next ? { key: next.key, control: "label" } : { key: "", control: "" });
    const question = item.label || t("Question");
    fill(said, t("{question} removed.", { question }));
  }

  /**
   * @param {QuestionItem} item
   * @param {number} index
   */
  function row(item, index) {
    const n = index + 1;
    const path = `questions.${index}`;
    const label = field(t("Question text"), { name: `${path}.label`, value: item.label, maxlength: 200, "data-control": "label" });
    label.input.addEventListener("input", () => { item.label = label.input.value; });
    const kind = field(t("Answer type"), { kind: "select", name: `${path}.kind`, options: QUESTION_KINDS });
    kind.input.value = item.kind;
    const required = checkbox(t("Answer required"), { checked: item.required, "data-field": `${path}.required` });
    required.input.addEventListener("change", () => { item.required = required.input.checked; });
    const options = field(t("Options, one per line"), { kind: "textarea", name: `${path}.options`, value: item.options, rows: 4,
      hint: t("What the invitee chooses from: at most 20.") });
    options.input.addEventListener("input", () => { item.options = options.input.value; });
    options.wrap.hidden = !CHOICES.has(item.kind);
    kind.input.addEventListener("change", () => {
      item.kind = /** @type {QuestionKind} */ (kind.input.value); // one of QUESTION_KINDS
      options.wrap.hidden = !CHOICES.has(item.kind);
    });
    /** @param {string} text */
    const named = (text) => [text, h("span", { class: "vh" }, ` ${t("question {number}", { number: n })}`)];
    const up = h("button", { type: "button", class: "compact", "data-control": "up", disabled: index === 0,
      onclick: () => move(index, -1, "up") }, named(t("Move up")));
    const down = h("button", { type: "button", class: "compact", "data-control": "down", disabled: index === items.length - 1,
      onclick: () => move(index, 1, "down") }, named(t("Move down")));
    const drop = h("button", { type: "button", class: "compact danger", onclick: () => remove(index) }, named(t("Remove")));
    return h("li", { "data-key": item.key },
      h("fieldset", { class: "question" }, h("legend", {}, t("Question {number}", { number: n })),
        label.wrap, kind.wrap, options.wrap, required.wrap,
        h("div", { class: "actions" }, up, down, drop)));
  }

  draw();
  return {
    element: h("fieldset", { class: "field-group" },
      h("legend", {}, t("Questions on the booking form")),
      h("p", { class: "hint" }, t("Name and email are always asked; these come after them, in this order.")),
      list, said, h("div", { class: "actions" }, add)),
    value() {
      const used = new Set(items.flatMap((item) => (item.id ? [item.id] : [])));
      return items.map((item) => {
        /** @type {Question} */
        const question = {
          id: item.id || newId(item.label.trim(), used),
          label: item.label.trim(),
          kind: item.kind,
          required: item.required,
        };
        if (CHOICES.has(item.kind)) question.options = item.options.split("\n").map((o) => o.trim()).filter(Boolean);
        return question;
      });
    },
    /**
     * Where an error about a whole question (or its id) is shown: its options, or else its text.
     * @param {string} fieldPath
     */
    alias(fieldPath) {
      const whole = /^questions\.(\d+)(\.id)?$/.exec(fieldPath);
      if (!whole) return undefined;
      const item = items[Number(whole[1])];
      return item && CHOICES.has(item.kind) ? `questions.${whole[1]}.options` : `questions.${whole[1]}.label`;
    },
    /**
     * @param {string} fieldPath
     * @param {string} message
     */
    message(fieldPath, message) {
      if (!fieldPath.startsWith("questions.")) return message;
      if (/needs options/.test(message) || /^questions\.\d+\.options$/.test(fieldPath) && /at least 1 item/.test(message)) {
        return t("Add at least one option, one per line.");
      }
      if (/options must be different/.test(message)) return t("Each option must be different.");
      if (/\.label$/.test(fieldPath) && /at least 1 character|should match pattern/.test(message)) return t("Enter the question.");
      return message;
    },
  };
}
