"""The progress-callback type shared by importers, analyses and writers.

Long work calls ``progress(phase, done, total)`` now and then; the CLI binds it to a progress
bar, library users may pass their own or nothing.

>>> seen = []
>>> report: Progress = lambda phase, done, total: seen.append((phase, done, total))
>>> report("reading nodes", 5, 10); seen
[('reading nodes', 5, 10)]
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``."""
