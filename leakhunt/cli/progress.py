"""Progress bars for long work, on stderr, only when a person is watching.

Phases report ``progress(phase, done, total)`` (:mod:`leakhunt.progress`). What the numbers
count depends on the phase, and the bar says so:

* a phase reported only as ``(0, 1)`` then ``(1, 1)`` is a *step* with nothing to count
  (``building graph``, ``dominators``): the bar shows its name, a pulse and the time;
* phases in :data:`PHASE_UNITS` count what the table says (``writing rows`` counts rows);
* every other phase counts bytes of the input (the importers' reading phases).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from leakhunt.importers.interface import Progress as ProgressCallback
from leakhunt.render.safe_text import visible

__all__ = ["PHASE_UNITS", "progress_callback"]

PHASE_UNITS: dict[str, str] = {"writing rows": "rows"}
"""Phases that count something other than input bytes, and what."""

_STEP, _BYTES = "step", "bytes"


class _AmountColumn(ProgressColumn):
    """The amount in the phase's own unit: bytes, a count with its unit, or nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = DownloadColumn()
        self._count = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        unit = str(task.fields.get("unit", _STEP))
        if unit == _STEP:
            return Text("")
        if unit == _BYTES:
            return self._bytes.render(task)
        counted = self._count.render(task)
        counted.append(f" {unit}")
        return counted


def _unit(phase: str, done: int, total: int) -> str:
    if phase in PHASE_UNITS:
        return PHASE_UNITS[phase]
    return _STEP if total <= 1 and done <= 1 else _BYTES


@contextlib.contextmanager
def progress_callback(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a ``progress(phase, done, total)`` callback bound to a rich bar, or None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    console = Console(file=sys.stderr)
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        _AmountColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        # One bar whose label follows the phase; it appears with the first report.
        task = bar.add_task("", total=None, visible=False, unit=_STEP)

        def report(phase: str, done: int, total: int) -> None:
            unit = _unit(phase, done, total)
            bar.update(
                task,
                description=visible(phase),
                completed=done,
                total=None if unit == _STEP else total,
                unit=unit,
                visible=True,
            )

        yield report
