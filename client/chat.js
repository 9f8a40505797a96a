// The chat component: elements with data-sheen-component="chat", driven by
// the Go package chat, which documents the messages and events they speak.
// It shows the transcript (messages, a greeting, a streaming reply with its
// thinking panel, errors with retry) and owns the input: send and stop,
// slash commands, suggestions, history and auto-scroll. With data-history it
// has a sidebar of the user's conversations (chat-sidebar.js) and keeps the
// conversation shown in the URL's "c" query parameter. The pure parts live
// in chat-delta.js, chat-palette.js, chat-history.js, chat-suggest.js and
// chat-conversations.js; chat-html.js puts server HTML into the page.

import { registerComponent } from "./sheen.js";
import { Blocks, button, h, parseHTML } from "./chat-html.js";
import { Palette, cleanCommands, completeCommand, paletteQuery, parseCommand } from "./chat-palette.js";
import { History, recalls } from "./chat-history.js";
import { conversationOf, withConversation } from "./chat-conversations.js";
import { Sidebar } from "./chat-sidebar.js";
import { REMOVED_TEXT, REMOVED_TITLE, blank } from "./chat-removed.js";
import { TICK, fullTime, refresh, relativeTime, validTime } from "./chat-time.js";
import { Window } from "./chat-window.js";
import { Attachments, PASTE_LIMIT, filesBlock, filesOf } from "./chat-attach.js";
import { Actions } from "./chat-actions.js";
import { renderParts, setPart } from "./chat-ui.js";
import { ToolCards, showMetrics } from "./chat-tools.js";
import {
  cardSuggestions, gridMove, suggestionAction, suggestionLabel, suggestionSubmits, suggestionText,
} from "./chat-suggest.js";

const svg = (body) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
const ICONS = {
  assistant: svg('<path d="M12 3.5l1.9 5.1 5.1 1.9-5.1 1.9L12 17.5l-1.9-5.1L5 10.5l5.1-1.9z"/><path d="M19 16l.8 2.2 2.2.8-2.2.8L19 22l-.8-2.2-2.2-.8 2.2-.8z"/>'),
  send: svg('<path d="M12 19V5M5 12l7-7 7 7"/>'),
  stop: '<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false"><rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor"/></svg>',
  down: svg('<path d="M12 5v14M19 12l-7 7-7-7"/>'),
  copy: svg('<rect x="9" y="9" width="12" height="12" rx="2"/><path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/>'),
  check: svg('<path d="M20 6L9 17l-5-5"/>'),
  retry: svg('<path d="M3 12a9 9 0 0 1 15.5-6.2L21 8M21 3v5h-5M21 12a9 9 0 0 1-15.5 6.2L3 16M3 21v-5h5"/>'),
  alert: svg('<circle cx="12" cy="12" r="9"/><path d="M12 8v4.5M12 16h.01"/>'),
  pause: svg('<circle cx="12" cy="12" r="9"/><path d="M10 9v6M14 9v6"/>'),
  cloud: svg('<path d="M7 18.5h10a4.5 4.5 0 0 0 .6-8.96A6 6 0 0 0 6.2 9.1 4.7 4.7 0 0 0 7 18.5z"/><path d="M4 4l16 16"/>'),
};
const SUGGESTION = ".suggestion, [data-suggestion]";
const NEAR = 16; // px from the bottom that still counts as at the bottom
const str = (v) => (typeof v === "string" ? v : "");
const px = (v) => (v != null && v !== "" && Number(v) >= 0 ? Number(v) : NEAR); // a threshold attribute

const chats = new WeakMap(); // element → Chat

/** One chat element's state and DOM. */
class Chat {
  constructor(el) {
    this.el = el;
    this.doc = el.ownerDocument;
    this.api = null;
    this.msgs = new Map(); // id → message record
    this.shown = 0; // message elements in the log
    this.greeting = null; // {html, persistent}
    this.greetingEl = null;
    this.pendingEl = null;
    this.busy = false; // the server says a response runs
    this.awaiting = false; // a submit was sent; its reply has not ended and busy has not come back false
    this.stopping = false;
    this.queue = []; // submits from the server that wait for busy to end
    this.synced = false; // the server's first transcript has come
    this.held = null; // a submission made before it came: {text, command}
    this.commands = [];
    this.palette = new Palette();
    this.history = new History();
    this.composing = false;
    this.follow = true;
    this.lastTop = 0;
    this.current = ""; // the conversation shown, as the server last said
    this.pageTitle = this.doc.title; // the document's own title
    this.onPop = () => this.#popstate();
    const d = el.dataset;
    this.submitKey = d.submitKey === "enter+modifier" ? "enter+modifier" : "enter";
    this.cancel = d.cancel === "true";
    this.icon = d.assistantIcon || ICONS.assistant;
    // Who and when (chat-time.js): the user's name and avatar for the
    // messages the page puts up itself; times shown with data-times (its
    // value a locale, or "" for the reader's).
    this.userName = d.userName || "";
    this.userIcon = d.userIcon || "";
    this.times = "times" in d;
    this.locale = d.times || undefined;
    this.tick = 0;
    // Display options (chat/display.go).
    this.pendingText = d.pendingText || "";
    this.pendingDelay = Math.max(0, Number(d.pendingDelay) || 0);
    this.pendingTimer = 0;
    this.hideSend = "hideSend" in d;
    this.keepInput = "keepInput" in d;
    this.followPx = px(d.followPx);
    this.jumpPx = px(d.jumpPx);
    this.disabled = false; // the server disabled the input
    this.metrics = "metrics" in d; // show each reply's metrics (chat.ShowMetrics)
    const script = Array.from(el.children).find((c) => c.matches("script.sheen-chat-initial"));
    this.#build(d.placeholder || "");
    // Message actions (chat-actions.js): toolbars on messages, buttons on the input row.
    this.actions = new Actions({
      el, doc: this.doc, log: this.log, bar: this.bar, ta: this.ta,
      send: (name, data) => this.#send(name, data),
      wait: () => this.#wait(),
      records: () => this.msgs,
      busy: () => this.busy || this.awaiting,
    });
    this.#initial(script);
    this.ro = new ResizeObserver(() => this.#stick());
  }

  mount(api) {
    this.api = api;
    this.ro.observe(this.log);
    this.ro.observe(this.scroller);
    this.doc.defaultView.addEventListener("popstate", this.onPop);
    this.sidebar?.attach();
    if (this.times) this.tick = this.doc.defaultView.setInterval(() => this.#refreshTimes(), TICK);
    api.send("ready", { c: conversationOf(this.doc.location.href) });
  }

  unmount() {
    this.ro.disconnect();
    this.doc.defaultView.removeEventListener("popstate", this.onPop);
    this.sidebar?.detach();
    this.doc.defaultView.clearInterval(this.tick);
    this.win.stop();
    this.api = null;
  }

  #send(name, data) {
    this.api?.send(name, data);
  }

  // ---- server messages ----

  message(name, data) {
    const d = data && typeof data === "object" ? data : {};
    switch (name) {
      case "reset":
        return this.#reset(d.messages, d.greeting, true);
      case "append":
        return this.#append(d.message, false);
      case "start":
        return this.#append(d.message, true);
      case "patch":
        return this.#patch(d);
      case "end":
        return this.#end(d);
      case "busy":
        return this.#setBusy(d.busy === true);
      case "greeting":
        return this.#setGreeting(d.greeting);
      case "input":
        return this.#input(d);
      case "commands":
        this.commands = cleanCommands(d.commands);
        this.palette.setCommands(this.commands);
        return this.#renderPalette();
      case "meter":
        return this.#meter(d.used, d.budget);
      case "history":
        return this.sidebar?.history(d);
      case "conversation":
        return this.#conversation(str(d.id), str(d.title), d.push === true);
      case "storage":
        return this.#storage(d.ok !== false, str(d.message));
      case "display":
        this.userName = str(d.userName);
        this.userIcon = str(d.userIcon);
        return;
      case "attach":
        this.attach.configure(d);
        return this.#sync();
      case "actions":
        return this.actions.config(d);
      case "own":
        return this.#own(d.message);
      case "replace":
        return this.#replace(d.message);
      case "remove":
        return this.#remove(d.ids);
      case "part":
        return setPart(this.doc, this.msgs.get(str(d.id)), d.part);
      case "tool": {
        const rec = this.msgs.get(d.id);
        if (!rec) return console.warn(`sheen chat #${this.el.id}: tool card for unknown message ${JSON.stringify(d.id)}`);
        return this.#tools(rec).set(d.call);
      }
    }
    console.warn(`sheen chat #${this.el.id}: unknown message ${JSON.stringify(name)}`);
  }

  // A transcript: the server's (fromServer), or the one the page was
  // rendered with.
  #reset(messages, greeting, fromServer) {
    if (fromServer) this.el.dataset.synced = ""; // the page shows the server's transcript (tests wait for it)
    this.msgs.clear();
    this.win.hold();
    for (const el of Array.from(this.log.children)) if (el !== this.pendingEl) el.remove();
    this.shown = 0;
    this.greeting = cleanGreeting(greeting);
    for (const m of Array.isArray(messages) ? messages : []) this.#append(m, !!m?.streaming, true);
    this.#renderGreeting();
    this.actions?.refreshAll();
    if (fromServer && !this.synced) {
      this.synced = true;
      this.#release();
    }
  }

  // A question asked before the server's first transcript came is sent now,
  // after it: sent earlier, the transcript (made before the server saw the
  // question) would replace the question's bubble on the page.
  #release() {
    const held = this.held;
    if (!held) return;
    this.held = null;
    if (held.bubble) this.#userBubble(held.text, held.command, false, held.shown);
    this.#send("submit", held.files ? { text: held.text, files: held.files } : { text: held.text });
    this.#toBottom(false);
  }

  // The server's copy of the question this page sent: its bubble (the
  // oldest still without one) gets the message's id.
  #own(m) {
    const el = Array.from(this.log.children).find((x) => x.hasAttribute("data-own"));
    if (!el || !m || typeof m !== "object" || m.role !== "user") return;
    const rec = this.#render(m, false);
    el.replaceWith(rec.el);
    if (rec.id) this.msgs.set(rec.id, rec);
    this.actions.refresh(rec);
  }

  // A message changed in place (edited, rated, its answers paged).
  #replace(m) {
    const old = m && typeof m === "object" && m.role !== "system" ? this.msgs.get(m.id) : null;
    if (!old || old.streaming) return;
    const rec = this.#render(m, false);
    this.actions.carry(old, rec);
    this.#insert(rec);
    this.actions.refresh(rec);
  }

  // Messages cut from the transcript.
  #remove(ids) {
    for (const id of Array.isArray(ids) ? ids : []) {
      const rec = this.msgs.get(id);
      if (!rec) continue;
      if (rec.el.parentNode === this.log) {
        rec.el.remove();
        this.shown--;
      }
      this.msgs.delete(id);
    }
    this.#renderGreeting();
    this.actions.refresh();
  }

  // An action asked for an answer (regenerate, edit): the input waits as
  // after a submit.
  #wait() {
    this.awaiting = true;
    this.#showPending();
    this.#sync();
    this.#toBottom(false);
  }

  #append(m, streaming, quiet) {
    if (!m || typeof m !== "object") return console.warn(`sheen chat #${this.el.id}: a message must be an object`);
    if (m.role === "system") return;
    const rec = this.#render(m, streaming);
    this.#insert(rec);
    // A reply has begun: the typing indicator goes; a complete one also
    // ends the wait for it (a transcript reset is not a reply).
    if (rec.role === "assistant" && (streaming || !quiet)) this.#hidePending();
    if (rec.role === "assistant" && !streaming && !quiet) this.#unwait();
    if (!quiet) this.actions?.refresh(rec);
  }

  // Show a rendered message: in place of the one with its id, or last
  // (before the typing indicator).
  #insert(rec) {
    const old = rec.id ? this.msgs.get(rec.id) : null;
    if (old?.el.parentNode === this.log) {
      old.el.replaceWith(rec.el);
      this.win.added(rec.el, old.el);
    } else {
      this.log.insertBefore(rec.el, this.pendingEl?.parentNode === this.log ? this.pendingEl : null);
      this.shown++;
      this.win.added(rec.el);
    }
    if (rec.id) this.msgs.set(rec.id, rec);
    this.#renderGreeting();
  }

  #patch(d) {
    const rec = this.msgs.get(d.id);
    if (!rec) return console.warn(`sheen chat #${this.el.id}: patch for unknown message ${JSON.stringify(d.id)}`);
    try {
      const th = d.thinking;
      // A panel appears with the first thinking text, not for an empty delta.
      if (th != null && (rec.thinking || th.blocks?.length || th.tail)) {
        const t = this.#thinking(rec);
        t.blocks.apply(th);
        if (t.active && !t.touched) t.el.open = true;
      }
      if (d.answer != null) rec.answer.apply(d.answer);
    } catch (err) {
      console.warn(`sheen chat #${this.el.id}: message ${JSON.stringify(d.id)}:`, err.message);
    }
    if (rec.thinking?.active && (d.thinkingClosed === true || !rec.answer.empty)) this.#closeThinking(rec);
  }

  #end(d) {
    const rec = this.msgs.get(d.id);
    if (!rec) return;
    rec.answer.flush();
    rec.thinking?.blocks.flush();
    rec.streaming = false;
    rec.el.classList.remove("sheen-chat-streaming");
    rec.el.removeAttribute("aria-busy");
    if (rec.thinking) this.#closeThinking(rec);
    if (Array.isArray(d.tools) && d.tools.length) this.#tools(rec).setAll(d.tools);
    cardify(rec.content);
    this.#status(rec, d.status, d.error, d.retry);
    if (this.metrics && d.metrics) showMetrics(this.doc, rec.body, d.metrics);
    this.#removed(rec);
    this.actions.note(rec, d);
    this.#unwait();
    this.actions.refresh(rec);
  }

  #setBusy(busy) {
    this.busy = busy;
    if (!busy) {
      this.stopping = false;
      this.#unwait();
      this.#hidePending();
    }
    this.#sync();
    this.actions.refresh();
    if (!busy && this.queue.length) this.#submit(this.queue.shift(), "server");
  }

  #unwait() {
    this.awaiting = false;
    this.#sync();
  }

  #setGreeting(g) {
    this.greeting = cleanGreeting(g);
    this.#renderGreeting();
  }

  #input(d) {
    const ta = this.ta;
    if (typeof d.disabled === "boolean") {
      this.disabled = d.disabled;
      this.offEl.textContent = d.disabled ? str(d.reason) : "";
      this.offEl.hidden = !d.disabled || !str(d.reason);
      ta.disabled = d.disabled;
      this.#sync();
    }
    if (typeof d.placeholder === "string") ta.placeholder = d.placeholder;
    if (d.submit === true) {
      // The value is sent as if typed; the user's draft stays in the input.
      let text = d.value;
      if (typeof text !== "string") {
        text = ta.value;
        this.#setInput("");
      }
      this.#submit(text, "server");
    } else if (typeof d.value === "string") {
      this.#setInput(d.value);
    }
    if (d.focus === true) {
      ta.focus();
      ta.setSelectionRange(ta.value.length, ta.value.length);
    }
  }

  #meter(used, budget) {
    const ok = Number.isFinite(used) && Number.isFinite(budget) && budget > 0 && used >= 0;
    this.meterEl.hidden = !ok;
    if (!ok) return;
    const share = used / budget;
    const m = this.meterEl;
    m.setAttribute("aria-valuemax", String(budget));
    m.setAttribute("aria-valuenow", String(Math.min(used, budget)));
    m.setAttribute("aria-valuetext", `${used} of ${budget} tokens`);
    m.title = `Context: ${used.toLocaleString()} of ${budget.toLocaleString()} tokens`;
    m.dataset.level = share >= 0.95 ? "full" : share >= 0.8 ? "high" : "ok";
    m.style.setProperty("--sheen-chat-meter-fill", `${Math.min(100, share * 100).toFixed(1)}%`);
    m.lastChild.textContent = `${tokens(used)} / ${tokens(budget)}`;
  }

  // The chat shows conversation id ("" a new chat): the URL's "c" follows,
  // a new history entry when push; the sidebar marks it.
  #conversation(id, title, push) {
    this.current = id;
    const loc = this.doc.location;
    const url = withConversation(loc.href, id);
    const hist = this.doc.defaultView.history;
    if (push && url !== loc.href) hist.pushState(null, "", url);
    else if (url !== loc.href) hist.replaceState(hist.state, "", url);
    this.sidebar?.conversation(id, title);
    // The tab (and the Back menu's entry) names the conversation, followed
    // by the page's own title so the app stays recognisable; a new chat has
    // the page's title alone. Set after pushState, which names the entry
    // left with the title it had.
    const t = this.sidebar?.currentTitle() || title;
    this.doc.title = id && t ? `${t} – ${this.pageTitle}` : this.pageTitle;
  }

  // Back or Forward: ask the server for the conversation of the URL (it
  // answers with a conversation message that does not push). A popstate
  // that leaves "c" as it was (a hash change) is not a conversation's.
  #popstate() {
    const id = conversationOf(this.doc.location.href);
    if (id !== this.current) this.#send("open", { id, nav: true });
  }

  #storage(ok, message) {
    const s = this.storageEl;
    if (ok) return s.replaceChildren();
    const text = h(this.doc, "span", "sheen-chat-storage-text");
    const strong = h(this.doc, "strong");
    strong.textContent = "History is not being saved right now.";
    text.append(strong);
    if (message) text.append(" ", message);
    s.replaceChildren(parseHTML(this.doc, ICONS.cloud), text);
  }

  // ---- rendering ----

  #render(m, streaming) {
    const role = m.role === "user" ? "user" : "assistant";
    const id = str(m.id);
    const el = h(this.doc, "div", `sheen-chat-msg sheen-chat-${role}`);
    if (id) el.dataset.id = id;
    const body = h(this.doc, "div", "sheen-chat-body");
    const content = h(this.doc, "div", "sheen-chat-content");
    if (m.kind === "text") content.classList.add("sheen-chat-text");
    const rec = { id, role, el, body, content, answer: null, thinking: null, streaming };
    rec.answer = new Blocks(content, (frag) => this.#prepare(frag, role === "assistant"));
    if (role === "assistant") el.append(this.#icon(str(m.icon)));
    el.append(body);
    if (role === "user" && str(m.icon)) el.append(this.#icon(m.icon));
    const head = this.#head(str(m.author), m.time);
    if (head) {
      el.insertBefore(head, body);
      el.classList.add("sheen-chat-headed");
    }
    body.append(content);
    rec.answer.set(str(m.html));
    renderParts(this.doc, rec, m.parts);
    if (typeof m.thinking === "string" && m.thinking) {
      const t = this.#thinking(rec);
      t.blocks.set(m.thinking);
      if (!streaming) this.#closeThinking(rec);
    }
    if (role === "user" && typeof m.command === "string" && m.command) chip(content, m.command);
    // A user's files stand above the bubble; an assistant's, above its text.
    const files = filesBlock(this.doc, m.files);
    if (files && role === "user") el.prepend(files);
    else if (files) body.insertBefore(files, content);
    this.actions?.note(rec, m);
    if (role === "assistant" && Array.isArray(m.tools) && m.tools.length) this.#tools(rec).setAll(m.tools);
    if (streaming) {
      el.classList.add("sheen-chat-streaming");
      el.setAttribute("aria-busy", "true");
    } else {
      cardify(content);
      if (role === "assistant") this.#status(rec, m.status, m.error, m.retry);
      if (role === "assistant" && this.metrics && m.metrics) showMetrics(this.doc, body, m.metrics);
      this.#removed(rec);
    }
    return rec;
  }

  // A finished message that shows nothing (the sanitizer removed all of it)
  // says so, small and muted, instead of leaving an empty bubble. A stopped
  // or failed message has its note or error to show instead.
  #removed(rec) {
    if (!rec.el.classList.contains("sheen-chat-assistant")) return; // a user's text is shown literally: nothing is removed
    const st = rec.el.dataset.status;
    if (st === "stopped" || st === "error" || st === "interrupted") return;
    if (rec.thinking || rec.tools || rec.parts || !blank(rec.content)) return;
    const p = h(this.doc, "p", "sheen-chat-removed");
    p.textContent = REMOVED_TEXT;
    p.title = REMOVED_TITLE;
    rec.content.append(p);
    rec.el.dataset.removed = "";
  }

  // The line above a message: its author and its time ("3 minutes ago",
  // the full date and time on hover). Null when there is neither.
  #head(author, time) {
    const when = this.times && validTime(time);
    if (!author && !when) return null;
    const head = h(this.doc, "div", "sheen-chat-byline");
    if (author) {
      const a = h(this.doc, "span", "sheen-chat-author");
      a.textContent = author;
      head.append(a);
    }
    if (when) {
      const t = h(this.doc, "time", "sheen-chat-time");
      t.dateTime = new Date(time).toISOString();
      t.dataset.ms = String(time);
      t.title = fullTime(time, this.locale);
      t.textContent = relativeTime(time, Date.now(), this.locale);
      head.append(t);
    }
    return head;
  }

  #refreshTimes() {
    refresh(this.log.querySelectorAll("time.sheen-chat-time"), Date.now(), this.locale);
  }

  #icon(html) {
    const icon = h(this.doc, "div", "sheen-chat-icon");
    icon.setAttribute("aria-hidden", "true");
    icon.append(parseHTML(this.doc, html || this.icon));
    return icon;
  }

  // Suggestions become focusable buttons; code blocks get a copy button.
  #prepare(frag, code) {
    for (const s of frag.querySelectorAll(SUGGESTION)) {
      const submits = suggestionSubmits(s);
      s.classList.add("sheen-suggestion");
      s.tabIndex = 0;
      if (s.tagName !== "BUTTON") s.setAttribute("role", "button");
      s.setAttribute("aria-label", suggestionLabel(suggestionText(s), submits));
    }
    if (!code) return;
    for (const pre of frag.querySelectorAll("pre")) {
      pre.append(button(this.doc, "sheen-chat-copy", "Copy code", `${ICONS.copy}${ICONS.check}<span>Copy</span>`));
    }
  }

  #thinking(rec) {
    if (rec.thinking) return rec.thinking;
    const el = h(this.doc, "details", "sheen-chat-thinking");
    const summary = h(this.doc, "summary");
    summary.textContent = rec.streaming ? "Thinking…" : "Thinking";
    const body = h(this.doc, "div", "sheen-chat-thinking-body");
    el.append(summary, body);
    rec.body.insertBefore(el, rec.tools?.el ?? rec.content); // above the tool cards
    const t = { el, summary, body, blocks: null, active: rec.streaming, touched: false };
    // While thinking streams, its panel shows the newest lines.
    t.blocks = new Blocks(body, (f) => this.#prepare(f, true), () => t.active && (body.scrollTop = body.scrollHeight));
    summary.addEventListener("click", () => (t.touched = true));
    el.open = t.active;
    el.classList.toggle("sheen-chat-thinking-active", t.active);
    rec.thinking = t;
    return t;
  }

  // The tool cards of a message (chat-tools.js), made with its first card.
  #tools(rec) {
    rec.tools ??= new ToolCards(this.doc, rec.body, rec.content, (name, data) => this.#send(name, data));
    return rec.tools;
  }

  #closeThinking(rec) {
    const t = rec.thinking;
    if (!t.active && !t.el.open) return;
    t.active = false;
    t.summary.textContent = "Thinking";
    t.el.classList.remove("sheen-chat-thinking-active");
    if (!t.touched) t.el.open = false;
  }

  #status(rec, status, error, retry) {
    for (const el of rec.body.querySelectorAll(":scope > .sheen-chat-note, :scope > .sheen-chat-error")) el.remove();
    rec.el.dataset.status = status === "stopped" || status === "error" || status === "interrupted" ? status : "done";
    if (status === "stopped") {
      const note = h(this.doc, "div", "sheen-chat-note");
      note.textContent = "Stopped";
      rec.body.append(note);
    } else if (status === "error" || status === "interrupted") {
      // An interrupted reply (the server stopped before it ended) is shown
      // as an error is, in neutral colours and without an alert.
      const cut = status === "interrupted";
      const box = h(this.doc, "div", cut ? "sheen-chat-error sheen-chat-interrupted" : "sheen-chat-error");
      box.setAttribute("role", cut ? "status" : "alert");
      const text = h(this.doc, "span", "sheen-chat-error-text");
      text.textContent = str(error) || (cut ? "Interrupted" : "Something went wrong.");
      box.append(parseHTML(this.doc, cut ? ICONS.pause : ICONS.alert), text);
      if (retry === true && rec.id) {
        const b = button(this.doc, "sheen-chat-retry", "", `${ICONS.retry}<span>Retry</span>`);
        b.addEventListener("click", () => {
          b.disabled = true;
          this.#send("retry", { id: rec.id });
        });
        box.append(b);
      }
      rec.body.append(box);
    }
  }

  #renderGreeting() {
    const g = this.greeting;
    const show = !!g && (g.persistent || this.shown === 0);
    if (!show) {
      this.greetingEl?.remove();
      this.greetingEl = null;
      return;
    }
    if (!this.greetingEl || this.greetingHTML !== g.html) {
      const el = h(this.doc, "div", "sheen-chat-msg sheen-chat-assistant sheen-chat-greeting");
      this.greetingHTML = g.html;
      const body = h(this.doc, "div", "sheen-chat-body");
      const content = h(this.doc, "div", "sheen-chat-content");
      const frag = parseHTML(this.doc, g.html);
      this.#prepare(frag, true);
      content.append(frag);
      cardify(content);
      body.append(content);
      el.append(this.#icon(""), body);
      this.greetingEl?.remove();
      this.greetingEl = el;
    }
    if (this.log.firstChild !== this.greetingEl) this.log.prepend(this.greetingEl);
  }

  #showPending(due) {
    if (this.pendingDelay > 0 && !due) {
      // Shown only if the reply takes longer than the delay.
      clearTimeout(this.pendingTimer);
      this.pendingTimer = setTimeout(() => this.awaiting && this.#showPending(true), this.pendingDelay);
      return;
    }
    if (!this.pendingEl) {
      const el = h(this.doc, "div", "sheen-chat-msg sheen-chat-assistant sheen-chat-pending");
      const dots = h(this.doc, "div", "sheen-chat-dots");
      dots.setAttribute("role", "img");
      dots.setAttribute("aria-label", this.pendingText || "Assistant is typing");
      dots.append(h(this.doc, "span"), h(this.doc, "span"), h(this.doc, "span"));
      const body = h(this.doc, "div", "sheen-chat-body");
      body.append(dots);
      if (this.pendingText) {
        const t = h(this.doc, "span", "sheen-chat-pending-text");
        t.setAttribute("aria-hidden", "true");
        t.textContent = this.pendingText;
        body.append(t);
      }
      el.append(this.#icon(""), body);
      this.pendingEl = el;
    }
    this.log.append(this.pendingEl);
  }

  #hidePending() {
    clearTimeout(this.pendingTimer);
    this.pendingEl?.remove();
  }

  // ---- sending ----

  // Send text as the user's (from "user") or the server's input: returns
  // whether it was taken (sent, or handled by a page command).
  #submit(raw, from) {
    const text = String(raw).trim();
    if (this.disabled && from === "user") return false; // the server disabled the input
    // The user's own send takes the tray's files along (once all uploaded).
    const withFiles = from === "user" && this.attach.count > 0;
    if (withFiles) {
      if (this.busy || this.awaiting || this.attach.pending || this.attach.failed) return false;
      const { ids, shown } = this.attach.take();
      if (text) this.history.add(text);
      this.#userBubble(text, undefined, false, shown);
      if (this.synced) this.#send("submit", { text, files: ids });
      else this.held = { text, bubble: true, files: ids, shown };
      this.awaiting = true;
      this.#showPending();
      this.#sync();
      this.#toBottom(false);
      return true;
    }
    if (!text) return false;
    if (this.busy || this.awaiting) {
      if (from === "server") this.queue.push(text);
      return false;
    }
    if (from === "user") this.history.add(text);
    const cmd = parseCommand(text, this.commands);
    if (cmd && !cmd.command.server) {
      const detail = { name: cmd.name, args: cmd.args, echo: cmd.command.echo };
      const ev = new CustomEvent("sheen-chat-command", { bubbles: true, cancelable: true, detail });
      if (!this.el.dispatchEvent(ev)) {
        if (cmd.command.echo) this.#userBubble(text, cmd.name, true);
        return true;
      }
    }
    const bubble = !cmd || cmd.command.echo || !cmd.command.server;
    if (bubble) this.#userBubble(text, cmd?.name, false);
    if (this.synced) this.#send("submit", { text });
    else this.held = { text, command: cmd?.name, bubble };
    this.awaiting = true;
    this.#showPending();
    this.#sync();
    this.#toBottom(false);
    return true;
  }

  // local: a page command's echo, which the server never sees; files: the
  // tray's files shown with it.
  #userBubble(text, command, local, files) {
    const rec = this.#render({ role: "user", kind: "text", files, author: this.userName, icon: this.userIcon, time: Date.now() }, false);
    rec.content.textContent = text;
    if (command) chip(rec.content, command);
    if (!local) rec.el.dataset.own = ""; // until the server's copy ("own") names it
    this.#insert(rec);
  }

  #sendInput() {
    if (this.#submit(this.ta.value, "user") && !this.keepInput) {
      this.#setInput("");
    }
  }

  #stop() {
    if (!this.busy || !this.cancel || this.stopping) return;
    this.stopping = true;
    this.#send("stop", {});
    this.#sync();
  }

  #setInput(value) {
    this.ta.value = value;
    this.history.reset();
    this.#resize();
    this.palette.update(null);
    this.#renderPalette();
    this.#sync();
  }

  #sync() {
    const locked = this.busy || this.awaiting;
    const stop = this.busy && this.cancel;
    this.send.hidden = stop || this.hideSend;
    this.stopBtn.hidden = !stop;
    const files = this.attach.count > 0;
    this.send.disabled = locked || this.disabled || (!this.ta.value.trim() && !files) || (files && (this.attach.pending || this.attach.failed));
    this.stopBtn.disabled = this.stopping;
    this.stopBtn.setAttribute("aria-label", this.stopping ? "Stopping…" : "Stop generating");
    this.el.classList.toggle("sheen-chat-locked", locked);
  }

  #resize() {
    const ta = this.ta;
    ta.style.height = "auto";
    ta.style.height = `${ta.scrollHeight}px`;
  }

  // ---- the DOM and its events ----

  #build(placeholder) {
    const d = this.doc;
    const id = this.el.id;
    this.scroller = h(d, "div", "sheen-chat-scroll");
    this.log = h(d, "div", "sheen-chat-log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-label", "Messages");
    this.scroller.append(this.log);
    this.win = new Window(this.log, this.scroller, { following: () => this.follow }); // only messages near the viewport render (chat-window.js)
    this.jump = button(d, "sheen-chat-jump", "", `${ICONS.down}<span>Jump to latest</span>`);
    this.jump.hidden = true;
    const main = h(d, "div", "sheen-chat-main");
    main.append(this.scroller, this.jump);

    this.ta = h(d, "textarea", "sheen-chat-input");
    this.ta.rows = 1;
    this.ta.placeholder = placeholder;
    this.ta.setAttribute("aria-label", "Message");
    this.send = button(d, "sheen-chat-send", "Send message", ICONS.send);
    this.stopBtn = button(d, "sheen-chat-stop", "Stop generating", ICONS.stop);
    this.pal = h(d, "div", "sheen-chat-palette");
    this.pal.id = `${id}-commands`;
    this.pal.setAttribute("role", "listbox");
    this.pal.setAttribute("aria-label", "Commands");
    this.pal.hidden = true;
    this.bar = h(d, "div", "sheen-chat-inputbar");
    this.attach = new Attachments(d, () => this.#sync());
    this.bar.append(this.attach.button, this.attach.input, this.ta, this.send, this.stopBtn);
    const composer = h(d, "div", "sheen-chat-composer");
    // The reason the server disabled the input, when it gives one.
    this.offEl = h(d, "div", "sheen-chat-off");
    this.offEl.setAttribute("role", "status");
    this.offEl.hidden = true;
    composer.append(this.pal, this.attach.errorEl, this.attach.tray, this.offEl, this.bar);

    this.footer = h(d, "div", "sheen-chat-footer");
    this.footerText = h(d, "div", "sheen-chat-footer-text");
    this.meterEl = h(d, "div", "sheen-chat-meter");
    this.meterEl.setAttribute("role", "meter");
    this.meterEl.setAttribute("aria-label", "Context used");
    this.meterEl.setAttribute("aria-valuemin", "0");
    this.meterEl.append(h(d, "span", "sheen-chat-meter-bar"), h(d, "span", "sheen-chat-meter-text"));
    this.meterEl.hidden = true;
    this.footer.append(this.footerText, this.meterEl);

    // Storage trouble (the history is not being saved) shows in this strip.
    this.storageEl = h(d, "div", "sheen-chat-storage");
    this.storageEl.setAttribute("role", "status");

    this.el.classList.add("sheen-chat");
    this.headerEl = h(d, "div", "sheen-chat-header");
    this.headerEl.hidden = true;
    const parts = [this.headerEl, this.storageEl, main, composer, this.footer];
    if (this.el.hasAttribute("data-history")) {
      this.sidebar = new Sidebar(this.el, (name, data) => this.#send(name, data), () => this.ta.focus());
      this.el.replaceChildren(...this.sidebar.frame(parts));
    } else {
      this.el.replaceChildren(...parts);
    }
    this.#sync();
    this.#listen();
  }

  // The first paint, before the socket connects: the transcript the page was
  // rendered with.
  #initial(script) {
    let init;
    try {
      init = JSON.parse(script?.textContent || "null");
    } catch (err) {
      console.warn(`sheen chat #${this.el.id}: the initial transcript is not JSON:`, err.message);
    }
    if (!init || typeof init !== "object") return;
    this.#reset(init.messages, init.greeting, false);
    if (typeof init.footer === "string") this.footerText.append(parseHTML(this.doc, init.footer));
    if (typeof init.header === "string" && init.header) {
      this.headerEl.append(parseHTML(this.doc, init.header));
      this.headerEl.hidden = false;
    }
  }

  #listen() {
    const ta = this.ta;
    ta.addEventListener("input", () => {
      this.#resize();
      this.#sync();
      this.#followPalette();
    });
    // Pasted images, and long pasted text, become attachments.
    ta.addEventListener("paste", (e) => {
      if (!this.attach.enabled) return;
      const files = filesOf(e.clipboardData);
      if (files.length) {
        e.preventDefault();
        return this.attach.add(files);
      }
      const text = e.clipboardData?.getData("text/plain") || "";
      if (text.length > PASTE_LIMIT) {
        e.preventDefault();
        this.attach.addText(text);
      }
    });
    // Files dropped anywhere on the chat.
    const dragging = (e) => this.attach.enabled && Array.from(e.dataTransfer?.types || []).includes("Files");
    this.el.addEventListener("dragover", (e) => {
      if (!dragging(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      this.el.classList.add("sheen-chat-dragover");
    });
    this.el.addEventListener("dragleave", (e) => {
      if (!this.el.contains(e.relatedTarget)) this.el.classList.remove("sheen-chat-dragover");
    });
    this.el.addEventListener("drop", (e) => {
      this.el.classList.remove("sheen-chat-dragover");
      if (!this.attach.enabled) return;
      const files = filesOf(e.dataTransfer);
      if (!files.length) return;
      e.preventDefault();
      this.attach.add(files);
      ta.focus();
    });
    ta.addEventListener("compositionstart", () => (this.composing = true));
    ta.addEventListener("compositionend", () => (this.composing = false));
    ta.addEventListener("keydown", (e) => this.#onKey(e));
    ta.addEventListener("keyup", (e) => {
      if (/^(Arrow(Left|Right)|Home|End)$/.test(e.key)) this.#followPalette();
    });
    ta.addEventListener("click", () => this.#followPalette());
    ta.addEventListener("blur", () => {
      this.palette.update(null);
      this.#renderPalette();
    });
    this.send.addEventListener("click", () => this.#sendInput());
    this.stopBtn.addEventListener("click", () => this.#stop());
    this.el.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !e.defaultPrevented && this.busy && this.cancel) {
        e.preventDefault();
        this.#stop();
      }
    });

    // The palette: pointer choice without taking the focus from the input.
    this.pal.addEventListener("mousedown", (e) => e.preventDefault());
    this.pal.addEventListener("click", (e) => {
      const o = e.target.closest("[data-command]");
      const c = o && this.palette.items.find((x) => x.name === o.dataset.command);
      if (c) this.#complete(c);
    });
    this.pal.addEventListener("mousemove", (e) => {
      const o = e.target.closest("[data-index]");
      if (o && Number(o.dataset.index) !== this.palette.index) {
        this.palette.index = Number(o.dataset.index);
        this.#renderPalette();
      }
    });

    // Suggestions, copy and grid keys in the transcript.
    this.log.addEventListener("click", (e) => {
      const copy = e.target.closest(".sheen-chat-copy");
      if (copy) return this.#copy(copy);
      const s = e.target.closest(".sheen-suggestion");
      if (s && this.log.contains(s)) {
        e.preventDefault();
        this.#suggest(s, e);
      }
    });
    this.log.addEventListener("keydown", (e) => {
      const s = e.target.closest?.(".sheen-suggestion");
      if (!s) return;
      const list = s.closest(".sheen-suggestion-cards");
      if (list && this.#gridKey(list, s, e)) return;
      const native = s.tagName === "BUTTON" || (s.tagName === "A" && s.hasAttribute("href"));
      if ((e.key === "Enter" || e.key === " ") && !native) {
        e.preventDefault();
        this.#suggest(s, e);
      }
    });

    // Auto-scroll: follow the bottom until the user scrolls up.
    const sc = this.scroller;
    sc.addEventListener("scroll", () => {
      const top = sc.scrollTop;
      if (sc.scrollHeight - top - sc.clientHeight <= this.followPx) this.follow = true;
      else if (top < this.lastTop) this.follow = false;
      this.lastTop = top;
      this.#showJump();
      this.win.schedule();
    }, { passive: true });
    // A wheel turned up stops following at once, before the frame in which
    // new content would scroll back down (unless it scrolls a thinking panel).
    sc.addEventListener("wheel", (e) => {
      const inner = e.target.closest?.(".sheen-chat-thinking-body");
      if (e.deltaY < 0 && sc.scrollHeight > sc.clientHeight && !(inner?.scrollTop > 0)) {
        this.follow = false;
        this.#showJump();
      }
    }, { passive: true });
    this.jump.addEventListener("click", () => this.#toBottom(true));
  }

  #onKey(e) {
    if (e.isComposing || e.keyCode === 229 || this.composing) return;
    if (this.palette.open) {
      const r = this.palette.key(e.key);
      if (r.handled) {
        e.preventDefault();
        if (r.select) this.#complete(r.select);
        else this.#renderPalette();
        return;
      }
    }
    const ta = this.ta;
    const plain = !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey;
    if (e.key === "Enter") {
      const mod = e.ctrlKey || e.metaKey;
      if (this.submitKey === "enter+modifier" ? mod : !e.shiftKey) {
        e.preventDefault();
        this.#sendInput();
      }
    } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && plain) {
      const up = e.key === "ArrowUp";
      if (!recalls(up, this.history.active, ta.value, ta.selectionStart, ta.selectionEnd)) return;
      const text = up ? this.history.up(ta.value) : this.history.down(ta.value);
      if (text === null) return;
      e.preventDefault();
      ta.value = text;
      ta.setSelectionRange(text.length, text.length);
      this.#resize();
      this.#sync();
    }
  }

  #followPalette() {
    const ta = this.ta;
    this.palette.update(ta.selectionStart === ta.selectionEnd ? paletteQuery(ta.value, ta.selectionStart) : null);
    this.#renderPalette();
  }

  #complete(c) {
    const v = completeCommand(this.ta.value, c.name);
    this.ta.value = v;
    const at = c.name.length + 2;
    this.ta.setSelectionRange(at, at);
    this.#resize();
    this.#sync();
    this.palette.update(null);
    this.#renderPalette();
  }

  #renderPalette() {
    const p = this.palette;
    const ta = this.ta;
    // A textarea may not take the combobox role (ARIA in HTML), nor so
    // aria-expanded: it says it suggests from a list, and names the list
    // and its active option while the palette is open.
    if (this.commands.length) {
      ta.setAttribute("aria-haspopup", "listbox");
      ta.setAttribute("aria-autocomplete", "list");
    } else {
      ta.removeAttribute("aria-haspopup");
      ta.removeAttribute("aria-autocomplete");
    }
    const wasHidden = this.pal.hidden;
    this.pal.hidden = !p.open;
    if (!p.open) {
      ta.removeAttribute("aria-controls");
      ta.removeAttribute("aria-activedescendant");
      return;
    }
    ta.setAttribute("aria-controls", this.pal.id);
    const opts = p.items.map((c, i) => {
      const o = h(this.doc, "div", "sheen-chat-option");
      o.id = `${this.pal.id}-${i}`;
      o.setAttribute("role", "option");
      o.setAttribute("aria-selected", String(i === p.index));
      o.dataset.command = c.name;
      o.dataset.index = String(i);
      const name = h(this.doc, "span", "sheen-chat-option-name");
      name.textContent = `/${c.name}`;
      const desc = h(this.doc, "span", "sheen-chat-option-desc");
      desc.textContent = c.description;
      o.append(name, desc);
      return o;
    });
    if (!opts.length) {
      const o = h(this.doc, "div", "sheen-chat-option sheen-chat-option-none");
      o.setAttribute("role", "option");
      o.setAttribute("aria-disabled", "true");
      o.textContent = "No matching commands";
      opts.push(o);
    }
    this.pal.replaceChildren(...opts);
    if (p.items.length) ta.setAttribute("aria-activedescendant", opts[p.index].id);
    else ta.removeAttribute("aria-activedescendant");
    // Keep the highlighted option in view (the palette scrolls, the page does not).
    const o = p.items.length ? opts[p.index] : null;
    if (o && o.offsetTop < this.pal.scrollTop) this.pal.scrollTop = o.offsetTop;
    else if (o && o.offsetTop + o.offsetHeight > this.pal.scrollTop + this.pal.clientHeight) {
      this.pal.scrollTop = o.offsetTop + o.offsetHeight - this.pal.clientHeight;
    }
    if (wasHidden) {
      // Above the input, or below it when there is not enough room above.
      const r = this.bar.getBoundingClientRect();
      const need = this.pal.offsetHeight + 8;
      const view = this.doc.documentElement.clientHeight;
      this.pal.classList.toggle("sheen-chat-palette-below", r.top < need && view - r.bottom > r.top);
    }
  }

  #suggest(s, e) {
    const text = suggestionText(s);
    if (!text) return;
    if (suggestionAction(suggestionSubmits(s), e) === "submit" && this.#submit(text, "user")) return;
    this.#setInput(text);
    this.ta.focus();
    this.ta.setSelectionRange(text.length, text.length);
  }

  #gridKey(list, s, e) {
    const cards = cardSuggestions(list) || [];
    const i = cards.indexOf(s);
    if (i < 0) return false;
    const top = cards[0].closest("li").offsetTop;
    const cols = cards.filter((c) => c.closest("li").offsetTop === top).length;
    const next = gridMove(e.key, i, cards.length, cols);
    if (next < 0) return false;
    e.preventDefault();
    for (const c of cards) c.tabIndex = -1;
    cards[next].tabIndex = 0;
    cards[next].focus();
    return true;
  }

  async #copy(btn) {
    const pre = btn.closest("pre");
    const code = pre.querySelector("code");
    const text = code ? code.textContent : Array.from(pre.childNodes, (n) => (n === btn ? "" : n.textContent)).join("");
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const t = h(this.doc, "textarea");
      t.value = text;
      t.setAttribute("readonly", "");
      t.style.cssText = "position:fixed;top:0;left:0;opacity:0";
      this.doc.body.append(t);
      t.select();
      this.doc.execCommand("copy");
      t.remove();
      btn.focus();
    }
    btn.classList.add("sheen-chat-copied");
    btn.setAttribute("aria-label", "Copied");
    btn.lastChild.textContent = "Copied";
    clearTimeout(btn.timer);
    btn.timer = setTimeout(() => {
      btn.classList.remove("sheen-chat-copied");
      btn.setAttribute("aria-label", "Copy code");
      btn.lastChild.textContent = "Copy";
    }, 1500);
  }

  // ---- scrolling ----

  #stick() {
    const sc = this.scroller;
    // Scrolled up since (a key, the scrollbar, a script) and not at the
    // bottom: the scroll event that says so comes after this observer, and
    // following now would undo the scroll (messages far from the viewport
    // change size as they come near it, so the log resizes as it scrolls).
    this.win.schedule();
    if (this.follow && sc.scrollTop < this.lastTop - 1 && sc.scrollHeight - sc.scrollTop - sc.clientHeight > this.followPx) this.follow = false;
    if (this.follow) {
      sc.scrollTop = sc.scrollHeight;
      this.lastTop = sc.scrollTop; // so that a scroll up before the scroll event still counts
    }
    this.#showJump();
  }

  #toBottom(smooth) {
    this.follow = true;
    const sc = this.scroller;
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    sc.scrollTo({ top: sc.scrollHeight, behavior: smooth && !still ? "smooth" : "auto" });
    this.#showJump();
  }

  #showJump() {
    const sc = this.scroller;
    const hide = this.follow || sc.scrollHeight - sc.scrollTop - sc.clientHeight <= this.jumpPx;
    // Written only when it changes: a write, even of the same value, would
    // make the next frame lay the transcript out again.
    if (this.jump.hidden !== hide) this.jump.hidden = hide;
  }
}

function cleanGreeting(g) {
  return g && typeof g === "object" && typeof g.html === "string" ? { html: g.html, persistent: g.persistent === true } : null;
}


// Show a user message's command as a chip: the leading "/name" of its first
// text becomes a chip in front of the rest.
function chip(content, name) {
  const doc = content.ownerDocument;
  const c = h(doc, "span", "sheen-chat-chip");
  c.textContent = `/${name}`;
  const walker = doc.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  let t = walker.nextNode();
  while (t && !t.data.trim()) t = walker.nextNode();
  if (t) {
    const m = /^\s*\/(\S+)\s*/.exec(t.data);
    if (m && m[1].toLowerCase() === name.toLowerCase()) {
      t.data = t.data.slice(m[0].length);
      t.parentNode.insertBefore(c, t);
      return;
    }
  }
  content.prepend(c);
}

// Lists whose every item holds one suggestion become grids of cards: the
// suggestion's title is the card's heading, an ordered list's number its
// badge; one card at a time is in the tab order, the arrow keys move.
function cardify(root) {
  for (const list of root.querySelectorAll("ul, ol")) {
    if (list.classList.contains("sheen-suggestion-cards")) continue;
    const cards = cardSuggestions(list);
    if (!cards) continue;
    const doc = root.ownerDocument;
    list.classList.add("sheen-suggestion-cards");
    list.setAttribute("role", "list");
    const ordered = list.tagName === "OL";
    cards.forEach((s, i) => {
      const li = s.closest("li");
      li.classList.add("sheen-suggestion-card");
      if (!s.hasAttribute("data-suggestion")) s.setAttribute("data-suggestion", suggestionText(s));
      const title = s.getAttribute("title");
      const head = h(doc, "span", "sheen-suggestion-card-head");
      if (ordered) {
        const n = h(doc, "span", "sheen-suggestion-card-num");
        n.textContent = String(list.start + i);
        head.append(n);
      }
      if (title) {
        const t = h(doc, "span", "sheen-suggestion-card-title");
        t.textContent = title;
        head.append(t);
        s.removeAttribute("title");
      }
      if (head.firstChild) li.prepend(head);
      s.tabIndex = i === 0 ? 0 : -1;
    });
  }
}

// 1234 → "1.2k"
function tokens(n) {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1000).toFixed(n < 1e4 ? 1 : 0).replace(/\.0$/, "")}k`;
  return `${(n / 1e6).toFixed(1).replace(/\.0$/, "")}M`;
}

// The runtime (sheen.js) never imports this module: the page loads it after
// sheen.js, and it registers the chat kind with the runtime (last, once everything
// it mounts with is defined).
registerComponent("chat", {
  mount(el, api) {
    let c = chats.get(el);
    if (!c) chats.set(el, (c = new Chat(el)));
    c.mount(api);
  },
  message(el, name, data) {
    chats.get(el)?.message(name, data);
  },
  unmount(el) {
    chats.get(el)?.unmount();
  },
});
