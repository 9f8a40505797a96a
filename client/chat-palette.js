// The slash-command palette, pure: when it opens, what it lists, how the
// keyboard moves through it, and how a typed command is recognised. No DOM.

/**
 * The commands a `commands` message lists, cleaned: entries without a name
 * are dropped, a leading "/" is removed, flags are booleans.
 */
export function cleanCommands(list) {
  if (!Array.isArray(list)) return [];
  const seen = new Set();
  const out = [];
  for (const c of list) {
    const name = typeof c?.name === "string" ? c.name.replace(/^\//, "").trim() : "";
    if (!name || /\s/.test(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({
      name,
      description: typeof c.description === "string" ? c.description : "",
      echo: c.echo === true,
      server: c.server !== false,
    });
  }
  return out;
}

/**
 * The palette's query for an input value and caret position: the text
 * between the leading "/" and the caret while the caret is in the first
 * word, else null (the palette is closed).
 */
export function paletteQuery(value, caret) {
  if (typeof value !== "string" || !value.startsWith("/") || !(caret >= 1)) return null;
  const head = value.slice(1, caret);
  return /\s/.test(head) ? null : head;
}

/** The commands whose name starts with query, case-insensitively, in order. */
export function filterCommands(commands, query) {
  const q = query.toLowerCase();
  return commands.filter((c) => c.name.toLowerCase().startsWith(q));
}

/** The input after choosing a command: "/name " followed by what came after the first word. */
export function completeCommand(value, name) {
  const rest = value.replace(/^\/\S*\s*/, "");
  return `/${name} ${rest}`;
}

/**
 * The known command a sent text starts with: {command, name, args}, or null
 * when the text is not "/name …" for one of commands (exact name first, then
 * case-insensitively).
 */
export function parseCommand(text, commands) {
  const m = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!m) return null;
  const lower = m[1].toLowerCase();
  const command = commands.find((c) => c.name === m[1]) || commands.find((c) => c.name.toLowerCase() === lower);
  return command ? { command, name: command.name, args: (m[2] || "").trim() } : null;
}

/**
 * The palette's state: the commands, the current query (null: closed), the
 * matching items and the highlighted one. Escape dismisses the palette until
 * the query changes.
 */
export class Palette {
  constructor() {
    this.commands = [];
    this.query = null;
    this.items = [];
    this.index = 0;
    this.dismissed = false;
  }

  /** Whether the palette shows. */
  get open() {
    return this.query !== null && this.commands.length > 0 && !this.dismissed;
  }

  /** The highlighted command, or null. */
  get current() {
    return this.open ? this.items[this.index] || null : null;
  }

  /** Replace the commands; the highlighted command stays highlighted if it is still listed. */
  setCommands(commands) {
    const name = this.items[this.index]?.name;
    this.commands = commands;
    this.#filter(name);
  }

  /** Follow the input: a new query filters and highlights the first match; null closes. */
  update(query) {
    if (query === this.query) return;
    this.query = query;
    this.dismissed = false;
    this.#filter();
  }

  /**
   * Handle a key while open. Returns {handled, select?}: handled means the
   * key belongs to the palette (the caller prevents its default); select is
   * the command chosen with Enter or Tab. Enter on a command typed in full is
   * not handled, so that it sends.
   */
  key(key) {
    if (!this.open) return { handled: false };
    const n = this.items.length;
    switch (key) {
      case "ArrowDown":
      case "ArrowUp":
        if (n) this.index = (this.index + (key === "ArrowDown" ? 1 : n - 1)) % n;
        return { handled: true };
      case "Enter":
      case "Tab": {
        const select = this.items[this.index];
        if (!select) return { handled: false };
        this.dismissed = true;
        // Enter on a command typed in full sends it: there is nothing left
        // to complete. Tab still completes it (adds the space).
        if (key === "Enter" && select.name.toLowerCase() === this.query.toLowerCase()) return { handled: false };
        return { handled: true, select };
      }
      case "Escape":
        this.dismissed = true;
        return { handled: true };
    }
    return { handled: false };
  }

  #filter(keepName) {
    this.items = this.query === null ? [] : filterCommands(this.commands, this.query);
    const i = keepName ? this.items.findIndex((c) => c.name === keepName) : -1;
    this.index = Math.max(0, i);
  }
}
