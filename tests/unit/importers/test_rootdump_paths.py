"""The fast ways of reading a dump give what the plain ways give."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

import leakhunt.background as background
import leakhunt.importers.rootdump.reader as reader
from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.rootdump import PendingDump, read_root_dump
from tests.helpers.rootdump import ADDON_DUMP, STANDALONE, load_json


def _fields(dump: reader.RootDump) -> dict[str, object]:
    out: dict[str, object] = {}
    for part in ("natives", "edges"):
        for field in dataclasses.fields(getattr(dump, part)):
            value = getattr(getattr(dump, part), field.name)
            out[f"{part}.{field.name}"] = value.tolist() if isinstance(value, np.ndarray) else value
    return out


@pytest.mark.parametrize("path", [STANDALONE, ADDON_DUMP], ids=lambda p: p.name)
def test_column_reading_equals_record_reading(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read_root_dump(str(path))
    monkeypatch.setattr(reader, "edge_columns", lambda records, index: None)
    monkeypatch.setattr(reader, "native_columns", lambda records, contexts, only: None)
    slow = read_root_dump(str(path))
    assert _fields(fast) == _fields(slow)


def test_background_read_gives_the_dump_and_its_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    pending = PendingDump(str(ADDON_DUMP))
    assert _fields(pending.result()) == _fields(read_root_dump(str(ADDON_DUMP)))
    doc = load_json(ADDON_DUMP)
    doc["edges"][0]["from"] = {"native": "nobody"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotFormatError) as caught:
        PendingDump(str(bad)).result()
    assert (caught.value.path, caught.value.record) == (str(bad), "/edges/0/from")


@pytest.mark.parametrize(
    ("cores", "load", "running", "idle"),
    [
        (2, 0.2, [1, 1, 1], True),  # nothing else runs
        (2, 2.5, [1, 1, 1], True),  # the average still counts commands that have ended
        (2, 1.1, [1, 2, 1], False),  # something else runs now, if only in one look
        (2, 0.1, [2, 2, 2], False),
        (1, 0.0, [1, 1, 1], False),  # one core: nowhere to go
        (4, 2.5, None, True),  # no instant count: the average alone, below cores - 1
        (2, 0.9, None, True),
        (2, 1.1, None, False),
    ],
)
def test_idle_core_counts_runnable_tasks(
    monkeypatch: pytest.MonkeyPatch,
    cores: int,
    load: float,
    running: list[int] | None,
    idle: bool,
) -> None:
    looks = iter(running or [])
    monkeypatch.setattr(background.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(background.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(background, "running_tasks", lambda: next(looks) if running else None)
    assert background.idle_core() is idle
