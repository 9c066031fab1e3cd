"""A quick, deterministic slice of ``bench/fuzz.py``: about 100 mutants through every command.

Every run must end ok or in a clean error (exit 3, one ``leakhunt: error: FILE: …`` line):
no traceback, hang, memory exhaustion, partial output, raw terminal control bytes or other
exit code. The full run (500+ mutants per format) is recorded in ``bench/RESULTS.md``;
``LEAKHUNT_FUZZ_PER_FORMAT=500`` runs it here (marked slow).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("leakhunt_bench_fuzz", ROOT / "bench/fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run(tmp_path: Path, per_format: int, *, quick: bool) -> dict[str, object]:
    fuzz = _fuzz()
    specs = [
        spec
        for fmt in ("v8", "spidermonkey", "cc")
        for spec in fuzz.mutants(fmt, per_format, seed=1, quick=quick)
    ]
    runs = fuzz.run_all(
        specs,
        jobs=1,
        timeout=120.0,
        memory=3 << 30,
        mode="fork",
        scratch=tmp_path,
        progress=False,
        keep=None,
    )
    assert len(runs) == len(specs) * len(fuzz.COMMANDS)
    summary: dict[str, object] = fuzz.summarize(runs)
    return summary


def _check(summary: dict[str, object]) -> None:
    runs = summary["runs"]
    assert isinstance(runs, dict)
    # Both outcomes occur: the mutants are neither all rejected nor all harmless.
    assert sum(row["ok"] for row in runs.values()) > 0
    assert sum(row["error"] for row in runs.values()) > 0
    assert summary["bad"] == []


def test_quick_fuzz_subset(tmp_path: Path) -> None:
    _check(_run(tmp_path, 34, quick=True))


@pytest.mark.slow
@pytest.mark.skipif(
    "LEAKHUNT_FUZZ_PER_FORMAT" not in os.environ, reason="set LEAKHUNT_FUZZ_PER_FORMAT to run"
)
def test_full_fuzz_run(tmp_path: Path) -> None:
    _check(_run(tmp_path, int(os.environ["LEAKHUNT_FUZZ_PER_FORMAT"]), quick=False))
