"""Shared pytest fixtures: paths to the committed engine dumps, and CLI runners."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
V8_FIXTURES = REPO / "fixtures" / "v8"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's index cache (and its subprocesses') out of the user's home."""
    monkeypatch.setenv("LEAKHUNT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def v8_fixture_dir() -> Path:
    return V8_FIXTURES


def v8_fixture(name: str) -> Path:
    return V8_FIXTURES / f"{name}.heapsnapshot.gz"


def v8_expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V8_FIXTURES / f"{name}.expected.json").read_text())
    return data
