"""Rebuild the CompiledFnEntry addon with g++ against Node's own headers, rerun both Node
root dump generators into a temporary directory, and check the fresh outputs with the same
invariants as the committed fixtures (fixtures/node_rootdump)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.node_rootdump import check_compiled_fn_entry, check_worker_isolates

GENERATOR = Path(__file__).resolve().parents[2] / "fixtures" / "node_rootdump" / "generate.sh"


def _missing_toolchain() -> str | None:
    """Why the generator cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    if shutil.which("g++") is None:
        return "g++ is not installed"
    include = Path(node).resolve().parent.parent / "include" / "node"
    if not (include / "node.h").exists() or not (include / "v8.h").exists():
        return f"Node's headers (node.h, v8.h) are not under {include}"
    return None


@pytest.mark.engine
@pytest.mark.slow
def test_regenerated_fixtures_keep_their_invariants(tmp_path: Path) -> None:
    reason = _missing_toolchain()
    if reason:
        pytest.skip(f"cannot build the Node addon: {reason}")
    subprocess.run(
        [str(GENERATOR), str(tmp_path)], check=True, capture_output=True, text=True, timeout=300
    )
    check_compiled_fn_entry(tmp_path)
    check_worker_isolates(tmp_path)
