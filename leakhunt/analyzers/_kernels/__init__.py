"""Array-in, array-out hot loops: the only place where compiled code appears.

Every kernel is a plain-Python function (``*_reference``) compiled by numba on first use
(:mod:`leakhunt.lazy_kernel`, cached on disk); tests run both versions on the same inputs and require
identical output (``tests/unit/analyzers/test_paths.py``, ``test_devtools_kernels.py``,
``test_top.py``). Loops are iterative: heap graphs can be millions of nodes deep.

Modules: :mod:`.paths` (retaining-path BFS), :mod:`.devtools_walks` (page flags, DOM state,
distances, ownership), :mod:`.dominators` (essential edges, Lengauer–Tarjan, retained sizes),
:mod:`.classes` (per-class retained sizes), :mod:`.context_cuts` (the exact cut of every context).
"""

from leakhunt.analyzers._kernels.classes import (
    first_of_class_on_path,
    first_of_class_on_path_reference,
)
from leakhunt.analyzers._kernels.context_cuts import (
    context_cut_sets,
    context_cut_sets_reference,
)
from leakhunt.analyzers._kernels.devtools_walks import (
    NO_DISTANCE,
    SYSTEM_DISTANCE_BASE,
    devtools_distances,
    devtools_distances_reference,
    dom_state,
    dom_state_reference,
    mark_reachable,
    mark_reachable_reference,
    shallow_sizes,
    shallow_sizes_reference,
)
from leakhunt.analyzers._kernels.dominators import (
    accumulate_retained,
    accumulate_retained_reference,
    essential_edges,
    essential_edges_reference,
    essential_retainers,
    essential_retainers_reference,
    lengauer_tarjan,
    lengauer_tarjan_reference,
    referenced,
    referenced_reference,
)
from leakhunt.analyzers._kernels.paths import EPHEMERON_KIND, root_bfs, root_bfs_reference

__all__ = [
    "EPHEMERON_KIND",
    "NO_DISTANCE",
    "SYSTEM_DISTANCE_BASE",
    "accumulate_retained",
    "accumulate_retained_reference",
    "context_cut_sets",
    "context_cut_sets_reference",
    "devtools_distances",
    "devtools_distances_reference",
    "dom_state",
    "dom_state_reference",
    "essential_edges",
    "essential_edges_reference",
    "essential_retainers",
    "essential_retainers_reference",
    "first_of_class_on_path",
    "first_of_class_on_path_reference",
    "lengauer_tarjan",
    "lengauer_tarjan_reference",
    "mark_reachable",
    "mark_reachable_reference",
    "referenced",
    "referenced_reference",
    "root_bfs",
    "root_bfs_reference",
    "shallow_sizes",
    "shallow_sizes_reference",
]
