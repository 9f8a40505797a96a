import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox, backoff, seqStep, wsURL, BACKOFF_MAX } from "./sync.js";

test("backoff doubles from 250 ms up to 5 s, with jitter in [d/2, d]", () => {
  const full = [0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoff(a, () => 1));
  assert.deepEqual(full, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  const half = [0, 1, 5].map((a) => backoff(a, () => 0));
  assert.deepEqual(half, [125, 250, 2500]);
  for (let a = 0; a < 20; a++) {
    const d = backoff(a);
    assert.ok(d >= 125 && d <= BACKOFF_MAX, `${a}: ${d}`);
  }
});

test("seqStep", () => {
  const cases = [
    [0, 1, "apply"], [5, 6, "apply"], [5, 5, "dup"], [5, 2, "dup"], [5, 7, "gap"], [0, 3, "gap"],
  ];
  for (const [last, seq, want] of cases) assert.equal(seqStep(last, seq), want, `${last} → ${seq}`);
});

test("wsURL resolves against the page and switches the scheme", () => {
  const cases = [
    ["_sheen/ws", "http://localhost:8000/app/", "ws://localhost:8000/app/_sheen/ws"],
    ["_sheen/ws", "https://example.com/a/page?x=1#top", "wss://example.com/a/_sheen/ws"],
    ["/_sheen/ws?k=v", "https://example.com/a/b", "wss://example.com/_sheen/ws?k=v"],
    ["../ws", "http://h/a/b/c", "ws://h/a/ws"],
  ];
  for (const [path, base, want] of cases) assert.equal(wsURL(path, base), want);
});

const frames = (box) => box.entries.map((e) => Outbox.frame(e));

test("outbox numbers messages from 1 and drops what the server acked", () => {
  const box = new Outbox();
  box.input({ a: 1 }, true);
  box.event("chat", "submit", { text: "hi" });
  box.input({ b: 2 }, true);
  assert.deepEqual(frames(box).map((f) => f.n), [1, 2, 3]);
  box.ack(2);
  assert.deepEqual(frames(box), [{ type: "input", n: 3, values: { b: 2 } }]);
  box.ack(1); // acks never go back
  assert.equal(box.entries.length, 1);
  box.ack(10);
  assert.equal(box.entries.length, 0);
  assert.equal(box.input({ c: 3 }, true).n, 4, "numbers are never reused");
});

test("online, every change is its own message", () => {
  const box = new Outbox();
  box.input({ a: 1 }, true);
  box.input({ a: 2 }, true);
  assert.deepEqual(frames(box).map((f) => f.values), [{ a: 1 }, { a: 2 }]);
});

test("offline, changes coalesce per id but never across an event", () => {
  const tests = [
    {
      name: "same id twice: one message with the latest value",
      steps: (b) => { b.input({ a: 1 }, false); b.input({ a: 2 }, false); },
      want: [{ type: "input", n: 1, values: { a: 2 } }],
    },
    {
      name: "different ids merge",
      steps: (b) => { b.input({ a: 1 }, false); b.input({ b: 2 }, false); },
      want: [{ type: "input", n: 1, values: { a: 1, b: 2 } }],
    },
    {
      name: "a change after an event stays after it",
      steps: (b) => {
        b.input({ text: "hi" }, false);
        b.event("chat", "submit");
        b.input({ text: "" }, false);
      },
      want: [
        { type: "input", n: 1, values: { text: "hi" } },
        { type: "event", n: 2, target: "chat", name: "submit" },
        { type: "input", n: 3, values: { text: "" } },
      ],
    },
    {
      name: "a sent but unacked message loses the id to the newer value",
      steps: (b) => {
        const sent = b.input({ a: 1, b: 1 }, true);
        sent.sent = true;
        b.input({ a: 2 }, false);
      },
      want: [
        { type: "input", n: 1, values: { b: 1 } },
        { type: "input", n: 2, values: { a: 2 } },
      ],
    },
    {
      name: "a sent message emptied by newer values is dropped",
      steps: (b) => {
        b.input({ a: 1 }, true).sent = true;
        b.input({ a: 2 }, false);
        b.input({ a: 3 }, false);
      },
      want: [{ type: "input", n: 2, values: { a: 3 } }],
    },
  ];
  for (const tt of tests) {
    const box = new Outbox();
    tt.steps(box);
    assert.deepEqual(frames(box), tt.want, tt.name);
  }
});

test("dropInputsBefore keeps events and later inputs", () => {
  const box = new Outbox();
  box.input({ a: 1 }, false);
  box.event("c", "x");
  const cut = box.next;
  box.input({ a: 2 }, false);
  box.dropInputsBefore(cut);
  assert.deepEqual(frames(box).map((f) => f.n), [2, 3]);
});
