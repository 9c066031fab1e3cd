"""Dominator-tree walk for the per-class retained sizes (compiled, with a plain twin).

Examples
--------
>>> import numpy as np
>>> idom = np.array([0, 0, 1, 2, 1], dtype=np.int32)      # 0 → 1 → 2 → 3, and 1 → 4
>>> klass = np.array([9, 5, 7, 7, 7], dtype=np.uint32)
>>> size = np.array([0, 8, 8, 8, 0], dtype=np.int64)
>>> first_of_class_on_path_reference(idom, klass, size).tolist()
[False, True, True, False, False]
>>> first_of_class_on_path(idom, klass, size).tolist()
[False, True, True, False, False]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.lazy_kernel import lazy_kernel

__all__ = ["first_of_class_on_path", "first_of_class_on_path_reference"]


def first_of_class_on_path_reference(
    idom: npt.NDArray[np.int32], node_class: npt.NDArray[np.uint32], size: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """True for nodes with a non-zero size and no dominator-tree ancestor of their class that has one.

    DevTools' ``calculateClassesRetainedSize`` walks the dominator tree depth-first and adds a
    node's retained size to its class unless an ancestor of the same class was added; this is
    that walk, iterative (the tree can be millions deep) over a children CSR built from ``idom``.
    """
    n = idom.shape[0]
    counted = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return counted
    child_count = np.zeros(n + 1, dtype=np.int64)
    for v in range(1, n):
        child_count[idom[v] + 1] += 1
    first_child = np.cumsum(child_count)
    fill = first_child[:-1].copy()
    children = np.empty(max(n - 1, 0), dtype=np.int32)
    for v in range(1, n):
        parent = idom[v]
        children[fill[parent]] = v
        fill[parent] += 1
    seen = np.zeros(int(node_class.max()) + 1, dtype=np.int32)
    marked = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int32)
    cursor = np.zeros(n, dtype=np.int64)
    top = 0
    stack[0] = 0
    cursor[0] = first_child[0]
    if size[0] != 0:
        counted[0] = True
        seen[node_class[0]] += 1
        marked[0] = True
    while top >= 0:
        node = stack[top]
        if cursor[node] < first_child[node + 1]:
            child = children[cursor[node]]
            cursor[node] += 1
            if size[child] != 0 and seen[node_class[child]] == 0:
                counted[child] = True
                seen[node_class[child]] += 1
                marked[child] = True
            top += 1
            stack[top] = child
            cursor[child] = first_child[child]
        else:
            if marked[node]:
                seen[node_class[node]] -= 1
            top -= 1
    return counted


_compiled: Any = lazy_kernel(first_of_class_on_path_reference)


def first_of_class_on_path(
    idom: npt.NDArray[np.int32], node_class: npt.NDArray[np.uint32], size: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Compiled :func:`first_of_class_on_path_reference`."""
    result: npt.NDArray[np.bool_] = _compiled(idom, node_class, size)
    return result
