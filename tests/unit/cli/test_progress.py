"""Progress bars say what they count: bytes while reading, rows while writing, nothing for
a step."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from leakhunt.cli.progress import _AmountColumn, _unit


def _amount(phase: str, done: int, total: int) -> str:
    unit = _unit(phase, done, total)
    progress = Progress(console=Console(file=io.StringIO()))
    task = progress.add_task(phase, total=None if unit == "step" else total, unit=unit)
    progress.update(task, completed=done)
    return _AmountColumn().render(progress.tasks[0]).plain


def test_reading_phases_count_bytes() -> None:
    assert _amount("reading nodes", 5 << 20, 10 << 20) == "5.2/10.5 MB"


def test_row_phases_count_rows() -> None:
    assert _amount("writing rows", 65536, 100000) == " 65536/100000 rows"


def test_steps_show_no_amount() -> None:
    for phase in ("building graph", "dominators", "page flags"):
        assert _amount(phase, 0, 1) == "" and _amount(phase, 1, 1) == ""
        assert "bytes" not in _amount(phase, 0, 1)
