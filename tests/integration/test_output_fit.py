"""Text output fits where it goes: unwrapped when piped, the terminal's width on a terminal,
whatever the checkout path, the terminal width or the environment says."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from leakhunt.analyzers import compute_dominators, find_top_retainers, summarize
from leakhunt.importers import load_graph
from leakhunt.render import SummaryConsoleRenderer, TopConsoleRenderer

from conftest import v8_fixture
from helpers.cli import run
from helpers.gclog_oracle import REAL_FIXTURES

SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def deep_copy_of_a_gjs_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gjs fixture under a long path, as in a fresh clone into a deeply nested folder."""
    folder = tmp_path_factory.mktemp("deep")
    for index in range(12):
        folder = folder / f"level-{index:02d}-of-a-long-checkout-path"
    folder.mkdir(parents=True)
    target = folder / "gjs_plain_leak.heap.gz"
    shutil.copy(REAL_FIXTURES["gjs_plain_leak"], target)
    return target


@pytest.mark.parametrize("columns", ["20", "80", "300"])
def test_piped_summary_never_wraps_whatever_the_path_or_columns(
    deep_copy_of_a_gjs_dump: Path, columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    path = str(deep_copy_of_a_gjs_dump)
    result = run("summary", path, "--top", "40")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == f"{path}  (SpiderMonkey, spidermonkey-gclog)"
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize("columns", ["20", "80"])
def test_piped_top_rows_are_whole_lines(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = run("top", str(v8_fixture("leak_chain")), "--top", "5", "--classes", "5")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 10
    assert any('Function "BuiltinModule" @43113' in row for row in rows)
    assert "(as DevTools' Summary: objects with a non-zero shallow size)" in result.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _top_on_a_terminal(columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("NO_COLOR", raising=False)
    graph = load_graph(str(v8_fixture("vm_contexts")))
    report = find_top_retainers(graph, compute_dominators(graph), top=20, class_top=20)
    out = _Terminal()
    TopConsoleRenderer(graph).render(report, out)
    return out.getvalue()


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_top_on_a_terminal_uses_its_width_and_keeps_every_number(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _top_on_a_terminal(columns, monkeypatch)
    plain = SGR.sub("", text)
    assert max(cell_len(line) for line in plain.splitlines()) <= columns
    graph = load_graph(str(v8_fixture("vm_contexts")))
    tree = compute_dominators(graph)
    report = find_top_retainers(graph, tree, top=20, class_top=20)
    for retainer in report.retainers:  # numbers are never cut, only names wrap
        assert f"{retainer.retained_size:,}" in plain
    for row in report.classes:
        assert f"{row.retained_size:,}" in plain


def test_terminal_output_has_emphasis_and_piped_output_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert SGR.search(_top_on_a_terminal(100, monkeypatch))
    graph = load_graph(str(v8_fixture("leak_chain")))
    out = io.StringIO()
    SummaryConsoleRenderer().render(summarize(graph), out)
    assert "\x1b" not in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    text = _top_on_a_terminal(100, monkeypatch)
    codes = {code for seq in re.findall(r"\x1b\[([0-9;]*)m", text) for code in seq.split(";")}
    assert "1" in codes  # bold stays: NO_COLOR removes colour, not emphasis
    assert not {c for c in codes if c and 30 <= int(c) <= 49}


def test_force_color_does_not_colour_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("top", str(v8_fixture("leak_chain")), "--top", "1", "--classes", "1")
    assert result.returncode == 0 and "\x1b" not in result.stdout


def test_deep_checkout_does_not_change_any_golden_line(deep_copy_of_a_gjs_dump: Path) -> None:
    """The same dump from a short and a very long path gives the same report below line 1."""
    short = run("summary", str(REAL_FIXTURES["gjs_plain_leak"]), "--top", "40")
    deep = run("summary", str(deep_copy_of_a_gjs_dump), "--top", "40")
    assert short.stdout.splitlines()[1:] == deep.stdout.splitlines()[1:]
    assert os.path.isabs(deep_copy_of_a_gjs_dump)
