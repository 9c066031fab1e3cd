"""Array type aliases shared by the kernels."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["EPHEMERON_KIND", "I32", "I64", "SHORTCUT_KIND", "U8", "Bools"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

# EdgeKind values as literals, because numba cannot read IntEnums.
SHORTCUT_KIND = 5  # EdgeKind.SHORTCUT
EPHEMERON_KIND = 7  # EdgeKind.EPHEMERON
