import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanActions, toolbarItems, toolbarMove } from "./chat-actions.js";

test("cleanActions keeps known built-ins and well-formed custom actions", () => {
  const cfg = cleanActions({
    builtin: ["copy", "delete", "feedback", "bogus", 3],
    custom: [
      { name: "pin", label: "Pin", roles: ["assistant", "system"], icon: "<svg></svg>" },
      { name: "pin", label: "Again" }, // a duplicate name
      { name: "", label: "No name" },
      { name: "x" }, // no label
      { name: "draft", label: "Draft", roles: [] },
      null,
    ],
  });
  assert.deepEqual([...cfg.on], ["copy", "remove", "feedback"]);
  assert.equal(cfg.custom.length, 2);
  assert.deepEqual(cfg.custom[0], { name: "pin", label: "Pin", icon: "<svg></svg>", tooltip: "Pin", roles: ["assistant"], input: false });
  assert.equal(cfg.custom[1].input, true);
  assert.deepEqual(cleanActions(null), { on: new Set(), custom: [] });
});

test("toolbarItems: which buttons a message gets", () => {
  const cfg = cleanActions({
    builtin: ["copy", "regenerate", "edit", "delete", "feedback"],
    custom: [{ name: "pin", label: "Pin", roles: ["assistant"] }, { name: "row", label: "Row" }],
  });
  const cases = [
    [{ role: "assistant", last: true, hasID: true }, ["copy", "regenerate", "up", "down", "custom:pin", "remove"]],
    [{ role: "assistant", last: false, hasID: true }, ["copy", "up", "down", "custom:pin", "remove"]],
    [{ role: "user", last: false, hasID: true }, ["copy", "edit", "remove"]],
    [{ role: "user", command: true, hasID: true }, ["copy", "remove"]], // a slash command is not edited
    [{ role: "user", hasID: false }, []], // the page's bubble before the server named it
  ];
  for (const [where, want] of cases) assert.deepEqual(toolbarItems(cfg, where), want, JSON.stringify(where));
  assert.deepEqual(toolbarItems(cleanActions({}), { role: "assistant", last: true, hasID: true }), []);
});

test("toolbarMove: arrows wrap, Home and End jump, other keys do nothing", () => {
  const cases = [
    ["ArrowRight", 0, 3, 1],
    ["ArrowRight", 2, 3, 0],
    ["ArrowLeft", 0, 3, 2],
    ["Home", 2, 3, 0],
    ["End", 0, 3, 2],
    ["Enter", 1, 3, -1],
  ];
  for (const [key, i, n, want] of cases) assert.equal(toolbarMove(key, i, n), want, `${key} from ${i}`);
});
