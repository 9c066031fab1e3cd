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

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["LazyKernel", "lazy_kernel", "start_compiler"]

_started = False


def start_compiler() -> None:
    """Import numba and load its CPU target's implementations now (once per process).

    The first kernel call does this anyway; doing it ahead lets a process that is about to
    fork a worker hand the worker a started compiler (about 0.7 s it would otherwise spend
    again). numba imports SciPy where it is installed, to check its version and to probe for
    BLAS (``scipy.linalg``: 0.3–0.4 s together); no leakhunt kernel uses BLAS, so unless SciPy
    is already imported, SciPy is reported absent while numba starts.
    """
    global _started
    if _started:
        return
    skip_probe = "scipy" not in sys.modules
    if skip_probe:
        sys.modules["scipy"] = None  # type: ignore[assignment]  # makes the import fail
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    finally:
        if skip_probe:
            del sys.modules["scipy"]
    _started = True


class LazyKernel:
    """A plain-Python reference function and, after the first call, its compiled twin."""

    def __init__(self, reference: Callable[..., Any]) -> None:
        self.reference = reference
        self._compiled: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        compiled = self._compiled
        if compiled is None:
            start_compiler()
            from numba import njit

            compiled = self._compiled = njit(cache=True, nogil=True)(self.reference)
        return compiled(*args)


def lazy_kernel(reference: Callable[..., Any]) -> LazyKernel:
    """Wrap ``reference``; it is compiled with numba (cached on disk) when first called."""
    return LazyKernel(reference)
