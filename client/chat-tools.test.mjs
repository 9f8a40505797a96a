import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanTool, metricsText, seconds, STATE_TEXT } from "./chat-tools.js";

test("cleanTool keeps a well-formed card and drops the rest", () => {
  const t = cleanTool({ id: "c1", name: "get_weather", args: "{}", status: "running", html: "<p>x</p>", approve: true, decision: "allowed", by: "ann" });
  assert.deepEqual(t, { id: "c1", name: "get_weather", args: "{}", status: "running", html: "<p>x</p>", approve: true, decision: "allowed", by: "ann" });
  for (const bad of [null, "x", {}, { id: "" , status: "running"}, { id: "c", status: "exploded" }, { id: 7, status: "running" }]) {
    assert.equal(cleanTool(bad), null, JSON.stringify(bad));
  }
  const odd = cleanTool({ id: "c", status: "error", name: 5, args: {}, html: [], decision: "maybe", approve: "yes" });
  assert.deepEqual(odd, { id: "c", name: "tool", args: "", status: "error", html: "", approve: false, decision: "", by: "" });
});

test("every status has a text", () => {
  for (const s of ["pending", "running", "success", "error", "denied"]) assert.ok(STATE_TEXT[s]);
});

test("metricsText", () => {
  assert.equal(metricsText(null), null);
  const m = metricsText({ first: 420, duration: 3900, out: 1234, in: 50, billed: 1300, rate: 356.4 });
  assert.equal(m.text, "0.42 s to first token · 1,234 tokens · 356 tokens/s · 3.9 s");
  assert.match(m.title, /Tokens in: 50\./);
  assert.match(m.title, /1,300 as the provider reported/);
  const slow = metricsText({ first: 12000, duration: 15000, out: 20, rate: 6.67 });
  assert.equal(slow.text, "12 s to first token · 20 tokens · 6.7 tokens/s · 15 s");
  const junk = metricsText({ first: -1, duration: "x", out: NaN });
  assert.equal(junk.text, "0 ms to first token · 0 tokens · 0 ms");
});

test("seconds", () => {
  assert.equal(seconds(0), "0 ms");
  assert.equal(seconds(42.4), "42 ms");
  assert.equal(seconds(100), "0.10 s");
  assert.equal(seconds(999), "1.00 s");
  assert.equal(seconds(1500), "1.5 s");
  assert.equal(seconds(61000), "61 s");
});
