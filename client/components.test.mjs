import { test } from "node:test";
import assert from "node:assert/strict";
import { createRegistry, MAX_PENDING } from "./components.js";

// Just enough of an element and a document for the registry.
function el(kind, id) {
  return {
    id,
    dataset: { sheenComponent: kind },
    isConnected: true,
    matches: (sel) => sel === "[data-sheen-component]",
  };
}
function page(...els) {
  return { els, querySelectorAll: () => els.filter((e) => e.isConnected) };
}
function recorder(log) {
  return {
    mount(e, api) {
      log.push(["mount", e.id]);
      this.api = api;
    },
    message: (e, name, data) => log.push(["message", e.id, name, data]),
    unmount: (e) => log.push(["unmount", e.id]),
  };
}
const quiet = { warn() {}, error() {} };

test("mounts existing elements of a kind when it is registered", () => {
  const log = [];
  const doc = page(el("chat", "a"), el("chat", "b"), el("other", "c"), el("chat", ""));
  const reg = createRegistry(doc, () => {}, quiet);
  reg.register("chat", recorder(log));
  assert.deepEqual(log, [["mount", "a"], ["mount", "b"]]);
  assert.throws(() => reg.register("chat", recorder(log)), /already registered/);
});

test("messages wait for their component, in order, and are never lost", () => {
  const log = [];
  const doc = page();
  const reg = createRegistry(doc, () => {}, quiet);
  reg.dispatch("a", "append", 1); // no element, no handler yet
  reg.register("chat", recorder(log));
  reg.dispatch("a", "chunk", 2);
  const a = el("chat", "a");
  doc.els.push(a);
  reg.scan(a); // the MutationObserver found it
  reg.dispatch("a", "end", 3);
  assert.deepEqual(log, [
    ["mount", "a"],
    ["message", "a", "append", 1],
    ["message", "a", "chunk", 2],
    ["message", "a", "end", 3],
  ]);
});

test("a component that leaves the page is unmounted; a moved one is not", () => {
  const log = [];
  const a = el("chat", "a");
  const b = el("chat", "b");
  const reg = createRegistry(page(a, b), () => {}, quiet);
  reg.register("chat", recorder(log));
  log.length = 0;
  reg.sweep(); // b moved: still connected
  a.isConnected = false;
  reg.sweep();
  assert.deepEqual(log, [["unmount", "a"]]);
  reg.dispatch("a", "chunk", 1); // buffered until a comes back
  a.isConnected = true;
  reg.scan(a);
  assert.deepEqual(log.slice(1), [["mount", "a"], ["message", "a", "chunk", 1]]);
});

test("an element replaced by another with the same id: the new one takes over", () => {
  const log = [];
  const old = el("chat", "a");
  const reg = createRegistry(page(old), () => {}, quiet);
  reg.register("chat", recorder(log));
  const fresh = el("chat", "a");
  reg.scan(fresh);
  reg.dispatch("a", "x", 1);
  assert.deepEqual(log, [["mount", "a"], ["unmount", "a"], ["mount", "a"], ["message", "a", "x", 1]]);
});

test("api.send sends an event for the component", () => {
  const sent = [];
  const h = recorder([]);
  const reg = createRegistry(page(el("chat", "c1")), (...args) => sent.push(args), quiet);
  reg.register("chat", h);
  h.api.send("submit", { text: "hi" });
  assert.deepEqual(sent, [["c1", "submit", { text: "hi" }]]);
  assert.equal(h.api.id, "c1");
});

test("a throwing handler does not break others", () => {
  const log = [];
  const reg = createRegistry(page(el("bad", "x"), el("chat", "y")), () => {}, quiet);
  reg.register("bad", { mount() { throw new Error("boom"); }, message() { throw new Error("boom"); } });
  reg.register("chat", recorder(log));
  reg.dispatch("x", "m", 1);
  reg.dispatch("y", "m", 2);
  assert.deepEqual(log, [["mount", "y"], ["message", "y", "m", 2]]);
});

test("the wait buffer is bounded", () => {
  const warnings = [];
  const reg = createRegistry(page(), () => {}, { warn: (m) => warnings.push(m), error() {} });
  for (let i = 0; i < MAX_PENDING + 5; i++) reg.dispatch("nobody", "m", i);
  assert.equal(warnings.length, 5);
});
