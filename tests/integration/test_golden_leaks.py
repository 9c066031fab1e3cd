"""diff, suspects and gate text compared with golden files (LEAKHUNT_REGOLD=1 rewrites them)."""

from __future__ import annotations

import os

import pytest

from helpers.cli import run
from helpers.leak_fixtures import REPO

GOLDEN = REPO / "tests" / "golden"
LEAK = [f"fixtures/v8/leak_cache.{s}.heapsnapshot.gz" for s in ("baseline", "target", "final")]
CASES = {
    "diff_leak_cache.txt": ("diff", *LEAK, "--growth-rows", "5"),
    "suspects_chromium_closure_context.txt": (
        "suspects",
        "fixtures/chromium/closure_context.heapsnapshot.gz",
    ),
    "gate_leak_cache.txt": ("gate", *LEAK),
}
EXIT = {"gate_leak_cache.txt": 1}


@pytest.mark.parametrize("golden", sorted(CASES))
def test_leak_reports_match_golden(golden: str) -> None:
    result = run(*CASES[golden], "-q", cwd=REPO)
    assert result.returncode == EXIT.get(golden, 0), result.stderr
    path = GOLDEN / golden
    if os.environ.get("LEAKHUNT_REGOLD"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()
