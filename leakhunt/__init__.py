"""leakhunt: heap-graph leak analysis for JavaScript engines.

The public API: load a dump, then analyse the graph.

>>> from leakhunt import load_graph, summarize  # doctest: +SKIP
>>> summary = summarize(load_graph("app.heapsnapshot"))  # doctest: +SKIP
"""

__version__ = "0.1.0"

from leakhunt.analyzers import find_retaining_paths, select_nodes, summarize
from leakhunt.errors import LeakhuntError
from leakhunt.graph import RetentionGraph
from leakhunt.importers import load_graph
from leakhunt.options import PathOptions, SummaryOptions

__all__ = [
    "LeakhuntError",
    "PathOptions",
    "RetentionGraph",
    "SummaryOptions",
    "__version__",
    "find_retaining_paths",
    "load_graph",
    "select_nodes",
    "summarize",
]
