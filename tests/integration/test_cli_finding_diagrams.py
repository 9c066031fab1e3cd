"""zombies and cycles drawn from the command line (--format dot|svg|png, --pick)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.cli import run

REPO = Path(__file__).resolve().parents[2]
VM_ZOMBIES = str(REPO / "fixtures" / "v8" / "vm_zombies.heapsnapshot.gz")
ADDON = REPO / "fixtures" / "node_rootdump"
ADDON_ARGS = (
    str(ADDON / "compiled_fn_entry.heapsnapshot.gz"),
    "--overlay",
    str(ADDON / "compiled_fn_entry.rootdump.json"),
)


def test_zombie_diagram_frames_the_dead_context_and_highlights_the_crossing() -> None:
    result = run("zombies", VM_ZOMBIES, "--format", "dot", "-q", "--no-cache")
    assert result.returncode == 1, result.stderr  # zombies found, as with text output
    dot = result.stdout
    assert dot.startswith("// leakhunt zombie diagram")
    assert "label=<zombie context vm " in dot  # the zombie's own frame
    assert "crossing" in dot or 'color="#b3261e"' in dot


def test_zombie_pick_out_of_range_is_a_usage_error() -> None:
    result = run("zombies", VM_ZOMBIES, "--format", "dot", "--pick", "99", "-q", "--no-cache")
    assert result.returncode == 2
    assert "only 3 zombie context(s) found" in result.stderr


def test_cycle_diagram_styles_handles_and_weak_callbacks() -> None:
    result = run("cycles", *ADDON_ARGS, "--format", "dot", "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    handle = [line for line in lines if "native handle" in line]
    callback = [line for line in lines if "weak callback" in line and "->" in line]
    natives = [line for line in lines if "shape=box3d" in line]
    assert handle and all("style=bold" in line for line in handle)
    assert callback and all("style=dashed" in line and "odiamond" in line for line in callback)
    assert len(natives) == 1  # the CompiledFnEntry, shaped apart from JS objects


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_cycle_diagram_as_svg(tmp_path: Path) -> None:
    out = tmp_path / "cycle.svg"
    result = run("cycles", *ADDON_ARGS, "--format", "svg", "-o", str(out), "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE")) and "CompiledFnEntry" in svg


def test_diff_draws_the_representative_path_of_a_cluster() -> None:
    v8 = REPO / "fixtures" / "v8"
    stages = [str(v8 / f"leak_cache.{s}.heapsnapshot.gz") for s in ("baseline", "target", "final")]
    result = run("diff", *stages, "--format", "dot", "-q", "--no-cache")
    assert result.returncode == 0, result.stderr
    dot = result.stdout
    assert "Representative path of 24 leaked CachedResponse" in dot
    assert "entries" in dot and "retained" in dot  # edge names and a size on every hop
    again = run("diff", *stages, "--format", "dot", "--pick", "2", "-q", "--no-cache")
    assert again.returncode == 2 and "only 1 leak cluster(s) found" in again.stderr
