// Components: elements with data-sheen-component="<kind>" and an id, driven
// by a handler registered per kind. Server messages for a component that is
// not mounted yet wait until it is.

import { within } from "./inputs.js";

const SEL = "[data-sheen-component]";
export const MAX_PENDING = 10000;

/**
 * A component registry.
 *   root: where registered kinds are looked for (the document)
 *   send(target, name, data): sends an event for a component
 * A handler is {mount(el, api), message(el, name, data), unmount?(el)};
 * api is {id, send(name, data)}.
 */
export function createRegistry(root, send, log = console) {
  const handlers = new Map(); // kind → handler
  const mounted = new Map(); // id → {el, h}
  const pending = new Map(); // id → [[name, data], …]
  let queued = 0;

  const call = (h, fn, ...args) => {
    try {
      h[fn]?.(...args);
    } catch (err) {
      log.error(`sheen: component ${fn}:`, err);
    }
  };

  function mount(el) {
    const id = el.id;
    const h = handlers.get(el.dataset.sheenComponent);
    if (!id || !h || !el.isConnected) return;
    const cur = mounted.get(id);
    if (cur?.el === el) return;
    if (cur) {
      mounted.delete(id);
      call(cur.h, "unmount", cur.el);
    }
    mounted.set(id, { el, h });
    call(h, "mount", el, { id, send: (name, data) => send(id, name, data) });
    const q = pending.get(id);
    if (q) {
      pending.delete(id);
      queued -= q.length;
      for (const [name, data] of q) dispatch(id, name, data);
    }
  }

  /** Unmount components whose element left the document (a move is not a leave). */
  function sweep() {
    for (const [id, r] of mounted) {
      if (!r.el.isConnected) {
        mounted.delete(id);
        call(r.h, "unmount", r.el);
      }
    }
  }

  function dispatch(target, name, data) {
    const r = mounted.get(target);
    if (r?.el.isConnected) return call(r.h, "message", r.el, name, data);
    if (r) sweep();
    if (queued >= MAX_PENDING) {
      log.warn(`sheen: dropped a message for #${target}: ${MAX_PENDING} messages wait for components`);
      return;
    }
    let q = pending.get(target);
    if (!q) pending.set(target, (q = []));
    q.push([name, data]);
    queued++;
  }

  return {
    /** Register the handler for a kind and mount the elements of that kind. */
    register(kind, handler) {
      if (handlers.has(kind)) throw new Error(`sheen: component kind ${JSON.stringify(kind)} is already registered`);
      handlers.set(kind, handler);
      for (const el of within(root, SEL)) if (el.dataset.sheenComponent === kind) mount(el);
    },
    /** Mount the components under an added node. */
    scan(node) {
      for (const el of within(node, SEL)) mount(el);
    },
    sweep,
    dispatch,
  };
}
