// sheen chat: long transcripts. Only the messages near the viewport are
// rendered (Panel's load_buffer idea): the others get the class
// sheen-chat-far, which chat.css gives `content-visibility: hidden` (no
// layout, no paint; the size they last had, or an estimate). The window is
// the viewport and `buffer` viewports above and below it. It moves only when
// the viewport has moved `step` viewports since it was last placed (at most
// once per animation frame): most scroll frames change nothing, and a move
// changes only the messages that enter or leave it.
//
// A short transcript (up to `min` messages) is rendered whole.
//
// nearRange is the pure part: which messages of a list laid out top to
// bottom meet a window.

export const FAR = "sheen-chat-far";

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

export class Window {
  /**
   * log: the element holding the messages; scroller: what scrolls it.
   */
  constructor(log, scroller, { buffer = 2, step = 1, min = 200 } = {}) {
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

  /** A new message: far when the transcript is long (update decides). */
  added(el) {
    const n = this.log.childElementCount;
    if (n === this.min + 1) {
      // The transcript has just become long: everything is far until the
      // update finds what is near.
      for (const c of this.log.children) c.classList.add(FAR);
    } else if (n > this.min) {
      el.classList.add(FAR);
    }
    this.schedule(true);
  }

  update() {
    this.frame = 0;
    const items = this.log.children;
    const n = items.length;
    if (n <= this.min) {
      for (const el of this.near) el.classList.remove(FAR);
      for (const el of this.log.querySelectorAll(`:scope > .${FAR}`)) el.classList.remove(FAR);
      this.near.clear();
      return;
    }
    const sc = this.scroller;
    const h = sc.clientHeight;
    if (!this.dirty && Math.abs(sc.scrollTop - this.at) < this.step * h) return;
    this.dirty = false;
    this.at = sc.scrollTop;
    // k maps offsetTop (relative to the items' offset parent) to the
    // scroller's content: one rectangle read for the whole list.
    const top = sc.scrollTop;
    const k = items[0].getBoundingClientRect().top - sc.getBoundingClientRect().top + top - items[0].offsetTop;
    const from = top - this.buffer * h - k;
    const to = top + (1 + this.buffer) * h - k;
    const [first, last] = nearRange(
      n,
      (i) => items[i].offsetTop,
      (i) => items[i].offsetTop + items[i].offsetHeight,
      from,
      to,
    );
    const next = new Set();
    for (let i = first; i <= last; i++) next.add(items[i]);
    for (const el of this.near) if (!next.has(el) && el.isConnected) el.classList.add(FAR);
    let changed = false;
    for (const el of next) {
      if (el.classList.contains(FAR)) {
        el.classList.remove(FAR);
        changed = true;
      }
    }
    this.near = next;
    // Rendered messages take their real size: the window may have moved.
    if (changed) this.schedule(true);
  }
}
