"""Find which entries of a large string table contain a pattern, without a Python loop per string.

Examples
--------
>>> strings_matching(("a", "xNativey", "", "Native"), "Native").tolist()
[1, 3]
>>> strings_matching(("abc",), "zzz").tolist()
[]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["StringSearch", "strings_matching"]

_SEPARATOR = "\x00"


class StringSearch:
    """A string table joined once, searched many times."""

    def __init__(self, strings: Sequence[str]) -> None:
        self._joined = _SEPARATOR.join(strings)
        lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) + 1
        self._starts = np.cumsum(lengths) - lengths

    def matching(self, needle: str) -> npt.NDArray[np.int64]:
        """Indices of the strings containing ``needle`` (ascending, unique)."""
        positions = [m.start() for m in re.finditer(re.escape(needle), self._joined)]
        if not positions:
            return np.zeros(0, dtype=np.int64)
        found = np.searchsorted(self._starts, np.array(positions, dtype=np.int64), side="right")
        return np.unique(found - 1)


def strings_matching(strings: Sequence[str], needle: str) -> npt.NDArray[np.int64]:
    """Indices of the strings containing ``needle`` (ascending, unique)."""
    if not strings:
        return np.zeros(0, dtype=np.int64)
    return StringSearch(strings).matching(needle)
