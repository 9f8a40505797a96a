// The connection to the session: handshake, resume, sequence checks, the
// outbox, heartbeats and reconnects. No DOM: the WebSocket constructor and
// the clock are injected, so node tests drive it with fakes.

import { decodeServer, hello, ping, tooBig } from "./protocol.js";
import { Outbox, backoff, seqStep } from "./sync.js";

export const CONNECT_TIMEOUT = 10000;

// How soon after applying updates the page acknowledges them with a ping, so
// that the server trims its replay buffer as the page goes, not only every
// heartbeat. At most one ack per ACK_DELAY, however fast updates arrive.
export const ACK_DELAY = 1000;

const TERMINAL = ["expired", "failed", "closed"];

/**
 * A Connection keeps one page in sync with its server session.
 *
 * States, reported through onState(state, info): "connecting" (first
 * attempt), "open", "reconnecting" (info: {attempt, delay, everOpen}),
 * "expired" (info: {message}), "failed" (info: {code, message}) and
 * "closed" (after stop()). The last three are final.
 */
export class Connection {
  /**
   * @param {string} url the WebSocket URL
   * @param {object} o
   *   snapshot(fresh): {id: value} of every bound input, for hello
   *   query(): the page's location.search, for a new session's hello
   *   onUpdate(update), onState(state, info), onError({code, message})
   *   WebSocket, setTimeout, clearTimeout, now, random: injectable
   *   log: a console
   */
  constructor(url, o) {
    this.url = url;
    this.o = o;
    this.WebSocket = o.WebSocket || globalThis.WebSocket;
    this.set = o.setTimeout || ((f, ms) => setTimeout(f, ms));
    this.clear = o.clearTimeout || ((t) => clearTimeout(t));
    this.now = o.now || (() => Date.now());
    this.random = o.random || Math.random;
    this.log = o.log || console;
    this.state = "idle";
    this.outbox = new Outbox();
    this.session = null;
    this.token = null;
    this.seq = 0; // last update applied
    this.acked = 0; // last client message number the server applied
    this.attempt = 0;
    this.everOpen = false;
    this.ws = null;
    this.open = false; // welcomed on this.ws
    this.timer = null; // connect timeout or reconnect delay
    this.pingTimer = null;
    this.watchTimer = null;
    this.ackTimer = null;
    this.batch = null;
  }

  start() {
    if (this.state !== "idle") return;
    this.#setState("connecting");
    this.#connect();
  }

  /** Stop for good (the page is going away). */
  stop() {
    this.#finish("closed");
  }

  /** Send input changes ({id: value}); changes in one task go in one frame. */
  sendInputs(values) {
    if (TERMINAL.includes(this.state)) return;
    if (!this.batch) {
      this.batch = {};
      queueMicrotask(() => this.#flushBatch());
    }
    Object.assign(this.batch, values);
  }

  /** Send a component event; it follows any input changes made before it. */
  sendEvent(target, name, data) {
    if (TERMINAL.includes(this.state)) return;
    this.#flushBatch();
    const e = this.outbox.event(target, name, data);
    if (this.open) this.#sendEntry(e);
  }

  /** Reconnect now if down (the page became visible, the network came back). */
  wake() {
    if (this.open) this.#write(ping(this.seq));
    else if (this.state === "reconnecting" && !this.ws) this.#connect();
  }

  #flushBatch() {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    if (TERMINAL.includes(this.state)) return;
    const e = this.outbox.input(b, this.open);
    if (this.open) this.#sendEntry(e);
  }

  #setState(state, info) {
    this.state = state;
    try {
      this.o.onState?.(state, info);
    } catch (err) {
      this.log.error("sheen: onState:", err);
    }
  }

  #connect() {
    this.#clearTimer();
    let ws;
    try {
      ws = new this.WebSocket(this.url);
    } catch (err) {
      this.log.error("sheen: cannot open the WebSocket:", err);
      this.#lost();
      return;
    }
    this.ws = ws;
    ws.onopen = () => ws === this.ws && this.#onOpen();
    ws.onmessage = (ev) => ws === this.ws && this.#onMessage(ev.data);
    ws.onclose = () => ws === this.ws && this.#lost();
    ws.onerror = () => {}; // a close event follows
    this.timer = this.set(() => ws === this.ws && !this.open && this.#lost("no welcome"), CONNECT_TIMEOUT);
  }

  #onOpen() {
    const resume = this.session
      ? { session: this.session, token: this.token, seq: this.seq, n: this.acked }
      : undefined;
    let inputs = {};
    try {
      inputs = this.o.snapshot?.(!resume) || {};
    } catch (err) {
      this.log.error("sheen: reading inputs:", err);
    }
    this.helloN = this.outbox.next;
    let query;
    try {
      query = resume ? undefined : this.o.query?.();
    } catch (err) {
      this.log.error("sheen: reading the query:", err);
    }
    const frame = JSON.stringify(hello(inputs, resume, query));
    if (tooBig(frame)) {
      this.#finish("failed", { code: "too_big", message: "The page's inputs are too large to send." });
      return;
    }
    this.#write(frame);
  }

  #onMessage(data) {
    this.lastRecv = this.now();
    let m;
    try {
      m = decodeServer(data);
    } catch (err) {
      if (err.code === "version") {
        this.#finish("failed", { code: "version", message: err.message });
      } else {
        this.log.error("sheen: invalid frame from the server:", err.message);
        this.#lost();
      }
      return;
    }
    switch (m.type) {
      case "welcome":
        return this.open ? this.#lost("second welcome") : this.#onWelcome(m);
      case "error":
        if (m.fatal) return this.#finish("failed", { code: m.code, message: m.message });
        return this.#report(m);
      case "expired":
        return this.#finish("expired", m.restart === true ? { message: m.message, restart: true } : { message: m.message });
    }
    if (!this.open) return this.#lost(`${m.type} before welcome`);
    this.attempt = 0;
    this.#ack(m.ack);
    if (m.type !== "update") return; // pong
    const step = seqStep(this.seq, m.seq);
    if (step === "dup") return;
    if (step === "gap") return this.#lost(`missed updates ${this.seq + 1}…${m.seq - 1}`);
    this.seq = m.seq;
    try {
      this.o.onUpdate?.(m);
    } catch (err) {
      this.log.error("sheen: applying update", m.seq, err);
    }
    if (this.ackTimer == null) {
      this.ackTimer = this.set(() => {
        this.ackTimer = null;
        if (this.open) this.#write(ping(this.seq));
      }, ACK_DELAY);
    }
  }

  #onWelcome(m) {
    const resumed = m.resumed && m.session === this.session;
    if (!resumed) {
      // A new session: numbering starts again, and the hello carried the
      // values of the input messages queued before it.
      this.seq = m.seq;
      this.acked = 0;
      this.outbox.dropInputsBefore(this.helloN);
    }
    this.session = m.session;
    this.token = m.token;
    this.open = true;
    this.everOpen = true;
    this.#clearTimer();
    this.#ack(m.ack);
    for (const e of [...this.outbox.entries]) this.#sendEntry(e);
    this.#heartbeat(m.heartbeat);
    this.#setState("open", { resumed });
  }

  #ack(n) {
    if (n > this.acked) {
      this.acked = n;
      this.outbox.ack(n);
    }
  }

  #sendEntry(e) {
    const frame = JSON.stringify(Outbox.frame(e));
    if (tooBig(frame)) {
      this.outbox.remove(e);
      this.#report({ code: "too_big", message: "A change was too large to send and was dropped." });
      return;
    }
    e.sent = true;
    this.#write(frame);
  }

  #write(frame) {
    try {
      this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    } catch (err) {
      this.#lost(err.message);
    }
  }

  #report(err) {
    try {
      this.o.onError?.(err);
    } catch (e) {
      this.log.error("sheen: onError:", e);
    }
  }

  #heartbeat(ms) {
    const tick = () => {
      this.clear(this.ackTimer); // this ping acknowledges too
      this.ackTimer = null;
      this.#write(ping(this.seq));
      this.pingTimer = this.set(tick, ms);
    };
    this.pingTimer = this.set(tick, ms);
    // Nothing from the server for 2.5 heartbeats: the connection is dead.
    const limit = 2.5 * ms;
    const watch = (delay) => {
      this.watchTimer = this.set(() => {
        const idle = this.now() - this.lastRecv;
        if (idle >= limit) this.#lost("heartbeat timeout");
        else watch(limit - idle);
      }, delay);
    };
    this.lastRecv = this.now();
    watch(limit);
  }

  // Tear down the socket and its timers.
  #drop() {
    const ws = this.ws;
    this.ws = null;
    this.open = false;
    this.#clearTimer();
    this.clear(this.pingTimer);
    this.clear(this.watchTimer);
    this.clear(this.ackTimer);
    this.ackTimer = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
  }

  #clearTimer() {
    this.clear(this.timer);
    this.timer = null;
  }

  // The connection broke: reconnect after a backoff delay.
  #lost(why) {
    if (TERMINAL.includes(this.state)) return;
    if (why) this.log.warn("sheen: reconnecting:", why);
    this.#drop();
    const delay = backoff(this.attempt++, this.random);
    this.timer = this.set(() => this.#connect(), delay);
    this.#setState("reconnecting", { attempt: this.attempt, delay, everOpen: this.everOpen });
  }

  #finish(state, info) {
    if (TERMINAL.includes(this.state)) return;
    this.#drop();
    this.batch = null;
    this.#setState(state, info);
  }
}
