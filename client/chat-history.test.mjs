import { test } from "node:test";
import assert from "node:assert/strict";
import { History, recalls } from "./chat-history.js";

function filled(...texts) {
  const h = new History();
  for (const t of texts) h.add(t);
  return h;
}

test("ArrowUp recalls the most recent first, ArrowDown comes back", () => {
  const h = filled("one", "two", "three");
  assert.equal(h.active, false);
  assert.equal(h.down(""), null, "nothing newer than the input");
  assert.equal(h.up(""), "three");
  assert.equal(h.active, true);
  assert.equal(h.up("three"), "two");
  assert.equal(h.up("two"), "one");
  assert.equal(h.up("one"), null, "nothing older");
  assert.equal(h.down("one"), "two");
  assert.equal(h.down("two"), "three");
  assert.equal(h.down("three"), "", "past the newest: the empty draft");
  assert.equal(h.active, false);
  assert.equal(h.down(""), null);
});

test("a draft typed before recalling comes back past the newest", () => {
  const h = filled("one", "two");
  assert.equal(h.up("my draft"), "two");
  assert.equal(h.up("two"), "one");
  assert.equal(h.down("one"), "two");
  assert.equal(h.down("two"), "my draft");
  assert.equal(h.active, false);
});

test("edits to recalled entries are kept while recalling, and forgotten after sending", () => {
  const h = filled("one", "two");
  h.up("");
  assert.equal(h.up("two, edited"), "one");
  assert.equal(h.down("one"), "two, edited");
  assert.equal(h.down("two, edited"), "");
  assert.equal(h.up(""), "two, edited");
  h.add("sent");
  assert.deepEqual(h.entries, ["one", "two", "sent"], "the entries themselves never change");
  assert.equal(h.up(""), "sent");
  assert.equal(h.up("sent"), "two");
});

test("add: no empty entries, no repeat of the newest, a bounded length", () => {
  const h = new History(3);
  for (const t of ["a", "", "b", "b", "c", "d"]) h.add(t);
  assert.deepEqual(h.entries, ["b", "c", "d"]);
  const e = new History();
  assert.equal(e.up(""), null, "an empty history recalls nothing");
  assert.equal(e.active, false);
});

test("recalls: which arrow presses belong to the history", () => {
  const cases = [
    // up, active, value, start, end, want
    [true, false, "", 0, 0, true],
    [true, false, "draft", 0, 0, true], // caret at the very start
    [true, false, "draft", 3, 3, false],
    [true, false, "draft", 0, 5, false], // a selection
    [false, false, "", 0, 0, false], // ArrowDown never starts recall
    [true, true, "one\ntwo", 7, 7, false], // on the second line: move the caret
    [true, true, "one\ntwo", 2, 2, true],
    [false, true, "one\ntwo", 2, 2, false],
    [false, true, "one\ntwo", 5, 5, true],
    [false, true, "single", 0, 0, true],
  ];
  for (const [up, active, value, start, end, want] of cases) {
    assert.equal(recalls(up, active, value, start, end), want, JSON.stringify([up, active, value, start, end]));
  }
});
