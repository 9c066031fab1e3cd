"""The QuickJS-ng tenants fixture, checked with plain JSON reading (no leakhunt code).

What the embedder knows (``tenants.counters.json``) must be visible in what the dumper wrote:
the object held by a forgotten ``JS_DupValue``, the disposed tenant kept alive from another
one, the tenant over its budget, the tenant collected cleanly, and totals that agree with
QuickJS's own ``JS_ComputeMemoryUsage``.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "quickjs"
BUILD_SCRIPT = ROOT / "contrib" / "quickjs" / "build.sh"
JS_OBJECT_KINDS = {"object", "closure", "array", "regexp"}
JS_VALUE_SIZE = 16  # sizeof(JSValue) on 64-bit targets without NaN boxing
POINTER_SIZE = 8

Dump = dict[str, Any]


def load(directory: Path, name: str) -> Dump:
    with gzip.open(directory / f"{name}.rootdump.json.gz", "rt", encoding="utf-8") as stream:
        dump: Dump = json.load(stream)
    return dump


def isolate(dump: Dump) -> dict[str, Any]:
    (process,) = dump["processes"]
    (group,) = process["isolate_groups"]
    (runtime,) = group["isolates"]
    return runtime  # type: ignore[no-any-return]


def reachable(dump: Dump, cut: Iterable[tuple[int, int]] = ()) -> set[int]:
    """Plain BFS from the roots over every edge, minus the ``cut`` (from, to) pairs."""
    blocked = set(cut)
    out: dict[int, list[int]] = collections.defaultdict(list)
    for edge in dump["edges"]:
        pair = (edge["from"]["js"], edge["to"]["js"])
        if pair not in blocked:
            out[pair[0]].append(pair[1])
    seen = {root["to"]["js"] for root in dump["roots"]}
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        for target in out[node]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def check_dump_against_counters(directory: Path) -> None:
    counters = json.loads((directory / "tenants.counters.json").read_text())
    first, second = load(directory, "tenants-1"), load(directory, "tenants-2")
    for dump in (first, second):
        assert dump["format"] == "leakhunt-rootdump" and dump["graph"] == "standalone"
        nodes = {node["id"]: node for node in dump["nodes"]}
        contexts = {context["id"]: context for context in isolate(dump)["contexts"]}
        tenants = {tenant["id"]: tenant for tenant in counters["tenants"]}

        # the cleanly disposed tenant is gone, the zombie is still there and says it is disposed
        assert set(contexts) == {"tenant-a", "tenant-b", "tenant-c"}
        assert not any(node.get("context") == "tenant-d" for node in nodes.values())
        assert contexts["tenant-b"]["state"] == "disposed"
        assert {c["id"]: c["memory_limit"] for c in contexts.values()} == {
            t: tenants[t]["budget"] for t in contexts
        }

        # the forgotten JS_DupValue: the only root that is not a context or its global
        leaked = counters["leaked_dup_value"]
        external = {
            nodes[root["to"]["js"]]["address"]: root
            for root in dump["roots"]
            if root["kind"] == "external"
        }
        root = external[leaked["address"]]
        assert root["unseen_references"] == leaked["unseen_references"]
        assert nodes[root["to"]["js"]]["class"] == leaked["class"]
        context_nodes = {c["node"] for c in contexts.values()}
        others = {r["to"]["js"] for r in external.values()} - context_nodes
        assert others == {root["to"]["js"]}

        # the zombie: alive, and only through edges entering it from tenant-a
        alive = reachable(dump)
        zombie = {n for n, node in nodes.items() if node.get("context") == "tenant-b"}
        assert zombie and zombie <= alive
        entering = [
            (e["from"]["js"], e["to"]["js"])
            for e in dump["edges"]
            if nodes[e["to"]["js"]].get("context") == "tenant-b"
            and nodes[e["from"]["js"]].get("context") not in (None, "tenant-b")
        ]
        assert {nodes[source]["context"] for source, _ in entering} == {"tenant-a"}
        assert not zombie & reachable(dump, cut=entering)
        held = {nodes[target].get("name") for _, target in entering}
        assert tenants["tenant-b"]["held_function"] in held

        # budgets: tenant-c's own objects exceed its budget, the others stay within theirs
        used = collections.Counter()
        for node in nodes.values():
            if node.get("context"):
                used[node["context"]] += node["size"]
        assert used["tenant-c"] > tenants["tenant-c"]["budget"]
        assert used["tenant-a"] < tenants["tenant-a"]["budget"]

        # totals agree with JS_ComputeMemoryUsage
        stats = isolate(dump)["heap_statistics"]
        kinds = collections.Counter(node["kind"] for node in nodes.values())
        sizes = collections.Counter()
        for node in nodes.values():
            sizes[node["kind"]] += node["size"]
        assert sum(kinds[k] for k in JS_OBJECT_KINDS) == stats["obj_count"]
        assert kinds["code"] == stats["js_func_count"]
        assert sizes["code"] == (
            stats["js_func_size"] + stats["js_func_code_size"] + stats["js_func_pc2line_size"]
        )
        assert sizes["shape"] == stats["shape_size"]
        object_parts = (
            stats["obj_size"] + stats["prop_size"] + stats["fast_array_elements"] * JS_VALUE_SIZE
        )
        closure_slots = sum(sizes[k] for k in JS_OBJECT_KINDS) - object_parts
        assert 0 <= closure_slots <= 64 * POINTER_SIZE  # a few closure-variable arrays
        assert sum(sizes.values()) <= stats["memory_used_size"]

    # between the dumps: exactly the sessions opened, every earlier object kept its address
    def sessions(dump: Dump) -> set[str]:
        return {n["address"] for n in dump["nodes"] if n["class"] == "Session"}

    assert len(sessions(second) - sessions(first)) == counters["sessions_opened_between_dumps"]
    assert sessions(first) <= sessions(second)
    final_objects = sum(1 for n in second["nodes"] if n["kind"] in JS_OBJECT_KINDS)
    assert final_objects == counters["memory_usage_after_second_dump"]["obj_count"]


def test_committed_fixture_matches_the_embedder_counters() -> None:
    check_dump_against_counters(FIXTURES)


def test_dump_names_closure_variables_and_properties() -> None:
    dump = load(FIXTURES, "tenants-1")
    names = {(e["kind"], e.get("name")) for e in dump["edges"]}
    assert ("context_variable", "report") in names
    assert ("property", "handlers") in names and ("property", "sessions") in names
    assert any(kind == "element" and isinstance(name, int) for kind, name in names)


@pytest.mark.engine
@pytest.mark.slow
def test_dumper_builds_from_source_and_regenerates(tmp_path: Path) -> None:
    if shutil.which(os.environ.get("CC", "gcc")) is None:
        pytest.skip("no C compiler (gcc) on this machine")
    build = Path(os.environ.get("LEAKHUNT_QUICKJS_BUILD", ROOT / "contrib/quickjs/build"))
    sdist = build / "quickjs_ng-0.17.0.2.tar.gz"
    env = {**os.environ, "LEAKHUNT_QUICKJS_BUILD": str(build)}
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT), str(tmp_path)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0 and not sdist.exists():
        pytest.skip(f"QuickJS-ng sdist not available offline: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    check_dump_against_counters(tmp_path)
