// sheen chat: long transcripts. Only the messages near the viewport are
// rendered (Panel's load_buffer idea): the others get the class
// sheen-chat-far, which chat.css gives `display: none`, so the browser has
// no boxes for them and lays out only the window's few dozen messages. In
// their place stand spacers (empty elements beside the window) as tall as
// the messages they stand for: the height each had when it was last
// rendered, or an estimate (the average of those measured) for one never
// rendered.
//
// The window is the viewport and `buffer` viewports above and below it. It
// is placed around the message in view (the anchor), not around the scroll
// position: the anchor's place among the estimates says where the viewport
// is, and after the move the scroll position is corrected so that the
// anchor stays exactly where it was on the screen. The estimate changes
// only when nothing in view is kept in place (at the bottom, or when the
// page opens), so a scroll position the user reaches by dragging the
// scroll bar or a key means the same messages before and after a move.
// After a move the window is checked: if a spacer is still in the viewport
// (the new messages were shorter than their estimates) it is placed again,
// with their real heights, up to `passes` times in the same frame.
//
// It moves when the viewport has moved `step` viewports since it was last
// placed or a spacer shows in the viewport (checked at most once per
// animation frame); most scroll frames change nothing, and a move changes
// only the messages that enter or leave it. At the bottom (following the
// chat) it stays at the bottom. The streaming message, the typing
// indicator, the message holding the focus and those holding the text
// selection are rendered wherever they are (a spacer stands on each side).
//
// A short transcript (up to `min` messages) is rendered whole.
//
// nearRange, place and runs are the pure parts: which messages of a list
// laid out top to bottom meet a window, how tall the spacers around them
// are, and which runs of messages are rendered.

export const FAR = "sheen-chat-far";
export const SPACER = "sheen-chat-spacer";

/**
 * The indices [first, last] of the items that meet [top, bottom], given
 * top(i) and bottom(i) for items sorted top to bottom (n of them); [0, -1]
 * when none does. Binary search: O(log n) reads.
 */
export function nearRange(n, top, bottom, from, to) {
  if (n === 0) return [0, -1];
  // The first item whose bottom is below `from`.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bottom(mid) < from) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  // The last item whose top is above `to`.
  lo = first;
  hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (top(mid) <= to) lo = mid + 1;
    else hi = mid;
  }
  return [first, lo - 1];
}

/** Fill tops (n + 1 long) with the prefix sums of H: where each item starts. Returns the total. */
export function prefix(n, H, tops) {
  let y = 0;
  for (let i = 0; i < n; i++) {
    tops[i] = y;
    y += H(i);
  }
  tops[n] = y;
  return y;
}

/**
 * Where the window [from, to] falls in a list of n items of heights H(i)
 * (each with the gap after it) laid out top to bottom from 0: the items
 * [first, last] that meet it and the heights above (of the items before
 * first) and below (after last). tops is a Float64Array(n + 1) to fill.
 */
export function place(n, H, from, to, tops = new Float64Array(n + 1)) {
  const y = prefix(n, H, tops);
  const [first, last] = nearRange(n, (i) => tops[i], (i) => tops[i + 1], from, to);
  if (last < first) return { first, last, above: 0, below: 0 };
  return { first, last, above: tops[first], below: y - tops[last + 1] };
}

/**
 * The runs of items to render: the ranges [a, b] (any order, overlapping or
 * not, a <= b) sorted and merged where they overlap or touch.
 */
export function runs(ranges) {
  const out = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export class Window {
  /**
   * log: the element holding the messages; scroller: what scrolls it;
   * following(): whether the chat follows its bottom.
   */
  constructor(log, scroller, { buffer = 2, step = 1, min = 200, guess = 100, passes = 4, following = () => false } = {}) {
    this.log = log;
    this.scroller = scroller;
    this.buffer = buffer;
    this.step = step;
    this.min = min;
    this.passes = passes;
    this.following = following;
    this.at = NaN; // the scroll position the window was placed at
    this.dirty = true; // the messages changed since: place it again
    this.frame = 0;
    this.view = log.ownerDocument.defaultView;
    this.sizes = new WeakMap(); // message -> its height and gap when last rendered
    this.sum = 0; // of the heights measured (for the estimate)
    this.count = 0;
    this.guess = guess; // the estimate (before any is measured: guess and the gap)
    this.width = -1; // the log's width when the heights were measured
    this.reguess = false;
    this.tops = new Float64Array(0);
    this.long = false; // more than min messages: the window is on
    this.spacers = []; // made as needed, reused
    this.items = null; // the log's children but the spacers, while they stay the same
    this.index = new Map(); // item -> its index in items
    this.shown = []; // the items the last update rendered
    this.extra = new Set(); // items that came rendered (not far) since
    // A message removed (or added) anywhere changes the items and the
    // spacers' heights. Only the messages count, not the spacers the window
    // moves itself. (The log's children are listed again only then: with
    // 10,000 messages a walk of them, or a query, costs milliseconds.)
    this.mo = new MutationObserver((records) => {
      let changed = false;
      for (const r of records) {
        for (const x of r.removedNodes) if (!x.classList?.contains(SPACER)) changed = true;
        for (const x of r.addedNodes) {
          if (x.nodeType !== 1 || x.classList.contains(SPACER)) continue;
          changed = true;
          if (!x.classList.contains(FAR)) this.extra.add(x);
        }
      }
      if (changed) {
        this.items = null;
        this.schedule(true);
      }
    });
    this.mo.observe(log, { childList: true });
  }

  /** Bring the window up to date at the next animation frame. */
  schedule(dirty = false) {
    if (dirty) this.dirty = true;
    if (!this.frame) this.frame = this.view.requestAnimationFrame(() => this.update());
  }

  stop() {
    this.view.cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  /**
   * The transcript is about to be replaced: the log keeps its height until
   * the next update places the window again (else the scroll position,
   * the log having no rendered message nor spacer for a moment, would be
   * clamped to the top and the chat would stop following the bottom).
   */
  hold() {
    if (this.long) this.log.style.minHeight = `${this.log.offsetHeight}px`;
  }

  /**
   * A new message (in place of old, when it replaces one): far when the
   * transcript is long (update decides), unless it replaces a rendered one.
   */
  added(el, old) {
    this.items = null;
    if (this.long) {
      if (!old || old.classList.contains(FAR)) el.classList.add(FAR);
      else this.extra.add(el);
    } else if (this.log.childElementCount > this.min) {
      // The transcript has just become long: everything is far until the
      // update finds what is near.
      this.long = true;
      for (const c of this.log.children) if (!c.classList.contains(SPACER)) c.classList.add(FAR);
    }
    this.schedule(true);
  }

  #spacer() {
    const s = this.log.ownerDocument.createElement("div");
    s.className = SPACER;
    s.setAttribute("aria-hidden", "true");
    return s;
  }

  // The log's children but the spacers, and their indices.
  #items() {
    if (this.items) return this.items;
    const spacers = new Set(this.spacers);
    const items = [];
    const index = new Map();
    for (const c of this.log.children) {
      if (spacers.has(c)) continue;
      index.set(c, items.length);
      items.push(c);
    }
    this.index = index;
    return (this.items = items);
  }

  // The rendered messages, in order: those the last update rendered and
  // those that came rendered since.
  #rendered() {
    const index = this.index;
    const all = new Set(this.shown);
    for (const el of this.extra) all.add(el);
    this.extra.clear();
    const out = [];
    for (const el of all) if (index.has(el) && !el.classList.contains(FAR)) out.push(el);
    return out.sort((a, b) => index.get(a) - index.get(b));
  }

  // Whether the rendered messages cover the viewport: no spacer shows in it.
  #covered() {
    const box = this.scroller.getBoundingClientRect();
    for (const s of this.spacers) {
      if (!s.isConnected) continue;
      const r = s.getBoundingClientRect();
      if (r.height > 0 && r.bottom > box.top + 1 && r.top < box.bottom - 1) return false;
    }
    return true;
  }

  // The first rendered message in view, where it is on the screen (y) and
  // below the viewport's top (off); null when none is in view.
  #anchor(shown, items) {
    const box = this.scroller.getBoundingClientRect();
    for (const el of shown) {
      const r = el.getBoundingClientRect();
      if (r.height > 0 && r.bottom > box.top) {
        if (r.top >= box.bottom) return null;
        return { el, i: this.index.get(el) ?? -1, y: r.top, off: r.top - box.top };
      }
    }
    return null;
  }

  // Record the heights of the rendered messages (each with the gap after it).
  #measure(shown, gap) {
    for (let j = 0; j < shown.length; j++) {
      const el = shown[j];
      const next = shown[j + 1];
      const h = next && el.nextElementSibling === next ? next.offsetTop - el.offsetTop : el.offsetHeight + gap;
      if (!(h > 0)) continue;
      const old = this.sizes.get(el);
      if (old !== undefined) this.sum -= old;
      else this.count++;
      this.sum += h;
      this.sizes.set(el, h);
    }
  }

  // The child of the log that holds node, or null.
  #child(node) {
    while (node && node.parentNode !== this.log) node = node.parentNode;
    return node;
  }

  // The runs to render: the window [first, last] and the messages that must
  // stay rendered where they are.
  #runs(items, first, last) {
    const ranges = [[first, last]];
    const at = (el) => (el ? (this.index.get(el) ?? -1) : -1);
    // A reply streams, and the typing indicator waits, at the end.
    for (let i = items.length - 1; i >= 0 && i >= items.length - 4; i--) {
      if (items[i].matches(".sheen-chat-streaming, .sheen-chat-pending")) ranges.push([i, i]);
    }
    const d = this.log.ownerDocument;
    const f = at(this.#child(d.activeElement));
    if (f >= 0) ranges.push([f, f]);
    const sel = d.getSelection?.();
    if (sel && sel.rangeCount && !sel.isCollapsed) {
      const a = at(this.#child(sel.anchorNode));
      const b = at(this.#child(sel.focusNode));
      if (a >= 0 && b >= 0 && Math.abs(a - b) <= 50) ranges.push([Math.min(a, b), Math.max(a, b)]);
      else for (const i of [a, b]) if (i >= 0) ranges.push([i, i]);
    }
    return runs(ranges);
  }

  // A spacer stands just before each run's first message for the far ones
  // before it, and one after the last run (the spacer and the gap after it
  // stand for the messages, each with its gap). Elements, not padding or a
  // property of the log: a change of the log's style would restyle all its
  // messages, or stop the browser's scroll anchoring.
  #space(items, rs, tops, gap) {
    const n = items.length;
    let j = 0;
    const put = (h, at, before) => {
      const s = (this.spacers[j] ??= this.#spacer());
      j++;
      if (before ? s.nextElementSibling !== at : s.previousElementSibling !== at) {
        if (before) at.before(s);
        else at.after(s);
      }
      const px = `${Math.max(0, h - gap)}px`;
      if (s.style.height !== px) s.style.height = px;
    };
    let prev = 0;
    for (const [a, b] of rs) {
      if (a > prev) put(tops[a] - tops[prev], items[a], true);
      prev = b + 1;
    }
    if (prev < n) put(tops[n] - tops[prev], items[prev - 1], false);
    for (; j < this.spacers.length; j++) this.spacers[j].remove();
  }

  update() {
    this.frame = 0;
    const log = this.log;
    const sc = this.scroller;
    if (!this.dirty && (!this.long || (Math.abs(sc.scrollTop - this.at) < this.step * sc.clientHeight && this.#covered()))) return;
    this.dirty = false;
    const items = this.#items();
    const n = items.length;
    if (n <= this.min) {
      this.long = false;
      for (const el of items) if (el.classList.contains(FAR)) el.classList.remove(FAR);
      for (const s of this.spacers) s.remove();
      this.shown = [];
      this.extra.clear();
      if (log.style.minHeight) log.style.minHeight = "";
      return;
    }
    const cs = getComputedStyle(log);
    const gap = parseFloat(cs.rowGap) || 0;
    const h = sc.clientHeight;
    // A new width: the heights measured before are no longer right (the
    // messages in view are measured again; the estimate may change at once,
    // the anchor stays where it is).
    if (log.clientWidth !== this.width) {
      if (this.width >= 0) {
        this.sizes = new WeakMap();
        this.sum = this.count = 0;
        this.reguess = true;
      }
      this.width = log.clientWidth;
    }
    // At the bottom (or following it): it stays there.
    const bottom = this.following() || sc.scrollHeight - sc.scrollTop - h <= 1;
    if (this.tops.length < n + 1) this.tops = new Float64Array(2 * n + 1);
    const tops = this.tops;
    for (let pass = 0; pass < this.passes; pass++) {
      const shown = this.#rendered();
      this.#measure(shown, gap);
      const anchor = bottom ? null : this.#anchor(shown, items);
      // The estimate changes only when no message in view is kept where
      // it is by it (the window at the bottom, or nothing rendered yet), or
      // when the width changed.
      if (this.count && (bottom || !shown.length || this.reguess)) {
        this.reguess = false;
        this.guess = this.sum / this.count - gap;
      }
      const guess = this.guess + gap;
      const sizes = this.sizes;
      const total = prefix(n, (i) => sizes.get(items[i]) ?? guess, tops);
      // The viewport's top among the estimates (from the log's content top).
      let v;
      if (bottom) v = total - h;
      else if (anchor && anchor.i >= 0) v = tops[anchor.i] - anchor.off;
      else v = sc.scrollTop - (log.getBoundingClientRect().top - sc.getBoundingClientRect().top + sc.scrollTop + (parseFloat(cs.paddingTop) || 0));
      let [first, last] = nearRange(n, (i) => tops[i], (i) => tops[i + 1], v - this.buffer * h, v + (1 + this.buffer) * h);
      first = Math.min(first, n - 1);
      last = Math.max(last, first);
      const rs = this.#runs(items, first, last);
      const want = new Set();
      for (const [a, b] of rs) for (let i = a; i <= b; i++) want.add(items[i]);
      for (const el of shown) if (!want.has(el)) el.classList.add(FAR);
      for (const el of want) if (el.classList.contains(FAR)) el.classList.remove(FAR);
      this.shown = Array.from(want);
      this.#space(items, rs, tops, gap);
      if (log.style.minHeight) log.style.minHeight = "";
      // Back where it was: at the bottom, or the anchor where it was on
      // the screen (the heights above it were estimates).
      if (bottom) sc.scrollTop = sc.scrollHeight;
      else if (anchor?.el.isConnected) {
        const dy = anchor.el.getBoundingClientRect().top - anchor.y;
        if (Math.abs(dy) >= 0.5) sc.scrollTop += dy;
      }
      this.at = sc.scrollTop;
      if (this.#covered()) return;
    }
    // Still a spacer in view after all the passes: again at the next frame.
    this.schedule(true);
  }
}
