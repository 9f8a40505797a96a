// The chat's second layer after the server's sanitizer: what is removed
// from model output before it is inserted into the page. Pure functions,
// tested in node; parseHTML (chat-html.js) applies them.

const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "srcset", "cite"]);
// Script URLs, and data: URLs a browser would render as a document.
const BAD_URL = /^(?:javascript:|vbscript:|data:(?:text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml))/i;
// Control characters and spaces, which a browser skips inside a URL's scheme.
const IGNORED = /[\u0000-\u0020\u007f-\u009f]/g;

/** Elements removed with their content: they embed other documents. */
export const DROPPED_ELEMENTS = "iframe, frame, frameset, object, embed";

/**
 * Whether an attribute (name in lower case, as the HTML parser gives it)
 * is removed: inline event handlers, srcdoc, and URLs that run script or
 * render a document.
 */
export function dropAttr(name, value) {
  if (name.startsWith("on") || name === "srcdoc") return true;
  return URL_ATTRS.has(name) && BAD_URL.test(String(value).replace(IGNORED, ""));
}
