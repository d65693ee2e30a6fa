// @ts-check
// web/js/questions.js's pure parts: what each kind of question sends as its answer (undefined: none, left out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { choiceAnswer, textAnswer, textLimit, tickAnswer } from "../../web/js/questions.js";

test("textLimit: the API's limit per kind, 200 for a kind it may add", () => {
  assert.equal(textLimit("short_text"), 200);
  assert.equal(textLimit("long_text"), 2000);
  assert.equal(textLimit("phone"), 30);
  assert.equal(textLimit("colour"), 200);
});

test("textAnswer trims; blank is no answer, so the API decides whether one was needed", () => {
  assert.equal(textAnswer("  Berlin office \n"), "Berlin office");
  assert.equal(textAnswer("+49 30 1234"), "+49 30 1234");
  assert.equal(textAnswer(""), undefined);
  assert.equal(textAnswer(" \t\n "), undefined);
  assert.equal(textAnswer("0"), "0"); // a zero is an answer
});

test("tickAnswer: a ticked box is true, an unticked one no answer (never false)", () => {
  assert.equal(tickAnswer(true), true);
  assert.equal(tickAnswer(false), undefined);
});

test("choiceAnswer: a radio group sends its one choice, a checkbox group the list in the options' order", () => {
  const options = [
    { value: "Morning", checked: false }, { value: "Noon", checked: true }, { value: "Evening", checked: true },
  ];
  assert.deepEqual(choiceAnswer(options, false), ["Noon", "Evening"]);
  assert.equal(choiceAnswer([{ value: "Yes", checked: false }, { value: "No", checked: true }], true), "No");
  assert.equal(choiceAnswer(options.map((option) => ({ ...option, checked: false })), false), undefined);
  assert.equal(choiceAnswer(options.map((option) => ({ ...option, checked: false })), true), undefined);
  assert.equal(choiceAnswer([], false), undefined);
});
