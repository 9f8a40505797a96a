// Message actions of the chat component (chat.js registers them with a
// small hook): each finished message gets a toolbar (copy, regenerate,
// edit, feedback, the app's own buttons, delete, and the ‹ 1/2 › pager of
// the last answer), the input row gets undo, clear and the app's own
// buttons. The server decides what is on (the "actions" message) and does
// everything that changes the transcript; this module only asks (docs/chat.md,
// "Message actions"; docs/protocol.md). The pure parts are exported for
// chat-actions.test.mjs.

import { button, h, parseHTML } from "./chat-html.js";

const svg = (body) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
export const ICONS = {
  copy: svg('<rect x="9" y="9" width="12" height="12" rx="2"/><path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/>'),
  check: svg('<path d="M20 6L9 17l-5-5"/>'),
  regenerate: svg('<path d="M21 12a9 9 0 1 1-2.64-6.36L21 8"/><path d="M21 3v5h-5"/>'),
  edit: svg('<path d="M12 20h9"/><path d="M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z"/>'),
  remove: svg('<path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6"/>'),
  up: svg('<path d="M7 10v11H4a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h3zM7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H7"/>'),
  down: svg('<path d="M17 14V3h3a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-3zM17 14l-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.4-8a2 2 0 0 1 2-1.7H17"/>'),
  prev: svg('<path d="M15 18l-6-6 6-6"/>'),
  next: svg('<path d="M9 18l6-6-6-6"/>'),
  undo: svg('<path d="M9 14L4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  clear: svg('<path d="M20 20H9L4.5 15.5a2 2 0 0 1 0-2.83l9.17-9.17a2 2 0 0 1 2.83 0l4 4a2 2 0 0 1 0 2.83L12 18.83"/><path d="M7.5 10.5l6 6"/>'),
};

const BUILTIN = ["copy", "regenerate", "edit", "remove", "undo", "clear", "feedback"];

/** The actions message, cleaned: {on: Set of built-in names, custom: [...]} (the Go names "delete" → "remove"). */
export function cleanActions(d) {
  const on = new Set();
  for (const k of Array.isArray(d?.builtin) ? d.builtin : []) {
    const name = k === "delete" ? "remove" : k;
    if (BUILTIN.includes(name)) on.add(name);
  }
  const custom = [];
  const seen = new Set();
  for (const a of Array.isArray(d?.custom) ? d.custom : []) {
    if (!a || typeof a.name !== "string" || !a.name || typeof a.label !== "string" || !a.label || seen.has(a.name)) continue;
    seen.add(a.name);
    const roles = Array.isArray(a.roles) ? a.roles.filter((r) => r === "user" || r === "assistant") : [];
    custom.push({
      name: a.name,
      label: a.label,
      icon: typeof a.icon === "string" ? a.icon : "",
      tooltip: typeof a.tooltip === "string" && a.tooltip ? a.tooltip : a.label,
      roles,
      input: !Array.isArray(a.roles) || a.roles.length === 0,
    });
  }
  return { on, custom };
}

/** The buttons of a message's toolbar, in order, for role and its place. */
export function toolbarItems(cfg, { role, last, command, hasID }) {
  if (!hasID) return [];
  const out = [];
  if (cfg.on.has("copy")) out.push("copy");
  if (role === "assistant" && last && cfg.on.has("regenerate")) out.push("regenerate");
  if (role === "user" && !command && cfg.on.has("edit")) out.push("edit");
  if (role === "assistant" && cfg.on.has("feedback")) out.push("up", "down");
  for (const a of cfg.custom) if (!a.input && a.roles.includes(role)) out.push(`custom:${a.name}`);
  if (cfg.on.has("remove")) out.push("remove");
  return out;
}

/** A roving-tabindex key in a toolbar of n items at i: the new index, or -1. */
export function toolbarMove(key, i, n) {
  switch (key) {
    case "ArrowRight":
      return (i + 1) % n;
    case "ArrowLeft":
      return (i - 1 + n) % n;
    case "Home":
      return 0;
    case "End":
      return n - 1;
  }
  return -1;
}

/** The rich HTML of a message's content for the clipboard: without the page's own buttons. */
export function richHTML(content) {
  const c = content.cloneNode(true);
  for (const el of c.querySelectorAll("button, .sheen-chat-removed")) el.remove();
  return c.innerHTML;
}

/** Copy text as text/plain and html as text/html; resolves to whether it worked. */
export async function copyRich(doc, text, html) {
  const win = doc.defaultView;
  try {
    const item = new win.ClipboardItem({
      "text/plain": new win.Blob([text], { type: "text/plain" }),
      "text/html": new win.Blob([html], { type: "text/html" }),
    });
    await win.navigator.clipboard.write([item]);
    return true;
  } catch {
    // Not allowed (no focus, an insecure page, an old browser): the copy
    // event of execCommand carries both types too.
    const on = (e) => {
      e.clipboardData.setData("text/plain", text);
      e.clipboardData.setData("text/html", html);
      e.preventDefault();
    };
    doc.addEventListener("copy", on);
    try {
      return doc.execCommand("copy");
    } finally {
      doc.removeEventListener("copy", on);
    }
  }
}

/**
 * The actions of one chat element. host gives what the chat owns:
 *   el, doc, log, bar (the input row), ta (the input), send(name, data),
 *   wait() (show that an answer is coming and lock the input),
 *   records() (id → message record), busy().
 */
export class Actions {
  constructor(host) {
    this.host = host;
    this.doc = host.doc;
    this.cfg = { on: new Set(), custom: [] };
    this.info = new WeakMap(); // record → {source, feedback, comment, alts, command}
    this.flagged = []; // the record shown as the last answer
    this.tools = h(this.doc, "div", "sheen-chat-inputtools");
    this.tools.hidden = true;
    host.bar.insertBefore(this.tools, host.ta.nextSibling);
    this.#dialog();
    this.#listen();
  }

  /** The server's "actions" message. */
  config(d) {
    this.cfg = cleanActions(d);
    this.#tools();
    this.refreshAll();
  }

  /** Record what of wire message m the actions need (a finished or re-rendered message). */
  note(rec, m) {
    const old = this.info.get(rec) || {};
    const str = (v, d = "") => (typeof v === "string" ? v : d);
    this.info.set(rec, {
      source: str(m.source, old.source ?? ""),
      feedback: m.feedback === "up" || m.feedback === "down" ? m.feedback : "",
      comment: str(m.comment),
      alts: Array.isArray(m.alts) && m.alts.length === 2 && m.alts.every(Number.isInteger) ? m.alts : null,
      command: str(m.command, old.command ?? ""),
    });
  }

  /** rec is about to replace old (the server changed the message): an open comment form moves over, with the focus. */
  carry(old, rec) {
    const form = old.body.querySelector(":scope > .sheen-chat-feedback");
    if (!form) return;
    const ta = form.querySelector("textarea");
    const focused = this.doc.activeElement === ta;
    const [start, end] = [ta.selectionStart, ta.selectionEnd];
    rec.body.append(form);
    if (focused) {
      queueMicrotask(() => {
        ta.focus();
        ta.setSelectionRange(start, end);
      });
    }
  }

  /** Bring every message's toolbar and the input row's buttons up to date (a new transcript, new actions). */
  refreshAll() {
    this.#refresh(true, null);
  }

  /**
   * Bring the toolbars that may have changed up to date: those of the last
   * question and what follows it (the last answer's regenerate and pager),
   * those that had those roles before, and rec's (a message just shown or
   * changed). The rest of a long transcript is not looked at.
   */
  refresh(rec = null) {
    this.#refresh(false, rec);
  }

  #refresh(all, extra) {
    const records = this.host.records();
    const recOf = (el) => {
      const r = el.dataset.id ? records.get(el.dataset.id) : null;
      return r?.el === el ? r : null;
    };
    const tail = []; // the last user message and what follows it, in order
    let anyUser = false;
    let any = false;
    for (let el = this.host.log.lastElementChild; el; el = el.previousElementSibling) {
      const r = recOf(el);
      if (!r) continue;
      any = true;
      tail.unshift(r);
      if (r.role === "user") {
        anyUser = true;
        break;
      }
    }
    const user = anyUser ? tail[0] : null;
    const last = tail.at(-1);
    const answer = user && last && last !== user && last.role === "assistant" ? last : null;
    const alts = answer ? this.info.get(user)?.alts : null;
    const todo = new Set(all ? Array.from(this.host.log.children, recOf).filter(Boolean) : [...tail, ...this.flagged]);
    if (extra && extra.el.parentNode === this.host.log) todo.add(extra);
    for (const r of todo) {
      if (r.el.parentNode !== this.host.log) continue;
      this.#toolbar(r, r === answer, r === answer && alts ? { alts, user } : null);
    }
    this.flagged = answer ? [answer] : [];
    if (this.undoBtn) this.undoBtn.disabled = !anyUser;
    if (this.clearBtn) this.clearBtn.disabled = !any && !this.host.busy();
  }

  // ---- a message's toolbar ----

  #toolbar(rec, lastAnswer, pager) {
    let bar = rec.el.querySelector(":scope .sheen-chat-actions");
    if (rec.streaming || rec.editing) return bar?.remove();
    const inf = this.info.get(rec) || {};
    const items = toolbarItems(this.cfg, { role: rec.role, last: lastAnswer, command: !!inf.command, hasID: !!rec.id });
    const key = `${items.join(",")}|${pager ? `${pager.alts.join("/")}|${this.host.busy()}` : ""}|${inf.feedback}|${inf.comment}`;
    if (bar && bar.dataset.key === key) return;
    if (!items.length && !pager) return bar?.remove();
    const d = this.doc;
    const focused = bar?.contains(d.activeElement) ? d.activeElement.dataset.action : null;
    if (!bar) {
      bar = h(d, "div", "sheen-chat-actions");
      bar.setAttribute("role", "toolbar");
      bar.setAttribute("aria-label", rec.role === "user" ? "Your message" : "Assistant message");
      if (rec.role === "user") rec.el.append(bar);
      else rec.body.insertBefore(bar, rec.body.querySelector(":scope > .sheen-chat-feedback")); // above a comment box
    }
    bar.dataset.key = key;
    bar.classList.toggle("sheen-chat-actions-last", lastAnswer);
    const btns = [];
    if (pager) {
      const [k, n] = pager.alts;
      const p = h(d, "div", "sheen-chat-pager");
      const prev = this.#btn("prev", "Previous answer", ICONS.prev);
      const next = this.#btn("next", "Next answer", ICONS.next);
      prev.disabled = k <= 1 || this.host.busy();
      next.disabled = k >= n || this.host.busy();
      prev.dataset.user = next.dataset.user = pager.user.id;
      prev.dataset.index = String(k - 2);
      next.dataset.index = String(k);
      const label = h(d, "span", "sheen-chat-pager-label");
      label.textContent = `${k} / ${n}`;
      label.setAttribute("aria-label", `Answer ${k} of ${n}`);
      p.append(prev, label, next);
      btns.push(p);
    }
    for (const it of items) {
      if (it === "copy") btns.push(this.#btn("copy", "Copy message", `${ICONS.copy}${ICONS.check}`));
      else if (it === "regenerate") btns.push(this.#btn("regenerate", "Regenerate answer", ICONS.regenerate));
      else if (it === "edit") btns.push(this.#btn("edit", "Edit message", ICONS.edit));
      else if (it === "remove") btns.push(this.#btn("remove", "Delete message", ICONS.remove));
      else if (it === "up" || it === "down") {
        const b = this.#btn(it, it === "up" ? "Good answer" : "Bad answer", ICONS[it]);
        b.setAttribute("aria-pressed", String(inf.feedback === it));
        if (inf.feedback === it && inf.comment) b.title = `${b.title}: “${inf.comment}”`;
        btns.push(b);
      } else {
        const a = this.cfg.custom.find((x) => `custom:${x.name}` === it);
        if (a) btns.push(this.#custom(a));
      }
    }
    bar.replaceChildren(...btns);
    this.#rove(bar, focused);
  }

  #btn(action, label, icon) {
    const b = button(this.doc, `sheen-chat-action sheen-chat-action-${action}`, label, icon);
    b.dataset.action = action;
    b.title = label;
    return b;
  }

  #custom(a) {
    const b = button(this.doc, "sheen-chat-action sheen-chat-action-custom", a.label, "");
    b.dataset.action = "custom";
    b.dataset.name = a.name;
    b.title = a.tooltip;
    if (a.icon) b.append(parseHTML(this.doc, a.icon));
    else {
      b.classList.add("sheen-chat-action-text");
      b.textContent = a.label;
    }
    return b;
  }

  // One button of a toolbar is in the tab order (the focused one, or the
  // first); the arrow keys move between them.
  #rove(bar, focused) {
    const all = Array.from(bar.querySelectorAll("button"));
    const enabled = all.filter((b) => !b.disabled);
    const cur = enabled.find((b) => b.dataset.action === focused) || enabled[0];
    for (const b of all) b.tabIndex = b === cur ? 0 : -1;
    if (focused && cur) cur.focus();
  }

  // ---- the input row ----

  #tools() {
    const btns = [];
    this.undoBtn = this.clearBtn = null;
    if (this.cfg.on.has("undo")) btns.push((this.undoBtn = this.#btn("undo", "Undo last message", ICONS.undo)));
    if (this.cfg.on.has("clear")) btns.push((this.clearBtn = this.#btn("clear", "Clear conversation", ICONS.clear)));
    for (const a of this.cfg.custom) if (a.input) btns.push(this.#custom(a));
    for (const b of btns) b.classList.add("sheen-chat-inputtool");
    this.tools.replaceChildren(...btns);
    this.tools.hidden = btns.length === 0;
  }

  // ---- events ----

  #listen() {
    const host = this.host;
    host.log.addEventListener("click", (e) => {
      const b = e.target.closest?.(".sheen-chat-actions button, .sheen-chat-edit button, .sheen-chat-feedback button");
      if (!b || !host.log.contains(b) || b.disabled) return;
      const rec = this.#recOf(b);
      if (rec) this.#act(b, rec);
    });
    host.log.addEventListener("keydown", (e) => {
      const bar = e.target.closest?.(".sheen-chat-actions");
      if (!bar || e.target.tagName !== "BUTTON") return;
      const all = Array.from(bar.querySelectorAll("button:not(:disabled)"));
      const i = toolbarMove(e.key, all.indexOf(e.target), all.length);
      if (i < 0) return;
      e.preventDefault();
      for (const b of bar.querySelectorAll("button")) b.tabIndex = -1;
      all[i].tabIndex = 0;
      all[i].focus();
    });
    this.tools.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      if (!b || b.disabled) return;
      if (b.dataset.action === "undo") host.send("undo", {});
      else if (b.dataset.action === "clear") this.#confirmClear();
      else if (b.dataset.action === "custom") host.send("action", { name: b.dataset.name, text: host.ta.value });
    });
  }

  // The record of the message element holds.
  #recOf(el) {
    const msg = el.closest(".sheen-chat-msg");
    const rec = msg && this.host.records().get(msg.dataset.id);
    return rec?.el === msg ? rec : null;
  }

  #act(b, rec) {
    const host = this.host;
    switch (b.dataset.action) {
      case "copy":
        return this.#copy(b, rec);
      case "regenerate":
        host.send("regenerate", { id: rec.id });
        return host.wait();
      case "edit":
        return this.#edit(rec);
      case "remove":
        return host.send("remove", { id: rec.id });
      case "prev":
      case "next":
        return host.send("alt", { id: b.dataset.user, index: Number(b.dataset.index) });
      case "up":
      case "down":
        return this.#rate(rec, b.dataset.action);
      case "custom":
        return host.send("action", { name: b.dataset.name, id: rec.id });
      case "edit-save":
        return this.#editDone(rec, true);
      case "edit-cancel":
        return this.#editDone(rec, false);
      case "feedback-send":
        return this.#feedbackDone(rec, true);
      case "feedback-cancel":
        return this.#feedbackDone(rec, false);
    }
  }

  async #copy(b, rec) {
    const inf = this.info.get(rec) || {};
    const html = richHTML(rec.content);
    const text = inf.source || rec.content.innerText;
    const ok = await copyRich(this.doc, text, html);
    b.focus();
    b.classList.toggle("sheen-chat-copied", ok);
    b.setAttribute("aria-label", ok ? "Copied" : "Copy failed");
    clearTimeout(b.timer);
    b.timer = setTimeout(() => {
      b.classList.remove("sheen-chat-copied");
      b.setAttribute("aria-label", "Copy message");
    }, 1500);
  }

  // ---- edit ----

  #edit(rec) {
    const d = this.doc;
    const inf = this.info.get(rec) || {};
    rec.editing = true;
    const form = h(d, "div", "sheen-chat-edit");
    const ta = h(d, "textarea", "sheen-chat-edit-input");
    ta.setAttribute("aria-label", "Edit your message");
    ta.value = inf.source || rec.content.textContent;
    ta.rows = Math.min(8, Math.max(2, ta.value.split("\n").length));
    const row = h(d, "div", "sheen-chat-edit-buttons");
    const cancel = button(d, "sheen-chat-edit-cancel", "", "Cancel");
    cancel.dataset.action = "edit-cancel";
    const save = button(d, "sheen-chat-edit-save", "", "Send");
    save.dataset.action = "edit-save";
    row.append(cancel, save);
    form.append(ta, row);
    rec.el.querySelector(":scope .sheen-chat-actions")?.remove();
    rec.body.hidden = true;
    rec.el.append(form);
    rec.el.classList.add("sheen-chat-editing");
    ta.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation(); // the edit's cancel, not the chat's stop
        this.#editDone(rec, false);
      } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#editDone(rec, true);
      }
    });
    ta.addEventListener("input", () => (save.disabled = !ta.value.trim()));
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
  }

  #editDone(rec, send) {
    const form = rec.el.querySelector(":scope > .sheen-chat-edit");
    if (!form) return;
    const text = form.querySelector("textarea").value;
    if (send && !text.trim()) return;
    form.remove();
    rec.body.hidden = false;
    rec.editing = false;
    rec.el.classList.remove("sheen-chat-editing");
    if (send) {
      rec.content.textContent = text; // the server's copy replaces it
      const inf = this.info.get(rec);
      if (inf) inf.source = text;
      this.host.send("edit", { id: rec.id, text });
      this.host.wait();
    }
    this.refresh(rec);
    if (!send) rec.el.querySelector(".sheen-chat-action-edit")?.focus();
  }

  // ---- feedback ----

  #rate(rec, rating) {
    const inf = this.info.get(rec) || {};
    if (inf.feedback === rating) {
      // Taken back.
      this.host.send("feedback", { id: rec.id, rating: "" });
      rec.body.querySelector(":scope > .sheen-chat-feedback")?.remove();
      return;
    }
    this.host.send("feedback", { id: rec.id, rating, comment: "" });
    inf.feedback = rating;
    inf.comment = "";
    this.info.set(rec, inf);
    // An optional comment, under the message.
    const d = this.doc;
    rec.body.querySelector(":scope > .sheen-chat-feedback")?.remove();
    const form = h(d, "div", "sheen-chat-feedback");
    form.dataset.rating = rating;
    const ta = h(d, "textarea", "sheen-chat-feedback-input");
    ta.rows = 2;
    ta.placeholder = rating === "up" ? "What was good? (optional)" : "What went wrong? (optional)";
    ta.setAttribute("aria-label", "Feedback comment (optional)");
    const row = h(d, "div", "sheen-chat-edit-buttons");
    const cancel = button(d, "sheen-chat-edit-cancel", "", "Skip");
    cancel.dataset.action = "feedback-cancel";
    const send = button(d, "sheen-chat-edit-save", "", "Send");
    send.dataset.action = "feedback-send";
    row.append(cancel, send);
    form.append(ta, row);
    rec.body.append(form);
    ta.addEventListener("keydown", (e) => {
      const now = this.#recOf(ta); // the message may have been re-rendered since
      if (!now) return;
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        this.#feedbackDone(now, false);
      } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#feedbackDone(now, true);
      }
    });
    ta.focus();
  }

  #feedbackDone(rec, send) {
    const form = rec.body.querySelector(":scope > .sheen-chat-feedback");
    if (!form) return;
    const comment = form.querySelector("textarea").value.trim();
    const rating = form.dataset.rating;
    form.remove();
    if (send && comment) this.host.send("feedback", { id: rec.id, rating, comment });
    rec.el.querySelector(`.sheen-chat-action-${rating}`)?.focus();
  }

  // ---- clear ----

  #dialog() {
    const d = this.doc;
    const id = this.host.el.id || "chat";
    this.dlg = h(d, "dialog", "sheen-chat-dialog sheen-chat-clear-dialog");
    this.dlg.setAttribute("aria-labelledby", `${id}-clear-title`);
    this.dlg.setAttribute("aria-describedby", `${id}-clear-text`);
    const form = h(d, "form");
    form.method = "dialog";
    const title = h(d, "h2", "sheen-chat-dialog-title");
    title.id = `${id}-clear-title`;
    title.textContent = "Clear the conversation?";
    const text = h(d, "p", "sheen-chat-dialog-text");
    text.id = `${id}-clear-text`;
    text.textContent = this.host.el.hasAttribute("data-history")
      ? "The chat starts afresh; this conversation stays in your history."
      : "Every message will be removed. This cannot be undone.";
    const actions = h(d, "div", "sheen-chat-dialog-actions");
    const cancel = h(d, "button", "sheen-chat-dialog-cancel");
    cancel.value = "cancel";
    cancel.textContent = "Cancel";
    cancel.autofocus = true;
    const ok = h(d, "button", "sheen-chat-dialog-delete");
    ok.value = "clear";
    ok.textContent = "Clear";
    actions.append(cancel, ok);
    form.append(title, text, actions);
    this.dlg.append(form);
    this.dlg.addEventListener("keydown", (e) => {
      if (e.key === "Escape") e.stopPropagation();
    });
    this.dlg.addEventListener("close", () => {
      if (this.dlg.returnValue === "clear") this.host.send("clear", {});
      this.host.ta.focus();
    });
    this.host.el.append(this.dlg);
  }

  #confirmClear() {
    this.dlg.returnValue = "";
    this.dlg.showModal();
  }
}
