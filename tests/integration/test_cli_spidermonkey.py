"""``python -m leakhunt`` on SpiderMonkey GC logs: summary and paths, text and JSON, several
dumps, and one-line errors with exit code 3 for bad logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers.cli import run
from helpers.gclog_oracle import EDGE_CASES, REAL_FIXTURES, sidecar


def _json(*args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_summary_text_of_a_gjs_dump() -> None:
    result = run("summary", str(REAL_FIXTURES["gjs_plain_leak"]), "--top", "40")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "SpiderMonkey, spidermonkey-gclog" in out and "dump: 1 of 1" in out
    assert "LeakedPayload" in out and "GJS global object" in out and "persistent" not in out
    assert "placeholder" in out  # unlisted targets are counted, not an error


def test_summary_json_of_a_js102_dump() -> None:
    doc = _json("summary", str(REAL_FIXTURES["js102_compartments"]))
    counts = sidecar("js102_compartments")["measured"]["dumps"][0]
    assert doc["schema"] == "leakhunt/summary/1"
    assert doc["source"]["format"] == "spidermonkey-gclog"
    unlisted = int(doc["source"]["details"]["unlisted cells"])
    assert doc["nodes"] == 1 + counts["cells"] + unlisted
    assert doc["root_kinds"]["stack"] == sum(
        n
        for k, n in counts["root_name_kinds"].items()
        if k.startswith("vm_stack") or k in ("env chain", "on-stack realm global", "script")
    )
    assert len(doc["contexts"]) == 5
    assert all(
        c["kind"] == "realm" and c["name"].startswith("<unknown> (compartment 0x")
        for c in doc["contexts"]
    )
    assert sum(c["attributed_nodes"] for c in doc["contexts"]) > counts["cells"] // 2


def test_paths_text_for_a_class_of_a_gjs_dump() -> None:
    result = run("paths", str(REAL_FIXTURES["gjs_plain_leak"]), "class:LeakedPayload")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("GC Root: user — GJS global object") == 3
    assert ".leakyRegistry" in out and "payload (closure variable)" in out
    assert "**UNKNOWN SLOT 1** (internal)" in out
    assert '╰→ LeakedPayload "Object" 0x' in out
    assert "3 target(s), 3 path(s), 0 unreachable" in out


def test_paths_json_for_the_native_leaks() -> None:
    truth = sidecar("gjs_native_leak")["native_truth"]
    doc = _json("paths", str(REAL_FIXTURES["gjs_native_leak"]), truth["timer"]["payload"])
    (path,) = doc["paths"]
    assert (path["root_kind"], path["root_label"]) == ("strong global handle", "persistent-Object")
    assert path["target"] == int(truth["timer"]["payload"], 16)
    hops = path["hops"]
    assert hops[0]["node"]["id"] == int(truth["timer"]["closure"], 16)
    assert hops[0]["node"]["type"] == "function" and hops[0]["node"]["name"] == "timerCallback"
    assert [h["edge"]["name"] for h in hops[:-1]] == ["**UNKNOWN SLOT 1**", "payload"]
    assert [h["edge"]["kind"] for h in hops[:-1]] == ["internal", "context_variable"]
    assert hops[-1]["node"]["class"] == "TimerPayload"


def test_paths_json_for_a_js102_zombie_held_by_the_shells_rooted_global() -> None:
    doc = _json("paths", str(REAL_FIXTURES["js102_compartments"]), "class:Session")
    assert len(doc["targets"]) == 4 and len(doc["paths"]) == 4
    # The shell's main() keeps its global in a JS::Rooted (exact-Object) for its whole life:
    # a durable embedder root, never "transient, not a leak" (issue 8).
    assert doc["transient_only"] == []
    assert {p["root_kind"] for p in doc["paths"]} == {"embedder"}
    assert {p["root_label"] for p in doc["paths"]} == {"exact-Object"}
    zombie = [p for p in doc["paths"] if p["length"] == 2]
    (path,) = zombie
    assert [h["edge"]["name"] for h in path["hops"][:-1]] == ["leakedSession", "proxy target"]


def test_choosing_a_dump() -> None:
    path = str(REAL_FIXTURES["gjs_two_dumps"])
    assert _json("summary", path)["source"]["details"]["dump"] == "2 of 2"
    assert _json("summary", path, "--dump", "0")["source"]["details"]["dump"] == "1 of 2"
    result = run("summary", path, "--dump", "2")
    assert result.returncode == 3
    assert result.stderr.strip().endswith(
        "gjs_two_dumps.heap.gz: dump 2: out of range: the file holds 2 dump(s), numbered 0 to 1"
    )
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("log", "fragment"),
    [
        ("malformed_line.log", "malformed_line.log: line 14: colour 'Q' is not one of B, G, X, W"),
    ],
)
def test_malformed_logs_fail_with_one_line(log: str, fragment: str) -> None:
    for command in (["summary"], ["paths", "--", "0x7f00000a0040"]):
        args = [command[0], str(EDGE_CASES / log), *command[1:]]
        result = run(*args)
        assert result.returncode == 3
        assert result.stderr.strip() == f"leakhunt: error: {EDGE_CASES / fragment}"


def test_truncated_log_is_read_with_a_problem() -> None:
    result = run("summary", str(EDGE_CASES / "truncated.log"), "--format", "json")
    assert result.returncode == 0, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert problems[0].startswith("line 18: the file ends inside this line")


@pytest.mark.parametrize("name", ["windows_addresses", "bsd_null_0x0", "pre_zone", "zones_era"])
def test_address_selectors_on_every_spelling(name: str) -> None:
    target = sidecar(name)["targets"][0]
    selector = "0x" + target["address"].removeprefix("0x")
    doc = _json("paths", str(EDGE_CASES / f"{name}.log"), selector)
    assert doc["targets"] == [int(target["address"], 16)]
    reached = not doc["unreachable"]
    assert reached == target["reachable"]


def test_help_lists_the_format(tmp_path: Path) -> None:
    result = run("summary", "--help")
    assert "spidermonkey-gclog" in result.stdout
