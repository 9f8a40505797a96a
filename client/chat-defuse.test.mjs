import { test } from "node:test";
import assert from "node:assert/strict";
import { dropAttr, DROPPED_ELEMENTS } from "./chat-defuse.js";

test("event handlers, srcdoc and script URLs are dropped", () => {
  assert.ok(dropAttr("onclick", "x()"));
  assert.ok(dropAttr("onerror", ""));
  assert.ok(dropAttr("srcdoc", "<script>alert(1)</script>"));
  assert.ok(dropAttr("href", "javascript:alert(1)"));
  assert.ok(dropAttr("href", " java\tscript:alert(1)"));
  assert.ok(dropAttr("src", "VBScript:x"));
});

test("data: URLs that render documents are dropped, images are kept", () => {
  assert.ok(dropAttr("href", "data:text/html,<script>alert(1)</script>"));
  assert.ok(dropAttr("src", "DATA:Text/HTML;base64,PHNjcmlwdD4="));
  assert.ok(dropAttr("data", "data:image/svg+xml,<svg onload=alert(1)>"));
  assert.ok(dropAttr("href", "data:application/xhtml+xml,x"));
  assert.ok(!dropAttr("src", "data:image/png;base64,iVBORw0KGgo="));
});

test("ordinary attributes are kept", () => {
  assert.ok(!dropAttr("href", "https://example.com/"));
  assert.ok(!dropAttr("class", "javascript:"));
  assert.ok(!dropAttr("title", "data:text/html"));
});

test("embedding elements are listed", () => {
  for (const el of ["iframe", "object", "embed"]) assert.ok(DROPPED_ELEMENTS.split(", ").includes(el));
});
