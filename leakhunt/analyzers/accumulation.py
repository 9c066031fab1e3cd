"""Accumulation points and group suspects (Eclipse MAT's "Leak Suspects", for JS heaps).

*Accumulation point*: from every node whose retained size reaches the threshold, walk the
dominator tree down while one child keeps most (``dominant_share``) of its parent's retained
size; where the walk stops, memory fans out into many children: that node is where it piles
up, provided most of it sits in many instances of one class. A backing store (a hash table, an
elements array) is reported through its first application-level owner (the ``Map``).

*Group suspect*: many instances of one class whose dominator-tree owners are mostly
(``group_share``) one application-level object: that object is named.

Both read one dominator tree; owners for all nodes come from one vectorised climb.

References
----------
Eclipse Memory Analyzer, "Leak Suspects" report and "big drops in dominator tree".
https://help.eclipse.org/latest/topic/org.eclipse.mat.ui.help/tasks/runningleaksuspectreport.html
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import DominatorTree

__all__ = [
    "Accumulation",
    "GroupSuspect",
    "application_owners",
    "find_accumulation_points",
    "find_groups",
]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Accumulation:
    """Where memory piles up."""

    point: int
    """The node where the walk stopped (may be a backing store)."""
    holder: int
    """Its first application-level owner (the point itself when it is one)."""
    start: int
    """The node the walk started from."""
    children: int
    """Dominated children of the point."""
    top_class: str
    """The class most of the retained size sits in."""
    top_class_count: int
    """Its instances among the children."""
    top_class_share: float
    """Their retained size over the point's."""


@dataclass(frozen=True, slots=True)
class GroupSuspect:
    """Many instances of one class, mostly owned by one object."""

    class_name: str
    """The class."""
    count: int
    """Instances owned by :attr:`owner`."""
    total: int
    """Instances in the heap."""
    owner: int
    """Node owning most of them (dominator-tree owner, application level)."""
    retained_size: int
    """Retained size of the owned instances summed."""


def application_owners(graph_app: npt.NDArray[np.bool_], idom: npt.NDArray[np.int32]) -> I64:
    """For every node, its nearest strict dominator that is application-level (or the root 0)."""
    owner = idom.astype(np.int64)
    pending = np.flatnonzero(~graph_app[owner] & (owner != 0))
    while pending.size:
        owner[pending] = idom[owner[pending]]
        pending = pending[~graph_app[owner[pending]] & (owner[pending] != 0)]
    return owner


def _children(idom: npt.NDArray[np.int32]) -> tuple[I64, I64]:
    """Dominator-tree children as CSR: (first, child), root excluded from its own list."""
    n = idom.shape[0]
    nodes = np.arange(1, n, dtype=np.int64)
    parents = idom[1:].astype(np.int64)
    order = np.argsort(parents, kind="stable")
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parents, minlength=n), out=first[1:])
    return first, nodes[order]


def find_accumulation_points(
    graph_class: npt.NDArray[np.int64],
    class_names: tuple[str, ...],
    app: npt.NDArray[np.bool_],
    js: npt.NDArray[np.bool_],
    tree: DominatorTree,
    *,
    min_retained: int,
    dominant_share: float,
    min_instances: int,
    class_share: float,
) -> list[Accumulation]:
    """Accumulation points of the heap (see the module docstring)."""
    retained = tree.retained_size
    idom = tree.idom
    first, child = _children(idom)
    owners = application_owners(app, idom)
    # Walks start at every big node its parent's walk does not enter (not a dominant child).
    dominant = (retained >= dominant_share * retained[idom]) & (idom != 0)
    starts = np.flatnonzero((retained >= min_retained) & ~dominant)
    starts = starts[starts != 0]
    found: dict[int, Accumulation] = {}
    for start in starts.tolist():
        node = start
        while True:
            kids = child[first[node] : first[node + 1]]
            if not kids.size:
                break
            biggest = int(kids[np.argmax(retained[kids])])
            if retained[biggest] < dominant_share * retained[node]:
                break
            node = biggest
        kids = child[first[node] : first[node + 1]]
        if kids.size < min_instances or node in found:
            continue
        # Only program objects count: engine and embedder internals (style sheets, module
        # registries kept by native code) accumulate by design.
        kids = kids[js[kids]]
        if kids.size < min_instances:
            continue
        weights = np.bincount(graph_class[kids], weights=retained[kids])
        top = int(np.argmax(weights))
        share = float(weights[top]) / max(int(retained[node]), 1)
        count = int(np.count_nonzero(graph_class[kids] == top))
        if count < min_instances or share < class_share:
            continue
        holder = node if app[node] else int(owners[node])
        name = class_names[top]
        found[node] = Accumulation(node, holder, start, int(kids.size), name, count, share)
    return list(found.values())


def find_groups(
    graph_class: npt.NDArray[np.int64],
    class_names: tuple[str, ...],
    app: npt.NDArray[np.bool_],
    js: npt.NDArray[np.bool_],
    tree: DominatorTree,
    *,
    min_retained: int,
    min_instances: int,
    group_share: float,
) -> list[GroupSuspect]:
    """Classes with many instances mostly owned by one application-level object."""
    retained = tree.retained_size
    owners = application_owners(app, tree.idom)
    members = np.flatnonzero(app & js)
    members = members[members != 0]
    if not members.size:
        return []
    classes = graph_class[members].astype(np.int64)
    totals = np.bincount(classes)
    n = int(owners.shape[0])
    keys = classes * n + owners[members]
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    sizes = np.bincount(inverse, weights=retained[members])
    groups = []
    for index in np.flatnonzero(counts >= min_instances).tolist():
        class_index, owner = divmod(int(unique[index]), n)
        count = int(counts[index])
        if owner == 0 or count < group_share * int(totals[class_index]):
            continue
        if sizes[index] < min_retained:
            continue
        groups.append(
            GroupSuspect(
                class_names[class_index], count, int(totals[class_index]), owner, int(sizes[index])
            )
        )
    return groups
