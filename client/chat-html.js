// HTML from the server into the page: parsed in an inert template, defused
// (no inline event handlers, srcdoc, script or data:text/html URLs, iframes,
// objects or embeds: defence in depth, since the server sanitizes; see
// chat-defuse.js), and kept as committed blocks plus an open tail that
// streaming deltas extend.

import { applyDelta, openTags } from "./chat-delta.js";
import { morph } from "./chat-morph.js";
import { dropAttr, DROPPED_ELEMENTS } from "./chat-defuse.js";

/**
 * Parse html into a DocumentFragment that belongs to doc, with inline event
 * handlers and script URLs removed. Nothing in it loads or runs until it is
 * inserted.
 */
export function parseHTML(doc, html) {
  const t = doc.createElement("template");
  t.innerHTML = html;
  const frag = t.content;
  for (const el of frag.querySelectorAll(DROPPED_ELEMENTS)) el.remove();
  for (const el of frag.querySelectorAll("*")) {
    const attrs = el.attributes;
    for (let i = attrs.length - 1; i >= 0; i--) {
      const name = attrs[i].name; // lower case: the parser made it so
      if (dropAttr(name, attrs[i].value)) el.removeAttribute(name);
    }
  }
  const out = doc.createDocumentFragment();
  while (frag.firstChild) out.append(frag.firstChild);
  return out;
}

/**
 * The HTML of one streaming text (an answer or a thinking text) in a
 * container element. Committed blocks are inserted once and never rendered
 * again; what follows them, the open tail, is rendered at the next animation
 * frame, so deltas that arrive faster than frames (a replay after a
 * reconnect) cost one rendering, which patches the last one in place (see
 * morph). A run of blocks that leaves an element open
 * (raw HTML such as a "<details>" closed blocks later) is rendered with the
 * tail until the run closes, and then inserted as one piece: the DOM always
 * equals the parse of all blocks and the tail, concatenated.
 *
 * prepare(frag) runs on every fragment before it is inserted, rendered()
 * after the tail was rendered.
 */
export class Blocks {
  constructor(el, prepare = () => {}, rendered = () => {}) {
    this.el = el;
    this.prepare = prepare;
    this.rendered = rendered;
    this.view = { blocks: [], tail: "" };
    this.pieces = []; // inserted runs of blocks, in order: {to (the index after the last), nodes}
    this.fixed = 0; // the blocks in pieces; the rest render with the tail
    this.open = []; // elements blocks[fixed:] leave open; null: not well nested
    this.liveNodes = []; // the nodes of blocks[fixed:] and the tail, as last rendered
    this.due = false; // the tail needs rendering
  }

  /** Whether the text is empty. */
  get empty() {
    return this.view.blocks.length === 0 && this.view.tail === "";
  }

  /** Show html as the whole text, at once: no committed blocks, html as the tail. */
  set(html) {
    this.el.replaceChildren();
    this.view = { blocks: [], tail: html };
    this.pieces = [];
    this.fixed = 0;
    this.open = [];
    this.liveNodes = [];
    this.due = true;
    this.flush();
  }

  /** Apply a delta (see applyDelta). Throws, changing nothing, if it is malformed or out of step. */
  apply(d) {
    const n = this.view.blocks.length;
    const { from, added, tailChanged } = applyDelta(this.view, d);
    let live = tailChanged;
    if (from < this.fixed) {
      // Inserted blocks are replaced: drop the pieces that hold block `from`
      // or later; the blocks they held before `from` render with the tail.
      while (this.pieces.length && this.pieces[this.pieces.length - 1].to > from) {
        for (const node of this.pieces.pop().nodes) node.remove();
      }
      this.fixed = this.pieces.length ? this.pieces[this.pieces.length - 1].to : 0;
    }
    if (from < n) {
      this.open = this.#scan(this.fixed, from);
      live = true;
    }
    for (let i = from; i < this.view.blocks.length; i++) {
      live = true;
      this.open = this.open && openTags(this.open, this.view.blocks[i]);
      if (this.open?.length === 0) this.#insert(i + 1);
    }
    if (live) this.#schedule();
  }

  /** Render the tail now if it is due. */
  flush() {
    if (!this.due) return;
    this.due = false;
    const frag = this.#parse(this.view.blocks.slice(this.fixed).join("") + this.view.tail);
    // Patch the last rendering in place rather than replace it: an open list
    // or table that gains a word changes one text node, so the browser does
    // not restyle, lay out and paint the whole block again.
    this.liveNodes = morph(this.el, this.liveNodes, frag);
    this.rendered();
  }

  // Insert blocks[fixed:to] as one piece. The last rendering of the tail
  // shows these blocks first, so the piece patches its first nodes in place
  // rather than replace them; the rest wait for the next flush.
  #insert(to) {
    const frag = this.#parse(this.view.blocks.slice(this.fixed, to).join(""));
    const k = frag.childNodes.length;
    this.pieces.push({ to, nodes: morph(this.el, this.liveNodes.slice(0, k), frag) });
    this.liveNodes = this.liveNodes.slice(k);
    this.fixed = to;
  }

  // The elements that blocks[from:to] leave open.
  #scan(from, to) {
    let open = [];
    for (let i = from; i < to && open; i++) open = openTags(open, this.view.blocks[i]);
    return open;
  }

  #schedule() {
    if (this.due) return;
    this.due = true;
    (globalThis.requestAnimationFrame || setTimeout)(() => this.flush());
  }

  #parse(html) {
    const frag = parseHTML(this.el.ownerDocument, html);
    this.prepare(frag);
    return frag;
  }
}

/** A new element of doc: tag, with the class names cls. */
export function h(doc, tag, cls) {
  const el = doc.createElement(tag);
  if (cls) el.className = cls;
  return el;
}

/** A button of doc with the class names cls, the accessible name label (if any) and the trusted HTML html inside. */
export function button(doc, cls, label, html) {
  const b = h(doc, "button", cls);
  b.type = "button";
  if (label) b.setAttribute("aria-label", label);
  b.append(parseHTML(doc, html));
  return b;
}
