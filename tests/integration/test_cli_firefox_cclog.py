"""``python -m leakhunt`` on Firefox cycle-collector logs, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ALL_FORMS = REPO / "fixtures" / "spidermonkey" / "cc" / "cc_all_forms.log"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leakhunt", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def test_summary_text_shows_external_holders_and_garbage() -> None:
    result = run("summary", str(ALL_FORMS), "-q")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(Gecko CC, firefox-cclog)" in out
    assert "externally held: 3 refcounted node(s) with 5 unknown reference(s)" in out
    assert "garbage: 3 node(s) the collector will free" in out
    assert "2 unknown references" in out and "marked live by the GC" in out


def test_summary_json() -> None:
    result = run("summary", str(ALL_FORMS), "-q", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"]["format"] == "firefox-cclog"
    assert doc["nodes"] == 18 and doc["edges"] == 24
    assert doc["root_kinds"] == {"refcounted": 4, "marked": 2}
    assert doc["source"]["details"]["held from outside 0x500"].startswith("nsXPCWrappedJS: rc 2")


def test_paths_text_from_a_refcounted_root_and_garbage_unreachable() -> None:
    result = run("paths", str(ALL_FORMS), "-q", "0x7f1000002000", "0x7f1000004000")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "GC Root: refcounted — 2 unknown references" in out
    assert "↓ .mDoc" in out and "╰→ nsDocument" in out
    assert "No strong path from any root" in out and "0x7f1000004000" in out.split("No strong")[1]
    assert "2 target(s), 1 path(s), 1 unreachable" in out


def test_paths_json_by_class() -> None:
    result = run("paths", str(ALL_FORMS), "-q", "class:Function", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    (path,) = doc["paths"]
    assert path["root_kind"] == "marked" and path["root_label"] == "marked live by the GC"
    assert path["hops"][-1]["node"]["name"] == "onMessage"
    assert doc["unreachable"] == [0x7F00000C3000]  # the garbage listener onLoad


def test_forced_input_format() -> None:
    result = run("summary", str(ALL_FORMS), "-q", "--input-format", "firefox-cclog")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "# WantAllTraces=true\n0x1 [rc=1] A\n0x2 [zz] B\n==========\n",
            "line 3: unknown node tag",
        ),
        ("# WantAllTraces=true\n0x1 [rc=1] A\n> 0x2 mB\n", "line 3: the log ends without"),
        ("# WantAllTraces=true\n> 0x2 mB\n0x2 [rc=1] B\n==========\n", "line 2: an edge line"),
    ],
)
def test_bad_logs_exit_3_with_one_line(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "cc-edges.1234.log"
    path.write_text(text)
    result = run("summary", str(path), "-q", "--no-cache")
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("leakhunt: error: ") and str(path) in lines[0]
    assert fragment in lines[0]
    assert result.stdout == ""


def test_summary_lists_nodes_held_from_outside_the_graph() -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures/spidermonkey/cc/cc_all_forms.log"
    expected = json.loads(fixture.with_name("cc_all_forms.expected.json").read_text())
    doc = json.loads(run("summary", str(fixture), "--format", "json").stdout)
    got = {
        hex(h["id"]): (h["unknown_references"], sorted(hex(o) for o in h["known_owner_ids"]))
        for h in doc["external_holders"]
    }
    want = {
        hex(int(h["address"], 16)): (
            h["unknown"],
            sorted(hex(int(o, 16)) for o in h["known_owners"]),
        )
        for h in expected["externally_held"]
    }
    assert got == want
    assert doc["external_holder_count"] == len(want)
    text = run("summary", str(fixture)).stdout
    assert "Held from outside the graph: 3 node(s)" in text
