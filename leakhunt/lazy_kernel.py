"""Compile a kernel on its first call, so that commands which never run one never import numba.

numba's import costs about 0.2 s and loading each cached kernel a few tens of milliseconds;
a command answered from the index cache needs neither.

Examples
--------
>>> import numpy as np
>>> def total(values):
...     result = 0
...     for value in values:
...         result += value
...     return result
>>> kernel = lazy_kernel(total)          # nothing is compiled yet
>>> kernel.reference is total, int(kernel.reference(np.arange(4)))
(True, 6)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["LazyKernel", "lazy_kernel"]


class LazyKernel:
    """A plain-Python reference function and, after the first call, its compiled twin."""

    def __init__(self, reference: Callable[..., Any]) -> None:
        self.reference = reference
        self._compiled: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        compiled = self._compiled
        if compiled is None:
            from numba import njit

            compiled = self._compiled = njit(cache=True, nogil=True)(self.reference)
        return compiled(*args)


def lazy_kernel(reference: Callable[..., Any]) -> LazyKernel:
    """Wrap ``reference``; it is compiled with numba (cached on disk) when first called."""
    return LazyKernel(reference)
