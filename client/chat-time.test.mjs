import { test } from "node:test";
import assert from "node:assert/strict";
import { RELATIVE_FOR, fullTime, refresh, relativeTime, validTime } from "./chat-time.js";

const now = Date.UTC(2026, 11, 6, 12, 0, 0);
const ago = (ms) => now - ms;
const MIN = 60e3;

test("relative labels in English", () => {
  const cases = [
    [0, "now"],
    [30e3, "now"],
    [-5e3, "now"], // a clock a little ahead
    [50e3, "1 minute ago"],
    [2 * MIN, "2 minutes ago"],
    [59 * MIN, "59 minutes ago"],
    [60 * MIN, "1 hour ago"],
    [5 * 60 * MIN, "5 hours ago"],
    [26 * 60 * MIN, "yesterday"],
    [3 * 24 * 60 * MIN, "3 days ago"],
  ];
  for (const [d, want] of cases) assert.equal(relativeTime(ago(d), now, "en-US"), want, `${d} ms ago`);
});

test("after a week the label is a date", () => {
  assert.equal(relativeTime(Date.UTC(2026, 10, 20, 12), now, "en-US"), "Nov 20, 2026");
});

test("other locales", () => {
  assert.equal(relativeTime(ago(2 * MIN), now, "de-DE"), "vor 2 Minuten");
  assert.equal(relativeTime(ago(26 * 60 * MIN), now, "fr-FR"), "hier");
  // A bad tag falls back to the reader's locale instead of throwing.
  assert.equal(typeof relativeTime(ago(2 * MIN), now, "not a locale!"), "string");
});

test("the full time names the day and the time", () => {
  const s = fullTime(Date.UTC(2026, 11, 6, 9, 5), "en-US");
  assert.match(s, /Sunday, December 6, 2026/);
  assert.match(s, /\d:05/);
});

test("validTime", () => {
  assert.equal(validTime(now), true);
  for (const bad of [0, -1, NaN, Infinity, 12345, 9e15]) assert.equal(validTime(bad), false, String(bad));
});

test("refresh changes only the labels whose text changes", () => {
  const el = (ms, text = "") => ({ dataset: { ms: String(ms) }, textContent: text });
  const els = [
    el(ago(2 * MIN), "2 minutes ago"), // current
    el(ago(3 * MIN), "2 minutes ago"), // stale
    el(ago(RELATIVE_FOR * 3), "Nov 1"), // a date: skipped
    el(NaN, "x"), // no time
  ];
  assert.equal(refresh(els, now, "en-US"), 1);
  assert.deepEqual(els.map((e) => e.textContent), ["2 minutes ago", "3 minutes ago", "Nov 1", "x"]);
});
