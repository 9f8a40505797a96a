import { test } from "node:test";
import assert from "node:assert/strict";
import { blank, VISIBLE } from "./chat-removed.js";

// Just enough of an element for blank: its text and whether a selector
// matches inside it.
const el = (text, ...tags) => ({
  textContent: text,
  querySelector: (sel) => (tags.some((t) => sel.split(/,\s*/).includes(t)) ? {} : null),
});

test("an element with no text and nothing visible is blank", () => {
  assert.equal(blank(el("")), true);
  assert.equal(blank(el(" \n\t ")), true);
  assert.equal(blank(el("", "p", "span")), true); // empty paragraphs show nothing
  assert.equal(blank(null), true);
});

test("text or a visible element is not blank", () => {
  assert.equal(blank(el("hi")), false);
  assert.equal(blank(el("", "img")), false);
  assert.equal(blank(el("", "hr")), false);
  assert.equal(blank(el("", "table")), false);
});

test("VISIBLE names only elements", () => {
  for (const s of VISIBLE.split(/,\s*/)) assert.match(s, /^[a-z]+$/);
});
