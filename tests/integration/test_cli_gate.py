"""diff, suspects and gate as a CI job runs them: exit codes, SARIF that validates, JUnit that parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers.cli import run
from helpers.leak_fixtures import REPO, V8, expected
from helpers.snapshots import write_snapshot

SCHEMA = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
LEAK = [str(V8 / f"leak_cache.{s}.heapsnapshot.gz") for s in ("baseline", "target", "final")]
FINAL = LEAK[2]
CLOSURE = str(V8 / "closure_leak.heapsnapshot.gz")


def _rel(path: str) -> str:
    return str(Path(path).relative_to(REPO))


def test_diff_reports_the_cluster_and_no_transients() -> None:
    result = run("diff", *LEAK, "-q", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "leakhunt/diff/1" and doc["method"] == "three-snapshot"
    assert [c["class"] for c in doc["clusters"]] == ["CachedResponse"]
    assert sorted(doc["clusters"][0]["ids"]) == expected("leak_cache")["leaked_ids"]
    text = run("diff", *LEAK, "-q")
    assert "24 leaked CachedResponse" in text.stdout and "ScratchBuffer" not in text.stdout


def test_suspects_json() -> None:
    result = run("suspects", CLOSURE, "-q", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [s["kind"] for s in doc["suspects"]] == ["closure context"]
    assert doc["suspects"][0]["heuristic"] is True


@pytest.fixture(autouse=True)
def _importable_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subprocesses started in a temporary directory still import this checkout's leakhunt."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


def _gate(*args: str, cwd: Path = REPO) -> Any:
    return run("gate", "-q", *args, cwd=cwd)


def test_gate_fails_on_the_leak_and_passes_on_itself() -> None:
    assert _gate(*LEAK).returncode == 1
    assert _gate(FINAL, FINAL, FINAL).returncode == 0
    assert _gate(CLOSURE).returncode == 1
    assert _gate(str(V8 / "leak_chain.heapsnapshot.gz")).returncode == 0


def _validated_sarif(*args: str) -> dict[str, Any]:
    result = _gate(*args, "--format", "sarif")
    assert result.returncode in (0, 1), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    for res in doc["runs"][0]["results"]:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:", "http")), uri
        assert (REPO / uri).is_file(), uri
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert len(res["partialFingerprints"]["leakhunt/v1"]) == 40
    return doc


def test_sarif_closure_location_maps_into_the_repository() -> None:
    doc = _validated_sarif(_rel(CLOSURE), "--source-root", "fixtures/v8")
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "leakhunt/closure-context" and result["baselineState"] == "new"
    region = result["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "fixtures/v8/closure_leak.js"
    source = (V8 / "closure_leak.js").read_text().splitlines()
    assert "function someMethod" in source[region["region"]["startLine"] - 1]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert "originalThing (closure variable)" in steps[-1]["location"]["message"]["text"]


def test_sarif_without_code_falls_back_to_a_repository_file() -> None:
    doc = _validated_sarif(*(_rel(p) for p in LEAK))
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "leakhunt/diff-cluster"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == _rel(LEAK[0])
    hops = [
        step["location"]["message"]["text"]
        for step in result["codeFlows"][0]["threadFlows"][0]["locations"]
    ]
    assert any(".entries" in hop for hop in hops)


def test_junit_parses_with_one_case_per_check_and_snapshot() -> None:
    result = _gate(*LEAK, "--format", "junit")
    assert result.returncode == 1
    root = ET.fromstring(result.stdout)
    cases = root.findall("./testsuite/testcase")
    # diff-clusters on the sequence, four snapshot checks on its final state.
    assert len(cases) == 1 + 4
    assert {c.get("name", "").split(" [")[0] for c in cases} == {
        "zombie-contexts",
        "invisible-cycles",
        "diff-clusters",
        "closure-contexts",
        "detached-dom",
    }
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    body = failures[0].find("failure").text or ""  # type: ignore[union-attr]
    assert "CachedResponse" in body and "--.entries-->" in body
    single = ET.fromstring(_gate(CLOSURE, "--format", "junit").stdout)
    assert [c.find("skipped") is not None for c in single.findall("./testsuite/testcase")].count(
        True
    ) == 1


def test_baseline_turns_the_gate_green(tmp_path: Path) -> None:
    baseline = tmp_path / "accepted.json"
    update = _gate(*LEAK, "--baseline", str(baseline), "--update-baseline")
    assert update.returncode == 0, update.stderr
    assert json.loads(baseline.read_text())["schema"] == "leakhunt/baseline/1"
    again = _gate(*LEAK, "--baseline", str(baseline))
    assert again.returncode == 0, again.stdout
    assert "1 known finding" in again.stdout
    sarif = json.loads(_gate(*LEAK, "--baseline", str(baseline), "--format", "sarif").stdout)
    jsonschema.validate(sarif, SCHEMA)
    (result,) = sarif["runs"][0]["results"]
    assert (
        result["baselineState"] == "unchanged" and result["suppressions"][0]["kind"] == "external"
    )
    fixed = _gate(FINAL, FINAL, FINAL, "--baseline", str(baseline))
    assert fixed.returncode == 0 and "no longer found (fixed)" in fixed.stdout


def test_policy_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.leakhunt.gate]\nchecks = []\nforbidden-classes = ["Service"]\n'
    )
    result = _gate(FINAL, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["policy"].endswith("pyproject.toml")
    assert [f["rule"] for f in doc["findings"]] == ["leakhunt/forbidden-class"]
    sarif = json.loads(_gate(FINAL, "--format", "sarif", cwd=tmp_path).stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == "pyproject.toml"  # the policy file, when no code location is known


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--policy", "POLICY"], 2),
        ([FINAL, FINAL, FINAL, FINAL], 2),
        (["GARBAGE"], 3),
    ],
)
def test_exit_codes_keep_errors_apart_from_leaks(
    tmp_path: Path, args: list[str], code: int
) -> None:
    policy = tmp_path / "leakhunt.toml"
    policy.write_text("[gate]\nchecks = ['no-such-check']\n")
    garbage = tmp_path / "broken.heapsnapshot"
    garbage.write_text('{"snapshot": {"meta": 1}}')
    argv = [str(policy) if a == "POLICY" else str(garbage) if a == "GARBAGE" else a for a in args]
    if argv[0] == "--policy":
        argv = [FINAL, *argv]
    result = _gate(*argv)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr


HOSTILE = 'Evil\x1b[2J<script>"]]>&\u202e'


def test_hostile_class_names_stay_inert(tmp_path: Path) -> None:
    def heap(with_evil: bool) -> list[Any]:
        glob_edges: list[Any] = [("property", "evil", 3)] if with_evil else []
        nodes: list[Any] = [
            ("synthetic", "", 1, 0, [("shortcut", "2", 1), ("element", 1, 2)]),
            ("object", "global", 3, 64, glob_edges),
            ("synthetic", "(GC roots)", 5, 0, []),
        ]
        if with_evil:
            nodes.append(("object", HOSTILE, 7, 4096, []))
        return nodes

    files = [
        write_snapshot(tmp_path / "base.heapsnapshot", heap(False)),
        write_snapshot(tmp_path / "target.heapsnapshot", heap(True)),
        write_snapshot(tmp_path / "final.heapsnapshot", heap(True)),
    ]
    paths = [str(f) for f in files]
    text = _gate(*paths)
    assert text.returncode == 1 and "\x1b" not in text.stdout and "\u202e" not in text.stdout
    junit = _gate(*paths, "--format", "junit")
    root = ET.fromstring(junit.stdout)
    failure = root.find("./testsuite/testcase/failure")
    assert (
        failure is not None
        and "<script>" in (failure.text or "")
        and "\\x1b" in (failure.text or "")
    )
    sarif = json.loads(
        _gate(*paths, "--format", "sarif", "--repo-root", str(tmp_path), cwd=tmp_path).stdout
    )
    jsonschema.validate(sarif, SCHEMA)
    assert "\x1b" not in json.dumps(sarif, ensure_ascii=False)


VM_ZOMBIES = str(V8 / "vm_zombies.heapsnapshot.gz")
ADDON = REPO / "fixtures" / "node_rootdump"
QUICKJS = REPO / "fixtures" / "quickjs"


def _findings(*args: str) -> dict[str, list[dict[str, Any]]]:
    result = _gate(*args, "--no-cache", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    by_check: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        by_check.setdefault(finding["check"], []).append(finding)
    return by_check


def test_gate_fails_on_each_zombie_context_and_never_on_the_kept_one() -> None:
    truth = expected("vm_zombies")
    found = _findings(VM_ZOMBIES).get("zombie-contexts", [])
    assert len(found) == len(truth["leaked"]) > 0
    titles = " ".join(f["title"] for f in found)
    for leaked in truth["leaked"]:
        assert leaked["sandbox"] in titles
    for alive in truth["alive"]:
        assert alive.get("sandbox", "\x00") not in titles


def test_gate_fails_on_exactly_the_pinned_cycles_of_the_addon_fixture() -> None:
    truth = json.loads((ADDON / "compiled_fn_entry.expected.json").read_text())
    found = _findings(
        str(ADDON / "compiled_fn_entry.heapsnapshot.gz"),
        "--overlay",
        str(ADDON / "compiled_fn_entry.rootdump.json"),
    ).get("invisible-cycles", [])
    assert len(found) == len(truth["leaked_cycles"]) > 0
    # one fingerprint per mechanism (the closure on the wrapper, Node 16's WeakMap), not per entry
    mechanisms = {cycle["kind"] for cycle in truth["leaked_cycles"]}
    assert len({f["fingerprint"] for f in found}) == len(mechanisms) == 2


def test_gate_on_a_quickjs_dump_fails_on_the_disposed_tenant_only() -> None:
    found = _findings(str(QUICKJS / "tenants-1.rootdump.json.gz"))
    assert [f["check"] for f in found.get("zombie-contexts", [])] == ["zombie-contexts"]
    assert "tenant B" in found["zombie-contexts"][0]["title"]


@pytest.mark.parametrize("command", ["diff", "gate"])
def test_warm_cache_gives_the_uncached_result(tmp_path: Path, command: str) -> None:
    """The second run reads BASE and TARGET as cached identities and FINAL's context analysis
    from the cache; its output is the uncached one, byte for byte."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    fresh = run(command, *LEAK, "-q", "--no-cache", "--format", "json")
    cold = run(command, *LEAK, "-q", *cache, "--format", "json")
    sections = sorted(p.name for p in (tmp_path / "cache").rglob("*-identity"))
    warm = run(command, *LEAK, "-q", *cache, "--format", "json")
    assert fresh.returncode == cold.returncode == warm.returncode
    assert fresh.stdout == cold.stdout == warm.stdout
    assert len(sections) == 2
