"""SVG and PNG through Graphviz's dot (skipped without it), and the error when dot is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from leakhunt.render.safe_text import visible

from helpers.cli import run

REPO = Path(__file__).resolve().parents[2]
HOSTILE = "fixtures/v8/edge_cases/hostile_labels.heapsnapshot"
HOSTILE_IDS = [f"@{i}" for i in (9, 11, 13, 15, 17, 21, 23)]
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


def _load_hostile_strings() -> dict[str, str]:
    sys.path.insert(0, str(REPO / "fixtures" / "v8" / "edge_cases"))
    try:
        import hostile_labels
    finally:
        sys.path.pop(0)
    return {
        name: getattr(hostile_labels, name)
        for name in ("SCRIPT_BREAKOUT", "JS_URL", "SVG_ONLOAD", "DOT_SYNTAX", "EDGE_HTML")
    }


@needs_dot
def test_svg_of_sessions_is_clean_xml_with_the_labels(tmp_path: Path) -> None:
    out = tmp_path / "sessions.svg"
    result = run(
        "paths", "fixtures/v8/leak_chain.heapsnapshot.gz", "class:Session", "--format", "svg",
        "-o", str(out), "--no-cache", "-q", cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    root = ElementTree.parse(out).getroot()
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count("Session") == 8 and "+32 more" in texts and "user root" in texts
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}a"))


@needs_dot
def test_png_is_an_image(tmp_path: Path) -> None:
    out = tmp_path / "zombie.png"
    result = run(
        "paths", "fixtures/v8/vm_contexts.heapsnapshot.gz", "@77037", "--by-context",
        "--format", "png", "-o", str(out), "--no-cache", "-q", cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


@needs_dot
def test_hostile_labels_are_inert_text_in_svg(tmp_path: Path) -> None:
    out = tmp_path / "hostile.svg"
    result = run(
        "paths",
        HOSTILE,
        *HOSTILE_IDS,
        "--format",
        "svg",
        "-o",
        str(out),
        "--no-cache",
        "-q",
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    raw = out.read_text(encoding="utf-8")
    root = ElementTree.fromstring(raw)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text"}
    for element in root.iter():
        assert not [a for a in element.attrib if a.lower().startswith("on") or "href" in a]
    texts = {t.text or "" for t in root.iter(f"{SVG}text")}
    strings = _load_hostile_strings()
    for name in ("SCRIPT_BREAKOUT", "JS_URL", "EDGE_HTML"):
        assert visible(strings[name]) in texts, name
    dot_syntax = [t for t in texts if t.startswith('dot "q"')]
    assert dot_syntax and all(t.startswith('dot "q" \\N \\l \\G {rank=same}') for t in dot_syntax)
    assert all(ord(c) >= 0x20 for t in texts for c in t)  # controls shown as escapes
    assert "bell\\x07 esc\\x1b[2J" in raw  # read as strict UTF-8 above: no lone surrogate


def test_missing_dot_is_one_line_and_exit_3(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    env = {**os.environ, "PATH": str(tmp_path)}  # no dot on PATH
    result = subprocess.run(
        [sys.executable, "-m", "leakhunt", "paths", "fixtures/v8/leak_chain.heapsnapshot.gz",
         "@78371", "--format", "svg", "-o", str(out), "--no-cache", "-q"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.startswith("leakhunt: error: cannot write svg: Graphviz's 'dot'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".leakhunt-*"))
    dot = subprocess.run(
        [sys.executable, "-m", "leakhunt", "paths", "fixtures/v8/leak_chain.heapsnapshot.gz",
         "@78371", "--format", "dot", "--no-cache", "-q"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600,
    )  # fmt: skip
    assert dot.returncode == 0 and dot.stdout.startswith("// leakhunt paths diagram")
