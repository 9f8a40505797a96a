import { test } from "node:test";
import assert from "node:assert/strict";
import { sortOrder } from "./table.js";

test("sortOrder", () => {
  const cases = [
    { name: "numbers ascending", keys: [3, 1, 2], numeric: true, desc: false, want: [1, 2, 0] },
    { name: "numbers descending", keys: [3, 1, 2], numeric: true, desc: true, want: [0, 2, 1] },
    { name: "missing numbers last both ways", keys: [NaN, 2, 1], numeric: true, desc: true, want: [1, 2, 0] },
    { name: "text with numbers inside", keys: ["item 10", "item 2", "Item 1"], numeric: false, desc: false, want: [2, 1, 0] },
    { name: "ties keep their order", keys: [1, 1, 0], numeric: true, desc: true, want: [0, 1, 2] },
  ];
  for (const c of cases) assert.deepEqual(sortOrder(c.keys, c.numeric, c.desc), c.want, c.name);
});
