"""The leak-scenario fixtures (fixtures/v8/leak_cache*, closure_leak, fixtures/chromium), loaded once."""

from __future__ import annotations

import functools
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

from leakhunt.graph.core import RetentionGraph
from leakhunt.importers.v8.heapsnapshot import load_v8_heapsnapshot

REPO = Path(__file__).resolve().parents[2]
V8 = REPO / "fixtures" / "v8"
CHROMIUM = REPO / "fixtures" / "chromium"
STAGES = ("baseline", "target", "final")


def stage_path(run: str, stage: str) -> Path:
    return V8 / f"{run}.{stage}.heapsnapshot.gz"


@functools.cache
def stage(run: str, which: str) -> RetentionGraph:
    return load_v8_heapsnapshot(str(stage_path(run, which)))


@functools.cache
def snapshot(path: str) -> RetentionGraph:
    return load_v8_heapsnapshot(path)


def expected(name: str, directory: Path = V8) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / f"{name}.expected.json").read_text())
    return data


def object_counts(path: Path) -> Counter[str]:
    """Objects per name straight from the JSON (an independent reader for the class counts)."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        doc = json.load(stream)
    meta = doc["snapshot"]["meta"]
    width = len(meta["node_fields"])
    type_at, name_at = meta["node_fields"].index("type"), meta["node_fields"].index("name")
    object_type = meta["node_types"][0].index("object")
    nodes, strings = doc["nodes"], doc["strings"]
    return Counter(
        strings[nodes[i + name_at]]
        for i in range(0, len(nodes), width)
        if nodes[i + type_at] == object_type
    )
