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

test("a lost session restarts the page at most once in 30 s, and the next load says so once", () => {
  const s = memoryStore();
  assert.equal(mayRestart(s, 100_000), true);
  assert.equal(mayRestart(s, 110_000), false, "again within 30 s: no reload loop");
  assert.equal(takeRestored(s), true);
  assert.equal(takeRestored(s), false, "said once");
  assert.equal(mayRestart(s, 140_001), true, "after 30 s it may restart again");
  assert.equal(mayRestart(null), false, "no storage: no automatic reload");
});
