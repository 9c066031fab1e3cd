"""The commands agree with each other, with the docs and with what the input can hold."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leakhunt import cli as cli_module

from conftest import REPO, v8_fixture
from helpers.cli import run
from helpers.gclog_oracle import REAL_FIXTURES

CC_LOG = REPO / "fixtures" / "firefox" / "firefox_page_leak.cc.log.gz"


@pytest.mark.parametrize(
    "fixture", [str(v8_fixture("leak_chain")), str(CC_LOG)], ids=["v8", "cc-log"]
)
def test_dump_is_refused_on_formats_holding_one_dump(fixture: str) -> None:
    result = run("summary", fixture, "--dump", "0")
    assert result.returncode == 2
    assert "--dump applies to files holding several dumps" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_dump_still_picks_a_spidermonkey_dump() -> None:
    result = run("summary", str(REAL_FIXTURES["gjs_two_dumps"]), "--dump", "0", "-q")
    assert result.returncode == 0 and "dump: 1 of 2" in result.stdout


@pytest.mark.parametrize("name", ["nodes.xlsx", "nodes.json", "nodes.txt"])
def test_export_refuses_a_format_it_does_not_write(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = run("export", str(v8_fixture("leak_chain")), "-o", str(out))
    assert result.returncode == 2 and "export writes .csv or .parquet" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_export_with_an_explicit_format_writes_any_name(tmp_path: Path) -> None:
    out = tmp_path / "nodes.data"
    result = run("export", str(v8_fixture("leak_chain")), "-o", str(out), "--format", "csv")
    assert result.returncode == 0 and out.read_text().startswith("id,type,name,class")


def test_top_zero_means_none_as_in_summary() -> None:
    fixture = str(v8_fixture("leak_chain"))
    top = json.loads(run("top", fixture, "--top", "0", "--classes", "0", "--format", "json").stdout)
    summary = json.loads(run("summary", fixture, "--top", "0", "--format", "json").stdout)
    assert top["retainers"] == [] and top["classes"] == [] and summary["classes"] == []
    text = run("top", fixture, "--top", "0", "--classes", "0").stdout
    assert "retainers" not in text and "classes by" not in text and "Total:" in text


def test_top_on_a_cc_log_says_what_devtools_semantics_means_there() -> None:
    result = run("top", str(CC_LOG), "--top", "3", "--classes", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Chrome DevTools' rules applied to a Gecko CC graph" in out
    assert "Chrome DevTools semantics (" not in out
    assert "records no sizes" in out
    assert "Heap snapshot" not in out + result.stderr
    notes = [line for line in out.splitlines() if "unreachable" in line]
    counts = [re.search(r"([\d,]+) node\(s\) are unreachable", n) for n in notes]
    assert len([c for c in counts if c]) == 1  # the unreachable fact is said once


def test_top_on_spidermonkey_explains_the_semantics() -> None:
    out = run("top", str(REAL_FIXTURES["gjs_plain_leak"]), "--top", "3", "--classes", "3").stdout
    assert "Chrome DevTools' rules applied to a SpiderMonkey graph" in out


def _table_codes(text: str) -> dict[int, str]:
    return {
        int(code): meaning.strip()
        for code, meaning in re.findall(r"\|\s*(\d+)\s*\|([^|]+)\|", text)
    }


def test_exit_code_tables_agree_with_the_code() -> None:
    docs = _table_codes((REPO / "docs" / "cli.md").read_text())
    readme = _table_codes((REPO / "README.md").read_text())
    code = {
        cli_module.EXIT_OK,
        cli_module.EXIT_GATE_FAILED,
        cli_module.EXIT_USAGE,
        cli_module.EXIT_INPUT_ERROR,
        cli_module.EXIT_INTERRUPTED,
        cli_module.EXIT_BROKEN_PIPE,
    }
    assert set(docs) == set(readme) == code
    assert docs == readme


def test_several_selectors_one_missing_is_a_warning() -> None:
    fixture = str(v8_fixture("leak_chain"))
    result = run("paths", fixture, "@78371", "class:Sesion", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["targets"] == [78371]
    assert "leakhunt: warning:" in result.stderr
    assert "no node matches 'class:Sesion'; did you mean 'class:Session'?" in result.stderr


def test_all_selectors_missing_is_an_error_with_suggestions() -> None:
    result = run("paths", str(v8_fixture("leak_chain")), "class:session", "type:closures")
    assert result.returncode == 3
    assert "did you mean 'class:Session'" in result.stderr
    assert "did you mean 'type:closure'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_show_pages_through_edges_in_json() -> None:
    fixture = str(v8_fixture("leak_chain"))
    full = json.loads(run("show", fixture, "@6051", "--limit", "100000", "--format", "json").stdout)
    (node,) = full["nodes"]
    assert node["node"]["id"] == 6051 and node["outgoing"]["total"] > 100
    paged: list[dict[str, object]] = []
    offset = 0
    while offset < node["outgoing"]["total"]:
        args = ("--limit", "40", "--offset", str(offset), "--format", "json")
        page = json.loads(run("show", fixture, "@6051", *args).stdout)["nodes"][0]
        paged += page["outgoing"]["edges"]
        offset += 40
    assert paged == node["outgoing"]["edges"]
    edge_names = {e["edge"]["name"] for e in node["outgoing"]["edges"]}
    assert "app" in edge_names


def test_show_text_has_both_views() -> None:
    result = run("show", str(v8_fixture("leak_chain")), "@78371", "-q")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Session @78371")
    assert "References (Containment): 1-4 of 4" in out
    assert "Referenced by (Retainers): 1-2 of 2" in out
    assert "session" in out and "context_variable" in out and "(array) @78267" in out


def test_show_warns_when_a_selector_matches_many() -> None:
    result = run("show", str(v8_fixture("leak_chain")), "class:Session", "--limit", "1", "-q")
    assert result.returncode == 0
    assert "nodes match; showing the first 1" in result.stderr


def test_class_tables_say_what_they_count() -> None:
    fixture = str(v8_fixture("leak_chain"))
    summary = run("summary", fixture, "--top", "10").stdout
    top = run("top", fixture, "--top", "1", "--classes", "10").stdout
    assert "classes by self size (every node of the class)" in summary
    assert re.search(r"┃ class\s+┃\s+nodes ┃", summary)
    assert "(as DevTools' Summary: objects with a non-zero shallow size)" in top
    assert re.search(r"┃ class\s+┃\s+objects ┃", top)
    assert 'retainers (node: class "name" @id)' in top


def test_max_paths_gives_routes_through_different_objects() -> None:
    doc = json.loads(
        run(
            "paths",
            str(v8_fixture("leak_chain")),
            "class:Session",
            "--max-paths",
            "4",
            "--format",
            "json",
            "-q",
        ).stdout
    )
    by_target: dict[int, list[list[int]]] = {}
    for path in doc["paths"]:
        by_target.setdefault(path["target"], []).append([h["node"]["id"] for h in path["hops"]])
    assert any(len(routes) > 1 for routes in by_target.values())
    for routes in by_target.values():
        before_last_hop = [tuple(route[:-1]) for route in routes]
        assert len(set(before_last_hop)) == len(before_last_hop)


@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["paths", "class:Session", "--max-targets", "1"],  # written where click sees the EPIPE
        ["paths", "class:Session", "--format", "json"],
        ["top"],
    ],
    ids=" ".join,
)
def test_a_closed_output_pipe_is_not_a_verdict(command: list[str]) -> None:
    """``leakhunt gate … | head`` must not exit 1 (leaks) or 0 (passed) for a closed pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    name, *options = command
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "leakhunt", name, str(v8_fixture("leak_chain")), *options, "-q"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=REPO,
            check=False,
        )
    finally:
        os.close(write_end)
    assert writer.returncode == cli_module.EXIT_BROKEN_PIPE, writer.stderr
    assert b"Traceback" not in writer.stderr
