"""The root-dump commands as a user runs them: cycles, isolates, --overlay, --lenient."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run
from tests.helpers.rootdump import (
    ADDON_DUMP,
    ADDON_EXPECTED,
    ADDON_SNAPSHOT,
    NODE_ROOTDUMP,
    STANDALONE,
    WORKER_MANIFEST,
    load_json,
)


def test_cycles_overlay_text_names_each_hop() -> None:
    result = run("cycles", str(ADDON_SNAPSHOT), "--overlay", str(ADDON_DUMP), "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("5 pinned cycle(s); examined 7 handle owner(s)")
    assert out.count("object_ (strong global handle)") == 5
    assert out.count("CompiledFnEntry::WeakCallback (weak callback: its death frees the next)") == 5
    assert "Fix: " in out and "host-defined options" in out


def test_cycles_json_and_gate() -> None:
    result = run(
        "cycles",
        str(ADDON_SNAPSHOT),
        "--overlay",
        str(ADDON_DUMP),
        "--format",
        "json",
        "--fail-on-cycles",
        "-q",
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "leakhunt/cycles/1"
    assert doc["source"]["details"]["overlay"] == str(ADDON_DUMP)
    expected = load_json(ADDON_EXPECTED)
    leaked = {c["function_id"] for c in expected["leaked_cycles"]}
    found = set()
    for cycle in doc["cycles"]:
        kinds = [hop["edge"]["kind"] for hop in cycle["hops"]]
        assert kinds[0] == "native_handle" and kinds[-1] == "weak_callback"
        assert cycle["hops"][-1]["edge"]["retains"] is False
        found.add(cycle["hops"][-1]["node"]["id"])
    assert found == leaked


def test_cycles_without_pins_says_what_it_needs() -> None:
    snapshot = (
        Path(__file__).resolve().parents[2] / "fixtures" / "v8" / "leak_chain.heapsnapshot.gz"
    )
    result = run("cycles", str(snapshot), "--no-cache", "-q")
    assert result.returncode == 0
    assert "need an embedder root dump" in result.stdout


def test_standalone_dump_is_an_input_of_its_own() -> None:
    result = run("summary", str(STANDALONE), "--format", "json", "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"]["format"] == "leakhunt-rootdump"
    result = run("cycles", str(STANDALONE), "--format", "json", "-q")
    assert [c["pin"] for c in json.loads(result.stdout)["cycles"]] == [
        "strong global handle",
        "unseen references",
    ]


def test_paths_through_an_overlay_show_the_handle_hop() -> None:
    expected = load_json(ADDON_EXPECTED)
    function = next(e["function_id"] for e in expected["entries"] if e["state"] == "leaked")
    result = run("paths", str(ADDON_SNAPSHOT), f"@{function}", "--overlay", str(ADDON_DUMP), "-q")
    assert result.returncode == 0, result.stderr
    assert "GC Root: strong global handle — (Embedder handles)" in result.stdout
    assert "(strong global handle)" in result.stdout
    assert "weak callback" not in result.stdout


def test_bad_overlay_is_one_line_naming_dump_record_problem(tmp_path: Path) -> None:
    doc = load_json(ADDON_DUMP)
    doc["edges"][3]["to"] = {"native": "entry-404"}
    bad = tmp_path / "bad.rootdump.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = run("top", str(ADDON_SNAPSHOT), "--overlay", str(bad), "--no-cache", "-q")
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"leakhunt: error: {bad}: /edges/3/to: no native with id 'entry-404' in the dump"
    )
    result = run("top", str(ADDON_SNAPSHOT), "--overlay", str(bad), "--lenient", "-q", "--top", "1")
    assert result.returncode == 0
    assert result.stderr.strip() == (
        f"leakhunt: warning: {bad}: /edges/3/to: no native with id 'entry-404' in the dump "
        "(record dropped)"
    )


def test_isolates_rolls_up_the_worker_manifest() -> None:
    expected = load_json(NODE_ROOTDUMP / "worker_isolates.expected.json")
    result = run("isolates", str(WORKER_MANIFEST), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "leakhunt/isolates/1"
    (group,) = doc["groups"]
    assert group["status"] == "no cage" and group["pointer_cage_size"] is None
    sizes = {i["isolate"]: i["heap_statistics"]["total_heap_size"] for i in expected["isolates"]}
    assert {i["id"]: i["heap_size"] for i in group["isolates"]} == sizes
    assert group["total_heap_size"] == sum(sizes.values())
    total = sum(sizes.values())
    near = run(
        "isolates", str(WORKER_MANIFEST), "--assume-cage", str(int(total / 0.9)), "--fail-on-near"
    )
    assert near.returncode == 1 and "NEAR" in near.stdout and "(assumed)" in near.stdout
    over = run("isolates", str(WORKER_MANIFEST), "--assume-cage", str(total - 1))
    assert over.returncode == 0 and "OVER" in over.stdout
    ok = run("isolates", str(WORKER_MANIFEST), "--assume-cage", str(4 * 1024**3))
    assert " ok" in ok.stdout and "0 near or over" in ok.stdout


def test_isolates_flags_contexts_over_their_limit() -> None:
    result = run("isolates", str(STANDALONE), "--format", "json")
    doc = json.loads(result.stdout)
    contexts = {c["id"]: c for c in doc["groups"][0]["isolates"][0]["contexts"]}
    assert contexts["tenant-a"]["status"] == "ok"
    assert contexts["tenant-b"]["status"] == "over"
    assert contexts["tenant-b"]["memory_limit"] == 524288


def test_reports_name_the_overlaid_dump_under_the_snapshot() -> None:
    for command in ("top", "contexts", "summary"):
        result = run(command, str(ADDON_SNAPSHOT), "--overlay", str(ADDON_DUMP), "--no-cache", "-q")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith(str(ADDON_SNAPSHOT)), command
        assert lines[1] == f"  overlay: {ADDON_DUMP}", command
    plain = run("top", str(ADDON_SNAPSHOT), "--no-cache", "-q")
    assert "overlay:" not in plain.stdout


def test_gate_names_each_cycles_pin_and_loop() -> None:
    result = run(
        "gate", str(ADDON_SNAPSHOT), "--overlay", str(ADDON_DUMP), "--format", "json", "-q"
    )
    assert result.returncode == 1, result.stderr
    findings = [
        f for f in json.loads(result.stdout)["findings"] if f["check"] == "invisible-cycles"
    ]
    assert {f["baseline_state"] for f in findings} == {"new"}
    expected = load_json(ADDON_EXPECTED)
    assert len(findings) == len(expected["leaked_cycles"])
    for finding in findings:
        assert "pinned by the strong global handle object_ of " in finding["title"]
        loop = finding["evidence"][0]
        assert loop.startswith("loop: ") and "-[object_ (native handle)]->" in loop
        assert "(weak callback)]->" in loop
