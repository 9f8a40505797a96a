import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_TITLE, cleanItems, cleanTitle, conversationOf, displayTitle, groupByDate, mergePage,
  removeConversation, renameConversation, showConversation, withConversation,
} from "./chat-conversations.js";

const at = (y, mo, d, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime(); // local time

test("cleanItems keeps well-formed items once, in order", () => {
  assert.deepEqual(cleanItems([
    { id: "a", title: "A", updated: 3 },
    { id: "", title: "no id" },
    null,
    "x",
    { id: 5 },
    { id: "b", title: 7, updated: "soon" },
    { id: "a", title: "again", updated: 9 },
  ]), [
    { id: "a", title: "A", updated: 3 },
    { id: "b", title: "", updated: 0 },
  ]);
  assert.deepEqual(cleanItems(undefined), []);
  assert.deepEqual(cleanItems({ id: "a" }), []);
});

test("mergePage replaces, or appends what is new", () => {
  const list = cleanItems([{ id: "a", title: "A", updated: 3 }, { id: "b", title: "B", updated: 2 }]);
  assert.deepEqual(mergePage(list, [{ id: "c", title: "C", updated: 1 }], false), [{ id: "c", title: "C", updated: 1 }]);
  assert.deepEqual(
    mergePage(list, [{ id: "b", title: "B", updated: 2 }, { id: "c", title: "C", updated: 1 }], true).map((x) => x.id),
    ["a", "b", "c"],
  );
  assert.deepEqual(mergePage(list, "junk", true), list);
});

test("showConversation adds a missing conversation on top and takes its title", () => {
  const list = cleanItems([{ id: "a", title: "A", updated: 3 }, { id: "b", title: "B", updated: 2 }]);
  assert.equal(showConversation(list, "", "x", 10), list);
  assert.equal(showConversation(list, "b", "", 10), list);
  assert.equal(showConversation(list, "b", "B", 10), list);
  assert.deepEqual(showConversation(list, "b", "Bee", 10)[1], { id: "b", title: "Bee", updated: 2 });
  assert.deepEqual(showConversation(list, "z", "Zed", 10)[0], { id: "z", title: "Zed", updated: 10 });
  assert.equal(showConversation(list, "z", "Zed", 10).length, 3);
  assert.deepEqual(removeConversation(list, "a").map((x) => x.id), ["b"]);
  assert.deepEqual(renameConversation(list, "a", "New").map((x) => x.title), ["New", "B"]);
});

test("groupByDate: calendar days in local time", () => {
  const now = at(2025, 3, 12, 0, 10);
  const items = [
    { id: "future", updated: at(2025, 3, 12, 9) },
    { id: "today", updated: at(2025, 3, 12, 0, 0) },
    { id: "late-yesterday", updated: at(2025, 3, 11, 23, 50) },
    { id: "yesterday", updated: at(2025, 3, 11, 0, 0) },
    { id: "two-days", updated: at(2025, 3, 10, 23) },
    { id: "week", updated: at(2025, 3, 5, 0, 0) },
    { id: "older", updated: at(2025, 3, 4, 23, 59) },
    { id: "never", updated: 0 },
  ];
  assert.deepEqual(groupByDate(items, now).map((g) => [g.label, g.items.map((x) => x.id)]), [
    ["Today", ["future", "today"]],
    ["Yesterday", ["late-yesterday", "yesterday"]],
    ["Previous 7 days", ["two-days", "week"]],
    ["Older", ["older", "never"]],
  ]);
  assert.deepEqual(groupByDate([{ id: "x", updated: now }], now).map((g) => g.label), ["Today"]);
  assert.deepEqual(groupByDate([], now), []);
});

test("groupByDate keeps each item's order within its group", () => {
  const now = at(2025, 6, 1);
  const items = [
    { id: "o1", updated: at(2024, 1, 1) },
    { id: "t1", updated: at(2025, 6, 1, 8) },
    { id: "o2", updated: at(2024, 2, 1) },
    { id: "t2", updated: at(2025, 6, 1, 9) },
  ];
  assert.deepEqual(groupByDate(items, now).map((g) => g.items.map((x) => x.id)), [["t1", "t2"], ["o1", "o2"]]);
});

test("groupByDate across a daylight saving change", () => {
  // In zones with DST one of these spans has a 23- or 25-hour day; a day
  // counted as 24 hours would put midnight in the wrong group.
  for (const [y, m, d] of [[2025, 3, 31], [2025, 10, 27], [2025, 3, 10], [2025, 11, 3]]) {
    const now = at(y, m, d, 0, 30);
    const yesterday = new Date(now);
    yesterday.setDate(yesterday.getDate() - 1);
    yesterday.setHours(0, 0, 0, 0);
    const g = groupByDate([{ id: "y", updated: yesterday.getTime() }, { id: "before", updated: yesterday.getTime() - 1 }], now);
    assert.deepEqual(g.map((x) => x.label), ["Yesterday", "Previous 7 days"], `${y}-${m}-${d}`);
  }
});

test("cleanTitle trims, flattens and caps; blank is null", () => {
  assert.equal(cleanTitle("  Trip to Lisbon \n"), "Trip to Lisbon");
  assert.equal(cleanTitle("a\nb\tc"), "a b c");
  assert.equal(cleanTitle("   "), null);
  assert.equal(cleanTitle(""), null);
  assert.equal(cleanTitle(undefined), null);
  assert.equal(cleanTitle("x".repeat(250)), "x".repeat(MAX_TITLE));
  const emoji = "😀".repeat(201); // 402 UTF-16 units
  assert.equal(cleanTitle(emoji), "😀".repeat(200));
  assert.equal(cleanTitle(`${"a".repeat(199)} b`), "a".repeat(199));
  assert.equal(displayTitle(""), "New chat");
  assert.equal(displayTitle("  "), "New chat");
  assert.equal(displayTitle("<img src=x>"), "<img src=x>");
});

test("conversationOf reads c", () => {
  assert.equal(conversationOf("https://x.test/app?c=abc&x=1#top"), "abc");
  assert.equal(conversationOf("https://x.test/app?c=a%20b"), "a b");
  assert.equal(conversationOf("https://x.test/app"), "");
  assert.equal(conversationOf("not a url"), "");
});

test("withConversation sets c and keeps the rest as it was", () => {
  const cases = [
    ["https://x.test/", "abc", "https://x.test/?c=abc"],
    ["https://x.test/app?x=1#h", "abc", "https://x.test/app?x=1&c=abc#h"],
    ["https://x.test/app?x=1&c=old&y=2#h", "new", "https://x.test/app?x=1&c=new&y=2#h"],
    ["https://x.test/app?c=old&x=a+b%20c&c=dup", "n", "https://x.test/app?c=n&x=a+b%20c"],
    ["https://x.test/app?x=1&c=old#h", "", "https://x.test/app?x=1#h"],
    ["https://x.test/app?c=old", "", "https://x.test/app"],
    ["https://x.test/app?%63=old&cc=1", "n", "https://x.test/app?c=n&cc=1"],
    ["https://x.test/app", "a b/&?#", "https://x.test/app?c=a%20b%2F%26%3F%23"],
    ["https://x.test/app?flag&&x=1", "n", "https://x.test/app?flag&x=1&c=n"],
  ];
  for (const [href, id, want] of cases) assert.equal(withConversation(href, id), want, `${href} ${id}`);
  assert.equal(conversationOf(withConversation("https://x.test/?z=1", "a b/&?#")), "a b/&?#");
});
