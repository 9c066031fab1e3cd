"""Progress bars for long work, on stderr, only when a person is watching."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from leakhunt.importers.interface import Progress as ProgressCallback

__all__ = ["progress_callback"]


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
        DownloadColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        # One bar whose label follows the phase: phases of one job share the byte count.
        task = bar.add_task("starting", total=None)

        def report(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        yield report
