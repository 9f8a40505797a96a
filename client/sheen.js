// sheen's page runtime. Load it as a module:
//
//   <meta name="sheen-ws" content="_sheen/ws">
//   <link rel="stylesheet" href="…/sheen.css">
//   <script type="module" src="…/sheen.js"></script>
//
// It connects to the session named by <meta name="sheen-ws">, binds the
// inputs, renders outputs, notices and component messages, and reconnects
// without loss. Component modules (chat.js, an app's own) import this module
// and add their kinds with registerComponent; the runtime never imports a
// component. The page loads them after it (client.Components lists ours).

import { Connection } from "./connection.js";
import { bindInputs } from "./inputs.js";
import { createOutputs, createNotices, createStatus } from "./render.js";
import { createRegistry } from "./components.js";
import { wsURL } from "./sync.js";
import { mergeBookmark } from "./protocol.js";
import "./table.js"; // data tables' sorting (not a component: it imports nothing of the runtime)

let conn = null;
const registry = createRegistry(document, (target, name, data) => conn?.sendEvent(target, name, data));

/**
 * Register the handler for components of a kind: elements with
 * data-sheen-component="<kind>" and an id.
 *   mount(el, api)            the element is on the page; api.send(name, data) sends an event
 *   message(el, name, data)   a message from the server (update.messages)
 *   unmount(el)               optional: the element left the page
 */
export function registerComponent(kind, handler) {
  registry.register(kind, handler);
}

function start() {
  const meta = document.querySelector('meta[name="sheen-ws"]');
  if (!meta) {
    console.warn('sheen: no <meta name="sheen-ws">; not connecting');
    return;
  }
  const root = document.documentElement;
  const inputs = bindInputs(document, (id, value) => conn.sendInputs({ [id]: value }));
  const outputs = createOutputs(document);
  const notices = createNotices(document);
  let errors = 0;

  conn = new Connection(wsURL(meta.content, document.baseURI), {
    snapshot: (fresh) => inputs.snapshot(fresh),
    query: () => location.search,
    onState: createStatus(document),
    onUpdate(u) {
      for (const id in u.inputs) inputs.apply(id, u.inputs[id]);
      for (const id of u.forget || []) {
        outputs.forget(id);
        inputs.forget(id);
      }
      if (u.outputs) outputs.apply(u.outputs);
      for (const m of u.messages || []) registry.dispatch(m.target, m.name, m.data);
      for (const n of u.notices || []) notices.show(n);
      if (u.busy != null) root.classList.toggle("sheen-session-busy", u.busy);
      if (typeof u.bookmark === "string") applyBookmark(u.bookmark);
    },
    onError(e) {
      if (e.code === "app" || e.code === "too_big") {
        notices.show({ id: `sheen-error-${++errors}`, level: e.code === "app" ? "error" : "warning", message: e.message, duration: 0 });
      } else {
        console.warn(`sheen: the server reported ${e.code}: ${e.message}`);
      }
    },
  });

  // Inputs, outputs and components added later (or moved) are picked up here.
  new MutationObserver((records) => {
    if (records.some((r) => r.removedNodes.length)) registry.sweep();
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (node.nodeType !== 1 || !node.isConnected) continue;
        inputs.scan(node);
        outputs.scan(node);
        registry.scan(node);
      }
    }
  }).observe(root, { childList: true, subtree: true });

  const wake = () => document.visibilityState !== "hidden" && conn.wake();
  document.addEventListener("visibilitychange", wake);
  addEventListener("online", wake);
  addEventListener("pageshow", (e) => e.persisted && wake());

  registry.scan(document);
  conn.start();
}

// An update's bookmark: the page's address changes (no reload, no new
// history entry) and, when the page has a bookmark button, the new address
// goes to the clipboard if the browser allows it.
function applyBookmark(bookmark) {
  const search = mergeBookmark(location.search, bookmark);
  try {
    history.replaceState(history.state, "", location.pathname + search + location.hash);
  } catch (err) {
    console.warn("sheen: cannot change the address:", err);
    return;
  }
  if (document.querySelector("[data-sheen-bookmark]")) {
    navigator.clipboard?.writeText(location.href).catch(() => {});
  }
}

start();
