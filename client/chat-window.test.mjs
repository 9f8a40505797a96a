import { test } from "node:test";
import assert from "node:assert/strict";
import { nearRange, place, prefix, runs } from "./chat-window.js";

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

test("place: the items meeting a window and the spacers around them", () => {
  const H = [100, 50, 200, 100, 100]; // tops 0, 100, 150, 350, 450; total 550
  const cases = [
    // from, to, first, last, above, below
    [0, 120, 0, 1, 0, 400],
    [160, 360, 2, 3, 150, 100],
    [500, 900, 4, 4, 450, 0],
    [-300, 900, 0, 4, 0, 0],
    [600, 900, 5, 4, 0, 0], // none: no spacers
  ];
  for (const [from, to, first, last, above, below] of cases) {
    assert.deepEqual(place(H.length, (i) => H[i], from, to), { first, last, above, below }, `${from}..${to}`);
  }
});

test("place reuses the tops it is given", () => {
  const tops = new Float64Array(8);
  const p = place(3, () => 10, 5, 15, tops);
  assert.deepEqual(p, { first: 0, last: 1, above: 0, below: 10 });
  assert.deepEqual(Array.from(tops.subarray(0, 4)), [0, 10, 20, 30]);
});

test("runs: sorted, merged where they overlap or touch", () => {
  const cases = [
    [[], []],
    [[[5, 9]], [[5, 9]]],
    [[[5, 9], [20, 20]], [[5, 9], [20, 20]]],
    [[[20, 20], [5, 9]], [[5, 9], [20, 20]]], // any order
    [[[5, 9], [10, 10]], [[5, 10]]], // touching
    [[[5, 9], [7, 7]], [[5, 9]]], // inside
    [[[5, 9], [8, 12], [14, 14], [3, 3]], [[3, 3], [5, 12], [14, 14]]],
  ];
  for (const [input, want] of cases) assert.deepEqual(runs(input), want, JSON.stringify(input));
});

test("prefix: where each item starts, and the total", () => {
  const tops = new Float64Array(4);
  assert.equal(prefix(3, (i) => [10, 20, 5][i], tops), 35);
  assert.deepEqual(Array.from(tops), [0, 10, 30, 35]);
});
