"""Committed engine dumps loaded once per test session (by path relative to the repository)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import ImportOptions, load_graph

REPO = Path(__file__).resolve().parents[2]


@cache
def load(path: str) -> RetentionGraph:
    """The graph of ``REPO / path`` (cached: tests must not modify it; graphs are immutable)."""
    return load_graph(str(REPO / path), format=None, options=ImportOptions(), progress=None)


def sidecar(path: str) -> dict[str, Any]:
    """A fixture's ``*.expected.json`` ground truth."""
    data: dict[str, Any] = json.loads((REPO / path).read_text())
    return data
