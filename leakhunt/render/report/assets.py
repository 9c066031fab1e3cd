"""The report's only style sheet and script, inlined into the page and pinned by CSP hashes."""

from __future__ import annotations

import base64
import hashlib

__all__ = ["SCRIPT", "STYLE", "csp_hash"]

STYLE = """
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --accent: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: #fafafa; }
header { background: #20262e; color: #fff; padding: 1rem 1.5rem; }
header h1 { margin: 0; font-size: 1.35rem; }
header p { margin: .25rem 0 0; color: #c9d1d9; font-size: .9rem; overflow-wrap: anywhere; }
nav { padding: .5rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line);
      display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
nav a { color: #0b57d0; text-decoration: none; }
nav .count { color: var(--muted); }
main { padding: 0 1.5rem 2rem; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          margin: 1rem 0; padding: .5rem 1.25rem 1rem; }
h2 { font-size: 1.15rem; margin: .6rem 0; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; overflow-wrap: anywhere; }
h4 { font-size: .95rem; margin: .9rem 0 .3rem; }
.empty { color: var(--muted); font-style: italic; }
.note { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; margin: .3rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
td { max-width: 36em; }
th { background: #f1f3f4; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.id { color: var(--muted); font-size: .85em; }
details { margin: .3rem 0; }
summary { cursor: pointer; overflow-wrap: anywhere; }
ol.trace { list-style: none; padding-left: .5rem; border-left: 3px solid var(--line); }
ol.trace li { margin: .15rem 0; overflow-wrap: anywhere; }
ol.trace li.root { font-weight: 600; }
ol.trace li.elided { color: var(--muted); font-style: italic; }
ol.trace .edge { color: var(--muted); padding-left: 1rem; font-size: .9em; }
.kind { color: var(--muted); font-size: .85em; }
figure.diagram { margin: .5rem 0; overflow-x: auto; border: 1px solid var(--line);
                 border-radius: 6px; padding: .5rem; background: #fff; }
figure.diagram svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .8rem; }
footer { color: var(--muted); font-size: .8rem; padding: 0 1.5rem 1.5rem; }
@media (max-width: 700px) {
  main, nav, header, footer { padding-left: .75rem; padding-right: .75rem; }
  section { padding: .4rem .6rem .8rem; }
  figure.diagram svg { max-width: none; }
}
"""

SCRIPT = """
"use strict";
(function () {
  function value(row, column, numeric) {
    var c = row.cells[column];
    if (!c) { return numeric ? -Infinity : ""; }
    if (numeric) { var n = Number(c.getAttribute("data-sort")); return isNaN(n) ? -Infinity : n; }
    return c.textContent.toLowerCase();
  }
  function sortBy(table, header, column) {
    var numeric = header.getAttribute("data-type") === "number";
    var descending = header.getAttribute("aria-sort") !== "descending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, column, numeric), y = value(b, column, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.tabIndex = 0;
      header.addEventListener("click", function () { sortBy(table, header, column); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, header, column);
        }
      });
    });
  });
})();
"""


def csp_hash(source: str) -> str:
    """The CSP source expression (``'sha256-…'``) allowing exactly this inline text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
