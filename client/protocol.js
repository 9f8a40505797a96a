// The wire protocol, client side: frame builders and the validation of server
// frames. Pure; no DOM. Mirrors the Go package protocol (docs/protocol.md);
// both sides are tested against protocol/testdata.

export const VERSION = 1;
export const MAX_FRAME = 1 << 20;

/** A frame that fails validation. `code` is a protocol error code. */
export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

export const hello = (inputs, resume, query) => {
  const m = resume ? { type: "hello", v: VERSION, inputs, resume } : { type: "hello", v: VERSION, inputs };
  if (query) m.query = query;
  return m;
};
export const input = (n, values) => ({ type: "input", n, values });
export const event = (n, target, name, data) =>
  data === undefined ? { type: "event", n, target, name } : { type: "event", n, target, name, data };
export const ping = (seq) => ({ type: "ping", seq });

const LEVELS = ["info", "warning", "error"];

const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const isUint = (x) => Number.isSafeInteger(x) && x >= 0;
const isStr = (x) => typeof x === "string";
const absent = (x) => x === undefined || x === null;

function bad(type, msg) {
  throw new ProtocolError("bad_message", type ? `${type}: ${msg}` : msg);
}
// Optional field: absent, or passes the check.
function opt(type, obj, key, check, what) {
  if (!absent(obj[key]) && !check(obj[key])) bad(type, `${key} must be ${what}`);
}

/**
 * Parse and validate one server frame. Returns the frame object or throws a
 * ProtocolError whose code is bad_json, unknown_type, bad_message or version.
 */
export function decodeServer(text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError("bad_json", e.message);
  }
  if (!isObj(m)) bad("", "a frame must be a JSON object");
  const t = m.type;
  if (absent(t) || t === "") bad("", "missing type");
  if (!isStr(t)) bad("", "type must be a string");
  const check = CHECKS[t];
  if (!check) throw new ProtocolError("unknown_type", `unknown server message type ${JSON.stringify(t)}`);
  if (t === "welcome" && !absent(m.v) && m.v !== VERSION) {
    throw new ProtocolError("version", `protocol version ${JSON.stringify(m.v)} is not supported; this side speaks ${VERSION}`);
  }
  if (absent(m.seq)) bad(t, "missing seq");
  if (!isUint(m.seq)) bad(t, "seq must be a non-negative integer");
  check(m);
  return m;
}

const CHECKS = {
  welcome(m) {
    const t = "welcome";
    if (absent(m.v)) bad(t, "missing v");
    for (const k of ["session", "token"]) {
      if (!isStr(m[k]) || m[k] === "") bad(t, `missing ${k}`);
    }
    if (typeof m.resumed !== "boolean") bad(t, "missing resumed");
    if (!isUint(m.ack)) bad(t, "missing ack");
    if (!(isUint(m.heartbeat) && m.heartbeat > 0)) bad(t, "heartbeat must be a positive integer");
    if (!isUint(m.grace)) bad(t, "grace must be a non-negative integer");
  },
  update(m) {
    const t = "update";
    opt(t, m, "ack", isUint, "a non-negative integer");
    opt(t, m, "busy", (b) => typeof b === "boolean", "true or false");
    opt(t, m, "bookmark", isStr, "a string");
    opt(t, m, "forget", (f) => Array.isArray(f) && f.every(isStr), "an array of strings");
    opt(t, m, "outputs", isObj, "an object");
    for (const [id, o] of Object.entries(m.outputs || {})) {
      if (id === "") bad(t, "empty output id");
      if (!isObj(o)) bad(t, `output ${JSON.stringify(id)} must be an object`);
      for (const k of ["html", "text", "error"]) opt(t, o, k, isStr, "a string");
      opt(t, o, "busy", (b) => typeof b === "boolean", "true or false");
      const values = !absent(o.html) + !absent(o.text) + !!o.error;
      if (values > 1) bad(t, `output ${JSON.stringify(id)}: at most one of html, text and error`);
      if (values === 0 && absent(o.busy)) bad(t, `output ${JSON.stringify(id)}: empty`);
    }
    opt(t, m, "inputs", isObj, "an object");
    for (const [id, u] of Object.entries(m.inputs || {})) {
      if (id === "") bad(t, "empty input id");
      if (!isObj(u)) bad(t, `input ${JSON.stringify(id)} must be an object`);
      opt(t, u, "label", isStr, "a string");
      opt(t, u, "placeholder", isStr, "a string");
      opt(t, u, "choices", (cs) => Array.isArray(cs) && cs.every(
        (c) => absent(c) || (isObj(c) && (absent(c.value) || isStr(c.value)) && (absent(c.label) || isStr(c.label)))),
        "an array of {value, label}");
      if (u.value === undefined && absent(u.label) && absent(u.choices) && absent(u.placeholder)) {
        bad(t, `input ${JSON.stringify(id)}: empty`);
      }
    }
    opt(t, m, "notices", Array.isArray, "an array");
    (m.notices || []).forEach((n, i) => {
      if (!isObj(n) || !isStr(n.id) || n.id === "") bad(t, `notices[${i}]: missing id`);
      if (!LEVELS.includes(n.level)) bad(t, `notices[${i}]: level must be info, warning or error`);
      if (!isStr(n.message) || n.message === "") bad(t, `notices[${i}]: missing message`);
      if (!absent(n.duration) && !isUint(n.duration)) bad(t, `notices[${i}]: duration must not be negative`);
    });
    opt(t, m, "messages", Array.isArray, "an array");
    (m.messages || []).forEach((x, i) => {
      if (!isObj(x) || !isStr(x.target) || x.target === "") bad(t, `messages[${i}]: missing target`);
      if (!isStr(x.name) || x.name === "") bad(t, `messages[${i}]: missing name`);
    });
  },
  error(m) {
    if (!isStr(m.code) || m.code === "") bad("error", "missing code");
    if (!isStr(m.message)) bad("error", "missing message");
    opt("error", m, "fatal", (b) => typeof b === "boolean", "true or false");
  },
  expired(m) {
    if (!isStr(m.message)) bad("expired", "missing message");
    opt("expired", m, "restart", (b) => typeof b === "boolean", "true or false");
  },
  pong(m) {
    opt("pong", m, "ack", isUint, "a non-negative integer");
  },
};

/** Whether a string is longer than MAX_FRAME bytes in UTF-8. */
export function tooBig(s, limit = MAX_FRAME) {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most frames skip the encoder.
  return s.length * 3 > limit && new TextEncoder().encode(s).length > limit;
}

const isBookmarkParam = (name) =>
  name === "_state_id_" || name.startsWith("_inputs_.") || name.startsWith("_values_.");

/**
 * The query string (with its "?", or "" when empty) of a page whose query is
 * `search` after an update's `bookmark`: the old bookmark parameters go, the
 * others stay in order, the new ones follow.
 */
export function mergeBookmark(search, bookmark) {
  const kept = search.replace(/^\?/, "").split("&").filter((part) => {
    if (part === "") return false;
    const name = part.split("=", 1)[0];
    try {
      return !isBookmarkParam(decodeURIComponent(name.replace(/\+/g, " ")));
    } catch {
      return true;
    }
  });
  if (bookmark) kept.push(bookmark);
  return kept.length ? "?" + kept.join("&") : "";
}
