// Streaming deltas, pure: how the committed blocks and the open tail of a
// streaming message change. The client half of Go's internal/markdown.Delta
// (View.Apply is the reference); no DOM.

/** A delta that does not follow the view it is applied to. */
export class OutOfStep extends Error {
  constructor(message) {
    super(`sheen chat: ${message}`);
    this.name = "OutOfStep";
  }
}

const isCount = (n) => Number.isSafeInteger(n) && n >= 0;
const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

/** The view of an empty message: no committed blocks, an empty tail. */
export function emptyView() {
  return { blocks: [], tail: "" };
}

/**
 * Apply the delta d = {from, keep, blocks, tail} (missing fields are 0, [] and
 * "") to view = {blocks, tail}, in place: keep the first `from` blocks, drop
 * the rest, append `blocks` and set the tail; when keep > 0 the first new
 * piece (blocks[0], or else the tail) begins with the first `keep` UTF-16
 * units of the previous tail. A delta with keep and blocks that was applied
 * before is recognised (the view already has from + blocks.length blocks):
 * only its tail is set, so applying a delta twice equals applying it once.
 *
 * It returns what the DOM must do, {from, added, tailChanged}: drop the
 * blocks from index `from` on, insert the `added` blocks (whole HTML) before
 * the tail, and re-render the tail if tailChanged. Blocks that a delta
 * replaces with identical HTML are neither dropped nor added. A malformed
 * delta throws a TypeError, one that does not follow the view an OutOfStep;
 * either way the view is left unchanged.
 */
export function applyDelta(view, d) {
  if (d === null || typeof d !== "object") throw new TypeError("sheen chat: a delta must be an object");
  const from = d.from ?? 0;
  const keep = d.keep ?? 0;
  const blocks = d.blocks ?? [];
  const tail = d.tail ?? "";
  if (!isCount(from) || !isCount(keep) || !Array.isArray(blocks) || typeof tail !== "string" ||
    !blocks.every((b) => typeof b === "string")) {
    throw new TypeError("sheen chat: malformed delta");
  }
  const n = view.blocks.length;
  const old = view.tail;
  if (from > n) throw new OutOfStep(`the delta keeps ${from} blocks of ${n}`);
  if (keep > 0 && blocks.length > 0 && n === from + blocks.length) {
    view.tail = tail; // applied before
    return { from: n, added: [], tailChanged: tail !== old };
  }
  if (keep > 0 && n !== from) throw new OutOfStep(`the delta extends the tail after block ${from} of ${n}`);
  if (keep > old.length || (keep > 0 && keep < old.length && isHigh(old.charCodeAt(keep - 1)) && isLow(old.charCodeAt(keep)))) {
    throw new OutOfStep(`the delta keeps ${keep} units of a tail of ${old.length}`);
  }
  const kept = old.slice(0, keep);
  if (blocks.length === 0) {
    view.blocks.length = from;
    view.tail = kept + tail;
    return { from, added: [], tailChanged: view.tail !== old };
  }
  const fresh = [kept + blocks[0], ...blocks.slice(1)];
  // Blocks the view already has in place (a delta seen twice) stay as they are.
  let same = 0;
  while (same < fresh.length && from + same < n && view.blocks[from + same] === fresh[same]) same++;
  view.blocks.length = from;
  for (const b of fresh) view.blocks.push(b);
  const plan = { from: from + same, added: fresh.slice(same), tailChanged: tail !== old };
  view.tail = tail;
  return plan;
}

/** The HTML a view shows: its blocks and its tail, concatenated. */
export function viewHTML(view) {
  return view.blocks.join("") + view.tail;
}

// Elements without content, and elements whose content is text up to their
// end tag.
const VOID = new Set([
  "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
]);
const RAW = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);
// A start or end tag (group 1: "/" for an end tag, 2: the name, 3: the
// attributes), or a comment, doctype or processing instruction.
const TAG = /<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?(?:-->|$)|<[!?][^>]*>?/g;

/**
 * The elements left open after html, given those open before it (a stack of
 * lower-case tag names, outermost first): a new stack, or null when html
 * closes an element that is not the innermost open one (the HTML parser
 * would then repair the markup in ways this does not follow). A block that
 * leaves elements open, such as a raw "<details>" whose "</details>" comes
 * blocks later, must be parsed together with the blocks up to its close.
 */
export function openTags(stack, html) {
  const open = stack.slice();
  const lower = html.toLowerCase();
  TAG.lastIndex = 0;
  for (let m; (m = TAG.exec(html)); ) {
    if (!m[2]) continue; // a comment or a declaration
    const name = m[2].toLowerCase();
    if (m[1]) {
      if (open.pop() !== name) return null;
      continue;
    }
    const foreign = open.includes("svg") || open.includes("math");
    if (VOID.has(name) || (foreign && /\/\s*$/.test(m[3]))) continue;
    open.push(name);
    if (RAW.has(name)) {
      const end = lower.indexOf(`</${name}`, TAG.lastIndex);
      if (end < 0) return open; // the rest is its text
      TAG.lastIndex = end;
    }
  }
  return open;
}
