"""Every command on the QuickJS-ng tenants fixture, against what the embedder itself knows.

``fixtures/quickjs/tenants.counters.json`` is written by the embedder (``contrib/quickjs``), not
derived from the dump: which tenant it disposed, which one it expects over budget, the address
of the ``Session`` it holds with a forgotten ``JS_DupValue``.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers.cli import run

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "quickjs"
FIRST = str(FIXTURES / "tenants-1.rootdump.json.gz")
SECOND = str(FIXTURES / "tenants-2.rootdump.json.gz")
COUNTERS: dict[str, Any] = json.loads((FIXTURES / "tenants.counters.json").read_text())
TENANTS = {t["id"]: t for t in COUNTERS["tenants"]}
LEAKED_ADDRESS = int(COUNTERS["leaked_dup_value"]["address"], 16)


def names_by_id() -> dict[str, str]:
    with gzip.open(FIRST, "rt", encoding="utf-8") as stream:
        dump = json.load(stream)
    (process,) = dump["processes"]
    (group,) = process["isolate_groups"]
    (runtime,) = group["isolates"]
    return {c["id"]: c.get("name", c["id"]) for c in runtime["contexts"]}


NAMES = names_by_id()


def json_of(*args: str, code: int = 0, cached: bool = True) -> dict[str, Any]:
    options = ("--no-cache", "-q") if cached else ()
    result = run(*args, *options, "--format", "json")
    assert result.returncode == code, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_contexts_flag_exactly_the_tenant_over_its_budget() -> None:
    rows = {row["name"]: row for row in json_of("contexts", FIRST)["contexts"]}
    assert set(rows) == {NAMES[t] for t in ("tenant-a", "tenant-b", "tenant-c")}
    over = {name for name, row in rows.items() if row["over_limit"]}
    expected = {NAMES[t] for t, facts in TENANTS.items() if facts["expect"] == "over_budget"}
    assert over == expected
    for tenant, facts in TENANTS.items():
        if tenant in NAMES:
            row = rows[NAMES[tenant]]
            assert row["memory_limit"] == facts["budget"]
            assert row["state"] == ("disposed" if facts["disposed"] else "live")
            assert row["usage_source"] == "attributed"


def test_zombies_finds_the_disposed_tenant_and_its_holder() -> None:
    document = json_of("zombies", FIRST, code=1)
    zombies = document["zombies"]
    expected = [t for t, facts in TENANTS.items() if facts["expect"] == "zombie"]
    assert [z["name"] for z in zombies] == [NAMES[t] for t in expected]
    (zombie,) = zombies
    facts = TENANTS[expected[0]]
    assert zombie["holder_context"] == NAMES[facts["holder_context"]]
    assert {e["kind"] for e in zombie["evidence"]} >= {"engine"}
    names = [hop["node"].get("name") for hop in zombie["path"] if "node" in hop]
    assert facts["held_function"] in names


def test_summary_names_the_object_held_from_c_with_its_unseen_references() -> None:
    holders = json_of("summary", FIRST)["external_holders"]
    session = [h for h in holders if h["id"] == LEAKED_ADDRESS]
    assert session == [
        {
            "id": LEAKED_ADDRESS,
            "class": COUNTERS["leaked_dup_value"]["class"],
            "name": COUNTERS["leaked_dup_value"]["class"],
            "unknown_references": COUNTERS["leaked_dup_value"]["unseen_references"],
            "known_owner_ids": [],
        }
    ]
    # everything else held from C is a live tenant's JSContext, held by the embedder
    assert {h["class"] for h in holders if h["id"] != LEAKED_ADDRESS} == {"JSContext"}


def test_paths_to_the_leaked_session_by_address() -> None:
    document = json_of("paths", FIRST, f"0x{LEAKED_ADDRESS:x}")
    (path,) = document["paths"]
    assert path["root_kind"] == "refcounted"
    assert len(path["hops"]) == 1


def test_diff_of_two_dumps_of_one_run_compares_by_address() -> None:
    document = json_of("diff", FIRST, SECOND)
    assert "addresses within one process" in document["identity"]
    (cluster,) = [c for c in document["clusters"] if c["class"] == "Session"]
    assert cluster["count"] == COUNTERS["sessions_opened_between_dumps"]


@pytest.mark.parametrize("command", ["top", "cycles"])
def test_other_commands_read_the_dump(command: str) -> None:
    document = json_of(command, FIRST)
    assert document["schema"].startswith("leakhunt/")


def test_isolates_rolls_up_the_runtime() -> None:
    document = json_of("isolates", FIRST, cached=False)
    assert document["schema"].startswith("leakhunt/isolates")


def test_diagrams_name_nodes_as_the_text_does() -> None:
    """Root-dump ids are object ids: ``@N`` in text and in diagrams alike (hex is for the
    address-keyed SpiderMonkey and cycle-collector graphs)."""
    text = run("zombies", FIRST, "--no-cache", "-q").stdout
    dot = run("zombies", FIRST, "--no-cache", "-q", "--format", "dot").stdout
    in_text = set(re.findall(r"@\d+", text))
    in_dot = set(re.findall(r"@\d+", dot))
    assert in_dot and in_dot <= in_text
    assert not re.search(r"\b0x[0-9a-f]+", dot)
