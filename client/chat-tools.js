// sheen chat: tool-call cards and reply metrics.
//
// A reply that calls tools shows one card per call between its thinking
// panel and its answer, in the order the calls were made (package chat,
// toolcall.go). A card has the tool's name and state in its summary, the
// arguments (pretty JSON, shown as text) and the result (HTML the server
// rendered and sanitized) inside; it is open while the call runs or waits
// for approval and closes when the call ends, unless the user opened or
// closed it meanwhile. A call that needs approval shows Allow and Deny
// under its card; the choice goes to the server ("approve"), which answers
// with the card's new state. The pure parts (cleanTool, metricsText) have
// no DOM.

import { button, h, parseHTML } from "./chat-html.js";

const STATUSES = new Set(["pending", "running", "success", "error", "denied"]);

/** What a card's summary says of each state. */
export const STATE_TEXT = {
  pending: "Waiting for approval",
  running: "Running…",
  success: "Done",
  error: "Failed",
  denied: "Denied",
};

const str = (v) => (typeof v === "string" ? v : "");

/**
 * A card from the server, checked: {id, name, args, status, html, approve,
 * decision, by}, or null if it has no id or an unknown status.
 */
export function cleanTool(t) {
  if (!t || typeof t !== "object" || typeof t.id !== "string" || t.id === "" || !STATUSES.has(t.status)) return null;
  const decision = t.decision === "allowed" || t.decision === "denied" ? t.decision : "";
  return {
    id: t.id,
    name: str(t.name) || "tool",
    args: str(t.args),
    status: t.status,
    html: str(t.html),
    approve: t.approve === true,
    decision,
    by: str(t.by),
  };
}

const num = (v) => (Number.isFinite(v) && v >= 0 ? v : 0);

/** A duration for people: "40 ms", "0.42 s", "3.9 s", "12 s". */
export function seconds(ms) {
  if (ms < 100) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 10) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

/**
 * The footer line of a reply's metrics {first, duration, out, in, billed,
 * rate} (milliseconds and tokens), and its tooltip; null for no metrics.
 */
export function metricsText(m) {
  if (!m || typeof m !== "object") return null;
  const first = num(m.first), duration = num(m.duration), out = num(m.out), inn = num(m.in), billed = num(m.billed), rate = num(m.rate);
  const parts = [`${seconds(first)} to first token`, `${out.toLocaleString("en")} tokens`];
  if (rate > 0) parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)} tokens/s`);
  parts.push(seconds(duration));
  let title = `Time to first token: ${seconds(first)}. Duration: ${seconds(duration)}. Tokens out: ${out.toLocaleString("en")} (counted)`;
  if (billed > 0) title += `, ${billed.toLocaleString("en")} as the provider reported`;
  title += ".";
  if (inn > 0) title += ` Tokens in: ${inn.toLocaleString("en")}.`;
  return { text: parts.join(" · "), title };
}

const svg = (body) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
const WRENCH = svg('<path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L4 17l3 3 5.3-5.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z"/>');

/** The cards of one message: a container in its body, before its answer. */
export class ToolCards {
  constructor(doc, body, before, send) {
    this.doc = doc;
    this.send = send;
    this.el = h(doc, "div", "sheen-chat-tools");
    body.insertBefore(this.el, before);
    this.cards = new Map(); // id → {el, details, summary, state, args, result, approval, touched}
  }

  /** Show every card of list. */
  setAll(list) {
    if (!Array.isArray(list)) return;
    for (const t of list) this.set(t);
  }

  /** Show card t, or update the card with its id. */
  set(raw) {
    const t = cleanTool(raw);
    if (!t) return console.warn("sheen chat: a malformed tool card", raw);
    let c = this.cards.get(t.id);
    if (!c) c = this.#card(t);
    c.el.dataset.status = t.status;
    c.name.textContent = t.name;
    c.state.textContent = STATE_TEXT[t.status];
    c.state.title = t.decision ? `${t.decision === "allowed" ? "Allowed" : "Denied"}${t.by ? ` by ${t.by}` : ""}` : "";
    if (c.args.textContent !== t.args) c.args.textContent = t.args || "(no arguments yet)";
    c.argsBox.hidden = false;
    if (c.html !== t.html) {
      c.html = t.html;
      c.result.replaceChildren(parseHTML(this.doc, t.html));
    }
    c.resultBox.hidden = t.html === "";
    this.#approval(c, t);
    const active = t.status === "running" || t.status === "pending";
    if (!c.touched) c.details.open = active;
    c.details.setAttribute("aria-busy", String(active));
  }

  #card(t) {
    const doc = this.doc;
    const el = h(doc, "div", "sheen-chat-tool");
    el.dataset.id = t.id;
    const details = h(doc, "details", "sheen-chat-tool-card");
    const summary = h(doc, "summary");
    const icon = h(doc, "span", "sheen-chat-tool-icon");
    icon.append(parseHTML(doc, WRENCH));
    const name = h(doc, "span", "sheen-chat-tool-name");
    const state = h(doc, "span", "sheen-chat-tool-state");
    summary.append(icon, name, state);
    const body = h(doc, "div", "sheen-chat-tool-body");
    const argsBox = h(doc, "div", "sheen-chat-tool-section");
    const argsLabel = h(doc, "div", "sheen-chat-tool-label");
    argsLabel.textContent = "Arguments";
    const pre = h(doc, "pre", "sheen-chat-tool-args");
    pre.tabIndex = 0; // it scrolls: the keyboard can too
    const args = h(doc, "code");
    pre.append(args);
    argsBox.append(argsLabel, pre);
    const resultBox = h(doc, "div", "sheen-chat-tool-section");
    const resultLabel = h(doc, "div", "sheen-chat-tool-label");
    resultLabel.textContent = "Result";
    const result = h(doc, "div", "sheen-chat-tool-result");
    resultBox.append(resultLabel, result);
    body.append(argsBox, resultBox);
    details.append(summary, body);
    el.append(details);
    const c = { el, details, name, state, args, argsBox, result, resultBox, html: null, approval: null, touched: false };
    summary.addEventListener("click", () => (c.touched = true));
    this.el.append(el);
    this.cards.set(t.id, c);
    return c;
  }

  // Allow and Deny under a card waiting for approval; the decision once made.
  #approval(c, t) {
    if (t.status !== "pending") {
      c.approval?.remove();
      c.approval = null;
      return;
    }
    if (c.approval) return;
    const doc = this.doc;
    const row = h(doc, "div", "sheen-chat-tool-approval");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", `Approve the call of ${t.name}`);
    const q = h(doc, "span", "sheen-chat-tool-question");
    q.textContent = `Allow ${t.name} to run with these arguments?`;
    const allow = button(doc, "sheen-chat-tool-allow", "", "Allow");
    const deny = button(doc, "sheen-chat-tool-deny", "", "Deny");
    const decide = (ok) => {
      allow.disabled = deny.disabled = true;
      this.send("approve", { call: t.id, allow: ok });
    };
    allow.addEventListener("click", () => decide(true));
    deny.addEventListener("click", () => decide(false));
    row.append(q, allow, deny);
    c.el.append(row);
    c.approval = row;
  }
}

/** Show metrics m under a message's body (once; replaced on a new call). */
export function showMetrics(doc, body, m) {
  const t = metricsText(m);
  body.querySelector(":scope > .sheen-chat-metrics")?.remove();
  if (!t) return;
  const el = h(doc, "div", "sheen-chat-metrics");
  el.textContent = t.text;
  el.title = t.title;
  body.append(el);
}
