"""The root-dump schema: every valid dump accepted, every malformed variant rejected by record."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers import ImportOptions, load_graph
from leakhunt.importers.rootdump.reader import LENIENT_SUFFIXES, gather, read_root_dump
from leakhunt.importers.rootdump.schema import (
    RECORD_ARRAYS,
    first_bad_record,
    load_schema,
    validate_document,
)
from tests.helpers.rootdump import (
    ADDON_DUMP,
    REPO,
    STANDALONE,
    WORKER_MANIFEST,
    load_json,
    malformed_variants,
)

VALID = [STANDALONE, ADDON_DUMP, WORKER_MANIFEST]
VARIANTS = malformed_variants()


def _doc_blocks() -> list[str]:
    text = (REPO / "docs" / "rootdump.md").read_text(encoding="utf-8")
    return re.findall(r"```json\n(.*?)```", text, re.S)


def _doc_examples() -> list[Any]:
    return [json.loads(block) for block in _doc_blocks() if block.startswith("{")]


def test_the_fragments_in_the_format_document_are_valid_members() -> None:
    fragments = [block for block in _doc_blocks() if not block.startswith("{")]
    assert fragments
    for fragment in fragments:
        doc = json.loads(
            '{"format": "leakhunt-rootdump", "version": 1, "graph": "overlay", "processes": [], '
            + fragment
            + "}"
        )
        assert list(jsonschema.Draft202012Validator(load_schema()).iter_errors(doc)) == []


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixtures_pass_the_schema_and_the_direct_checks(path: Path) -> None:
    doc = load_json(path)
    assert list(jsonschema.Draft202012Validator(load_schema()).iter_errors(doc)) == []
    for array, definition in RECORD_ARRAYS.items():
        assert first_bad_record(definition, doc.get(array, [])) is None
    read_root_dump(str(path))


def test_the_examples_in_the_format_document_are_valid() -> None:
    examples = _doc_examples()
    assert len(examples) == 2
    for doc in examples:
        validate_document(doc, "docs/rootdump.md")
        gather(doc, "docs/rootdump.md")


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v["name"])
def test_malformed_variant_is_rejected_naming_its_record(
    variant: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "bad.rootdump.json"
    path.write_text(json.dumps(variant["doc"]), encoding="utf-8")
    with pytest.raises(SnapshotFormatError) as caught:
        load_graph(str(path), format="leakhunt-rootdump")
    error = caught.value
    assert error.path == str(path)
    assert error.record == variant["pointer"]
    assert variant["message"] in error.problem
    assert str(error).startswith(f"{path}: {variant['pointer']}: ")


@pytest.mark.parametrize(
    "variant", [v for v in VARIANTS if v.get("lenient")], ids=lambda v: v["name"]
)
def test_lenient_turns_cross_record_problems_into_warnings(
    variant: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "bad.rootdump.json"
    path.write_text(json.dumps(variant["doc"]), encoding="utf-8")
    graph = load_graph(str(path), options=ImportOptions(lenient=True))
    warnings = [p for p in graph.problems if p.endswith(LENIENT_SUFFIXES)]
    assert len(warnings) == 1
    assert f": {variant['pointer']}: " in warnings[0]
    assert variant["message"] in warnings[0]


@pytest.mark.parametrize(
    "variant", [v for v in VARIANTS if not v.get("lenient")], ids=lambda v: v["name"]
)
def test_schema_violations_are_errors_even_when_lenient(
    variant: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "bad.rootdump.json"
    path.write_text(json.dumps(variant["doc"]), encoding="utf-8")
    with pytest.raises(SnapshotFormatError):
        load_graph(str(path), format="leakhunt-rootdump", options=ImportOptions(lenient=True))


def test_not_json_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "leakhunt-rootdump", "version": 1,', encoding="utf-8")
    with pytest.raises(SnapshotFormatError, match=r"byte \d+: not JSON"):
        read_root_dump(str(path))


_MUTATIONS = ("drop", "add", "retype", "negate", "empty", "swap-ref")
_ODD_VALUES: list[Any] = [None, True, -1, 0, 1.5, "", "x", [], {}, {"js": 1}, {"native": "n"}]


def _mutate(record: Any, rng: random.Random) -> Any:
    record = copy.deepcopy(record)
    if not isinstance(record, dict) or not record:
        return rng.choice(_ODD_VALUES)
    key = rng.choice(sorted(record))
    how = rng.choice(_MUTATIONS)
    if how == "drop":
        del record[key]
    elif how == "add":
        record[rng.choice(["extra", "x_note", "kind", "key", "name", "isolate"])] = rng.choice(
            _ODD_VALUES
        )
    elif how == "retype":
        record[key] = rng.choice(_ODD_VALUES)
    elif how == "negate" and isinstance(record[key], int):
        record[key] = -record[key] - 1
    elif how == "empty":
        record[key] = type(record[key])() if isinstance(record[key], (str, list, dict)) else None
    elif how == "swap-ref" and isinstance(record[key], dict):
        record[key] = {"native": "n"} if "js" in record[key] else {"js": 7}
    return record


@pytest.mark.parametrize("path", [STANDALONE, ADDON_DUMP], ids=lambda p: p.name)
def test_direct_record_checks_agree_with_jsonschema_on_random_mutations(path: Path) -> None:
    """The fast path may never accept a record the schema rejects (nor reject a valid one)."""
    doc = load_json(path)
    schema = load_schema()
    rng = random.Random(20261203)
    checked = 0
    for array, definition in RECORD_ARRAYS.items():
        records = doc.get(array, [])
        if not records:
            continue
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
        )
        for _ in range(600):
            mutated = _mutate(rng.choice(records), rng)
            schema_ok = validator.is_valid(mutated)
            direct_ok = first_bad_record(definition, [mutated]) is None
            assert schema_ok == direct_ok, (definition, mutated)
            checked += 1
    assert checked >= 1800
