// sheen chat: the placeholder of a message the sanitizer emptied.
//
// A message whose HTML is all unsafe (a lone <script>, an <iframe>, an
// image with a script URL) reaches the page as nothing: rather than an
// empty bubble, the chat shows a small muted "(content removed)" in it.
// This module is the decision, with no DOM of its own: blank(el) says
// whether a rendered message shows nothing.

/** Elements that show something without any text. */
export const VISIBLE = "img, svg, video, audio, canvas, picture, iframe, object, embed, math, hr, input, button, table, pre";

/** The placeholder's text. */
export const REMOVED_TEXT = "(content removed)";

/** The placeholder's tooltip and accessible description. */
export const REMOVED_TITLE = "Everything in this message was removed because it was not safe to show.";

/**
 * Whether the element el (a message's content) shows nothing: no text but
 * white space, and no element that shows something without text.
 */
export function blank(el) {
  if (!el) return true;
  if ((el.textContent ?? "").trim() !== "") return false;
  return !el.querySelector(VISIBLE);
}
