"""Analyzers: plain functions over a :class:`~leakhunt.graph.core.RetentionGraph` that return
frozen results (:mod:`leakhunt.analyzers.results`). They never print."""

from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.paths import RootDistances, compute_root_distances, find_retaining_paths
from leakhunt.analyzers.selectors import Selector, parse_selector, select_nodes
from leakhunt.analyzers.summary import summarize

__all__ = [
    "ANALYZERS",
    "DominatorTree",
    "RootDistances",
    "Selector",
    "Semantics",
    "compute_dominators",
    "compute_root_distances",
    "find_retaining_paths",
    "parse_selector",
    "select_nodes",
    "summarize",
]

ANALYZERS = {
    "summary": summarize,
    "paths": find_retaining_paths,
}
"""Every analyzer, by the command name that presents it."""
