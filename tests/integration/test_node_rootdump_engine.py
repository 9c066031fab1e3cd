"""Rebuild the CompiledFnEntry addon with g++ against Node's own headers, rerun both Node
root dump generators into a temporary directory, and check the fresh outputs with the same
invariants as the committed fixtures (fixtures/node_rootdump); and check that Node's own
``vm.compileFunction`` no longer leaks while the addon's pattern does (why the addon exists)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers.node_rootdump import check_compiled_fn_entry, check_worker_isolates

GENERATOR = Path(__file__).resolve().parents[2] / "fixtures" / "node_rootdump" / "generate.sh"
VM_CHECK = GENERATOR.parent / "vm_compile_function_check.js"


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


@pytest.fixture(scope="module")
def vm_check(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """vm_compile_function_check.js's report, with the addon freshly built (once per module)."""
    reason = _missing_toolchain()
    if reason:
        pytest.skip(f"cannot build the Node addon: {reason}")
    build = tmp_path_factory.mktemp("addon")
    subprocess.run(
        [str(GENERATOR.parent / "build.sh"), str(build)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    done = subprocess.run(
        ["node", "--expose-gc", str(VM_CHECK), str(build / "compiled_fn_entry.node"), "40"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.engine
@pytest.mark.slow
def test_free_counting_sees_the_addon_leak_and_the_healthy_frees(vm_check: dict[str, Any]) -> None:
    """The control for the vm check: the counting method tells a leak from a free."""
    report = vm_check
    assert report["addon_leaky"] == {"compiled": 40, "freed": 0}
    assert report["addon_healthy"] == {"compiled": 40, "freed": 40}
    assert report["addon_counters"] == {"created": 80, "freed": 40}


@pytest.mark.engine
@pytest.mark.slow
def test_this_nodes_vm_compile_function_no_longer_leaks(vm_check: dict[str, Any]) -> None:
    """Why the fixture needs an addon: Node's own vm frees every function (nodejs/node#46785)."""
    report = vm_check
    major, minor = (int(part) for part in report["node"].lstrip("v").split(".")[:2])
    if (major, minor) < (20, 20):
        pytest.skip(f"checked on Node v20.20 and later only, this is {report['node']}")
    assert report["vm"] == {"compiled": 40, "freed": 40}
