// Inputs: elements with data-sheen-input="<id>" and data-sheen-kind. Reads
// values by kind, reports changes (debounced while typing, throttled while
// dragging) and applies updates from the server without echoing them.

export const DEBOUNCE = 250;
export const THROTTLE = 50;
const SEL = "[data-sheen-input]";
const RADIOS = "input[type=radio]";

const counts = new WeakMap(); // button element → clicks
const kindOf = (el) => el.dataset.sheenKind || "text";
const esc = (s) => (globalThis.CSS?.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"));

/** Every element under root (and root itself) matching selector. */
export function within(root, selector) {
  const found = root.matches?.(selector) ? [root] : [];
  return root.querySelectorAll ? found.concat(Array.from(root.querySelectorAll(selector))) : found;
}

/** The value of an input element, by its kind. */
export function readValue(el) {
  switch (kindOf(el)) {
    case "number": {
      const s = el.value.trim();
      const n = Number(s);
      return s === "" || !Number.isFinite(n) ? null : n;
    }
    case "slider": {
      const n = Number(el.value);
      return Number.isFinite(n) ? n : null;
    }
    case "select":
      return el.multiple ? Array.from(el.selectedOptions, (o) => o.value) : el.value;
    case "checkbox":
      return el.checked;
    case "radio":
      return el.querySelector(`${RADIOS}:checked`)?.value ?? null;
    case "button":
      return counts.get(el) || 0;
    default:
      return el.value ?? "";
  }
}

/** Show a slider's value in its <output class="sheen-slider-value" for=id>. */
function showSlider(el) {
  if (kindOf(el) !== "slider" || !el.id) return;
  const out = el.ownerDocument?.querySelector?.(`output.sheen-slider-value[for="${esc(el.id)}"]`);
  if (out) out.textContent = el.value;
}

function writeValue(el, v) {
  switch (kindOf(el)) {
    case "select": {
      const want = new Set((Array.isArray(v) ? v : [v]).map((x) => String(x ?? "")));
      let any = false;
      for (const o of el.options) any = (o.selected = want.has(o.value)) || any;
      if (!any && !el.multiple) el.selectedIndex = -1;
      break;
    }
    case "checkbox":
      el.checked = !!v;
      break;
    case "radio":
      for (const r of el.querySelectorAll(RADIOS)) r.checked = v != null && r.value === String(v);
      break;
    case "button":
      counts.set(el, Number.isSafeInteger(v) && v > 0 ? v : 0);
      break;
    case "slider":
      if (v != null) el.value = String(v);
      showSlider(el);
      break;
    default:
      el.value = v == null ? "" : String(v);
  }
}

function setChoices(el, choices, doc) {
  if (kindOf(el) === "select") {
    const keep = new Set([readValue(el)].flat());
    el.replaceChildren(...choices.map((c) => {
      const o = doc.createElement("option");
      o.value = c.value ?? "";
      o.textContent = c.label ?? o.value;
      o.selected = keep.has(o.value);
      return o;
    }));
  } else if (kindOf(el) === "radio") {
    const cur = readValue(el);
    const name = el.querySelector(RADIOS)?.name || el.dataset.sheenInput;
    for (const r of el.querySelectorAll(RADIOS)) {
      const p = r.parentElement;
      (p !== el && p.tagName === "LABEL" ? p : r).remove();
    }
    el.append(...choices.map((c) => {
      const label = doc.createElement("label");
      const r = doc.createElement("input");
      label.className = "sheen-choice";
      r.type = "radio";
      r.name = name;
      r.value = c.value ?? "";
      r.checked = r.value === cur;
      label.append(r, " ", c.label ?? r.value);
      return label;
    }));
  }
}

/**
 * Bind every input of doc, now and later. send(id, value) reports a change.
 * Returns {snapshot(fresh), scan(root), apply(id, update)}.
 */
export function bindInputs(doc, send, timers = globalThis) {
  const last = new Map(); // id → JSON of the value the server has
  const pending = new Map(); // id → {t, el, dirty}

  const cancel = (id) => {
    const p = pending.get(id);
    if (p) timers.clearTimeout(p.t);
    pending.delete(id);
  };
  const report = (el) => {
    const id = el.dataset.sheenInput;
    const v = readValue(el);
    const key = JSON.stringify(v);
    if (!id || (last.get(id) === key && kindOf(el) !== "button")) return;
    last.set(id, key);
    send(id, v);
  };
  const commit = (el) => {
    cancel(el.dataset.sheenInput);
    report(el);
  };
  const debounce = (el) => {
    const id = el.dataset.sheenInput;
    cancel(id);
    pending.set(id, { t: timers.setTimeout(() => commit(el), DEBOUNCE) });
  };
  const throttle = (el) => {
    const id = el.dataset.sheenInput;
    const p = pending.get(id);
    if (p) {
      p.dirty = true;
      return;
    }
    report(el);
    const q = { dirty: false };
    const fire = () => {
      if (!q.dirty) return pending.delete(id);
      q.dirty = false;
      report(el);
      q.t = timers.setTimeout(fire, THROTTLE);
    };
    q.t = timers.setTimeout(fire, THROTTLE);
    pending.set(id, q);
  };
  const target = (e) => e.target?.closest?.(SEL);

  doc.addEventListener("input", (e) => {
    const el = target(e);
    if (!el) return;
    const k = kindOf(el);
    showSlider(el);
    if (k === "slider") throttle(el);
    else if (k === "text" || k === "textarea" || k === "number") debounce(el);
    else if (k !== "button") commit(el);
  });
  doc.addEventListener("change", (e) => {
    const el = target(e);
    if (!el || kindOf(el) === "button") return;
    showSlider(el);
    commit(el);
  });
  doc.addEventListener("focusout", (e) => {
    const el = target(e);
    if (el && pending.has(el.dataset.sheenInput) && kindOf(el) !== "slider") commit(el);
  });
  doc.addEventListener("keydown", (e) => {
    const el = target(e);
    if (el && e.key === "Enter" && !e.isComposing && (kindOf(el) === "text" || kindOf(el) === "number")) commit(el);
  });
  doc.addEventListener("click", (e) => {
    const el = target(e);
    if (!el || kindOf(el) !== "button") return;
    counts.set(el, (counts.get(el) || 0) + 1);
    commit(el);
  });

  return {
    /** The value of every input, for hello; fresh: the server takes them as its own. */
    snapshot(fresh) {
      const values = {};
      for (const el of doc.querySelectorAll(SEL)) {
        const id = el.dataset.sheenInput;
        if (!id || id in values) continue;
        values[id] = readValue(el);
        showSlider(el); // a reload may have restored another value
        if (fresh) {
          cancel(id);
          last.set(id, JSON.stringify(values[id]));
        }
      }
      return values;
    },
    /** Forget input id: its UI was disposed; nothing pending is sent. */
    forget(id) {
      cancel(id);
      last.delete(id);
    },
    /** Report the values of inputs added under root. */
    scan(root) {
      for (const el of within(root, SEL)) report(el);
    },
    /** Apply an input update from the server. */
    apply(id, u) {
      const els = doc.querySelectorAll(`[data-sheen-input="${esc(id)}"]`);
      for (const el of els) {
        if (u.choices) setChoices(el, u.choices, doc);
        if (u.value !== undefined) writeValue(el, u.value);
        if (u.placeholder != null) el.placeholder = u.placeholder;
      }
      if (u.label != null) {
        const labels = doc.querySelectorAll(`[data-sheen-label-for="${esc(id)}"]`);
        if (labels.length) for (const l of labels) l.textContent = u.label;
        else for (const el of els) if (kindOf(el) === "button") el.textContent = u.label;
      }
      if (!els.length) return;
      if (u.value !== undefined) {
        cancel(id); // the server's value wins over a change still being typed
        last.set(id, JSON.stringify(readValue(els[0])));
      } else if (u.choices) {
        report(els[0]); // new choices may have changed the selection
      }
    },
  };
}
