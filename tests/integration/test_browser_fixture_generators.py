"""The browser fixture generators rerun here and reproduce the committed answers.

Each test copies a generator (and what it imports) to a temporary directory, runs it against
the installed browser, and compares the new sidecar's run-independent facts with the committed
one. The generators check their own output against the written file and exit 1 on any
mismatch, so a zero exit is itself most of the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

pytestmark = [pytest.mark.engine, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")


def _copy(files: list[str], dest: Path) -> None:
    for rel in files:
        src = REPO / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("node") is None, reason="needs chromium and node"
)
def test_closure_context_generator_reproduces_the_leak(tmp_path: Path) -> None:
    _copy(
        [
            "fixtures/chromium/_cdp.js",
            "fixtures/chromium/_pagelib.js",
            "fixtures/chromium/closure_context.js",
            "fixtures/chromium/closure_context",
            "fixtures/chromium/generate_pages.sh",
            "fixtures/v8/_snaplib.js",
        ],
        tmp_path,
    )
    done = subprocess.run(
        ["bash", str(tmp_path / "fixtures/chromium/generate_pages.sh"), "closure_context"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    new = _load(tmp_path / "fixtures/chromium/closure_context.expected.json")
    old = _load(REPO / "fixtures/chromium/closure_context.expected.json")
    for key in ("leaking_closure", "retained_variable", "variable_declared_in", "retained_count"):
        assert new["leak"][key] == old["leak"][key]
    for key in ("line", "column", "script"):
        assert new["leak"]["some_method_location"][key] == old["leak"]["some_method_location"][key]
    assert new["snapshot"]["has_scope_sections"] == old["snapshot"]["has_scope_sections"]
    assert (tmp_path / "fixtures/chromium/closure_context.heapsnapshot.gz").stat().st_size > 0


@pytest.mark.skipif(shutil.which("firefox-esr") is None, reason="needs firefox-esr")
def test_firefox_removed_iframes_generator_reproduces_the_zombies(tmp_path: Path) -> None:
    _copy(
        [
            "fixtures/firefox/generate.py",
            "fixtures/firefox/removed_iframes.py",
            "fixtures/firefox/removed_iframes",
        ],
        tmp_path,
    )
    done = subprocess.run(
        [sys.executable, str(tmp_path / "fixtures/firefox/removed_iframes.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    new = _load(tmp_path / "fixtures/firefox/firefox_removed_iframes.expected.json")
    old = _load(REPO / "fixtures/firefox/firefox_removed_iframes.expected.json")

    def facts(sidecar: dict[str, Any]) -> list[tuple[str, bool, bool, bool]]:
        return [
            (f["role"], f["expected_zombie"], f["expected_in_log"], f["realm_header"] is None)
            for f in sidecar["frames"]
        ]

    assert facts(new) == facts(old)
    (listener,) = [f for f in new["frames"] if f["role"] == "listener"]
    assert [r["name"].split(",")[0] for r in listener["holder_roots"]] == ["mCallback"]
