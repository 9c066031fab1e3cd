"""Result of the dominator analysis, and the rule sets it can follow.

Retained sizes depend on the rules used to compute them (which edges count, whether internal
arrays are charged to their owner), so every :class:`DominatorTree` says which
:class:`Semantics` produced it.

Examples
--------
>>> Semantics("memlab") is Semantics.MEMLAB
True
>>> [s.value for s in Semantics]
['devtools', 'memlab']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["DominatorTree", "Semantics"]


class Semantics(StrEnum):
    """Whose heap model a dominator tree reproduces."""

    DEVTOOLS = "devtools"
    """Chrome DevTools (heap-snapshot worker): WeakMap table edges are not essential, a page
    flag seeded from the root's shortcut edges, shallow-size ownership, orphans are nodes with
    no essential retainer."""
    MEMLAB = "memlab"
    """memlab 2.0.5: page flag seeded from the root's other children, WeakMap table edges stay
    essential, no ownership (raw self sizes), orphans are nodes whose only referrers are weak
    or shortcut edges."""


@dataclass(frozen=True, slots=True, eq=False)
class DominatorTree:
    """Immediate dominators, retained sizes and distances of every node of one graph.

    Arrays are indexed by node ordinal. Nodes the root's DFS cannot reach are still part of
    the tree (hung under the root, as DevTools does) and are listed in
    :attr:`unreachable_nodes`, never dropped.
    """

    semantics: Semantics
    """The rule set that produced these numbers."""
    idom: npt.NDArray[np.int32]
    """Immediate dominator of each node; the root (node 0) is its own dominator."""
    retained_size: npt.NDArray[np.int64]
    """Bytes freed if the node went away: its :attr:`self_size_used` plus that of every node
    it dominates. ``retained_size[0]`` is the total."""
    self_size_used: npt.NDArray[np.int64]
    """The per-node sizes the retained sizes were summed from: after shallow-size ownership
    in DevTools semantics (internal arrays charged to their owner), the graph's own
    ``node_self_size`` in memlab semantics."""
    distance: npt.NDArray[np.int32]
    """DevTools' ``nodeDistances`` (in both semantics; memlab has no distance array):
    1 for user roots, ``100_000_000 + k`` for nodes only system roots reach (the root itself
    is ``100_000_000``, or 0 when the graph has no user root), -5 when unreached."""
    page_owned: npt.NDArray[np.bool_]
    """The page-owned flag the essential-edge rule used (seeded as the semantics says)."""
    user_roots: npt.NDArray[np.int32]
    """User roots: the root's children that are not synthetic or are ``(Document DOM trees)``,
    one entry per root edge in edge order (repeats kept, as DevTools seeds them)."""
    ownership_applied: bool
    """Whether shallow-size ownership ran (DevTools semantics with at least one user root)."""
    essential_edge_count: int
    """Edges the dominator computation used."""
    unreachable_nodes: npt.NDArray[np.int32]
    """Nodes the root's DFS over essential edges did not reach, ascending. Their dominators
    come from DevTools' fallbacks (:attr:`orphan_nodes`, :attr:`clique_nodes`)."""
    orphan_nodes: npt.NDArray[np.int32]
    """Unreachable nodes with no essential retainer (memlab: no referrer other than weak or
    shortcut edges), in the ordinal order they were given the root as parent and a DFS of
    their own. Nodes that DFS reaches are unreachable but neither orphans nor cliques."""
    clique_nodes: npt.NDArray[np.int32]
    """Nodes still unnumbered after the orphan DFSs (groups that retain only each other),
    ascending; each was attached to the root on its own."""
    problems: tuple[str, ...]
    """Human-readable reports of the fallbacks above (DevTools' problem-report wording)."""

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return int(self.idom.shape[0])

    @property
    def total_size(self) -> int:
        """The root's retained size: every byte counted once."""
        return int(self.retained_size[0])

    def dominated_by(self, node: int) -> npt.NDArray[np.int32]:
        """Nodes whose immediate dominator is ``node`` (the root excluded), ascending.

        ``O(n)``; for many queries build a CSR from :attr:`idom` instead.
        """
        children = np.flatnonzero(self.idom == node).astype(np.int32)
        return children[children != 0] if node == 0 else children
