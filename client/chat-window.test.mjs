import { test } from "node:test";
import assert from "node:assert/strict";
import { nearRange } from "./chat-window.js";

// Items of the given heights laid out top to bottom with a gap.
function layout(heights, gap = 0) {
  const tops = [];
  let y = 0;
  for (const h of heights) {
    tops.push(y);
    y += h + gap;
  }
  return { n: heights.length, top: (i) => tops[i], bottom: (i) => tops[i] + heights[i] };
}

test("nearRange finds the items meeting a window", () => {
  const l = layout([100, 100, 100, 100, 100]); // 0-100, 100-200, ...
  const cases = [
    [0, 50, [0, 0]],
    [150, 250, [1, 2]],
    [100, 100, [0, 1]], // touching edges count
    [450, 1000, [4, 4]],
    [600, 700, [5, 4]], // none: past the end
    [-100, -50, [0, -1]], // none: before the start
    [-100, 1000, [0, 4]],
  ];
  for (const [from, to, want] of cases) assert.deepEqual(nearRange(l.n, l.top, l.bottom, from, to), want, `${from}..${to}`);
});

test("nearRange with gaps and uneven heights", () => {
  const l = layout([10, 300, 20, 20, 500], 24); // tops 0, 34, 358, 402, 446
  assert.deepEqual(nearRange(l.n, l.top, l.bottom, 340, 360), [2, 2]); // the gap before item 2, then item 2
  assert.deepEqual(nearRange(l.n, l.top, l.bottom, 335, 357), [2, 1]); // only a gap: empty
});

test("nearRange reads O(log n) items", () => {
  const n = 10000;
  let reads = 0;
  const top = (i) => (reads++, i * 50);
  const bottom = (i) => (reads++, i * 50 + 40);
  assert.deepEqual(nearRange(n, top, bottom, 250000, 251000), [5000, 5020]);
  assert.ok(reads < 64, `${reads} reads`);
});

test("an empty list", () => {
  assert.deepEqual(nearRange(0, () => 0, () => 0, 0, 100), [0, -1]);
});
