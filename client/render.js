// What the page shows: outputs (data-sheen-output), notices and the
// connection status banner (#sheen-status).

import { within } from "./inputs.js";

const OUT = "[data-sheen-output]";
const esc = (s) => (globalThis.CSS?.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"));

/**
 * Outputs. The last state of each output is kept, so an output element that
 * appears later (e.g. inside a re-rendered HTML output) shows it at once.
 */
export function createOutputs(doc) {
  const state = new Map(); // id → {value: {html|text|error}, busy}

  function paint(el, s, value) {
    if (value && s.value) {
      const v = s.value;
      if (v.html != null) el.innerHTML = v.html; // sanitized by the server
      else el.textContent = v.text ?? v.error;
      el.classList.toggle("sheen-output-error", v.error != null);
    }
    el.classList.toggle("sheen-busy", !!s.busy);
    if (s.busy) el.setAttribute("aria-busy", "true");
    else el.removeAttribute("aria-busy");
  }

  return {
    apply(outputs) {
      for (const [id, o] of Object.entries(outputs)) {
        const s = state.get(id) || {};
        const value = o.html != null ? { html: o.html } : o.text != null ? { text: o.text } : o.error ? { error: o.error } : null;
        if (value) s.value = value;
        s.busy = o.busy != null ? o.busy : value ? false : s.busy;
        state.set(id, s);
        for (const el of doc.querySelectorAll(`[data-sheen-output="${esc(id)}"]`)) paint(el, s, !!value);
      }
    },
    /** Forget output id: its UI was disposed (a chat message removed). */
    forget(id) {
      state.delete(id);
    },
    /** Show the known state of outputs added under root. */
    scan(root) {
      for (const el of within(root, OUT)) {
        const s = state.get(el.dataset.sheenOutput);
        if (s) paint(el, s, true);
      }
    },
  };
}

/** Notices: a live region of dismissible notifications. */
export function createNotices(doc, timers = globalThis) {
  const shown = new Map(); // id → {el, t}
  let region;

  function close(id) {
    const n = shown.get(id);
    if (!n) return;
    shown.delete(id);
    timers.clearTimeout(n.t);
    n.el.remove();
  }

  function show({ id, level, message, duration }) {
    if (!region?.isConnected) {
      region = doc.createElement("div");
      region.className = "sheen-notices";
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", "Notifications");
      region.setAttribute("aria-live", "polite");
      doc.body.append(region);
    }
    const el = doc.createElement("div");
    el.className = `sheen-notice sheen-notice-${level}`;
    el.setAttribute("role", level === "error" ? "alert" : "status");
    const text = doc.createElement("div");
    text.className = "sheen-notice-message";
    text.textContent = message;
    const x = doc.createElement("button");
    x.type = "button";
    x.className = "sheen-notice-close";
    x.setAttribute("aria-label", "Dismiss");
    x.textContent = "×";
    x.onclick = () => close(id);
    el.append(text, x);
    const old = shown.get(id);
    if (old) {
      timers.clearTimeout(old.t);
      old.el.replaceWith(el);
    } else {
      region.append(el);
    }
    shown.set(id, { el, t: duration > 0 ? timers.setTimeout(() => close(id), duration) : 0 });
  }

  return { show, close };
}

/**
 * The connection status banner, #sheen-status (created when the page has
 * none). Hidden while connected. The root element's data-sheen-state says
 * the connection state, for styling and tests.
 */
export function createStatus(doc, reload = () => location.reload(), store = sessionStore()) {
  let el;
  let restoredTimer = 0;
  return function setState(state, info = {}) {
    // A session this server never had (the page's instance died or was
    // replaced, or restarted): load the page again at once, at most once in
    // 30 s, and say so when the new page is up. The app restores what it
    // keeps (a chat's conversation comes back by its URL).
    if (state === "expired" && info.restart && mayRestart(store)) {
      reload();
      state = "reconnecting";
    }
    const restored = state === "open" && takeRestored(store);
    doc.documentElement.dataset.sheenState = state;
    el ||= doc.getElementById("sheen-status");
    if (!el) {
      el = doc.createElement("div");
      el.id = "sheen-status";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      doc.body.append(el);
    }
    let text = "";
    let button = false;
    if (state === "reconnecting") {
      text = info.everOpen === false ? "Connecting…" : "Reconnecting…";
    } else if (state === "expired") {
      text = "Your session has expired.";
      button = true;
    } else if (state === "failed") {
      text = info.code === "version"
        ? "This page is out of date. Reload it to continue."
        : `The connection failed: ${info.message || info.code}`;
      button = true;
    }
    if (restored) {
      text = "Reconnected: the server was restarted or replaced, and this page was restored.";
      clearTimeout(restoredTimer);
      restoredTimer = setTimeout(() => {
        if (el.dataset.state === "restored") el.hidden = true;
      }, 8000);
    }
    el.dataset.state = restored ? "restored" : state;
    el.hidden = !text;
    const msg = doc.createElement("span");
    msg.textContent = text;
    el.replaceChildren(msg);
    if (button) {
      const b = doc.createElement("button");
      b.type = "button";
      b.textContent = "Reload";
      b.onclick = reload;
      el.append(b);
    }
  };
}

const RESTART_AT = "sheen-restart-at";
const RESTORED = "sheen-restored";

/** The tab's sessionStorage, or null where there is none (tests, privacy modes). */
function sessionStore() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the page may load again after its session was lost: at most 3
 * times a minute (a rolling deploy moves a page twice; a server that keeps
 * losing sessions must not make the page reload in a loop). It records the
 * reload.
 */
export function mayRestart(store, now = Date.now()) {
  if (!store) return false;
  let recent = [];
  try {
    recent = JSON.parse(store.getItem(RESTART_AT) || "[]").filter((t) => Number.isFinite(t) && now - t < 60000);
  } catch {
    recent = [];
  }
  if (recent.length >= 3) return false;
  recent.push(now);
  store.setItem(RESTART_AT, JSON.stringify(recent));
  store.setItem(RESTORED, "1");
  return true;
}

/** Whether this page load is the restart of a lost session (once). */
export function takeRestored(store) {
  if (!store || store.getItem(RESTORED) !== "1") return false;
  store.removeItem(RESTORED);
  return true;
}
