// Data tables (sheen.DataTable): a click on a column's header sorts the
// rows by it, ascending then descending, in the page. The header's
// aria-sort says the order to screen readers.

/**
 * The order of rows by their keys: numeric keys as numbers (missing ones
 * last, whatever the direction), others as text in the user's locale;
 * equal keys keep their order. keys[i] is row i's key (a string, or a
 * number for numeric columns, NaN when missing). Returns row indexes.
 */
export function sortOrder(keys, numeric, descending) {
  const idx = keys.map((_, i) => i);
  const coll = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const sign = descending ? -1 : 1;
  idx.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    let c;
    if (numeric) {
      const bx = Number.isNaN(x);
      const by = Number.isNaN(y);
      if (bx || by) return bx === by ? a - b : bx ? 1 : -1;
      c = x - y;
    } else {
      c = coll.compare(String(x), String(y));
    }
    return c === 0 ? a - b : sign * c;
  });
  return idx;
}

function keyOf(td, numeric) {
  if (!td) return numeric ? NaN : "";
  if (!numeric) return td.textContent;
  const v = td.dataset.value;
  return v == null || v === "" ? NaN : Number(v);
}

/** Sort the table of header cell th by its column: the next order after the one it has. */
export function sortBy(th) {
  const table = th.closest("table");
  const body = table?.tBodies[0];
  if (!body) return;
  const col = th.cellIndex;
  const numeric = th.classList.contains("sheen-table-num");
  const descending = th.getAttribute("aria-sort") === "ascending";
  for (const other of th.parentElement.cells) other.setAttribute("aria-sort", "none");
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  const rows = Array.from(body.rows);
  const order = sortOrder(rows.map((r) => keyOf(r.cells[col], numeric)), numeric, descending);
  body.append(...order.map((i) => rows[i]));
}

if (globalThis.document) {
  document.addEventListener("click", (e) => {
    const b = e.target?.closest?.("table[data-sheen-table] th > .sheen-table-sort");
    if (b && !b.disabled) sortBy(b.parentElement);
  });
}
