"""``contexts``, ``zombies`` and ``retained-via`` run as a user does (subprocess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.cli import run
from helpers.fixture_graphs import REPO
from helpers.snapshots import Node, write_snapshot

VM_ZOMBIES = str(REPO / "fixtures/v8/vm_zombies.heapsnapshot.gz")
CHROMIUM = str(REPO / "fixtures/chromium/chromium_page.heapsnapshot.gz")
EMBEDDER = str(REPO / "fixtures/spidermonkey/embedder/embedder_realms.log.gz")


def _json(*args: str, code: int = 0) -> dict[str, Any]:
    result = run(*args, "--format", "json", "--quiet", "--no-cache")
    assert result.returncode == code, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_contexts_json() -> None:
    doc = _json("contexts", VM_ZOMBIES)
    assert doc["schema"] == "leakhunt/contexts/1"
    names = [c["name"] for c in doc["contexts"]]
    assert len(names) == 5 and len(set(names)) == 5 and names[0] == "main"
    kept = next(c for c in doc["contexts"] if "KeptSandbox" in c["name"])
    assert kept["front_door_held"] and kept["role"] == "vm"
    assert kept["front_door_holders"][0]["edge"]["name"] == "<symbol node:contextify:context>"
    assert set(doc["buckets"]) == {"attributed", "shared", "unattributed"}


def test_zombies_json_exit_code_and_crossing_edges() -> None:
    doc = _json("zombies", VM_ZOMBIES, code=1)
    assert doc["schema"] == "leakhunt/zombies/1"
    assert len(doc["zombies"]) == 3
    for zombie in doc["zombies"]:
        crossings = [step for step in zombie["path"] if step.get("crossing")]
        assert len(crossings) == 1
        assert crossings[0]["edge"] == zombie["crossing_edge"]
        assert zombie["holder_context"] == "main"
        assert zombie["evidence"][0]["kind"] == "front-door rule"


def test_zombies_text_marks_the_crossing_edge() -> None:
    result = run("zombies", CHROMIUM, "--quiet", "--no-cache")
    assert result.returncode == 1, result.stderr
    assert "1 zombie context(s) of 3" in result.stdout
    assert "crossing edge" in result.stdout and ".keptFromFrame" in result.stdout
    assert "evidence (engine): detached" in result.stdout


def test_no_zombie_exits_zero() -> None:
    result = run(
        "zombies", str(REPO / "fixtures/v8/leak_chain.heapsnapshot.gz"), "-q", "--no-cache"
    )
    assert result.returncode == 0, result.stderr
    assert "0 zombie context(s) of 1" in result.stdout


def test_zombies_on_spidermonkey_and_the_warm_cache(tmp_path: Path) -> None:
    args = ("zombies", EMBEDDER, "--quiet", "--cache-dir", str(tmp_path), "--format", "json")
    cold, warm = run(*args), run(*args)
    assert cold.returncode == warm.returncode == 1
    assert cold.stdout == warm.stdout
    names = [z["name"] for z in json.loads(warm.stdout)["zombies"]]
    assert names == ["embedder://zombie-addon/", "embedder://zombie-addon/frame"]


def test_retained_via_usage_errors() -> None:
    assert run("retained-via", VM_ZOMBIES, "-q", "--no-cache").returncode == 2
    result = run("retained-via", VM_ZOMBIES, "-q", "--no-cache", "--context", "nowhere")
    assert result.returncode == 2 and "matches no context" in result.stderr
    result = run("retained-via", VM_ZOMBIES, "-q", "--no-cache", "--edges", "(")
    assert result.returncode == 2 and "not a regular expression" in result.stderr


def test_retained_via_context_json() -> None:
    doc = _json("retained-via", VM_ZOMBIES, "--context", "MapLeakSandbox", "--top", "3")
    assert doc["schema"] == "leakhunt/retained-via/1"
    assert doc["query"].startswith("context vm MapLeakSandbox")
    assert doc["own"]["objects"] > 0 and doc["freed"]["size"] > 8192 * 8
    assert len(doc["top_nodes"]) == 3


def _hostile_snapshot(path: Path) -> Path:
    evil = "system / NativeContext / [bold red]https://evil.test/\x1b[2J"
    nodes: list[Node] = [
        ("synthetic", "", 1, 0, [("element", 1, 1), ("shortcut", "2", 3)]),
        ("synthetic", "(GC roots)", 3, 0, [("element", 1, 2)]),
        ("synthetic", "(Global handles)", 5, 0, [("internal", "1 / handle", 4)]),
        ("object", "Window", 7, 100, []),
        ("hidden", evil, 9, 50, [("internal", "global_proxy_object", 3)]),
    ]
    return write_snapshot(path / "evil.heapsnapshot", nodes)


def test_hostile_context_names_stay_inert(tmp_path: Path) -> None:
    file = str(_hostile_snapshot(tmp_path))
    result = run("contexts", file, "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "[bold red]https://evil.test/\\x1b[2J" in result.stdout
    doc = _json("contexts", file)
    assert doc["contexts"][0]["name"] == "[bold red]https://evil.test/\x1b[2J"
