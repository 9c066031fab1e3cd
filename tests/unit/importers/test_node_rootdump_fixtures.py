"""The committed Node root dump fixtures (fixtures/node_rootdump) are consistent: the addon's
dump names only nodes of its snapshot, its counters say which entries leaked, and a plain
reachability search over the snapshot agrees (leaked functions live only through the addon's
handles and are reachable from their wrappers; healthy ones are not kept by the handles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.node_rootdump import check_compiled_fn_entry, check_worker_isolates

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "node_rootdump"
SCHEMA = (
    Path(__file__).resolve().parents[3] / "leakhunt" / "importers" / "rootdump" / "schema-v1.json"
)


def test_compiled_fn_entry_fixture_is_consistent() -> None:
    check_compiled_fn_entry(FIXTURES)


def test_worker_isolates_fixture_is_consistent() -> None:
    check_worker_isolates(FIXTURES)


@pytest.mark.parametrize(
    "name", ["compiled_fn_entry.rootdump.json", "worker_isolates.manifest.json"]
)
def test_fixture_matches_the_shipped_schema(name: str) -> None:
    if not SCHEMA.exists():
        pytest.skip(
            "the root dump schema ships with the rootdump branch (leakhunt/importers/rootdump)"
        )
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    errors = list(
        jsonschema.Draft202012Validator(schema).iter_errors(
            json.loads((FIXTURES / name).read_text())
        )
    )
    assert [f"{e.json_path}: {e.message}" for e in errors] == []
