"""``contexts``, ``zombies`` and ``retained-via`` text compared with golden files.

Regenerate with LEAKHUNT_REGOLD=1 after reviewing the change. The SpiderMonkey embedder dump
is used because its addresses and sizes do not depend on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.cli import run

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
FIXTURE = "fixtures/spidermonkey/embedder/embedder_realms.log.gz"
CASES = {
    "contexts_embedder.txt": (("contexts", FIXTURE), 0),
    "zombies_embedder.txt": (("zombies", FIXTURE), 1),
    "retained_via_embedder.txt": (
        ("retained-via", FIXTURE, "--context", "zombie-addon/frame", "--top", "3"),
        0,
    ),
}


@pytest.mark.parametrize("golden", sorted(CASES))
def test_text_output_matches_golden(golden: str) -> None:
    args, code = CASES[golden]
    result = run(*args, "--quiet", "--no-cache", cwd=REPO)
    assert result.returncode == code, result.stderr
    path = GOLDEN / golden
    if os.environ.get("LEAKHUNT_REGOLD"):
        path.write_text(result.stdout)
    assert result.stdout == path.read_text()
