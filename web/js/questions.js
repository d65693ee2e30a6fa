// The booking form's questions: one labelled control per question the host asks, named by the API's field
// path (`answers.<question id>`) so a 422's field error lands beside it.
import { h, uid } from "./dom.js";

const TEXT_LIMITS = { short_text: 200, long_text: 2000, phone: 30 };

/** " (required)" after a label; hidden from screen readers when the control itself says it (required). */
export const requiredMark = (said = true) => h("span", { class: "required", "aria-hidden": said ? "true" : undefined }, " (required)");

/**
 * questionControl(question) → {wrap, answer()}: `answer()` is the value to send, or undefined when the
 * question is left empty (the API then says whether it needed an answer).
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
      return { wrap, answer: () => (input.checked ? true : undefined) };
    }
    default: {
      // short_text, long_text, phone (and, should the API add a kind, a plain text box).
      const id = uid("q");
      const attrs = {
        id, name: fieldPath, "data-field": fieldPath, required, "aria-required": required ? "true" : undefined,
        maxlength: TEXT_LIMITS[question.kind] || 200,
      };
      const input = question.kind === "long_text"
        ? h("textarea", attrs)
        : h("input", { ...attrs, type: question.kind === "phone" ? "tel" : "text", autocomplete: question.kind === "phone" ? "tel" : undefined });
      const wrap = h("div", { class: "field" }, h("label", { for: id }, question.label, required && requiredMark()), input);
      return { wrap, answer: () => input.value.trim() || undefined };
    }
  }
}

// A radio group (one answer) or a checkbox group (several) in a fieldset whose legend is the question.
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
  const answer = () => {
    const chosen = inputs.filter((item) => item.input.checked).map((item) => item.input.value);
    if (single) return chosen[0];
    return chosen.length ? chosen : undefined;
  };
  return { wrap: h("div", { class: "field" }, group), answer };
}
