// Delivery bookkeeping, pure: the outbox of unacknowledged client messages,
// sequence checks on server frames, reconnect backoff, the socket URL.

import * as protocol from "./protocol.js";

export const BACKOFF_BASE = 250;
export const BACKOFF_MAX = 5000;

/**
 * The delay before reconnect attempt `attempt` (0, 1, 2, …): a random value
 * between half and all of min(BACKOFF_MAX, BACKOFF_BASE × 2^attempt).
 */
export function backoff(attempt, random = Math.random) {
  const d = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** Math.min(attempt, 16));
  return Math.round(d / 2 + (random() * d) / 2);
}

/**
 * What to do with an update whose seq is `seq` after applying `last`:
 * "apply" the next one, drop a "dup"licate, or resume after a "gap".
 */
export function seqStep(last, seq) {
  return seq <= last ? "dup" : seq === last + 1 ? "apply" : "gap";
}

/** The WebSocket URL for a path relative to the page: http→ws, https→wss. */
export function wsURL(path, base) {
  const u = new URL(path, base);
  if (u.protocol === "https:") u.protocol = "wss:";
  else if (u.protocol === "http:") u.protocol = "ws:";
  u.hash = "";
  return u.href;
}

/**
 * Client messages (input and event) in the order they were made, each with
 * its message number n, kept until the server acknowledges them.
 */
export class Outbox {
  constructor() {
    this.entries = []; // {n, type, values | target+name+data, sent}
    this.next = 1; // the next message number
  }

  /**
   * Queue input changes ({id: value}). While offline, a change replaces the
   * same id's earlier value in the queued input messages after the last
   * event, so each id reaches the server once with its latest value and no
   * change moves across an event.
   */
  input(values, online) {
    if (!online) {
      const last = this.entries[this.entries.length - 1];
      const tail = last && last.type === "input" && !last.sent ? last : null;
      let start = this.entries.length;
      while (start > 0 && this.entries[start - 1].type === "input") start--;
      for (let i = this.entries.length - 1; i >= start; i--) {
        const e = this.entries[i];
        if (e === tail) continue;
        for (const id in values) delete e.values[id];
        if (Object.keys(e.values).length === 0) this.entries.splice(i, 1);
      }
      if (tail) {
        Object.assign(tail.values, values);
        return tail;
      }
    }
    return this.#push({ type: "input", values: { ...values } });
  }

  /** Queue a component event. */
  event(target, name, data) {
    return this.#push({ type: "event", target, name, data });
  }

  #push(e) {
    e.n = this.next++;
    e.sent = false;
    this.entries.push(e);
    return e;
  }

  /** Forget the messages the server has applied (n ≤ ack). */
  ack(ack) {
    let i = 0;
    while (i < this.entries.length && this.entries[i].n <= ack) i++;
    if (i) this.entries.splice(0, i);
  }

  /** Drop input messages numbered below n (a fresh hello carried their values). */
  dropInputsBefore(n) {
    this.entries = this.entries.filter((e) => e.type !== "input" || e.n >= n);
  }

  remove(entry) {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
  }

  /** The wire frame for an entry. */
  static frame(e) {
    return e.type === "input" ? protocol.input(e.n, e.values) : protocol.event(e.n, e.target, e.name, e.data);
  }
}
