// The conversation list of the chat's history sidebar, pure: cleaning and
// merging the server's pages, grouping by recency in the page's time zone,
// the conversation URL (its "c" query parameter) and title validation. No
// DOM; chat-sidebar.js draws it.

/** The longest title a rename sends, in characters. */
export const MAX_TITLE = 200;

/** What a conversation without a title is called. */
export const UNTITLED = "New chat";

/**
 * The well-formed items of a history message, in order, each once:
 * {id, title, updated} with a non-empty id, a string title and a finite
 * updated time (ms since the epoch; 0 when absent).
 */
export function cleanItems(items) {
  const out = [];
  const seen = new Set();
  for (const it of Array.isArray(items) ? items : []) {
    if (!it || typeof it !== "object" || typeof it.id !== "string" || !it.id || seen.has(it.id)) continue;
    seen.add(it.id);
    out.push({
      id: it.id,
      title: typeof it.title === "string" ? it.title : "",
      updated: Number.isFinite(it.updated) ? it.updated : 0,
    });
  }
  return out;
}

/**
 * The list after a page of items: the page alone, or with append the list
 * followed by the page's items it does not hold yet (a page fetched while
 * a conversation moved to the top repeats it).
 */
export function mergePage(list, items, append) {
  const page = cleanItems(items);
  if (!append) return page;
  const have = new Set(list.map((x) => x.id));
  return list.concat(page.filter((x) => !have.has(x.id)));
}

/**
 * The list once conversation id is shown: with a title, the item takes it;
 * an item the list lacks is added on top, updated now. "" (a new chat)
 * leaves the list as it is.
 */
export function showConversation(list, id, title, now) {
  if (!id) return list;
  const i = list.findIndex((x) => x.id === id);
  if (i < 0) return [{ id, title: title || "", updated: now }, ...list];
  if (!title || list[i].title === title) return list;
  const out = list.slice();
  out[i] = { ...out[i], title };
  return out;
}

/** The list without conversation id. */
export function removeConversation(list, id) {
  return list.filter((x) => x.id !== id);
}

/** The list with conversation id's title set. */
export function renameConversation(list, id, title) {
  return list.map((x) => (x.id === id ? { ...x, title } : x));
}

export const GROUPS = ["Today", "Yesterday", "Previous 7 days", "Older"];

/**
 * The items in groups by recency, in the order of GROUPS, leaving out empty
 * groups: [{label, items}]. Days are calendar days in the time zone of the
 * JavaScript environment (the page's), so a conversation of 23:50 yesterday
 * is "Yesterday" at 00:10; a time after now (a skewed clock) is "Today".
 * Within a group the items keep their order.
 */
export function groupByDate(items, now) {
  const day = (back) => {
    const d = new Date(now);
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() - back); // calendar arithmetic: right across DST changes
    return d.getTime();
  };
  const bounds = [day(0), day(1), day(7)];
  const groups = GROUPS.map((label) => ({ label, items: [] }));
  for (const it of items) {
    let g = bounds.findIndex((b) => it.updated >= b);
    if (g < 0) g = bounds.length;
    groups[g].items.push(it);
  }
  return groups.filter((g) => g.items.length);
}

/** A title as shown: the title, or UNTITLED for a blank one. */
export function displayTitle(title) {
  return typeof title === "string" && title.trim() ? title : UNTITLED;
}

/**
 * The title a rename sends for what the user typed: trimmed, line breaks and
 * tabs as spaces, at most MAX_TITLE characters (code points, not cut inside
 * a surrogate pair); null when nothing is left.
 */
export function cleanTitle(text) {
  if (typeof text !== "string") return null;
  let t = text.replace(/[\r\n\t]+/g, " ").trim();
  const chars = Array.from(t);
  if (chars.length > MAX_TITLE) t = chars.slice(0, MAX_TITLE).join("").trimEnd();
  return t || null;
}

/** The conversation id in a URL's query ("c"), or "". */
export function conversationOf(href) {
  try {
    return new URL(href).searchParams.get("c") || "";
  } catch {
    return "";
  }
}

/**
 * href with its "c" query parameter set to id ("" removes it). Every other
 * parameter keeps its place and its exact spelling, and the hash stays: the
 * query is edited as text rather than re-serialised by URLSearchParams.
 */
export function withConversation(href, id) {
  const u = new URL(href);
  const key = (part) => {
    const k = part.split("=", 1)[0];
    try {
      return decodeURIComponent(k.replace(/\+/g, " "));
    } catch {
      return k;
    }
  };
  const parts = u.search.slice(1).split("&").filter((p) => p !== "");
  const value = id ? `c=${encodeURIComponent(id)}` : "";
  const out = [];
  let placed = false;
  for (const p of parts) {
    if (key(p) !== "c") out.push(p);
    else if (!placed && value) {
      out.push(value);
      placed = true;
    }
  }
  if (!placed && value) out.push(value);
  u.search = out.length ? `?${out.join("&")}` : "";
  return u.href;
}
