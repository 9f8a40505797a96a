import { test } from "node:test";
import assert from "node:assert/strict";
import {
  cardSuggestions, gridMove, isSuggestion, suggestionAction, suggestionLabel, suggestionSubmits, suggestionText,
} from "./chat-suggest.js";

// A tiny element: el("span", {class: "suggestion"}, "text", el(…)).
function el(tag, attrs = {}, ...kids) {
  const children = kids.filter((k) => typeof k === "object");
  return {
    nodeType: 1,
    tagName: tag.toUpperCase(),
    children,
    get textContent() {
      return kids.map((k) => (typeof k === "string" ? k : k.textContent)).join("");
    },
    getAttribute: (n) => (n in attrs ? attrs[n] : null),
    hasAttribute: (n) => n in attrs,
  };
}
const s = (text, attrs = { class: "suggestion" }) => el("span", attrs, text);

test("what is a suggestion, and what it suggests", () => {
  const cases = [
    // element, is, text, submits
    [s("  Tell me\n  a joke "), true, "Tell me a joke", false],
    [el("span", { class: "suggestion submit" }, "Go"), true, "Go", true],
    [el("span", { class: "submit suggestion" }, "Go"), true, "Go", true],
    [el("a", { "data-suggestion": "the value" }, "shown"), true, "the value", false],
    [el("img", { "data-suggestion": "a cat", "data-suggestion-submit": "" }), true, "a cat", true],
    [el("span", { "data-suggestion": "x", "data-suggestion-submit": "true" }), true, "x", true],
    [el("span", { "data-suggestion": "x", "data-suggestion-submit": "false" }), true, "x", false],
    [el("li", { "data-suggestion": "" }, "from text"), true, "from text", false],
    [el("span", { class: "suggestions" }, "no"), false],
    [el("span", { class: "submit" }, "no"), false],
    [el("span", {}, "no"), false],
  ];
  for (const [e, is, text, submits] of cases) {
    assert.equal(isSuggestion(e), is, e.textContent);
    if (!is) continue;
    assert.equal(suggestionText(e), text);
    assert.equal(suggestionSubmits(e), submits, text);
  }
  assert.equal(isSuggestion({ nodeType: 3 }), false, "text nodes are not");
});

test("modifiers: Ctrl or Cmd sends, Alt fills, otherwise the suggestion decides", () => {
  const cases = [
    [false, {}, "fill"],
    [true, {}, "submit"],
    [false, { ctrlKey: true }, "submit"],
    [false, { metaKey: true }, "submit"],
    [true, { altKey: true }, "fill"],
    [false, { altKey: true, ctrlKey: true }, "submit"],
    [true, undefined, "submit"],
  ];
  for (const [submits, mods, want] of cases) assert.equal(suggestionAction(submits, mods), want, JSON.stringify([submits, mods]));
  assert.equal(suggestionLabel("Hi", false), "Use suggestion: Hi");
  assert.equal(suggestionLabel("Hi", true), "Send suggestion: Hi");
});

test("cardSuggestions: lists whose every item holds exactly one suggestion", () => {
  const a = s("A");
  const b = s("B", { class: "suggestion", title: "Bee" });
  const liSelf = el("li", { class: "suggestion" }, "C");
  const cards = cardSuggestions(el("ul", {}, el("li", {}, a), el("li", {}, "text and ", el("strong", {}, b)), liSelf));
  assert.deepEqual(cards, [a, b, liSelf]);
  assert.equal(cardSuggestions(el("ol", {}, el("li", {}, s("x")))).length, 1);

  const not = [
    ["one item without a suggestion", el("ul", {}, el("li", {}, s("A")), el("li", {}, "plain"))],
    ["an item with two", el("ul", {}, el("li", {}, s("A"), s("B")))],
    ["an item that is one and holds one", el("ul", {}, el("li", { class: "suggestion" }, s("A")))],
    ["an empty list", el("ul", {})],
    ["not a list", el("div", {}, el("li", {}, s("A")))],
    ["a child that is not an item", el("ul", {}, el("div", {}, s("A")))],
    ["nothing", null],
  ];
  for (const [name, list] of not) assert.equal(cardSuggestions(list), null, name);
});

test("gridMove: arrows, Home and End in rows of cards", () => {
  // 5 cards in rows of 2:  0 1 / 2 3 / 4
  const cases = [
    ["ArrowRight", 0, 1],
    ["ArrowRight", 1, 2], // continues on the next row
    ["ArrowRight", 4, 4], // stops at the end
    ["ArrowLeft", 0, 0],
    ["ArrowLeft", 3, 2],
    ["ArrowDown", 0, 2],
    ["ArrowDown", 3, 3], // no card below
    ["ArrowDown", 2, 4],
    ["ArrowUp", 4, 2],
    ["ArrowUp", 1, 1],
    ["Home", 3, 0],
    ["End", 1, 4],
    ["Enter", 1, -1],
    ["a", 1, -1],
  ];
  for (const [key, from, want] of cases) assert.equal(gridMove(key, from, 5, 2), want, `${key} from ${from}`);
  assert.equal(gridMove("ArrowDown", 0, 3, 0), 1, "at least one column");
  assert.equal(gridMove("ArrowDown", 0, 3, 5), 0, "one row");
});
