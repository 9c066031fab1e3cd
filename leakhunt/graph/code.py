"""What a dump says about source code: where functions were defined and what they capture.

Both tables are optional: importers fill them when the dump carries the information (V8
snapshots have a ``locations`` section; Chromium 15x snapshots also say which context
variables each function uses), and leave them empty otherwise.

Examples
--------
>>> import numpy as np
>>> table = CodeLocationTable(
...     node=np.array([4, 9], np.int32), script=np.array([1, 1], np.uint32),
...     line=np.array([10, 20], np.int32), column=np.array([2, 0], np.int32))
>>> table.row_of(9), table.row_of(5)
(1, -1)
>>> CapturedUseTable.empty().known
False
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["CapturedUseTable", "CodeLocationTable"]

I32 = npt.NDArray[np.int32]
U32 = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class CodeLocationTable:
    """Source positions of nodes (functions, and objects by their constructor), by node."""

    node: I32
    """Node ordinal of each row, ascending and unique."""
    script: U32
    """String index of the script's name (URL or file path; may be empty)."""
    line: I32
    """Zero-based line."""
    column: I32
    """Zero-based column."""

    def __len__(self) -> int:
        return int(self.node.shape[0])

    def row_of(self, node: int) -> int:
        """The row describing ``node``, or -1."""
        row = int(np.searchsorted(self.node, node))
        return row if row < len(self) and int(self.node[row]) == node else -1

    @staticmethod
    def empty() -> CodeLocationTable:
        """A table with no rows."""
        return CodeLocationTable(
            np.zeros(0, np.int32),
            np.zeros(0, np.uint32),
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
        )


@dataclass(frozen=True, slots=True)
class CapturedUseTable:
    """Context variables that functions read, as the engine compiled them.

    A row says: function ``function`` reads variable ``name`` of its enclosing context
    ``context`` (one of the contexts on its scope chain). Functions listed in
    :attr:`covered` have all their uses listed (none may mean "uses nothing").
    """

    known: bool
    """Whether the dump carries use information at all (else every verdict is a heuristic)."""
    function: I32
    """Node ordinal of the function (closure) of each row."""
    context: I32
    """Node ordinal of the context whose variable it reads."""
    name: U32
    """String index of the variable's name."""
    covered: I32
    """Function node ordinals whose uses are known, ascending."""
    contexts: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Function contexts (not script-level ones) on the scope chains of :attr:`covered`
    functions, ascending: for these, a variable no row names is read by none of them."""

    def __len__(self) -> int:
        return int(self.function.shape[0])

    @staticmethod
    def empty() -> CapturedUseTable:
        """No information."""
        none = np.zeros(0, np.int32)
        return CapturedUseTable(False, none, none, np.zeros(0, np.uint32), none, none)
