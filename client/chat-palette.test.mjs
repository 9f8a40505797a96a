import { test } from "node:test";
import assert from "node:assert/strict";
import { Palette, cleanCommands, completeCommand, filterCommands, paletteQuery, parseCommand } from "./chat-palette.js";

const COMMANDS = cleanCommands([
  { name: "greet", description: "Say hello", echo: true, server: true },
  { name: "help", description: "List the commands", server: true },
  { name: "Theme", description: "Switch light and dark", echo: true, server: false },
  { name: "grid", description: "A grid", server: false },
]);

test("cleanCommands keeps named commands, without slash or duplicates", () => {
  assert.deepEqual(cleanCommands([
    { name: "/a", description: "x", echo: true, server: false },
    { name: "a" },
    { name: "b c" },
    { name: "" },
    null,
    "d",
    { name: 5 },
    { name: "e", description: 7 },
  ]), [
    { name: "a", description: "x", echo: true, server: false },
    { name: "e", description: "", echo: false, server: true },
  ]);
  assert.deepEqual(cleanCommands("nope"), []);
  assert.deepEqual(cleanCommands(undefined), []);
});

test("paletteQuery: open while the caret is in a leading /word", () => {
  const cases = [
    ["/", 1, ""],
    ["/gr", 3, "gr"],
    ["/gr", 2, "g"],
    ["/greet ", 7, null], // after the space: arguments
    ["/greet world", 3, "gr"],
    ["/greet world", 12, null],
    ["hello /gr", 9, null], // "/" not at the start
    [" /gr", 4, null],
    ["/gr", 0, null],
    ["", 0, null],
    ["/a\nb", 4, null],
  ];
  for (const [value, caret, want] of cases) assert.equal(paletteQuery(value, caret), want, `${JSON.stringify(value)} at ${caret}`);
});

test("filterCommands: case-insensitive prefix, in order", () => {
  const names = (q) => filterCommands(COMMANDS, q).map((c) => c.name);
  assert.deepEqual(names(""), ["greet", "help", "Theme", "grid"]);
  assert.deepEqual(names("gr"), ["greet", "grid"]);
  assert.deepEqual(names("GRE"), ["greet"]);
  assert.deepEqual(names("th"), ["Theme"]);
  assert.deepEqual(names("x"), []);
  assert.deepEqual(names("reet"), [], "a prefix, not a substring");
});

test("completeCommand: the first word becomes /name and a space", () => {
  assert.equal(completeCommand("/gr", "greet"), "/greet ");
  assert.equal(completeCommand("/", "help"), "/help ");
  assert.equal(completeCommand("/gr world", "greet"), "/greet world");
});

test("parseCommand recognises known commands only", () => {
  assert.deepEqual(parseCommand("/greet  Ada Lovelace ", COMMANDS), { command: COMMANDS[0], name: "greet", args: "Ada Lovelace" });
  assert.deepEqual(parseCommand("/help", COMMANDS), { command: COMMANDS[1], name: "help", args: "" });
  assert.equal(parseCommand("/theme dark", COMMANDS).name, "Theme", "case-insensitive");
  assert.equal(parseCommand("/greet\nmulti\nline", COMMANDS).args, "multi\nline");
  for (const text of ["/nope", "greet", "/ greet", "//greet", ""]) assert.equal(parseCommand(text, COMMANDS), null, text);
});

test("Palette: the keyboard flow", () => {
  const p = new Palette();
  assert.equal(p.open, false);
  p.update(""); // "/" typed, but no commands yet
  assert.equal(p.open, false);
  p.setCommands(COMMANDS);
  assert.equal(p.open, true);
  assert.equal(p.current.name, "greet", "the first is highlighted");

  const steps = [
    // key, handled, highlighted after
    ["ArrowDown", true, "help"],
    ["ArrowDown", true, "Theme"],
    ["ArrowDown", true, "grid"],
    ["ArrowDown", true, "greet"], // wraps
    ["ArrowUp", true, "grid"], // wraps back
    ["ArrowUp", true, "Theme"],
    ["a", false, "Theme"],
    ["ArrowLeft", false, "Theme"],
  ];
  for (const [key, handled, want] of steps) {
    assert.equal(p.key(key).handled, handled, key);
    assert.equal(p.current.name, want, key);
  }

  p.update("gr");
  assert.deepEqual(p.items.map((c) => c.name), ["greet", "grid"]);
  assert.equal(p.current.name, "greet", "a new query highlights the first match");
  p.key("ArrowDown");
  const r = p.key("Tab");
  assert.equal(r.handled, true);
  assert.equal(r.select.name, "grid");
  assert.equal(p.open, false, "choosing closes");
});

test("Palette: Escape closes until the query changes", () => {
  const p = new Palette();
  p.setCommands(COMMANDS);
  p.update("g");
  assert.deepEqual(p.key("Escape"), { handled: true });
  assert.equal(p.open, false);
  assert.deepEqual(p.key("ArrowDown"), { handled: false }, "a closed palette takes no keys");
  p.update("g");
  assert.equal(p.open, false, "the same query stays dismissed");
  p.update("gr");
  assert.equal(p.open, true);
  p.update(null);
  assert.equal(p.open, false);
});

test("Palette: no match shows, Enter falls through", () => {
  const p = new Palette();
  p.setCommands(COMMANDS);
  p.update("zz");
  assert.equal(p.open, true, "open, to say that nothing matches");
  assert.equal(p.current, null);
  assert.deepEqual(p.key("Enter"), { handled: false });
  assert.deepEqual(p.key("Tab"), { handled: false });
  assert.deepEqual(p.key("ArrowDown"), { handled: true });
});

test("Palette: new commands keep the highlighted one when they can", () => {
  const p = new Palette();
  p.setCommands(COMMANDS);
  p.update("");
  p.key("ArrowDown"); // help
  p.setCommands(cleanCommands([{ name: "about" }, { name: "help" }]));
  assert.equal(p.current.name, "help");
  p.setCommands(cleanCommands([{ name: "about" }]));
  assert.equal(p.current.name, "about");
  p.setCommands([]);
  assert.equal(p.open, false, "no commands, no palette");
});

test("Palette: Enter on a command typed in full falls through (it sends); Tab completes", () => {
  for (const [query, key, want] of [
    ["help", "Enter", { handled: false, select: undefined }],
    ["theme", "Enter", { handled: false, select: undefined }], // case-insensitive, as the filter
    ["hel", "Enter", { handled: true, select: "help" }],
    ["help", "Tab", { handled: true, select: "help" }],
  ]) {
    const p = new Palette();
    p.setCommands(COMMANDS);
    p.update(query);
    const r = p.key(key);
    assert.deepEqual({ handled: r.handled, select: r.select?.name }, want, `${key} on /${query}`);
    assert.equal(p.open, false, `${key} on /${query} closes the palette`);
  }
});
