"""Two runs of the same Chromium generator (``NAME`` and ``NAME.run2``): what stays, what moves.

Fingerprints must be equal across runs of the same program. These tests pin down, on the
committed pairs, that the leak's shape is identical (edge types and names along the holder
chains, node names, script line and column, scope rows) while the page origin (a port picked by
the OS) differs, and it appears inside node names (``Window [JSGlobalObject] / http://…``,
``system / Script / http://…/leak.js``): a fingerprint must normalise it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from conftest import REPO

DIR = REPO / "fixtures" / "chromium"


@cache
def _sidecar(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / f"{name}.expected.json").read_text())
    return data


def _shape(chain: list[dict[str, Any]], origin: str) -> list[tuple[str, str, str, str]]:
    return [
        (
            h["edge_type"],
            str(h["edge_name"]),
            h["to_type"],
            h["to_name"].replace(origin, "<origin>"),
        )
        for h in chain
    ]


def test_origins_differ_and_leak_into_names() -> None:
    for base in ("closure_context", "detached_dom"):
        one, two = _sidecar(base), _sidecar(f"{base}.run2")
        o1, o2 = one["producer"]["page_origin"], two["producer"]["page_origin"]
        assert o1 != o2
        assert one["producer"]["browser_version"] == two["producer"]["browser_version"]
    one = _sidecar("closure_context")
    assert one["main_window_global"]["name"].endswith(one["producer"]["page_origin"])


def test_closure_context_leak_is_the_same() -> None:
    one, two = _sidecar("closure_context"), _sidecar("closure_context.run2")
    o1, o2 = one["producer"]["page_origin"], two["producer"]["page_origin"]
    assert _shape(one["chain_from_main_global"], o1) == _shape(two["chain_from_main_global"], o2)
    l1, l2 = one["leak"], two["leak"]
    for key in ("leaking_closure", "retained_variable", "variable_declared_in", "retained_count"):
        assert l1[key] == l2[key]
    loc1, loc2 = l1["some_method_location"], l2["some_method_location"]
    assert (loc1["line"], loc1["column"], loc1["script"]) == (
        loc2["line"],
        loc2["column"],
        loc2["script"],
    )
    assert loc1["script_url"].replace(o1, "") == loc2["script_url"].replace(o2, "")

    def rows(sidecar: dict[str, Any]) -> list[tuple[int, int, list[str], list[Any]]]:
        return [
            (r["scope_id"], r["depth"], r["context_vars"], r["uses"])
            for r in sidecar["scope_sections"]["rows_of_script"]
        ]

    assert rows(one) == rows(two)


def test_detached_dom_leak_is_the_same() -> None:
    one, two = _sidecar("detached_dom"), _sidecar("detached_dom.run2")
    o1, o2 = one["producer"]["page_origin"], two["producer"]["page_origin"]
    assert one["expected_leaks"] == two["expected_leaks"]
    for p1, p2 in zip(one["panels"], two["panels"], strict=True):
        assert [e["expected_name"] for e in p1["elements"]] == [
            e["expected_name"] for e in p2["elements"]
        ]
        for key in ("holder_chain", "held_node_to_root"):
            if key in p1:
                assert _shape(p1[key], o1) == _shape(p2[key], o2)
