"""``leakhunt top`` and ``leakhunt export`` end to end, against the analysis they present."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.importers import load_graph
from leakhunt.render.node_table import FORMULA_STARTS
from leakhunt.render.safe_text import visible

from conftest import v8_expected, v8_fixture
from helpers.cli import run


def test_top_text_names_the_semantics() -> None:
    result = run("top", str(v8_fixture("leak_chain")), "--top", "5", "--classes", "5")
    assert result.returncode == 0, result.stderr
    assert "Chrome DevTools semantics" in result.stdout
    assert "Top 5 retainers" in result.stdout and "classes by retained size" in result.stdout
    memlab = run("top", str(v8_fixture("leak_chain")), "--semantics", "memlab")
    assert "memlab semantics" in memlab.stdout


def test_top_json_matches_the_dominator_tree() -> None:
    fixture = v8_fixture("leak_chain")
    doc = json.loads(run("top", str(fixture), "--format", "json", "--top", "10").stdout)
    assert doc["schema"] == "leakhunt/top/1" and doc["semantics"] == "devtools"
    graph = load_graph(str(fixture))
    tree = compute_dominators(graph, Semantics.DEVTOOLS)
    assert doc["total_size"] == int(tree.retained_size[0])
    by_id = {int(i): v for v, i in enumerate(graph.node_id.tolist())}
    sizes = [r["retained_size"] for r in doc["retainers"]]
    assert sizes == sorted(sizes, reverse=True)
    for row in doc["retainers"]:
        node = by_id[row["node"]["id"]]
        assert row["retained_size"] == int(tree.retained_size[node])
        assert row["dominator_id"] == int(graph.node_id[tree.idom[node]])
    app = v8_expected("leak_chain")["app_id"]
    assert app in [r["node"]["id"] for r in doc["retainers"]]


def test_export_csv_has_one_row_per_node(tmp_path: Path) -> None:
    fixture = v8_fixture("vm_contexts")
    out = tmp_path / "nodes.csv"
    result = run("export", str(fixture), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "devtools semantics" in result.stderr
    with out.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    graph = load_graph(str(fixture))
    tree = compute_dominators(graph)
    assert len(rows) == graph.node_count
    assert list(rows[0]) == [
        "id",
        "type",
        "name",
        "class",
        "self_size",
        "shallow_size",
        "retained_size",
        "distance",
        "dominator_id",
        "context",
    ]
    assert [int(r["id"]) for r in rows] == graph.node_id.tolist()
    assert [int(r["retained_size"]) for r in rows] == tree.retained_size.tolist()
    assert [int(r["distance"]) for r in rows] == tree.distance.tolist()
    # Text cells are shown as the text reports show them: control characters escaped.
    names = [visible(graph.node_label(v)) for v in range(graph.node_count)]
    # ... and a cell a spreadsheet would run as a formula starts with an apostrophe.
    assert [r["name"] for r in rows] == [
        f"'{name}" if name.startswith(FORMULA_STARTS) else name for name in names
    ]
    assert any(name.startswith("-") for name in names)
    assert any("\\n" in name for name in names)
    contexts = {r["context"] for r in rows}
    assert "main" in contexts and any("ZombieSandbox" in c for c in contexts)


def test_export_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    fixture = v8_fixture("leak_chain")
    out = tmp_path / "nodes.parquet"
    assert run("export", str(fixture), "-o", str(out), "--semantics", "memlab").returncode == 0
    table = pq.read_table(out)
    assert table.schema.metadata[b"leakhunt.semantics"] == b"memlab"
    graph = load_graph(str(fixture))
    tree = compute_dominators(graph, Semantics.MEMLAB)
    assert table.num_rows == graph.node_count
    assert np.array_equal(table.column("retained_size").to_numpy(), tree.retained_size)
    assert table.column("name").to_pylist()[:50] == [graph.node_label(v) for v in range(50)]


def test_export_requires_output() -> None:
    result = run("export", str(v8_fixture("leak_chain")))
    assert result.returncode == 2 and "Missing option '-o'" in result.stderr


@pytest.mark.parametrize(
    "fixture",
    [
        "fixtures/spidermonkey/gjs_plain_leak.heap.gz",
        "fixtures/spidermonkey/js78_compartments.heap.gz",
        "fixtures/spidermonkey/cc/cc_all_forms.log",
    ],
)
@pytest.mark.parametrize("semantics", ["devtools", "memlab"])
def test_top_works_on_spidermonkey_and_cc_graphs(fixture: str, semantics: str) -> None:
    repo = Path(__file__).resolve().parents[2]
    result = run("top", fixture, "--semantics", semantics, "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    graph = load_graph(str(repo / fixture))
    assert doc["semantics"] == semantics
    assert doc["total_size"] == int(graph.node_self_size.sum())
    sizes = [r["retained_size"] for r in doc["retainers"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] <= doc["total_size"]
