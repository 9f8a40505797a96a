import { test } from "node:test";
import assert from "node:assert/strict";
import { morph } from "./chat-morph.js";

// Just enough of a DOM for morph, counting every change made to it.
let changes = [];
class Node {
  constructor(type, name, value = null) {
    this.nodeType = type;
    this.nodeName = name;
    this.localName = type === 1 ? name.toLowerCase() : null;
    this.namespaceURI = type === 1 ? "http://www.w3.org/1999/xhtml" : null;
    this.value = value;
    this.attributes = [];
    this.childNodes = [];
    this.parentNode = null;
  }
  get nodeValue() {
    return this.value;
  }
  set nodeValue(v) {
    changes.push(["text", v]);
    this.value = v;
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  get nextSibling() {
    const s = this.parentNode?.childNodes;
    return (s && s[s.indexOf(this) + 1]) ?? null;
  }
  #detach() {
    if (this.parentNode) this.parentNode.childNodes.splice(this.parentNode.childNodes.indexOf(this), 1);
    this.parentNode = null;
  }
  remove() {
    changes.push(["remove", this.nodeName]);
    this.#detach();
  }
  #insertAt(i, nodes) {
    for (const n of nodes) n.#detach();
    this.childNodes.splice(i, 0, ...nodes);
    for (const n of nodes) n.parentNode = this;
  }
  append(...nodes) {
    changes.push(["insert", ...nodes.map((n) => n.nodeName)]);
    this.#insertAt(this.childNodes.length, nodes);
  }
  after(...nodes) {
    changes.push(["insert", ...nodes.map((n) => n.nodeName)]);
    const p = this.parentNode;
    p.#insertAt(p.childNodes.indexOf(this) + 1, nodes);
  }
  replaceWith(n) {
    changes.push(["replace", this.nodeName, n.nodeName]);
    const p = this.parentNode;
    const i = p.childNodes.indexOf(this);
    this.#detach();
    p.#insertAt(i, [n]);
  }
  #attr(ns, name) {
    return this.attributes.find((a) => a.namespaceURI === ns && a.localName === name);
  }
  getAttributeNS(ns, name) {
    return this.#attr(ns, name)?.value ?? null;
  }
  hasAttributeNS(ns, name) {
    return !!this.#attr(ns, name);
  }
  removeAttributeNS(ns, name) {
    changes.push(["attr", name, null]);
    this.attributes = this.attributes.filter((a) => a !== this.#attr(ns, name));
  }
  setAttributeNS(ns, name, value) {
    changes.push(["attr", name, value]);
    const a = this.#attr(ns, name);
    if (a) a.value = value;
    else this.attributes.push({ namespaceURI: ns, name, localName: name, value });
  }
  isEqualNode(o) {
    return html(this) === html(o);
  }
}

// el("ul", {class: "x"}, el("li", {}, "text"), ...): an element; strings are text nodes.
function el(name, attrs = {}, ...kids) {
  const e = new Node(1, name.toUpperCase());
  e.attributes = Object.entries(attrs).map(([k, v]) => ({ namespaceURI: null, name: k, localName: k, value: v }));
  for (const k of kids) {
    const n = typeof k === "string" ? new Node(3, "#text", k) : k;
    n.parentNode = e;
    e.childNodes.push(n);
  }
  return e;
}
const frag = (...kids) => el("#fragment", {}, ...kids);
function html(n) {
  if (n.nodeType !== 1) return n.value;
  const a = n.attributes.map((x) => ` ${x.name}="${x.value}"`).join("");
  return `<${n.localName}${a}>${n.childNodes.map(html).join("")}</${n.localName}>`;
}
const inner = (n) => n.childNodes.map(html).join("");

test("an open list that gains a word changes one text node", () => {
  const parent = el("div", {}, el("p", {}, "done"));
  const list = (last) => el("ul", {}, el("li", {}, "one"), el("li", {}, "two"), el("li", {}, last));
  let live = morph(parent, [], frag(list("thr")));
  const ul = live[0];
  changes = [];
  live = morph(parent, live, frag(list("three")));
  assert.deepEqual(changes, [["text", "three"]]);
  assert.equal(live[0], ul);
  assert.equal(inner(parent), "<p>done</p>" + html(list("three")));
});

test("the result always equals the new fragment", () => {
  const cases = [
    { name: "new item", old: [el("ul", {}, el("li", {}, "a"))], nu: [el("ul", {}, el("li", {}, "a"), el("li", {}, "b"))] },
    { name: "fewer nodes", old: [el("p", {}, "a"), el("p", {}, "b")], nu: [el("p", {}, "a")] },
    { name: "more nodes", old: [el("p", {}, "a")], nu: [el("p", {}, "a"), el("pre", {}, el("code", {}, "x"))] },
    { name: "other element", old: [el("p", {}, "# a")], nu: [el("h1", {}, "a")] },
    { name: "text to element", old: ["a"], nu: [el("em", {}, "a")] },
    { name: "attributes", old: [el("a", { href: "/x", title: "t" }, "a")], nu: [el("a", { href: "/y", rel: "r" }, "a")] },
    { name: "stateful element", old: [el("input", { type: "checkbox" })], nu: [el("input", { type: "checkbox", checked: "" })] },
    { name: "empty", old: [el("p", {}, "a")], nu: [] },
    { name: "from nothing", old: [], nu: [el("p", {}, "a")] },
  ];
  for (const tc of cases) {
    const before = el("p", {}, "kept");
    const parent = el("div", {}, before, ...tc.old);
    const want = tc.nu.map(html).join("");
    const live = morph(parent, parent.childNodes.slice(1), frag(...tc.nu));
    assert.equal(inner(parent), "<p>kept</p>" + want, tc.name);
    assert.equal(live.map(html).join(""), want, tc.name);
    assert.equal(parent.childNodes[0], before, tc.name);
    assert.deepEqual(live, parent.childNodes.slice(1), tc.name);
  }
});

test("a stateful element is replaced, not patched", () => {
  const parent = el("div", {}, el("input", { type: "checkbox" }));
  const nu = el("input", { type: "checkbox", checked: "" });
  const live = morph(parent, parent.childNodes.slice(), frag(nu));
  assert.equal(live[0], nu);
});

test("nodes before the old ones are untouched and new ones follow the old ones", () => {
  const tail = el("p", {}, "a");
  const parent = el("div", {}, el("p", {}, "piece"), tail);
  changes = [];
  morph(parent, [tail], frag(el("p", {}, "a"), el("p", {}, "b")));
  assert.deepEqual(changes, [["insert", "P"]]);
  assert.equal(inner(parent), "<p>piece</p><p>a</p><p>b</p>");
});
