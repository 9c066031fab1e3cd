"""The V8 node-columns fast path (``diff``'s TARGET): the same ids, kinds and classes as the
full importer on every V8 fixture, and the same refusals on hostile input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from leakhunt.analyzers.diff import snapshot_identity
from leakhunt.errors import LeakhuntError
from leakhunt.graph.node_classes import NodeClasses
from leakhunt.importers import load_graph, load_node_classes

REPO = Path(__file__).resolve().parents[3]
V8_SNAPSHOTS = sorted(
    p.relative_to(REPO).as_posix()
    for p in (REPO / "fixtures").rglob("*")
    if p.name.endswith((".heapsnapshot", ".heapsnapshot.gz"))
)


def _columns(nodes: NodeClasses) -> tuple[list[str], list[int], list[int], str]:
    classes = [nodes.strings[int(c)] for c in nodes.node_class.tolist()]
    return classes, nodes.node_id.tolist(), nodes.node_kind.tolist(), nodes.source.path


def test_every_v8_fixture_is_covered() -> None:
    assert len(V8_SNAPSHOTS) >= 20


@pytest.mark.parametrize("name", V8_SNAPSHOTS)
def test_node_columns_equal_the_full_graph(name: str) -> None:
    path = str(REPO / name)
    fast = load_node_classes(path)
    full = NodeClasses.of(load_graph(path))
    assert _columns(fast) == _columns(full)
    a, b = snapshot_identity(fast), snapshot_identity(full)
    assert (a.class_names, a.node_class.tolist(), a.node_id.tolist(), a.engine, a.path) == (
        b.class_names,
        b.node_class.tolist(),
        b.node_id.tolist(),
        b.engine,
        b.path,
    )


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("leakhunt_bench_fuzz", REPO / "bench/fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _outcome(load: object, path: str) -> tuple[str, object]:
    try:
        nodes = load(path)  # type: ignore[operator]
    except LeakhuntError as exc:
        return type(exc).__name__, str(exc)
    if not isinstance(nodes, NodeClasses):
        nodes = NodeClasses.of(nodes)
    return "ok", _columns(nodes)


def test_hostile_inputs_are_refused_alike(tmp_path: Path) -> None:
    """The fuzz subset's V8 mutants: the fast path refuses exactly the files the full importer
    refuses, with the same message, and reads the others to the same columns."""
    fuzz = _fuzz()
    outcomes = []
    for spec in fuzz.mutants("v8", 80, seed=1, quick=True):
        data, suffix = spec.build()
        path = tmp_path / f"mutant-{spec.index}.heapsnapshot{suffix}"
        path.write_bytes(data)
        fast = _outcome(lambda p: load_node_classes(p, format="v8-heapsnapshot"), str(path))
        full = _outcome(lambda p: load_graph(p, format="v8-heapsnapshot"), str(path))
        assert fast == full, spec.seed
        outcomes.append(fast[0])
        path.unlink()
    # Both outcomes occur: the mutants are neither all rejected nor all harmless.
    assert "ok" in outcomes and any(o != "ok" for o in outcomes)
