// Suggestions, with no document of their own: what an element suggests,
// whether a click sends or fills it, which lists become card grids, and how
// the arrow keys move through a grid. Elements are used only through
// tagName, children, textContent and the attribute methods, so the tests
// run on a tiny fake DOM.

const hasClass = (el, name) => (el.getAttribute("class") || "").split(/\s+/).includes(name);

/** Whether el is a suggestion: class "suggestion" or a data-suggestion attribute. */
export function isSuggestion(el) {
  return el?.nodeType === 1 && (hasClass(el, "suggestion") || el.hasAttribute("data-suggestion"));
}

/** The text a suggestion puts in the input: data-suggestion, or else its text with spaces collapsed. */
export function suggestionText(el) {
  const v = el.getAttribute("data-suggestion");
  return (v && v.trim()) || (el.textContent || "").replace(/\s+/g, " ").trim();
}

/** Whether a suggestion sends at once: class "submit", or data-suggestion-submit other than "false". */
export function suggestionSubmits(el) {
  const v = el.getAttribute("data-suggestion-submit");
  return hasClass(el, "submit") || (v !== null && v !== "false");
}

/**
 * What activating a suggestion does, "submit" or "fill": Ctrl or Cmd forces
 * sending, Alt forces filling, otherwise the suggestion decides.
 */
export function suggestionAction(submits, { ctrlKey = false, metaKey = false, altKey = false } = {}) {
  if (ctrlKey || metaKey) return "submit";
  if (altKey) return "fill";
  return submits ? "submit" : "fill";
}

/** The accessible name of a suggestion. */
export function suggestionLabel(text, submits) {
  return `${submits ? "Send" : "Use"} suggestion: ${text}`;
}

function collect(el, out) {
  if (isSuggestion(el)) out.push(el);
  for (const c of el.children || []) collect(c, out);
  return out;
}

/**
 * The suggestions of a list that becomes a grid of cards, one per item, or
 * null: the list is a UL or OL with at least one item, and every item holds
 * exactly one suggestion (the item itself or one inside it).
 */
export function cardSuggestions(list) {
  const tag = list?.tagName;
  if (tag !== "UL" && tag !== "OL") return null;
  const items = Array.from(list.children || []);
  if (!items.length) return null;
  const out = [];
  for (const li of items) {
    if (li.tagName !== "LI") return null;
    const found = collect(li, []);
    if (found.length !== 1) return null;
    out.push(found[0]);
  }
  return out;
}

/**
 * The index of the card to focus after key in a grid of count cards laid out
 * in rows of columns, from index; -1 if the key does not move. Movement stops
 * at the edges.
 */
export function gridMove(key, index, count, columns) {
  const cols = Math.max(1, columns);
  let next;
  switch (key) {
    case "ArrowRight":
      next = index + 1;
      break;
    case "ArrowLeft":
      next = index - 1;
      break;
    case "ArrowDown":
      next = index + cols < count ? index + cols : index;
      break;
    case "ArrowUp":
      next = index - cols >= 0 ? index - cols : index;
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = count - 1;
      break;
    default:
      return -1;
  }
  return Math.min(count - 1, Math.max(0, next));
}
