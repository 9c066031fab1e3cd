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

__all__ = ["strings_matching"]

_SEPARATOR = "\x00"


def strings_matching(strings: Sequence[str], needle: str) -> npt.NDArray[np.int64]:
    """Indices of the strings containing ``needle`` (ascending, unique)."""
    if not strings:
        return np.zeros(0, dtype=np.int64)
    joined = _SEPARATOR.join(strings)
    positions = [m.start() for m in re.finditer(re.escape(needle), joined)]
    if not positions:
        return np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(s) + 1 for s in strings), dtype=np.int64, count=len(strings))
    starts = np.cumsum(lengths) - lengths
    return np.unique(np.searchsorted(starts, np.array(positions, dtype=np.int64), side="right") - 1)
