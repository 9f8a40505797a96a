// The chat's conversation history sidebar: a "New chat" button, the user's
// conversations by recency with the current one marked, a menu per item to
// rename (inline) or delete (after an in-page confirmation), "Show more".
// Wide, it is a column the user can collapse (remembered in localStorage);
// narrow, an off-canvas drawer over the chat. chat.js creates it for a chat
// with data-history and hands it the history messages; the list's logic is
// in chat-conversations.js.

import { button, h } from "./chat-html.js";
import {
  MAX_TITLE, cleanTitle, displayTitle, groupByDate, mergePage, removeConversation, renameConversation,
  showConversation,
} from "./chat-conversations.js";

const svg = (body) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
const ICONS = {
  panel: svg('<rect x="3" y="4" width="18" height="16" rx="2.5"/><path d="M9.5 4v16"/>'),
  compose: svg('<path d="M12 4H6.5A2.5 2.5 0 0 0 4 6.5v11A2.5 2.5 0 0 0 6.5 20h11a2.5 2.5 0 0 0 2.5-2.5V12"/><path d="M17.9 3.6a2.05 2.05 0 0 1 2.9 2.9L12.5 14.8 9 15.5l.7-3.5z"/>'),
  dots: svg('<circle cx="5.5" cy="12" r="1.1" fill="currentColor"/><circle cx="12" cy="12" r="1.1" fill="currentColor"/><circle cx="18.5" cy="12" r="1.1" fill="currentColor"/>'),
  pencil: svg('<path d="M16.9 3.6a2.05 2.05 0 0 1 2.9 2.9L7.5 18.8 3.5 20l1.2-4z"/>'),
  trash: svg('<path d="M4 7h16M10 11v6M14 11v6M6 7l1 12.5A1.5 1.5 0 0 0 8.5 21h7a1.5 1.5 0 0 0 1.5-1.5L18 7M9 7V4.5A1.5 1.5 0 0 1 10.5 3h3A1.5 1.5 0 0 1 15 4.5V7"/>'),
  close: svg('<path d="M6 6l12 12M18 6L6 18"/>'),
};
// Narrow screens get the drawer; keep in step with chat.css.
const NARROW = "(max-width: 699.98px)";
const NEAR_END = 48; // px from the list's end at which scrolling loads the next page

/** The history sidebar of one chat element. */
export class Sidebar {
  /**
   * el: the chat element; send(name, data) sends a chat event; focusInput()
   * puts the focus in the chat's input.
   */
  constructor(el, send, focusInput) {
    this.el = el;
    this.doc = el.ownerDocument;
    this.win = this.doc.defaultView;
    this.send = send;
    this.focusInput = focusInput;
    this.items = []; // [{id, title, updated}], newest first
    this.current = "";
    this.more = false;
    this.loading = false; // a "more" was sent and its page has not come
    this.editing = null; // {id, value}: the item being renamed
    this.menuFor = ""; // the id whose menu is open
    this.deleting = "";
    this.key = `sheen-chat-sidebar-collapsed:${el.id}`;
    this.mq = this.win.matchMedia(NARROW);
    this.#build();
    this.#listen();
    this.#setCollapsed(this.#stored(), false);
    this.render();
  }

  /** The elements of the chat around its pane's parts (header, transcript, input…). */
  frame(parts) {
    this.pane.append(this.head, ...parts);
    return [this.side, this.backdrop, this.pane, this.dialog];
  }

  /** Listen to the window (the chat is on the page). */
  attach() {
    this.mq.addEventListener("change", this.onMedia);
    this.doc.addEventListener("pointerdown", this.onPointer);
    this.onMedia();
  }

  /** Stop listening to the window (the chat left the page). */
  detach() {
    this.mq.removeEventListener("change", this.onMedia);
    this.doc.removeEventListener("pointerdown", this.onPointer);
  }

  // ---- server messages ----

  /**
   * A history message: a page of conversations. A first page says which
   * conversation is shown; a next page (append) does not change it.
   */
  history(d) {
    const append = d.append === true;
    const had = this.items.length;
    this.items = mergePage(this.items, d.items, append);
    this.more = d.more === true;
    this.loading = false;
    if (!append && typeof d.current === "string") this.current = d.current;
    this.render(had);
  }

  /** The chat now shows conversation id ("" a new chat) titled title. */
  conversation(id, title) {
    this.current = id;
    this.items = showConversation(this.items, id, title, Date.now());
    this.render();
  }

  /** The title of the conversation shown ("" for a new chat or when unknown). */
  currentTitle() {
    const it = this.items.find((x) => x.id === this.current);
    return it ? it.title : "";
  }

  // ---- drawing ----

  #build() {
    const d = this.doc;
    const id = this.el.id;
    this.side = h(d, "aside", "sheen-chat-side");
    this.side.id = `${id}-side`;
    this.side.setAttribute("aria-label", "Chat history");
    const top = h(d, "div", "sheen-chat-side-top");
    this.newBtn = button(d, "sheen-chat-new", "", `${ICONS.compose}<span>New chat</span>`);
    this.closeBtn = button(d, "sheen-chat-side-close", "Close sidebar", ICONS.close);
    top.append(this.newBtn, this.closeBtn);
    this.list = h(d, "nav", "sheen-chat-convs");
    this.list.setAttribute("aria-label", "Conversations");
    this.groups = h(d, "div", "sheen-chat-groups");
    this.empty = h(d, "p", "sheen-chat-convs-empty");
    this.empty.textContent = "No conversations yet.";
    this.moreBtn = button(d, "sheen-chat-convs-more", "", "<span>Show more</span>");
    this.list.append(this.groups, this.empty, this.moreBtn);
    this.menu = h(d, "div", "sheen-chat-menu");
    this.menu.id = `${id}-conv-menu`;
    this.menu.setAttribute("role", "menu");
    this.menu.hidden = true;
    this.renameItem = button(d, "sheen-chat-menu-item", "", `${ICONS.pencil}<span>Rename</span>`);
    this.deleteItem = button(d, "sheen-chat-menu-item sheen-chat-menu-danger", "", `${ICONS.trash}<span>Delete</span>`);
    for (const b of [this.renameItem, this.deleteItem]) {
      b.setAttribute("role", "menuitem");
      b.tabIndex = -1;
    }
    this.menu.append(this.renameItem, this.deleteItem);
    this.side.append(top, this.list, this.menu);

    this.backdrop = h(d, "div", "sheen-chat-backdrop");
    this.backdrop.hidden = true;

    this.pane = h(d, "div", "sheen-chat-pane");
    this.head = h(d, "div", "sheen-chat-head");
    this.toggle = button(d, "sheen-chat-side-toggle", "Show sidebar", ICONS.panel);
    this.toggle.setAttribute("aria-controls", this.side.id);
    this.headNew = button(d, "sheen-chat-head-new", "New chat", ICONS.compose);
    this.headTitle = h(d, "div", "sheen-chat-head-title");
    this.head.append(this.toggle, this.headNew, this.headTitle);

    // The confirmation before a delete: a modal <dialog>, which keeps the
    // focus inside it, closes on Escape and gives the focus back.
    this.dialog = h(d, "dialog", "sheen-chat-dialog");
    this.dialog.setAttribute("aria-labelledby", `${id}-dialog-title`);
    this.dialog.setAttribute("aria-describedby", `${id}-dialog-text`);
    const form = h(d, "form");
    form.method = "dialog";
    const title = h(d, "h2", "sheen-chat-dialog-title");
    title.id = `${id}-dialog-title`;
    title.textContent = "Delete this conversation?";
    this.dialogText = h(d, "p", "sheen-chat-dialog-text");
    this.dialogText.id = `${id}-dialog-text`;
    const actions = h(d, "div", "sheen-chat-dialog-actions");
    const cancel = h(d, "button", "sheen-chat-dialog-cancel");
    cancel.value = "cancel";
    cancel.textContent = "Cancel";
    cancel.autofocus = true; // the safe choice has the focus
    const del = h(d, "button", "sheen-chat-dialog-delete");
    del.value = "delete";
    del.textContent = "Delete";
    actions.append(cancel, del);
    form.append(title, this.dialogText, actions);
    this.dialog.append(form);
  }

  /**
   * Draw the list, keeping the focus where it was; had is how many items
   * there were before a page came (the focus on "Show more" goes to the
   * first new one when there is no further page).
   */
  render(had = this.items.length) {
    const d = this.doc;
    const active = d.activeElement;
    const focus = this.side.contains(active) ? this.#focusKey(active, had) : null;
    const inputWas = active?.classList?.contains("sheen-chat-conv-edit") ? active : null;
    this.#closeMenu(false);
    const groups = groupByDate(this.items, Date.now()).map((g, gi) => {
      const sec = h(d, "section", "sheen-chat-group");
      const head = h(d, "h2", "sheen-chat-group-label");
      head.id = `${this.el.id}-group-${gi}`;
      head.textContent = g.label;
      const ul = h(d, "ul", "sheen-chat-group-list");
      ul.setAttribute("aria-labelledby", head.id);
      ul.append(...g.items.map((it) => this.#item(it)));
      sec.append(head, ul);
      return sec;
    });
    this.groups.replaceChildren(...groups);
    this.empty.hidden = this.items.length > 0 || this.more;
    this.moreBtn.hidden = !this.more;
    this.moreBtn.setAttribute("aria-disabled", String(this.loading));
    this.moreBtn.firstChild.textContent = this.loading ? "Loading…" : "Show more";
    this.headTitle.textContent = this.current ? displayTitle(this.currentTitle()) : "New chat";
    if (focus) this.#restoreFocus(focus, inputWas);
  }

  #item(it) {
    const d = this.doc;
    const li = h(d, "li", "sheen-chat-conv");
    li.dataset.id = it.id;
    const title = displayTitle(it.title);
    if (this.editing?.id === it.id) {
      const input = h(d, "input", "sheen-chat-conv-edit");
      input.type = "text";
      input.value = this.editing.value;
      input.maxLength = MAX_TITLE * 2; // UTF-16 units; cleanTitle cuts at MAX_TITLE characters
      input.setAttribute("aria-label", "Conversation title");
      input.setAttribute("enterkeyhint", "done");
      li.classList.add("sheen-chat-conv-editing");
      li.append(input);
    } else {
      const open = h(d, "button", "sheen-chat-conv-open");
      open.type = "button";
      const span = h(d, "span", "sheen-chat-conv-title");
      span.textContent = title; // plain text, never HTML
      open.title = title;
      open.append(span);
      const more = button(d, "sheen-chat-conv-more", `Options for “${title}”`, ICONS.dots);
      more.setAttribute("aria-haspopup", "menu");
      more.setAttribute("aria-expanded", "false");
      li.append(open, more);
    }
    if (it.id === this.current) {
      li.classList.add("sheen-chat-conv-current");
      li.firstChild.setAttribute("aria-current", "page");
    }
    return li;
  }

  // What has the focus, as something to find again after a redraw.
  #focusKey(el, had) {
    if (el === this.moreBtn) return { more: true, count: had };
    if (this.menu.contains(el)) return { id: this.menuFor, part: "more" };
    const li = el.closest?.(".sheen-chat-conv");
    if (!li) return null;
    const part = el.classList.contains("sheen-chat-conv-more") ? "more" : el.classList.contains("sheen-chat-conv-edit") ? "edit" : "open";
    return { id: li.dataset.id, part };
  }

  #restoreFocus(k, inputWas) {
    if (k.more) {
      // After a page came: the button again, or the first new item.
      const target = this.more ? this.moreBtn : this.#part(this.items[k.count]?.id, "open");
      (target || this.newBtn).focus();
      return;
    }
    const el = this.#part(k.id, k.part) || this.#part(k.id, "open");
    if (!el) return;
    el.focus();
    if (k.part === "edit" && inputWas) el.setSelectionRange(inputWas.selectionStart, inputWas.selectionEnd);
  }

  // The element of item id: "open", "more" or "edit".
  #part(id, part) {
    if (id == null) return null;
    const li = Array.from(this.groups.querySelectorAll(".sheen-chat-conv")).find((x) => x.dataset.id === id);
    return li?.querySelector(`.sheen-chat-conv-${part}`) || null;
  }

  // ---- events ----

  #listen() {
    this.newBtn.addEventListener("click", () => this.#open(""));
    this.headNew.addEventListener("click", () => this.#open(""));
    this.toggle.addEventListener("click", () => {
      if (this.mq.matches) this.#drawer(true);
      else this.#setCollapsed(!this.collapsed, true);
    });
    this.closeBtn.addEventListener("click", () => this.#drawer(false, true));
    this.backdrop.addEventListener("click", () => this.#drawer(false, true));
    this.onMedia = () => {
      this.#drawer(false, false);
      this.#syncToggle();
    };

    this.groups.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      const li = b?.closest(".sheen-chat-conv");
      if (!li) return;
      if (b.classList.contains("sheen-chat-conv-open")) this.#open(li.dataset.id);
      else if (b.classList.contains("sheen-chat-conv-more")) {
        if (this.menuFor === li.dataset.id) this.#closeMenu(true);
        else this.#openMenu(li.dataset.id, b);
      }
    });
    this.groups.addEventListener("keydown", (e) => {
      const t = e.target;
      if (t.classList.contains("sheen-chat-conv-edit")) return this.#editKey(e, t);
      // Up and down move between the conversations.
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && t.classList.contains("sheen-chat-conv-open")) {
        const all = Array.from(this.groups.querySelectorAll(".sheen-chat-conv-open"));
        const next = all[all.indexOf(t) + (e.key === "ArrowDown" ? 1 : -1)];
        if (next) {
          e.preventDefault();
          next.focus();
        }
      }
    });
    this.groups.addEventListener("focusout", (e) => {
      const t = e.target;
      if (t.classList.contains("sheen-chat-conv-edit") && this.editing && t.isConnected) this.#commit(t.value, false);
    });
    this.groups.addEventListener("input", (e) => {
      if (this.editing && e.target.classList.contains("sheen-chat-conv-edit")) this.editing.value = e.target.value;
    });

    this.moreBtn.addEventListener("click", () => this.#loadMore());
    this.list.addEventListener("scroll", () => {
      this.#closeMenu(false);
      const l = this.list;
      if (this.more && l.scrollHeight - l.scrollTop - l.clientHeight < NEAR_END) this.#loadMore();
    }, { passive: true });

    // The item menu.
    this.renameItem.addEventListener("click", () => this.#startRename(this.menuFor));
    this.deleteItem.addEventListener("click", () => this.#confirmDelete(this.menuFor));
    this.menu.addEventListener("keydown", (e) => {
      const items = [this.renameItem, this.deleteItem];
      const i = items.indexOf(this.doc.activeElement);
      let next = -1;
      if (e.key === "ArrowDown") next = (i + 1) % items.length;
      else if (e.key === "ArrowUp") next = (i - 1 + items.length) % items.length;
      else if (e.key === "Home") next = 0;
      else if (e.key === "End") next = items.length - 1;
      else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        this.#closeMenu(true);
      } else if (e.key === "Tab") this.#closeMenu(false);
      if (next >= 0) {
        e.preventDefault();
        items[next].focus();
      }
    });
    this.onPointer = (e) => {
      if (this.menuFor && !this.menu.contains(e.target) && !e.target.closest?.(".sheen-chat-conv-more")) this.#closeMenu(false);
    };
    this.side.addEventListener("focusout", (e) => {
      if (this.menuFor && e.relatedTarget && !this.menu.contains(e.relatedTarget)) this.#closeMenu(false);
    });

    // Escape closes the drawer (a menu or a rename takes it first).
    this.side.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !e.defaultPrevented && this.el.classList.contains("sheen-chat-drawer-open")) {
        e.preventDefault();
        e.stopPropagation();
        this.#drawer(false, true);
      }
    });

    this.dialog.addEventListener("keydown", (e) => {
      if (e.key === "Escape") e.stopPropagation(); // the dialog's own cancel, not the chat's stop
    });
    this.dialog.addEventListener("close", () => this.#deleted(this.dialog.returnValue === "delete"));
  }

  #open(id) {
    this.#drawer(false, false);
    if (id !== this.current || id === "") this.send("open", { id, nav: false });
    if (id === "") this.focusInput();
  }

  #loadMore() {
    if (!this.more || this.loading) return;
    this.loading = true;
    this.moreBtn.setAttribute("aria-disabled", "true");
    this.moreBtn.firstChild.textContent = "Loading…";
    this.send("more", {});
  }

  // ---- the item menu ----

  #openMenu(id, trigger) {
    this.#closeMenu(false);
    this.menuFor = id;
    trigger.setAttribute("aria-expanded", "true");
    trigger.setAttribute("aria-controls", this.menu.id);
    this.menu.setAttribute("aria-label", trigger.getAttribute("aria-label"));
    this.menu.hidden = false;
    // Below the button, or above it when the sidebar has no room below.
    const s = this.side.getBoundingClientRect();
    const r = trigger.getBoundingClientRect();
    const mh = this.menu.offsetHeight;
    let top = r.bottom - s.top + 4;
    if (top + mh > s.height - 4) top = r.top - s.top - mh - 4;
    this.menu.style.top = `${Math.max(4, top)}px`;
    this.menu.style.right = `${Math.max(4, s.right - r.right)}px`;
    this.renameItem.focus();
  }

  #closeMenu(refocus) {
    if (!this.menuFor) return;
    const trigger = this.#part(this.menuFor, "more");
    this.menuFor = "";
    this.menu.hidden = true;
    if (trigger) {
      trigger.setAttribute("aria-expanded", "false");
      trigger.removeAttribute("aria-controls");
      if (refocus) trigger.focus();
    }
  }

  // ---- rename ----

  #startRename(id) {
    const it = this.items.find((x) => x.id === id);
    this.#closeMenu(false);
    if (!it) return;
    this.editing = { id, value: it.title };
    this.render();
    const input = this.#part(id, "edit");
    input?.focus();
    input?.select();
  }

  #editKey(e, input) {
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === "Enter") {
      e.preventDefault();
      this.#commit(input.value, true);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.#finishEdit(true);
    }
  }

  // Save the title typed (Enter, or the field losing the focus); a blank or
  // unchanged one is not sent.
  #commit(value, refocus) {
    const ed = this.editing;
    if (!ed) return;
    const title = cleanTitle(value);
    const it = this.items.find((x) => x.id === ed.id);
    if (title && it && title !== it.title) {
      this.items = renameConversation(this.items, ed.id, title);
      this.send("rename", { id: ed.id, title });
    }
    this.#finishEdit(refocus);
  }

  #finishEdit(refocus) {
    const id = this.editing?.id;
    this.editing = null;
    this.render();
    if (refocus) this.#part(id, "open")?.focus();
  }

  // ---- delete ----

  #confirmDelete(id) {
    const it = this.items.find((x) => x.id === id);
    this.#closeMenu(false);
    if (!it) return;
    this.deleting = id;
    this.dialogText.textContent = `“${displayTitle(it.title)}” will be deleted. This cannot be undone.`;
    this.dialog.returnValue = "";
    this.dialog.showModal();
  }

  #deleted(yes) {
    const id = this.deleting;
    this.deleting = "";
    if (!id) return;
    if (!yes) {
      (this.#part(id, "more") || this.newBtn).focus();
      return;
    }
    const ids = this.items.map((x) => x.id);
    const next = ids[ids.indexOf(id) + 1] ?? ids[ids.indexOf(id) - 1];
    this.send("delete", { id });
    this.items = removeConversation(this.items, id);
    this.render();
    (this.#part(next, "open") || this.newBtn).focus();
  }

  // ---- collapsing and the drawer ----

  get collapsed() {
    return this.el.hasAttribute("data-history-collapsed");
  }

  #stored() {
    try {
      return this.win.localStorage.getItem(this.key) === "1";
    } catch {
      return false;
    }
  }

  #setCollapsed(collapsed, save) {
    this.el.toggleAttribute("data-history-collapsed", collapsed);
    if (save) {
      try {
        this.win.localStorage.setItem(this.key, collapsed ? "1" : "0");
      } catch {
        // storage refused (private mode, quota): the state lasts for the page
      }
    }
    this.#syncToggle();
  }

  get drawerOpen() {
    return this.el.classList.contains("sheen-chat-drawer-open");
  }

  // Open or close the drawer (narrow screens). While it is open the rest of
  // the chat is inert; closing it with refocus gives the focus back to the
  // toggle.
  #drawer(open, refocus) {
    if (open === this.drawerOpen) return;
    this.el.classList.toggle("sheen-chat-drawer-open", open);
    this.backdrop.hidden = !open;
    this.pane.inert = open;
    this.#syncToggle();
    if (open) {
      const cur = this.#part(this.current, "open");
      (cur || this.newBtn).focus();
    } else {
      this.#closeMenu(false);
      if (refocus) this.toggle.focus();
    }
  }

  #syncToggle() {
    const shown = this.mq.matches ? this.drawerOpen : !this.collapsed;
    this.toggle.setAttribute("aria-expanded", String(shown));
    this.toggle.setAttribute("aria-label", shown ? "Hide sidebar" : "Show sidebar");
    this.toggle.title = shown ? "Hide sidebar" : "Show sidebar";
  }
}

