// Input history, pure: ArrowUp and ArrowDown recall the messages sent
// before. No DOM.

/**
 * The messages sent from one chat input, oldest first, for recall. While
 * the user moves through them, what was in the input when recall began (the
 * draft) and edits made to recalled entries are kept, so moving back
 * restores them; sending ends recall and forgets them.
 */
export class History {
  constructor(limit = 100) {
    this.limit = limit;
    this.entries = [];
    this.pos = 0; // entries.length: not recalling
    this.draft = "";
    this.edits = new Map(); // index → edited text
  }

  /** Whether an entry is being recalled. */
  get active() {
    return this.pos < this.entries.length;
  }

  /** Remember a sent text (a repeat of the newest is not added twice) and end recall. */
  add(text) {
    if (text && this.entries[this.entries.length - 1] !== text) {
      this.entries.push(text);
      if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    }
    this.reset();
  }

  /** End recall and forget the draft and the edits. */
  reset() {
    this.pos = this.entries.length;
    this.draft = "";
    this.edits.clear();
  }

  /** The older entry to show in place of value (the input's text), or null if there is none. */
  up(value) {
    if (this.pos === 0) return null;
    this.#save(value);
    this.pos--;
    return this.#at(this.pos);
  }

  /** The newer entry, or the draft after the newest, or null when not recalling. */
  down(value) {
    if (!this.active) return null;
    this.#save(value);
    this.pos++;
    return this.active ? this.#at(this.pos) : this.draft;
  }

  #save(value) {
    if (!this.active) this.draft = value;
    else if (value !== this.entries[this.pos]) this.edits.set(this.pos, value);
    else this.edits.delete(this.pos);
  }

  #at(i) {
    return this.edits.has(i) ? this.edits.get(i) : this.entries[i];
  }
}

/**
 * Whether ArrowUp (up true) or ArrowDown recalls, for the input's value and
 * selection: ArrowUp begins recall in an empty input or with the caret at
 * its very start, where the key would do nothing; while recalling, the keys
 * move through the entries when the caret is on the first (ArrowUp) or last
 * (ArrowDown) line.
 */
export function recalls(up, active, value, start, end) {
  if (start !== end) return false;
  if (!active) return up && (value === "" || start === 0);
  return up ? !value.slice(0, start).includes("\n") : !value.slice(end).includes("\n");
}
