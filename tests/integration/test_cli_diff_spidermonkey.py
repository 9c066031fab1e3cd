"""diff on SpiderMonkey dumps: addresses within one log (caveat stated), class growth across files."""

from __future__ import annotations

import json

from helpers.cli import run
from helpers.leak_fixtures import REPO

TWO_DUMPS = "fixtures/spidermonkey/gjs_two_dumps.heap.gz"


def _truth() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (REPO / "fixtures/spidermonkey/gjs_two_dumps.expected.json").read_text()
    )
    return data


def test_two_dumps_of_one_log_compare_by_address() -> None:
    result = run("diff", TWO_DUMPS, TWO_DUMPS, "--dumps", "0,1", "-q", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["method"] == "allocated-between" and "addresses" in doc["identity"]
    assert any("moves cells" in note for note in doc["notes"])
    addresses = {t["id"]: int(t["address"], 16) for t in _truth()["targets"]}  # type: ignore[attr-defined]
    new_ids = {i for c in doc["clusters"] for i in c["ids"]}
    assert addresses["late-arrival"] in new_ids  # created between the dumps
    assert addresses["survivor-dump1"] not in new_ids  # same address, same class: the same object


def test_dumps_must_match_the_files() -> None:
    result = run("diff", TWO_DUMPS, TWO_DUMPS, "--dumps", "0", "-q", cwd=REPO)
    assert result.returncode == 2 and "--dumps" in result.stderr


def test_text_names_cells_by_their_hex_address() -> None:
    result = run("diff", TWO_DUMPS, TWO_DUMPS, "--dumps", "0,1", "-q", cwd=REPO)
    assert result.returncode == 0, result.stderr
    late = next(t for t in _truth()["targets"] if t["id"] == "late-arrival")  # type: ignore[attr-defined]
    address = f"0x{int(late['address'], 16):x}"
    assert address in result.stdout  # as the dump writes it, not as a decimal "@…"
    objects = [line for line in result.stdout.splitlines() if line.strip().startswith("objects:")]
    assert objects and all("@" not in line for line in objects)
