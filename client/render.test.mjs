import { test } from "node:test";
import assert from "node:assert/strict";
import { mayRestart, takeRestored } from "./render.js";

function memoryStore() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
  };
}

test("a lost session restarts the page at most 3 times a minute, and the next load says so once", () => {
  const s = memoryStore();
  assert.equal(mayRestart(s, 100_000), true);
  assert.equal(takeRestored(s), true);
  assert.equal(takeRestored(s), false, "said once");
  assert.equal(mayRestart(s, 105_000), true, "a rolling deploy moves a page twice");
  assert.equal(mayRestart(s, 110_000), true);
  assert.equal(mayRestart(s, 115_000), false, "a fourth within a minute: no reload loop");
  assert.equal(mayRestart(s, 160_001), true, "the first has aged out");
  assert.equal(mayRestart(null), false, "no storage: no automatic reload");
  s.setItem("sheen-restart-at", "garbage");
  assert.equal(mayRestart(s, 200_000), true, "a damaged record does not block");
});
