// Patch a run of nodes in the page into a fresh parse of the same HTML
// region, touching only what differs: an open list that gains a word changes
// one text node instead of the whole list, so the browser restyles, lays out
// and paints little.

/**
 * Make the nodes `olds` (consecutive children of parent, in order) equal to
 * the children of frag, moving frag's nodes into the page where the old ones
 * differ. Nodes that are equal are kept; a text or comment node whose value
 * changed gets the new value; an element with the same name gets the new
 * attributes and has its children patched the same way; anything else is
 * replaced. Nodes frag has beyond olds are inserted after them (appended to
 * parent if olds is empty); old nodes beyond frag's are removed. Everything
 * inserted or copied comes from frag, so whatever was done to frag before
 * (defusing, preparing) holds in the page.
 *
 * Returns the nodes that now stand for frag's children, in order.
 */
export function morph(parent, olds, frag) {
  const news = Array.from(frag.childNodes);
  const out = new Array(news.length);
  const n = Math.min(olds.length, news.length);
  for (let i = 0; i < n; i++) out[i] = patch(olds[i], news[i]);
  for (let i = n; i < olds.length; i++) olds[i].remove();
  if (news.length > n) {
    const rest = news.slice(n);
    const last = n > 0 ? out[n - 1] : null;
    if (last) last.after(...rest);
    else parent.append(...rest);
    for (let i = n; i < news.length; i++) out[i] = news[i];
  }
  return out;
}

// Make old equal to nu; returns the node in the page.
function patch(old, nu) {
  if (old.nodeType !== nu.nodeType || old.nodeName !== nu.nodeName) {
    old.replaceWith(nu);
    return nu;
  }
  if (old.nodeType !== 1) {
    // Text, comment, CDATA: only the value can differ.
    if (old.nodeValue !== nu.nodeValue) old.nodeValue = nu.nodeValue;
    return old;
  }
  if (old.isEqualNode(nu)) return old;
  if (old.namespaceURI !== nu.namespaceURI || STATEFUL.has(old.localName)) {
    old.replaceWith(nu);
    return nu;
  }
  syncAttrs(old, nu);
  patchChildren(old, nu);
  return old;
}

function patchChildren(old, nu) {
  let o = old.firstChild;
  let c = nu.firstChild;
  while (o && c) {
    const nextO = o.nextSibling;
    const nextC = c.nextSibling;
    patch(o, c);
    o = nextO;
    c = nextC;
  }
  while (o) {
    const next = o.nextSibling;
    o.remove();
    o = next;
  }
  while (c) {
    const next = c.nextSibling;
    old.append(c);
    c = next;
  }
}

// Give old exactly nu's attributes.
function syncAttrs(old, nu) {
  const oa = old.attributes;
  for (let i = oa.length - 1; i >= 0; i--) {
    const x = oa[i];
    if (!nu.hasAttributeNS(x.namespaceURI, x.localName)) old.removeAttributeNS(x.namespaceURI, x.localName);
  }
  const na = nu.attributes;
  for (let i = 0; i < na.length; i++) {
    const x = na[i];
    if (old.getAttributeNS(x.namespaceURI, x.localName) !== x.value) old.setAttributeNS(x.namespaceURI, x.name, x.value);
  }
}

// Elements with state beyond their attributes and children (a form
// control's value and checkedness, a media element's loaded source):
// replaced, as a fresh render would have them, rather than patched when
// anything in them differs.
const STATEFUL = new Set(["input", "textarea", "select", "option", "img", "video", "audio", "source", "iframe", "object", "embed", "script", "style"]);
