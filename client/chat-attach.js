// Attachments of the chat component: the attach button, pasted images and
// long pasted text, files dropped on the chat, the tray that shows them
// (thumbnails and chips, each removable) while they upload over HTTP to the
// session's upload endpoint, and the files shown in sent messages. The
// server says what it takes (the "attach" message: types, limits, the
// endpoint and its token); the page refuses what it can before uploading,
// the server refuses the rest. The pure parts are exported for tests.

import { button, h, parseHTML } from "./chat-html.js";

/** Text pasted longer than this (in characters) becomes a text file. */
export const PASTE_LIMIT = 1000;

const svg = (body) =>
  `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
export const ICONS = {
  clip: svg('<path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l8-8"/>'),
  x: svg('<path d="M18 6L6 18M6 6l12 12"/>'),
  file: svg('<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>'),
  text: svg('<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5M9 13h6M9 17h6"/>'),
  pdf: svg('<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/><path d="M8.5 16.5v-4h1.2a1.2 1.2 0 0 1 0 2.4H8.5"/>'),
  data: svg('<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5M8 12h8M8 16h8M12 12v7"/>'),
  image: svg('<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/><path d="M21 15l-5-5L5 21"/>'),
  alert: svg('<circle cx="12" cy="12" r="9"/><path d="M12 8v4.5M12 16h.01"/>'),
};

/** The media type of t, lower case, without parameters. */
export function mediaType(t) {
  return String(t || "").split(";")[0].trim().toLowerCase();
}

/** Whether type t matches one of the patterns ("image/png", "image/*"). */
export function accepts(patterns, t) {
  const mt = mediaType(t);
  if (!mt.includes("/")) return false;
  const major = mt.split("/")[0];
  return (patterns || []).some((p) => {
    p = String(p).toLowerCase();
    return p === mt || p === "*/*" || (p.endsWith("/*") && p.slice(0, -2) === major);
  });
}

/** Bytes for people: "512 B", "1.5 KB", "20 MB". */
export function formatSize(n) {
  if (!Number.isFinite(n) || n < 0) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  const s = i === 0 ? String(n) : n.toFixed(1).replace(/\.0$/, "");
  return `${s} ${units[i]}`;
}

/** A short name of a type for a chip: "PDF", "PNG", "Text", "CSV". */
export function typeLabel(t, name) {
  const mt = mediaType(t);
  const ext = /\.([a-z0-9]{1,5})$/i.exec(String(name || ""))?.[1];
  if (mt === "text/plain") return "Text";
  if (mt === "application/pdf") return "PDF";
  if (ext) return ext.toUpperCase();
  const sub = mt.split("/")[1] || "file";
  return sub.replace(/^x-/, "").split("+")[0].toUpperCase();
}

/** The icon of a type: image, pdf, text, data or file. */
export function typeIcon(t) {
  const mt = mediaType(t);
  if (mt.startsWith("image/")) return "image";
  if (mt === "application/pdf") return "pdf";
  if (mt === "text/csv" || mt === "application/json" || mt.endsWith("+json")) return "data";
  if (mt.startsWith("text/")) return "text";
  return "file";
}

/** The size an image of w×h pixels is scaled to so its long edge is at most edge (0: no limit). */
export function scaledSize(w, h, edge) {
  if (!edge || (w <= edge && h <= edge)) return { w, h, scaled: false };
  const k = edge / Math.max(w, h);
  return { w: Math.max(1, Math.round(w * k)), h: Math.max(1, Math.round(h * k)), scaled: true };
}

/**
 * Why a file cannot join the tray, or "": its type against the server's
 * list, its size against the per-file limit, and the tray's count and total
 * (held: the files in the tray, with their sizes).
 */
export function refusal(cfg, file, held) {
  const name = file.name || "file";
  if (!cfg) return "This chat takes no attachments.";
  if (!accepts(cfg.types, file.type)) return `${name}: ${typeLabel(file.type, name)} files are not accepted here.`;
  if (cfg.maxFile > 0 && file.size > cfg.maxFile) return `${name} is larger than ${formatSize(cfg.maxFile)}.`;
  if (cfg.maxFiles > 0 && held.length >= cfg.maxFiles) return `At most ${cfg.maxFiles} files per message.`;
  const total = held.reduce((n, f) => n + (f.size || 0), 0);
  if (cfg.maxTotal > 0 && total + file.size > cfg.maxTotal) return `The files of one message may total ${formatSize(cfg.maxTotal)}.`;
  return "";
}

/** The server's "attach" message, checked; null if it allows nothing. */
export function cleanConfig(d) {
  if (!d || typeof d !== "object" || typeof d.url !== "string" || typeof d.token !== "string") return null;
  const types = Array.isArray(d.types) ? d.types.filter((t) => typeof t === "string") : [];
  if (!types.length) return null;
  const num = (v) => (Number.isFinite(v) && v > 0 ? v : 0);
  return { url: d.url, token: d.token, types, maxFile: num(d.maxFile), maxTotal: num(d.maxTotal), maxFiles: num(d.maxFiles), maxEdge: num(d.maxEdge) };
}

/** The accept attribute of the file input for the allowed types. */
export function acceptAttr(types) {
  return (types || []).filter((t) => t !== "*/*").join(",");
}

/** Files of a DataTransfer (a drop or a paste). */
export function filesOf(dt) {
  const out = [];
  if (!dt) return out;
  if (dt.items && dt.items.length) {
    for (const it of dt.items) {
      if (it.kind === "file") {
        const f = it.getAsFile();
        if (f) out.push(f);
      }
    }
    return out;
  }
  for (const f of dt.files || []) out.push(f);
  return out;
}

const SCALABLE = new Set(["image/png", "image/jpeg", "image/webp"]);

/**
 * The attachments of one chat element: the tray and its uploads. host is
 * the chat: its document, and sync() to call when the tray changes.
 */
export class Attachments {
  constructor(doc, sync) {
    this.doc = doc;
    this.sync = sync;
    this.cfg = null;
    this.items = []; // {file, name, type, size, state, progress, id, xhr, url, el}
    this.seq = 0;
    this.button = button(doc, "sheen-chat-attach", "Attach files", ICONS.clip);
    this.button.title = "Attach files";
    this.button.hidden = true;
    this.input = h(doc, "input", "sheen-chat-attach-input");
    this.input.type = "file";
    this.input.multiple = true;
    this.input.hidden = true;
    this.input.tabIndex = -1;
    this.input.setAttribute("aria-hidden", "true");
    this.tray = h(doc, "div", "sheen-chat-tray");
    this.tray.setAttribute("role", "list");
    this.tray.setAttribute("aria-label", "Attachments");
    this.tray.hidden = true;
    this.errorEl = h(doc, "div", "sheen-chat-attach-error");
    this.errorEl.setAttribute("role", "alert");
    this.errorEl.hidden = true;
    this.button.addEventListener("click", () => this.input.click());
    this.input.addEventListener("change", () => {
      const files = Array.from(this.input.files || []);
      this.input.value = "";
      this.add(files);
    });
  }

  /** The server's word on attachments (the "attach" message). */
  configure(d) {
    this.cfg = cleanConfig(d);
    this.button.hidden = !this.cfg;
    this.input.accept = this.cfg ? acceptAttr(this.cfg.types) : "";
  }

  get enabled() {
    return !!this.cfg;
  }

  /** Files in the tray. */
  get count() {
    return this.items.length;
  }

  /** Whether a file is still uploading (or being prepared). */
  get pending() {
    return this.items.some((it) => it.state === "preparing" || it.state === "uploading");
  }

  /** Whether the tray holds a file that failed (it must be removed first). */
  get failed() {
    return this.items.some((it) => it.state === "error");
  }

  /** Adds files (from the picker, a paste or a drop): refused ones are explained, the rest upload. */
  add(files) {
    if (!files.length) return;
    const errors = [];
    for (const f of files) {
      const why = refusal(this.cfg, f, this.items);
      if (why) {
        errors.push(why);
        continue;
      }
      this.#start(f);
    }
    this.#error(errors.join(" "));
    this.sync();
  }

  /** Adds text as a text file (a long paste). */
  addText(text) {
    const n = this.items.filter((it) => it.pasted).length + 1;
    const file = new File([text], n > 1 ? `pasted-${n}.txt` : "pasted.txt", { type: "text/plain" });
    this.add([file]);
    const it = this.items.at(-1);
    if (it && it.file === file) it.pasted = true;
  }

  /** Hands the uploaded files over to a submission: their ids, and what the sent bubble shows. The tray empties. */
  take() {
    const done = this.items.filter((it) => it.state === "done");
    const ids = done.map((it) => it.id);
    const shown = done.map((it) => ({ name: it.name, type: it.type, size: it.size, thumb: it.url || "" }));
    for (const it of done) it.el.remove();
    this.items = this.items.filter((it) => it.state !== "done");
    this.#error("");
    this.#render();
    return { ids, shown };
  }

  /** Removes an item: its upload is cancelled, or its file deleted on the server. */
  remove(it) {
    const i = this.items.indexOf(it);
    if (i < 0) return;
    this.items.splice(i, 1);
    it.cancelled = true;
    if (it.xhr && it.state === "uploading") it.xhr.abort();
    if (it.state === "done" && it.id && this.cfg) {
      const x = new XMLHttpRequest();
      x.open("DELETE", `${this.cfg.url}/${encodeURIComponent(it.id)}`);
      x.setRequestHeader("X-Sheen-Upload", this.cfg.token);
      x.send();
    }
    if (it.url) URL.revokeObjectURL(it.url);
    it.el.remove();
    this.#render();
    this.sync();
  }

  #error(msg) {
    this.errorEl.textContent = msg;
    this.errorEl.hidden = !msg;
  }

  async #start(file) {
    const it = { file, name: file.name || "file", type: mediaType(file.type), size: file.size, state: "preparing", progress: 0, id: "", xhr: null, url: "", el: null, key: ++this.seq };
    this.items.push(it);
    it.el = this.#item(it);
    this.tray.append(it.el);
    this.#render();
    const cfg = this.cfg;
    if (it.type.startsWith("image/")) {
      try {
        if (cfg.maxEdge && SCALABLE.has(it.type)) it.file = await scaleImage(file, cfg.maxEdge);
      } catch {
        // Not an image the browser reads: the server decides.
      }
      it.size = it.file.size;
      if (!it.cancelled) {
        it.url = URL.createObjectURL(it.file);
        this.#update(it);
      }
    }
    if (it.cancelled) return;
    this.#upload(it, cfg);
  }

  #upload(it, cfg) {
    const x = new XMLHttpRequest();
    it.xhr = x;
    it.state = "uploading";
    x.open("POST", cfg.url);
    x.setRequestHeader("X-Sheen-Upload", cfg.token);
    x.setRequestHeader("X-Sheen-Name", encodeURIComponent(it.name));
    x.setRequestHeader("Content-Type", it.type || "application/octet-stream");
    x.responseType = "json";
    x.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) {
        it.progress = e.loaded / e.total;
        this.#update(it);
      }
    });
    x.addEventListener("load", () => {
      if (it.cancelled) return;
      const r = x.response && typeof x.response === "object" ? x.response : {};
      if (x.status === 201 && typeof r.id === "string") {
        it.state = "done";
        it.id = r.id;
        it.progress = 1;
      } else {
        it.state = "error";
        it.error = typeof r.error === "string" && r.error ? r.error : `Upload failed (${x.status}).`;
        this.#error(`${it.name}: ${it.error}`);
      }
      this.#update(it);
      this.sync();
    });
    x.addEventListener("error", () => {
      if (it.cancelled) return;
      it.state = "error";
      it.error = "Upload failed.";
      this.#error(`${it.name}: the upload failed.`);
      this.#update(it);
      this.sync();
    });
    this.#update(it);
    this.sync();
    x.send(it.file);
  }

  #item(it) {
    const el = fileEl(this.doc, { name: it.name, type: it.type, size: it.size, thumb: "" });
    el.setAttribute("role", "listitem");
    const bar = h(this.doc, "span", "sheen-chat-file-progress");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", `Uploading ${it.name}`);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.append(h(this.doc, "span"));
    const rm = button(this.doc, "sheen-chat-file-remove", `Remove ${it.name}`, ICONS.x);
    rm.title = "Remove";
    rm.addEventListener("click", () => this.remove(it));
    el.append(bar, rm);
    return el;
  }

  #update(it) {
    const el = it.el;
    el.dataset.state = it.state;
    const bar = el.querySelector(".sheen-chat-file-progress");
    const pct = Math.round(it.progress * 100);
    bar.setAttribute("aria-valuenow", String(pct));
    bar.firstChild.style.width = `${pct}%`;
    bar.hidden = it.state !== "uploading" && it.state !== "preparing";
    if (it.url && !el.querySelector("img")) setThumb(this.doc, el, it.url);
    const size = el.querySelector(".sheen-chat-file-size");
    if (size) size.textContent = it.state === "error" ? it.error : `${typeLabel(it.type, it.name)} · ${formatSize(it.size)}`;
    el.title = it.state === "error" ? `${it.name}: ${it.error}` : `${it.name} (${formatSize(it.size)})`;
  }

  #render() {
    this.tray.hidden = this.items.length === 0;
  }
}

/** A file as a message or the tray shows it: a thumbnail for an image with one, a chip otherwise. */
export function fileEl(doc, f) {
  const thumb = typeof f.thumb === "string" && /^(data:image\/(png|jpeg|gif|webp);base64,|blob:)/.test(f.thumb) ? f.thumb : "";
  const el = h(doc, "div", "sheen-chat-file");
  el.dataset.kind = typeIcon(f.type);
  const name = String(f.name || "file");
  el.title = `${name} (${formatSize(f.size)})`;
  const icon = h(doc, "span", "sheen-chat-file-icon");
  icon.append(parseHTML(doc, ICONS[typeIcon(f.type)]));
  const meta = h(doc, "span", "sheen-chat-file-meta");
  const n = h(doc, "span", "sheen-chat-file-name");
  n.textContent = name;
  const s = h(doc, "span", "sheen-chat-file-size");
  s.textContent = `${typeLabel(f.type, name)} · ${formatSize(f.size)}`;
  meta.append(n, s);
  el.append(icon, meta);
  if (thumb) setThumb(doc, el, thumb);
  return el;
}

function setThumb(doc, el, src) {
  const img = h(doc, "img", "sheen-chat-file-thumb");
  img.alt = el.querySelector(".sheen-chat-file-name")?.textContent || "";
  img.src = src;
  img.decoding = "async";
  el.classList.add("sheen-chat-file-image");
  el.prepend(img);
}

/** The files of a message, for its bubble; null if it has none. */
export function filesBlock(doc, files) {
  if (!Array.isArray(files) || !files.length) return null;
  const box = h(doc, "div", "sheen-chat-files");
  box.setAttribute("role", "list");
  box.setAttribute("aria-label", "Attachments");
  for (const f of files) {
    if (!f || typeof f !== "object") continue;
    const el = fileEl(doc, f);
    el.setAttribute("role", "listitem");
    box.append(el);
  }
  return box;
}

/** Scales an image file down so its long edge is at most edge; the file itself if it is small enough. */
async function scaleImage(file, edge) {
  const bmp = await createImageBitmap(file);
  const { w, h: ht, scaled } = scaledSize(bmp.width, bmp.height, edge);
  if (!scaled) {
    bmp.close?.();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = ht;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bmp, 0, 0, w, ht);
  bmp.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, file.type, 0.9));
  if (!blob || mediaType(blob.type) !== mediaType(file.type)) return file;
  return new File([blob], file.name, { type: file.type });
}
