// @ts-check
// The booking form's questions: one labelled control per question the host asks, named by the API's field
// path (`answers.<question id>`) so a 422's field error lands beside it. What an answer is sent as is decided by
// the pure functions below (unit-tested in tests/js/questions.test.js); the controls only read the DOM.
import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {import("./types.js").Question} Question */
/** @typedef {import("./types.js").AnswerValue} AnswerValue */

/** @type {Readonly<Record<string, number>>} */
const TEXT_LIMITS = { short_text: 200, long_text: 2000, phone: 30 };

/**
 * The most characters a text answer takes (the API's limit for that kind; 200 for a kind it may add).
 * @param {string} kind
 * @returns {number}
 */
export const textLimit = (kind) => TEXT_LIMITS[kind] || 200;

/**
 * A text answer as sent: trimmed; blank is no answer (undefined), so the API says whether one was needed.
 * @param {string} typed
 * @returns {string | undefined}
 */
export const textAnswer = (typed) => typed.trim() || undefined;

/**
 * A lone checkbox's answer: ticked is `true`, unticked is no answer.
 * @param {boolean} ticked
 * @returns {true | undefined}
 */
export const tickAnswer = (ticked) => (ticked ? true : undefined);

/**
 * A choice group's answer from its options' values in order and which are ticked: a radio group sends the one
 * chosen, a checkbox group the list of those chosen; nothing chosen is no answer.
 * @param {{value: string, checked: boolean}[]} options
 * @param {boolean} single
 * @returns {string | string[] | undefined}
 */
export function choiceAnswer(options, single) {
  const chosen = options.filter((option) => option.checked).map((option) => option.value);
  if (single) return chosen[0];
  return chosen.length ? chosen : undefined;
}

/**
 * " (required)" after a label; hidden from screen readers when the control itself says it (required).
 * @param {boolean} [said]
 */
export const requiredMark = (said = true) => h("span", { class: "required", "aria-hidden": said ? "true" : undefined }, " ", t("(required)"));

/**
 * @typedef {object} QuestionControl
 * @property {HTMLDivElement} wrap
 * @property {() => AnswerValue | undefined} answer the value to send, or undefined when the question is left empty
 */

/**
 * questionControl(question) → {wrap, answer()}: `answer()` is the value to send, or undefined when the
 * question is left empty (the API then says whether it needed an answer).
 * @param {Question} question
 * @returns {QuestionControl}
 */
export function questionControl(question) {
  const fieldPath = `answers.${question.id}`;
  const required = Boolean(question.required);
  switch (question.kind) {
    case "single_choice":
      return choices(question, fieldPath, "radio");
    case "multiple_choice":
      return choices(question, fieldPath, "checkbox");
    case "checkbox": {
      const id = uid("q");
      const input = h("input", { type: "checkbox", id, name: fieldPath, "data-field": fieldPath, required, "aria-required": required ? "true" : undefined });
      const wrap = h("div", { class: "field" },
        h("div", { class: "check" }, input, h("label", { for: id }, question.label, required && requiredMark())));
      return { wrap, answer: () => tickAnswer(input.checked) };
    }
    default: {
      // short_text, long_text, phone (and, should the API add a kind, a plain text box).
      const id = uid("q");
      const attrs = {
        id, name: fieldPath, "data-field": fieldPath, required, "aria-required": required ? "true" : undefined,
        maxlength: textLimit(question.kind),
      };
      const input = question.kind === "long_text"
        ? h("textarea", attrs)
        : h("input", { ...attrs, type: question.kind === "phone" ? "tel" : "text", autocomplete: question.kind === "phone" ? "tel" : undefined });
      const wrap = h("div", { class: "field" }, h("label", { for: id }, question.label, required && requiredMark()), input);
      return { wrap, answer: () => textAnswer(input.value) };
    }
  }
}

// A radio group (one answer) or a checkbox group (several) in a fieldset whose legend is the question.
/**
 * @param {Question} question
 * @param {string} fieldPath
 * @param {"radio" | "checkbox"} type
 * @returns {QuestionControl}
 */
function choices(question, fieldPath, type) {
  const required = Boolean(question.required);
  const single = type === "radio";
  const name = uid("choice");
  const inputs = (question.options || []).map((option) => {
    const id = uid("option");
    // A required radio group says so itself (radiogroup + aria-required); a group of checkboxes cannot,
    // so there the visible "(required)" is also what is read out.
    const input = h("input", { type, id, name, value: option, required: single && required });
    return { input, wrap: h("div", { class: "check" }, input, h("label", { for: id }, option)) };
  });
  const group = h("fieldset", {
    id: uid("group"),
    class: "choices",
    role: single ? "radiogroup" : undefined,
    "aria-required": single && required ? "true" : undefined,
    "data-field": fieldPath,
  }, h("legend", {}, question.label, required && requiredMark(single)), inputs.map((item) => item.wrap));
  const answer = () => choiceAnswer(inputs.map((item) => item.input), single);
  return { wrap: h("div", { class: "field" }, group), answer };
}
