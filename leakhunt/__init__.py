"""leakhunt: heap-graph leak analysis for JavaScript engines.

The public API: load a dump, then analyse the graph.

>>> import pathlib
>>> from leakhunt import compute_dominators, load_graph, summarize
>>> sample = pathlib.Path(__file__).parents[1] / "fixtures/v8/edge_cases/worked_example.heapsnapshot"
>>> graph = load_graph(str(sample))
>>> summarize(graph).total_self_size, int(compute_dominators(graph).retained_size[0])
(220, 220)
"""

__version__ = "0.1.0"

from leakhunt.analyzers import (
    Semantics,
    compute_dominators,
    find_retaining_paths,
    find_top_retainers,
    select_nodes,
    summarize,
)
from leakhunt.errors import LeakhuntError
from leakhunt.graph import RetentionGraph
from leakhunt.importers import load_graph
from leakhunt.options import PathOptions, SummaryOptions

__all__ = [
    "LeakhuntError",
    "PathOptions",
    "RetentionGraph",
    "Semantics",
    "SummaryOptions",
    "__version__",
    "compute_dominators",
    "find_retaining_paths",
    "find_top_retainers",
    "load_graph",
    "select_nodes",
    "summarize",
]
