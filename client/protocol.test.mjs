// The client's view of protocol/testdata: it must accept every valid server
// frame, reject every invalid one with the code the Go decoder uses, and
// build client frames exactly like the examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { ProtocolError, decodeServer, mergeBookmark, hello, input, event, ping, tooBig, MAX_FRAME, VERSION } from "./protocol.js";

const dir = new URL("../protocol/testdata/", import.meta.url);
const read = (name) => readFileSync(new URL(name, dir), "utf8");
const valid = readdirSync(dir).filter((f) => f.endsWith(".json"));
const manifest = JSON.parse(read("invalid/manifest.json"));

test("testdata has examples of every message type", () => {
  const types = new Set(valid.map((f) => JSON.parse(read(f)).type));
  for (const t of ["hello", "input", "event", "ping", "welcome", "update", "error", "expired", "pong"]) {
    assert.ok(types.has(t), `no example of ${t}`);
  }
});

for (const file of valid.filter((f) => f.startsWith("server_"))) {
  test(`accepts ${file}`, () => {
    const text = read(file);
    assert.deepEqual(decodeServer(text), JSON.parse(text));
  });
}

for (const c of manifest.filter((c) => c.server)) {
  test(`rejects invalid/${c.file} with ${c.server} (${c.why})`, () => {
    const text = read(`invalid/${c.file}`);
    assert.throws(() => decodeServer(text), (err) => {
      assert.ok(err instanceof ProtocolError, `${err}`);
      assert.equal(err.code, c.server, err.message);
      assert.ok(err.message.length > 0);
      return true;
    });
  });
}

// Each client example, rebuilt from its fields with the frame builders.
const builders = {
  hello: (m) => hello(m.inputs, m.resume, m.query),
  input: (m) => input(m.n, m.values),
  event: (m) => event(m.n, m.target, m.name, m.data),
  ping: (m) => ping(m.seq),
};
for (const file of valid.filter((f) => f.startsWith("client_"))) {
  test(`builds ${file}`, () => {
    const want = JSON.parse(read(file));
    const got = builders[want.type](want);
    assert.equal(JSON.stringify(got), JSON.stringify(want), "same fields in the same order");
  });
}

test("hello announces the protocol version", () => {
  assert.equal(VERSION, 1);
  assert.equal(hello({}).v, VERSION);
});

test("decodeServer edge cases", () => {
  const cases = [
    ['{"type":"update","seq":1,"outputs":{"o":{"text":"","busy":true}}}', null],
    ['{"type":"update","seq":1,"inputs":{"i":{"value":null}}}', null],
    ['{"type":"update","seq":1,"outputs":{"o":{"error":""}}}', "bad_message"],
    ['{"type":"update","seq":1.5}', "bad_message"],
    ['{"type":"update","seq":-1}', "bad_message"],
    ['{"type":"welcome","v":null,"seq":0}', "bad_message"],
    ['{"type":"welcome","v":"1","seq":0}', "version"],
    ['{"type":"pong","seq":1,"ack":-2}', "bad_message"],
    ['{"type":"error","seq":1,"code":"app","message":"x","fatal":"yes"}', "bad_message"],
    ['{"type":"hello","v":1,"inputs":{}}', "unknown_type"],
  ];
  for (const [text, code] of cases) {
    if (code === null) assert.doesNotThrow(() => decodeServer(text), text);
    else assert.throws(() => decodeServer(text), (e) => e.code === code, text);
  }
});

test("tooBig counts UTF-8 bytes", () => {
  assert.equal(tooBig("x".repeat(MAX_FRAME)), false);
  assert.equal(tooBig("x".repeat(MAX_FRAME + 1)), true);
  assert.equal(tooBig("é".repeat(MAX_FRAME / 2)), false); // 2 bytes each
  assert.equal(tooBig("é".repeat(MAX_FRAME / 2 + 1)), true);
  assert.equal(tooBig("€".repeat(10), 29), true); // 3 bytes each
});

test("mergeBookmark replaces the bookmark parameters and keeps the others", () => {
  const cases = [
    ["", "_inputs_.n=5", "?_inputs_.n=5"],
    ["?c=k3j", "_inputs_.n=5", "?c=k3j&_inputs_.n=5"],
    ["?c=k3j&_inputs_.n=4&_values_.x=1&z=2", "_state_id_=abc", "?c=k3j&z=2&_state_id_=abc"],
    ["?_state_id_=old&c=1", "_inputs_.a=%22x%22", "?c=1&_inputs_.a=%22x%22"],
    ["?%5Finputs%5F.n=1&c=1", "", "?c=1"],
    ["?_inputs_.n=1", "", ""],
    ["?bad=%E0%A4%A", "_inputs_.n=1", "?bad=%E0%A4%A&_inputs_.n=1"],
  ];
  for (const [search, bm, want] of cases) assert.equal(mergeBookmark(search, bm), want, `${search} + ${bm}`);
});
