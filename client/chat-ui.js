// Live UI inside chat messages (chat/live_ui.go): a message's parts, shown
// below its text. A live part holds sheen inputs and outputs, which the
// page runtime binds as it binds any (their ids are the message's own); a
// snapshot part is inert HTML, marked as no longer live: the UI lives in
// another page's session, or ended (a restored conversation).

import { h, parseHTML } from "./chat-html.js";

export const SNAPSHOT_NOTE = "Snapshot · no longer live";
export const SNAPSHOT_TITLE = "This part was interactive where it was made; here it shows how it last looked.";

const str = (v) => (typeof v === "string" ? v : "");

/** A part as the server sent it, or null if it is not one. */
export function cleanPart(p) {
  if (!p || typeof p !== "object" || typeof p.id !== "string" || !p.id) return null;
  return { id: p.id, html: str(p.html), live: p.live === true };
}

function partEl(doc, p) {
  const el = h(doc, "div", p.live ? "sheen-chat-ui" : "sheen-chat-ui sheen-chat-ui-snapshot");
  el.dataset.part = p.id;
  el.append(parseHTML(doc, p.html));
  if (!p.live) {
    const note = h(doc, "div", "sheen-chat-ui-note");
    note.textContent = SNAPSHOT_NOTE;
    note.title = SNAPSHOT_TITLE;
    el.append(note);
  }
  return el;
}

/** Show or replace part p of the message record rec (see chat.js). */
export function setPart(doc, rec, raw) {
  const p = cleanPart(raw);
  if (!rec || !p) return;
  if (!rec.parts) {
    rec.parts = h(doc, "div", "sheen-chat-parts");
    rec.content.after(rec.parts);
  }
  const el = partEl(doc, p);
  const old = Array.from(rec.parts.children).find((c) => c.dataset.part === p.id);
  if (old) old.replaceWith(el);
  else rec.parts.append(el);
  rec.el.dataset.ui = "";
}

/** Show the parts of a message as it is rendered. */
export function renderParts(doc, rec, parts) {
  if (!Array.isArray(parts)) return;
  for (const p of parts) setPart(doc, rec, p);
}
