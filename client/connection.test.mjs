// The connection against a scripted server: fake WebSocket, fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection, CONNECT_TIMEOUT } from "./connection.js";

function fakeClock() {
  let now = 0;
  let next = 0;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout: (f, ms) => (timers.set(++next, { at: now + ms, f }), next),
    clearTimeout: (id) => timers.delete(id),
    /** Run the timers due within ms, in order. */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due = null;
        for (const [id, t] of timers) if (t.at <= end && (!due || t.at < due[1].at)) due = [id, t];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].f();
      }
      now = end;
    },
    get count() {
      return timers.size;
    },
  };
}

function fakeSockets() {
  const all = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closed = false;
      all.push(this);
    }
    send(s) {
      if (this.closed) throw new Error("send on a closed socket");
      this.sent.push(JSON.parse(s));
    }
    close() {
      this.closed = true;
    }
    // Server side of the script.
    accept() {
      this.onopen?.();
      return this;
    }
    recv(frame) {
      this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
      return this;
    }
    drop() {
      this.closed = true;
      this.onclose?.({ code: 1006 });
    }
    take() {
      const s = this.sent;
      this.sent = [];
      return s;
    }
  }
  return { FakeSocket, all, get last() { return all[all.length - 1]; } };
}

const quiet = { warn() {}, error() {}, log() {} };
const tick = () => new Promise((r) => setImmediate(r));

const welcome = (o = {}) => ({
  type: "welcome", v: 1, seq: 0, session: "s1", token: "t1", resumed: false, ack: 0, heartbeat: 10000, grace: 60000, ...o,
});
const update = (seq, o = {}) => ({ type: "update", seq, ...o });

function setup(inputs = { name: "Ada" }) {
  const clock = fakeClock();
  const ws = fakeSockets();
  const got = { updates: [], states: [], errors: [], snapshots: [] };
  const conn = new Connection("ws://h/_sheen/ws", {
    WebSocket: ws.FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 1,
    snapshot: (fresh) => (got.snapshots.push(fresh), { ...inputs }),
    onUpdate: (u) => got.updates.push(u.seq),
    onState: (s, info) => got.states.push(info ? [s, info] : [s]),
    onError: (e) => got.errors.push(e),
    log: quiet,
  });
  conn.start();
  return { conn, clock, ws, got };
}

// Connect and welcome; returns the socket with its sent frames taken.
function connect(t, w = {}) {
  const s = t.ws.last.accept();
  const [hello] = s.take();
  s.recv(welcome(w));
  return { s, hello };
}

test("handshake: hello with every input, then welcome", () => {
  const t = setup({ name: "Ada", n: 3 });
  assert.equal(t.ws.last.url, "ws://h/_sheen/ws");
  const { hello } = connect(t);
  assert.deepEqual(hello, { type: "hello", v: 1, inputs: { name: "Ada", n: 3 } });
  assert.deepEqual(t.got.snapshots, [true], "a fresh session takes the snapshot");
  assert.equal(t.conn.state, "open");
  assert.deepEqual(t.got.states, [["connecting"], ["open", { resumed: false }]]);
});

test("updates apply in seq order; duplicates are ignored", () => {
  const t = setup();
  const { s } = connect(t);
  s.recv(update(1)).recv(update(2)).recv(update(2)).recv(update(1)).recv(update(3));
  assert.deepEqual(t.got.updates, [1, 2, 3]);
  assert.equal(t.ws.all.length, 1);
});

test("a gap in seq reconnects and resumes from the last applied update", () => {
  const t = setup();
  const { s } = connect(t);
  s.recv(update(1, { ack: 0 }));
  s.recv(update(3));
  assert.deepEqual(t.got.updates, [1], "update 3 is not applied out of order");
  assert.ok(s.closed);
  assert.equal(t.conn.state, "reconnecting");
  t.clock.advance(250);
  const s2 = t.ws.last.accept();
  assert.notEqual(s2, s);
  const [hello] = s2.take();
  assert.deepEqual(hello.resume, { session: "s1", token: "t1", seq: 1, n: 0 });
  assert.deepEqual(t.got.snapshots, [true, false]);
  s2.recv(welcome({ resumed: true, seq: 3 })).recv(update(2)).recv(update(3));
  assert.deepEqual(t.got.updates, [1, 2, 3]);
});

test("messages stay in the outbox until acked and are resent after a resume", async () => {
  const t = setup();
  const { s } = connect(t);
  t.conn.sendInputs({ name: "Ada L" });
  await tick();
  t.conn.sendEvent("chat", "submit", { text: "hi" });
  t.conn.sendEvent("chat", "stop");
  assert.deepEqual(s.take(), [
    { type: "input", n: 1, values: { name: "Ada L" } },
    { type: "event", n: 2, target: "chat", name: "submit", data: { text: "hi" } },
    { type: "event", n: 3, target: "chat", name: "stop" },
  ]);
  s.recv(update(1, { ack: 1 }));
  s.drop();
  t.clock.advance(250);
  const s2 = t.ws.last.accept();
  assert.equal(s2.take()[0].resume.n, 1);
  s2.recv(welcome({ resumed: true, seq: 1, ack: 2 }));
  assert.deepEqual(s2.take(), [{ type: "event", n: 3, target: "chat", name: "stop" }], "only n > ack is resent");
  s2.recv({ type: "pong", seq: 1, ack: 3 });
  assert.equal(t.conn.outbox.entries.length, 0);
});

test("an input changed during the gap reaches the server once, with its latest value", async () => {
  const t = setup();
  const { s } = connect(t);
  s.drop();
  t.conn.sendInputs({ name: "A" });
  await tick();
  t.conn.sendInputs({ name: "Ad" });
  t.conn.sendInputs({ size: 2 });
  await tick();
  t.conn.sendInputs({ name: "Ada" });
  await tick();
  t.clock.advance(250);
  const s2 = t.ws.last.accept();
  s2.take();
  s2.recv(welcome({ resumed: true }));
  assert.deepEqual(s2.take(), [{ type: "input", n: 1, values: { name: "Ada", size: 2 } }]);
});

test("a fresh session drops the inputs queued before its hello but keeps events", async () => {
  const t = setup();
  t.conn.sendInputs({ name: "early" }); // before the socket opens
  await tick();
  t.conn.sendEvent("chat", "submit", { text: "hi" });
  const s = t.ws.last.accept();
  s.take();
  t.conn.sendInputs({ name: "later" }); // after the hello: not in its snapshot
  await tick();
  s.recv(welcome());
  assert.deepEqual(s.take(), [
    { type: "event", n: 2, target: "chat", name: "submit", data: { text: "hi" } },
    { type: "input", n: 3, values: { name: "later" } },
  ]);
});

test("heartbeat: pings every interval; silence for 2.5 intervals reconnects", () => {
  const t = setup();
  const { s } = connect(t, { heartbeat: 1000 });
  s.recv(update(1));
  t.clock.advance(1000);
  assert.deepEqual(s.take(), [{ type: "ping", seq: 1 }]);
  s.recv({ type: "pong", seq: 1 });
  t.clock.advance(2000);
  assert.equal(t.conn.state, "open", "a pong at 1 s keeps it alive until 3.5 s");
  t.clock.advance(500);
  assert.equal(t.conn.state, "reconnecting");
  assert.ok(s.closed);
});

test("reconnect delays back off exponentially up to 5 s and reset after a healthy connection", () => {
  const t = setup();
  const delays = [];
  for (let i = 0; i < 7; i++) {
    t.ws.last.drop();
    delays.push(t.got.states.at(-1)[1].delay);
    t.clock.advance(delays.at(-1));
  }
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 5000, 5000]);
  assert.equal(t.got.states.at(-1)[1].everOpen, false);
  connect(t).s.recv(update(1));
  t.ws.last.drop();
  assert.equal(t.got.states.at(-1)[1].delay, 250);
});

test("no welcome within the connect timeout: try again", () => {
  const t = setup();
  t.ws.last.accept();
  t.clock.advance(CONNECT_TIMEOUT);
  assert.equal(t.conn.state, "reconnecting");
  t.clock.advance(250);
  assert.equal(t.ws.all.length, 2);
});

test("final states: expired, fatal errors and version mismatches never reconnect", () => {
  const cases = [
    { frame: { type: "expired", seq: 0, message: "Gone." }, state: "expired", info: { message: "Gone." } },
    {
      frame: { type: "error", seq: 0, code: "version", message: "old page", fatal: true },
      state: "failed", info: { code: "version", message: "old page" },
    },
    { frame: welcome({ v: 2 }), state: "failed", code: "version" },
  ];
  for (const c of cases) {
    const t = setup();
    const s = t.ws.last.accept();
    s.recv(c.frame);
    assert.equal(t.conn.state, c.state);
    const [, info] = t.got.states.at(-1);
    if (c.info) assert.deepEqual(info, c.info);
    if (c.code) assert.equal(info.code, c.code);
    assert.ok(s.closed);
    t.clock.advance(60000);
    assert.equal(t.ws.all.length, 1, "no reconnect");
    assert.equal(t.clock.count, 0, "no timer left");
    t.conn.sendInputs({ a: 1 }); // ignored, no throw
  }
});

test("non-fatal errors are reported and the connection stays", () => {
  const t = setup();
  const { s } = connect(t);
  s.recv({ type: "error", seq: 0, code: "app", message: "Oops" });
  assert.deepEqual(t.got.errors, [{ type: "error", seq: 0, code: "app", message: "Oops" }]);
  assert.equal(t.conn.state, "open");
});

test("invalid or out-of-order server frames reconnect", () => {
  const frames = ["{nope", JSON.stringify({ type: "update", seq: "1" }), JSON.stringify({ type: "ping", seq: 1 })];
  for (const f of frames) {
    const t = setup();
    connect(t).s.recv(f);
    assert.equal(t.conn.state, "reconnecting", f);
  }
  const t = setup();
  t.ws.last.accept().recv(update(1)); // an update before the welcome
  assert.equal(t.conn.state, "reconnecting");
});

test("a message too big to send is dropped and reported, not resent forever", async () => {
  const t = setup();
  const { s } = connect(t);
  t.conn.sendInputs({ bio: "x".repeat(1 << 20) });
  await tick();
  t.conn.sendInputs({ name: "ok" });
  await tick();
  assert.deepEqual(s.take(), [{ type: "input", n: 2, values: { name: "ok" } }]);
  assert.equal(t.got.errors[0].code, "too_big");
  assert.equal(t.conn.outbox.entries.length, 1);
});

test("wake reconnects at once while waiting, pings while open", () => {
  const t = setup();
  t.ws.last.drop();
  t.conn.wake();
  assert.equal(t.ws.all.length, 2, "no wait for the backoff");
  const { s } = connect(t);
  t.conn.wake();
  assert.deepEqual(s.take(), [{ type: "ping", seq: 0 }]);
});

test("stop closes the socket and clears every timer", () => {
  const t = setup();
  const { s } = connect(t);
  t.conn.stop();
  assert.ok(s.closed);
  assert.equal(t.conn.state, "closed");
  assert.equal(t.clock.count, 0);
});

test("applied updates are acknowledged with a ping within ACK_DELAY, once per delay", async () => {
  const { ACK_DELAY } = await import("./connection.js");
  const t = setup();
  const { s } = connect(t);
  s.recv(update(1)).recv(update(2));
  assert.deepEqual(s.take(), []);
  t.clock.advance(ACK_DELAY);
  assert.deepEqual(s.take(), [{ type: "ping", seq: 2 }]);
  t.clock.advance(ACK_DELAY);
  assert.deepEqual(s.take(), [], "no update, no ack");
});

test("the token of a resumed welcome replaces the old one", () => {
  const t = setup();
  const { s } = connect(t);
  s.recv(update(1));
  s.drop();
  t.clock.advance(250);
  const s2 = t.ws.last.accept();
  assert.equal(s2.take()[0].resume.token, "t1");
  s2.recv(welcome({ resumed: true, seq: 1, token: "t2" }));
  s2.drop();
  t.clock.advance(500); // the second attempt in a row
  const s3 = t.ws.last.accept();
  assert.deepEqual(s3.take()[0].resume, { session: "s1", token: "t2", seq: 1, n: 0 });
});
