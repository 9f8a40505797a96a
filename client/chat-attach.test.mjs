import { test } from "node:test";
import assert from "node:assert/strict";
import { accepts, acceptAttr, cleanConfig, filesOf, formatSize, mediaType, refusal, scaledSize, typeIcon, typeLabel } from "./chat-attach.js";

test("accepts matches exact types and major wildcards, parameters aside", () => {
  const cases = [
    [["image/*"], "image/png", true],
    [["image/png"], "IMAGE/PNG; x=1", true],
    [["image/png"], "image/jpeg", false],
    [["*/*"], "application/zip", true],
    [["text/plain"], "", false],
    [[], "image/png", false],
    [null, "image/png", false],
  ];
  for (const [p, t, want] of cases) assert.equal(accepts(p, t), want, `${p} ${t}`);
  assert.equal(mediaType(" Text/Plain ; charset=utf-8"), "text/plain");
  assert.equal(acceptAttr(["image/*", "*/*", "application/pdf"]), "image/*,application/pdf");
});

test("formatSize", () => {
  const cases = [[0, "0 B"], [512, "512 B"], [1024, "1 KB"], [1536, "1.5 KB"], [20 << 20, "20 MB"], [5.25 * (1 << 20), "5.3 MB"], [-1, ""], [NaN, ""]];
  for (const [n, want] of cases) assert.equal(formatSize(n), want, String(n));
});

test("typeLabel and typeIcon", () => {
  assert.equal(typeLabel("application/pdf", "r.pdf"), "PDF");
  assert.equal(typeLabel("text/plain", "pasted.txt"), "Text");
  assert.equal(typeLabel("text/csv", "data.csv"), "CSV");
  assert.equal(typeLabel("application/json", "noext"), "JSON");
  assert.equal(typeIcon("image/webp"), "image");
  assert.equal(typeIcon("application/pdf"), "pdf");
  assert.equal(typeIcon("text/csv"), "data");
  assert.equal(typeIcon("text/markdown"), "text");
  assert.equal(typeIcon("application/zip"), "file");
});

test("scaledSize keeps the long edge within the limit", () => {
  assert.deepEqual(scaledSize(4000, 3000, 1568), { w: 1568, h: 1176, scaled: true });
  assert.deepEqual(scaledSize(1000, 3136, 1568), { w: 500, h: 1568, scaled: true });
  assert.deepEqual(scaledSize(800, 600, 1568), { w: 800, h: 600, scaled: false });
  assert.deepEqual(scaledSize(4000, 3000, 0), { w: 4000, h: 3000, scaled: false });
  assert.deepEqual(scaledSize(10000, 1, 1568), { w: 1568, h: 1, scaled: true });
});

test("refusal checks type, size, count and total before an upload", () => {
  const cfg = cleanConfig({ url: "u", token: "t", types: ["image/*", "application/pdf"], maxFile: 100, maxTotal: 150, maxFiles: 2 });
  const f = (name, type, size) => ({ name, type, size });
  assert.equal(refusal(cfg, f("a.png", "image/png", 50), []), "");
  assert.match(refusal(cfg, f("a.exe", "application/x-msdownload", 5), []), /not accepted/);
  assert.match(refusal(cfg, f("big.png", "image/png", 101), []), /larger than 100 B/);
  assert.match(refusal(cfg, f("c.png", "image/png", 1), [f("", "", 1), f("", "", 1)]), /At most 2 files/);
  assert.match(refusal(cfg, f("c.png", "image/png", 60), [f("", "", 100)]), /total 150 B/);
  assert.match(refusal(null, f("a.png", "image/png", 1), []), /no attachments/);
});

test("cleanConfig refuses what makes no sense", () => {
  assert.equal(cleanConfig(null), null);
  assert.equal(cleanConfig({ url: "u", token: "t", types: [] }), null);
  assert.equal(cleanConfig({ url: 1, token: "t", types: ["image/*"] }), null);
  const c = cleanConfig({ url: "u", token: "t", types: ["image/*", 5], maxFile: -1, maxEdge: 1568 });
  assert.deepEqual(c.types, ["image/*"]);
  assert.equal(c.maxFile, 0);
  assert.equal(c.maxEdge, 1568);
});

test("filesOf takes the files of a DataTransfer, not its strings", () => {
  const file = { name: "a.png" };
  const dt = { items: [{ kind: "string", getAsFile: () => null }, { kind: "file", getAsFile: () => file }] };
  assert.deepEqual(filesOf(dt), [file]);
  assert.deepEqual(filesOf({ items: [], files: [file] }), [file]);
  assert.deepEqual(filesOf(null), []);
});
