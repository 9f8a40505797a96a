import { test } from "node:test";
import assert from "node:assert/strict";
import { OutOfStep, applyDelta, emptyView, openTags, viewHTML } from "./chat-delta.js";

// [name, view, delta, apply twice?, want {blocks, tail} or an error class].
// The results were checked against Go's markdown.View.Apply.
const VECTORS = [
  ["first tail", { blocks: [], tail: "" }, { tail: "<p>He</p>" }, false, { blocks: [], tail: "<p>He</p>" }],
  ["tail grows, keeping a prefix", { blocks: [], tail: "<p>Hel</p>" }, { keep: 6, tail: "lo</p>" }, false,
    { blocks: [], tail: "<p>Hello</p>" }],
  ["tail grows, applied twice", { blocks: [], tail: "<p>Hel</p>" }, { keep: 6, tail: "lo</p>" }, true,
    { blocks: [], tail: "<p>Hello</p>" }],
  ["tail is committed", { blocks: [], tail: "<p>Hello</p>" }, { keep: 12, blocks: ["\n"], tail: "<p>W</p>" }, false,
    { blocks: ["<p>Hello</p>\n"], tail: "<p>W</p>" }],
  ["commit applied twice", { blocks: [], tail: "<p>Hello</p>" }, { keep: 12, blocks: ["\n"], tail: "<p>W</p>" }, true,
    { blocks: ["<p>Hello</p>\n"], tail: "<p>W</p>" }],
  ["commit seen again after it was applied", { blocks: ["<p>Hello</p>\n"], tail: "<p>W</p>" },
    { keep: 12, blocks: ["\n"], tail: "<p>Wo</p>" }, false, { blocks: ["<p>Hello</p>\n"], tail: "<p>Wo</p>" }],
  ["several blocks with keep", { blocks: ["x"], tail: "<p>a</p>" }, { from: 1, keep: 8, blocks: ["\n", "<p>b</p>\n"], tail: "" },
    false, { blocks: ["x", "<p>a</p>\n", "<p>b</p>\n"], tail: "" }],
  ["append blocks without keep", { blocks: ["a"], tail: "t" }, { from: 1, blocks: ["b"], tail: "u" }, false,
    { blocks: ["a", "b"], tail: "u" }],
  ["append blocks without keep, twice", { blocks: ["a"], tail: "t" }, { from: 1, blocks: ["b"], tail: "u" }, true,
    { blocks: ["a", "b"], tail: "u" }],
  ["replace from a block", { blocks: ["a", "b", "c"], tail: "t" }, { from: 1, blocks: ["B", "C"], tail: "T" }, false,
    { blocks: ["a", "B", "C"], tail: "T" }],
  ["replace everything", { blocks: ["a", "b"], tail: "t" }, { from: 0, blocks: ["<p>all</p>"], tail: "" }, false,
    { blocks: ["<p>all</p>"], tail: "" }],
  ["drop blocks and set the tail", { blocks: ["a", "b"], tail: "xyz" }, { from: 1, tail: "!" }, false,
    { blocks: ["a"], tail: "!" }],
  ["the zero delta clears", { blocks: ["a"], tail: "t" }, {}, false, { blocks: [], tail: "" }],
  ["keep the whole tail, nothing new", { blocks: ["a"], tail: "<p>q</p>" }, { from: 1, keep: 8 }, false,
    { blocks: ["a"], tail: "<p>q</p>" }],
  ["keep after a surrogate pair", { blocks: [], tail: "a\u{1F600}b" }, { keep: 3, tail: "!" }, false,
    { blocks: [], tail: "a\u{1F600}!" }],
  ["keep in a tail of astral characters", { blocks: [], tail: "\u{1F600}\u{1F601}" }, { keep: 4, blocks: ["x"], tail: "y" }, false,
    { blocks: ["\u{1F600}\u{1F601}x"], tail: "y" }],
  ["from beyond the blocks", { blocks: ["a"], tail: "" }, { from: 2, tail: "x" }, false, OutOfStep],
  ["keep after a block the view lacks", { blocks: ["a"], tail: "xy" }, { from: 0, keep: 1, tail: "z" }, false, OutOfStep],
  ["keep beyond the tail", { blocks: [], tail: "ab" }, { keep: 3, tail: "c" }, false, OutOfStep],
  ["keep inside a surrogate pair", { blocks: [], tail: "a\u{1F600}b" }, { keep: 2, tail: "!" }, false, OutOfStep],
  ["negative from", emptyView(), { from: -1 }, false, TypeError],
  ["fractional keep", emptyView(), { keep: 1.5 }, false, TypeError],
  ["keep as a string", emptyView(), { keep: "3" }, false, TypeError],
  ["blocks not an array", emptyView(), { blocks: "<p>x</p>" }, false, TypeError],
  ["a block not a string", emptyView(), { blocks: [1] }, false, TypeError],
  ["tail not a string", emptyView(), { tail: 5 }, false, TypeError],
  ["not an object", emptyView(), "patch", false, TypeError],
  ["null", emptyView(), null, false, TypeError],
];

const copy = (v) => ({ blocks: [...v.blocks], tail: v.tail });

test("deltas apply like Go's markdown.View", async (t) => {
  for (const [name, view, delta, twice, want] of VECTORS) {
    await t.test(name, () => {
      const v = copy(view);
      if (typeof want === "function") {
        assert.throws(() => applyDelta(v, delta), want);
        assert.deepEqual(v, view, "a rejected delta leaves the view unchanged");
        return;
      }
      applyDelta(v, delta);
      if (twice) applyDelta(v, delta);
      assert.deepEqual(v, want);
    });
  }
});

test("the plan says what the DOM must do", () => {
  const cases = [
    // view, delta, plan
    [{ blocks: [], tail: "<p>Hel</p>" }, { keep: 6, tail: "lo</p>" }, { from: 0, added: [], tailChanged: true }],
    [{ blocks: ["a"], tail: "<p>x</p>" }, { from: 1, keep: 8 }, { from: 1, added: [], tailChanged: false }],
    [{ blocks: [], tail: "<p>Hello</p>" }, { keep: 12, blocks: ["\n"], tail: "<p>W</p>" },
      { from: 0, added: ["<p>Hello</p>\n"], tailChanged: true }],
    // Seen again: nothing is committed twice.
    [{ blocks: ["<p>Hello</p>\n"], tail: "<p>W</p>" }, { keep: 12, blocks: ["\n"], tail: "<p>W</p>" },
      { from: 1, added: [], tailChanged: false }],
    [{ blocks: ["a", "b", "c"], tail: "t" }, { from: 1, blocks: ["B"], tail: "t" }, { from: 1, added: ["B"], tailChanged: false }],
  ];
  for (const [view, delta, plan] of cases) assert.deepEqual(applyDelta(copy(view), delta), plan);
});

// A reply streamed by Go's markdown.Stream in 9-character chunks (answer
// deltas as the chat package sends them, zero fields left out) and the
// rendering of the whole text.
const STREAM = {"deltas": [{"blocks": ["<h1>Plan</h1>\n"]}, {"from": 1, "tail": "<p>First **bo</p>\n"}, {"from": 1, "keep": 9, "tail": "<strong>bold</strong> para</p>\n"}, {"from": 1, "keep": 35, "tail": " with `co</p>\n"}, {"from": 1, "keep": 41, "tail": "<code>code</code> and ü</p>\n"}, {"from": 1, "keep": 64, "tail": "nïcödé 😀.</p>\n"}, {"from": 1, "keep": 79, "blocks": [""], "tail": "<ul>\n<li>one</li>\n<li></li>\n</ul>\n"}, {"from": 2, "keep": 22, "tail": "\n<h2>two</h2>\n</li>\n</ul>\n"}, {"from": 2, "keep": 22, "blocks": ["two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>\n"], "tail": "<p>`</p>\n"}, {"from": 3, "keep": 2, "tail": "re class=\"chroma\"><code class=\"language-go\">func</code></pre>\n"}, {"from": 3, "keep": 50, "tail": " main() {</code></pre>\n"}, {"from": 3, "keep": 59, "tail": "\n\tfmt.Pri</code></pre>\n"}, {"from": 3, "keep": 68, "tail": "ntln(&quot;hi&quot;</code></pre>\n"}, {"from": 3, "keep": 87, "blocks": [")\n}\n</code></pre>\n"]}, {"from": 4, "tail": "<p>| a | b |</p>\n"}, {"from": 4, "keep": 1, "tail": "table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n</table>\n"}, {"from": 4, "keep": 59, "tail": "tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"}, {"from": 4, "keep": 117, "blocks": [""], "tail": "<p>Last</p>\n"}, {"from": 5, "keep": 7, "tail": " para.</p>\n"}, {"from": 5, "keep": 18, "blocks": [""]}], "html": "<h1>Plan</h1>\n<p>First <strong>bold</strong> para with <code>code</code> and ünïcödé 😀.</p>\n<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>\n<pre class=\"chroma\"><code class=\"language-go\">func main() {\n\tfmt.Println(&quot;hi&quot;)\n}\n</code></pre>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<p>Last para.</p>\n"};
test("a recorded stream ends with the full rendering, applied once or twice", () => {
  for (const twice of [false, true]) {
    const v = emptyView();
    let committed = 0;
    for (const d of STREAM.deltas) {
      const before = v.blocks.slice(0, Math.min(v.blocks.length, d.from ?? 0));
      const plan = applyDelta(v, d);
      if (twice) assert.deepEqual(applyDelta(v, d).added, [], "a repeated delta commits nothing");
      assert.deepEqual(v.blocks.slice(0, before.length), before, "kept blocks are untouched");
      committed += plan.added.length;
    }
    assert.equal(viewHTML(v), STREAM.html);
    assert.ok(committed >= 5, `blocks were committed along the way (${committed})`);
  }
});

test("openTags: the elements a block leaves open", () => {
  const cases = [
    // open before, html, open after (null: not well nested)
    [[], "<p>Hello <em>there</em>.</p>\n", []],
    [[], "<details>\n<summary>Click <b>here</b></summary>\n", ["details"]],
    [["details"], "<p>Hidden <em>body</em>.</p>\n", ["details"]],
    [["details"], "</details>\n", []],
    [[], "<ul>\n<li>a</li>\n<li>b<ul><li>c</li></ul></li>\n</ul>\n", []],
    [[], '<pre class="chroma"><code>&lt;div&gt; if a &lt; b</code></pre>\n', []],
    [[], '<p>a<br>b<img src="x>y" alt=\'>\'><input type="checkbox" disabled=""></p>', []],
    [[], '<svg viewBox="0 0 1 1"><path d="M0"/><g/></svg>', []],
    [[], "<div/>", ["div"]], // "/>" closes nothing outside SVG and MathML
    [[], "<p>a</div>", null],
    [["details"], "</div>", null],
    [[], "</p>", null],
    [[], '<script>if (a < b) { x = "</p>" }</script><p>ok</p>', []],
    [[], "<!-- <div> --><p>x</p><!DOCTYPE html>", []],
    [[], "<textarea>never closed <b>", ["textarea"]],
    [[], "", []],
    [[], "plain text & more", []],
    [[], "<P>upper</p>", []],
  ];
  for (const [before, html, want] of cases) {
    const copy = before.slice();
    assert.deepEqual(openTags(before, html), want, html);
    assert.deepEqual(before, copy, "the stack given is not changed");
  }
});
