"""Rendered text compared with golden files (regenerate with LEAKHUNT_REGOLD=1 after a review)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import v8_fixture
from helpers.cli import run

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
CASES = {
    "paths_leak_chain_session.txt": ("paths", "{fixture}", "@78371", "--max-paths", "2"),
    "top_leak_chain.txt": ("top", "{fixture}", "--top", "5", "--classes", "5"),
}


@pytest.mark.parametrize("golden", sorted(CASES))
def test_text_output_matches_golden(golden: str) -> None:
    fixture = "fixtures/v8/leak_chain.heapsnapshot.gz"
    result = run(*[a.format(fixture=fixture) for a in CASES[golden]], cwd=REPO)
    assert result.returncode == 0, result.stderr
    path = GOLDEN / golden
    if os.environ.get("LEAKHUNT_REGOLD"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()


def test_readme_example_is_real_output() -> None:
    readme = (REPO / "README.md").read_text()
    result = run("paths", "fixtures/v8/leak_chain.heapsnapshot.gz", "@78371", cwd=REPO)
    assert result.returncode == 0 and result.stdout in readme
    assert v8_fixture("leak_chain").exists()
