// sheen chat: long transcripts. Only the messages near the viewport are
// rendered (Panel's load_buffer idea): the others get the class
// sheen-chat-far, which chat.css gives `display: none`, so the browser has
// no boxes for them and lays out only the window's few dozen messages. In
// their place stand two spacers (empty elements just before and after the
// window) as tall as the messages above and below it: the height each had when it was
// last rendered, or the average of those measured for one never rendered.
// The scroll position stays put when an estimate meets the real height: the
// window keeps the first message in view where it was.
//
// The window is the viewport and `buffer` viewports above and below it. It
// moves only when the viewport has moved `step` viewports since it was last
// placed (at most once per animation frame): most scroll frames change
// nothing, and a move changes only the messages that enter or leave it.
//
// A short transcript (up to `min` messages) is rendered whole.
//
// nearRange and place are the pure parts: which messages of a list laid out
// top to bottom meet a window, and how tall the spacers around them are.

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

/**
 * Where the window [from, to] falls in a list of n items of heights H(i)
 * (each with the gap after it) laid out top to bottom from 0: the items
 * [first, last] that meet it and the heights above (of the items before
 * first) and below (after last). tops is a Float64Array(n + 1) to fill.
 */
export function place(n, H, from, to, tops = new Float64Array(n + 1)) {
  let y = 0;
  for (let i = 0; i < n; i++) {
    tops[i] = y;
    y += H(i);
  }
  tops[n] = y;
  const [first, last] = nearRange(n, (i) => tops[i], (i) => tops[i + 1], from, to);
  if (last < first) return { first, last, above: 0, below: 0 };
  return { first, last, above: tops[first], below: y - tops[last + 1] };
}

export class Window {
  /**
   * log: the element holding the messages; scroller: what scrolls it.
   */
  constructor(log, scroller, { buffer = 2, step = 1, min = 200, guess = 100 } = {}) {
    this.log = log;
    this.scroller = scroller;
    this.buffer = buffer;
    this.step = step;
    this.at = NaN; // the scroll position the window was placed at
    this.dirty = true; // the messages changed since: place it again
    this.min = min;
    this.near = new Set(); // the messages rendered because they are near
    this.frame = 0;
    this.view = log.ownerDocument.defaultView;
    this.sizes = new WeakMap(); // message -> its height and gap when last rendered
    this.sum = 0; // of the heights measured (for the estimate)
    this.count = 0;
    this.guess = guess; // the estimate before any is measured
    this.tops = new Float64Array(0);
    this.long = false; // more than min messages: the window is on
    const d = log.ownerDocument;
    this.spacers = [d.createElement("div"), d.createElement("div")];
    for (const s of this.spacers) {
      s.className = SPACER;
      s.setAttribute("aria-hidden", "true");
    }
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

  /** A new message: far when the transcript is long (update decides). */
  added(el) {
    if (this.long) {
      el.classList.add(FAR);
    } else if (this.log.childElementCount > this.min) {
      // The transcript has just become long: everything is far until the
      // update finds what is near.
      this.long = true;
      for (const c of this.log.children) if (!c.classList.contains(SPACER)) c.classList.add(FAR);
    }
    this.schedule(true);
  }

  // The spacers stand just before the first message of the window and just
  // after its last (the spacer and the gap after it stand for the messages,
  // each with its gap); none at all when there are none. Elements, not
  // padding or a property of the log: a change of the log's style would
  // restyle all its messages, or stop the browser's scroll anchoring.
  #space(items, p, gap) {
    const [top, bottom] = this.spacers;
    let moved = false;
    const set = (s, h, place) => {
      if (h <= 0) {
        moved ||= s.isConnected;
        return s.remove();
      }
      place();
      const px = `${Math.max(0, h - gap)}px`;
      if (s.style.height !== px) {
        s.style.height = px;
        moved = true;
      }
    };
    set(top, p.above, () => {
      if (top.nextElementSibling !== items[p.first]) items[p.first].before(top);
    });
    set(bottom, p.below, () => {
      if (bottom.previousElementSibling !== items[p.last]) items[p.last].after(bottom);
    });
    return moved;
  }

  // The first rendered message in view, and where it is.
  #anchor() {
    const edge = this.scroller.getBoundingClientRect().top;
    for (const el of this.near) {
      if (!el.isConnected || el.classList.contains(FAR)) continue;
      const r = el.getBoundingClientRect();
      if (r.height > 0 && r.bottom > edge) return { el, y: r.top };
    }
    return null;
  }

  // Record the heights of the rendered messages near the viewport.
  #measure(gap) {
    for (const el of this.near) {
      if (!el.isConnected || el.classList.contains(FAR)) continue;
      const next = el.nextElementSibling;
      const h = next && this.near.has(next) && !next.classList.contains(FAR)
        ? next.offsetTop - el.offsetTop
        : el.offsetHeight + gap;
      if (!(h > 0)) continue;
      const old = this.sizes.get(el);
      if (old !== undefined) this.sum -= old;
      else this.count++;
      this.sum += h;
      this.sizes.set(el, h);
    }
  }

  update() {
    this.frame = 0;
    const log = this.log;
    const [t, b] = this.spacers;
    const items = [];
    for (const c of log.children) if (c !== t && c !== b) items.push(c);
    const n = items.length;
    if (n <= this.min) {
      this.long = false;
      for (const el of this.near) el.classList.remove(FAR);
      for (const el of log.querySelectorAll(`:scope > .${FAR}`)) el.classList.remove(FAR);
      this.near.clear();
      t.remove();
      b.remove();
      if (log.style.minHeight) log.style.minHeight = "";
      return;
    }
    const sc = this.scroller;
    const h = sc.clientHeight;
    if (!this.dirty && Math.abs(sc.scrollTop - this.at) < this.step * h) return;
    this.dirty = false;
    const cs = getComputedStyle(log);
    const gap = parseFloat(cs.rowGap) || 0;
    this.#measure(gap);
    const anchor = this.#anchor();
    const top = sc.scrollTop;
    this.at = top;
    // Where the log's content starts in the scroller's content.
    const k = log.getBoundingClientRect().top - sc.getBoundingClientRect().top + top + (parseFloat(cs.paddingTop) || 0);
    const guess = this.count ? this.sum / this.count : this.guess + gap;
    const sizes = this.sizes;
    if (this.tops.length < n + 1) this.tops = new Float64Array(2 * n + 1);
    const p = place(n, (i) => sizes.get(items[i]) ?? guess, top - this.buffer * h - k, top + (1 + this.buffer) * h - k, this.tops);
    const next = new Set();
    for (let i = p.first; i <= p.last; i++) next.add(items[i]);
    for (const el of this.near) if (!next.has(el) && el.isConnected) el.classList.add(FAR);
    let changed = false;
    for (const el of next) {
      if (el.classList.contains(FAR)) {
        el.classList.remove(FAR);
        changed = true;
      }
    }
    this.near = next;
    const moved = this.#space(items, p, gap);
    if (log.style.minHeight) log.style.minHeight = "";
    // Keep the message in view where it was (the heights above it were
    // estimates). The browser's scroll anchoring may have done it already.
    if ((changed || moved) && anchor?.el.isConnected && !anchor.el.classList.contains(FAR)) {
      const dy = anchor.el.getBoundingClientRect().top - anchor.y;
      if (Math.abs(dy) >= 0.5) sc.scrollTop += dy;
    }
    // Messages rendered for the first time take their real size: measure
    // them and place the window again.
    if (changed) this.schedule(true);
  }
}
