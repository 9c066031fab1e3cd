"""The command line as a user runs it: ``python -m leakhunt`` in a subprocess."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from leakhunt.analyzers import compute_dominators
from leakhunt.importers import load_graph

from conftest import v8_expected, v8_fixture
from helpers.cli import run
from helpers.snapshots import small_heap, write_snapshot


def test_help_lists_commands_and_examples() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "summary" in result.stdout and "paths" in result.stdout and "Examples" in result.stdout
    paths_help = run("paths", "--help")
    assert "class:NAME" in paths_help.stdout and "--max-paths" in paths_help.stdout


def test_summary_json_schema() -> None:
    result = run("summary", str(v8_fixture("leak_chain")), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "leakhunt/summary/1"
    expected = v8_expected("leak_chain")["snapshot"]
    assert doc["nodes"] == expected["node_count"]
    assert doc["edges"] == expected["edge_count"]
    for key in ("total_self_size", "roots", "contexts", "classes", "types", "root_kinds"):
        assert key in doc
    assert doc["root_kinds"]["user"] == 1
    assert [c["name"] for c in doc["contexts"]] == ["main"]


def test_summary_text() -> None:
    result = run("summary", str(v8_fixture("vm_contexts")), "--top", "3")
    assert result.returncode == 0, result.stderr
    assert "Top 3 of" in result.stdout
    assert "strong global handle" in result.stdout
    assert "ZombieSandbox" in result.stdout


def test_paths_text_and_json_for_the_leaked_session() -> None:
    expected = v8_expected("leak_chain")
    session = expected["leaked_session_id"]
    text = run("paths", str(v8_fixture("leak_chain")), f"@{session}")
    assert text.returncode == 0, text.stderr
    assert "GC Root: user — global" in text.stdout
    assert ".sessions" in text.stdout and f"╰→ Session @{session}" in text.stdout

    result = run(
        "paths",
        str(v8_fixture("leak_chain")),
        f"@{session}",
        "--format",
        "json",
        "--max-paths",
        "2",
    )
    doc = json.loads(result.stdout)
    assert doc["schema"] == "leakhunt/paths/1"
    first = doc["paths"][0]
    assert first["target"] == session and first["root_kind"] == "user"
    assert [h["edge"]["name"] for h in first["hops"][:-1]] == ["app", "sessions", "table", "57"]
    retained = _devtools_retained_by_id(v8_fixture("leak_chain"))
    assert first["hops"][-1] == {
        "node": {
            "id": session,
            "name": "Session",
            "class": "Session",
            "type": "object",
            "self_size": 56,
            "retained_size": retained[session],
        },
        "edge": None,
    }
    assert all(h["node"]["retained_size"] == retained[h["node"]["id"]] for h in first["hops"])
    assert len(doc["paths"]) == 2


def test_paths_by_class_answers_every_instance() -> None:
    result = run("paths", str(v8_fixture("leak_chain")), "class:LeakedPayload", "--format", "json")
    doc = json.loads(result.stdout)
    assert len(doc["targets"]) == 40 and len(doc["paths"]) == 40
    assert all(p["hops"][-2]["edge"]["name"] == "payload" for p in doc["paths"])


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["paths", "{file}", "Session"], 2, "unknown selector 'Session'"),
        (["paths", "{file}", "class:NoSuchClass"], 3, "no node matches 'class:NoSuchClass'"),
        (["paths", "{file}", "@1", "--max-paths", "0"], 2, "--max-paths"),
        (["summary", "{missing}"], 2, "does not exist"),
        (["summary", "{bad}"], 3, "bad.heapsnapshot: edge 1: to_node"),
        (["summary", "{text}"], 3, "not a recognised heap dump"),
    ],
)
def test_errors_are_one_line_with_documented_exit_codes(
    tmp_path: Path, args: list[str], code: int, fragment: str
) -> None:
    good = write_snapshot(tmp_path / "good.heapsnapshot", small_heap())
    bad_doc = json.loads(good.read_text())
    bad_doc["edges"][5] = 8
    bad = tmp_path / "bad.heapsnapshot"
    bad.write_text(json.dumps(bad_doc))
    text = tmp_path / "notes.txt"
    text.write_text("not a heap\n")
    names = {
        "file": str(good),
        "missing": str(tmp_path / "missing"),
        "bad": str(bad),
        "text": str(text),
    }
    result = run(*[a.format(**names) for a in args])
    assert result.returncode == code, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_output_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    good = write_snapshot(tmp_path / "good.heapsnapshot", small_heap())
    out = tmp_path / "summary.json"
    assert run("summary", str(good), "--format", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["nodes"] == 8
    out.write_text("previous")
    failed = run("paths", str(good), "class:Nope", "-o", str(out))
    assert failed.returncode == 3
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".leakhunt-")] == []


def test_output_to_a_device_is_written_in_place(tmp_path: Path) -> None:
    import stat

    good = write_snapshot(tmp_path / "good.heapsnapshot", small_heap())
    assert run("summary", str(good), "--format", "json", "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # not replaced by a regular file


def test_compact_json_for_many_paths_equals_the_indented_document() -> None:
    from leakhunt import find_retaining_paths, load_graph, select_nodes
    from leakhunt.render.json_report import paths_document

    fixture = str(v8_fixture("leak_chain"))
    result = run("paths", fixture, "class:Function", "name:\n", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1  # compact: thousands of paths
    graph = load_graph(fixture)
    report = find_retaining_paths(graph, select_nodes(graph, ["class:Function", "name:\n"]))
    assert len(report.paths) > 1000
    sizes = compute_dominators(graph).retained_size
    expected = paths_document(graph, report, retained_size=sizes)
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def _devtools_retained_by_id(path: Path) -> dict[int, int]:
    """Retained size per node id, from the dominator analysis the DevTools oracle tests check."""
    graph = load_graph(str(path))
    tree = compute_dominators(graph)
    return dict(zip(graph.node_id.tolist(), tree.retained_size.tolist(), strict=True))
