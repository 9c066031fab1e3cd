"""Analyzers: plain functions over a :class:`~leakhunt.graph.core.RetentionGraph` that return
frozen results (:mod:`leakhunt.analyzers.results`). They never print."""

from leakhunt.analyzers.diff import diff_snapshots
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.external import ExternalHolder, find_external_holders
from leakhunt.analyzers.paths import RootDistances, compute_root_distances, find_retaining_paths
from leakhunt.analyzers.selectors import Selector, parse_selector, select_nodes
from leakhunt.analyzers.summary import summarize
from leakhunt.analyzers.suspects import SuspectOptions, find_suspects
from leakhunt.analyzers.top import TopReport, find_top_retainers

__all__ = [
    "ANALYZERS",
    "DominatorTree",
    "ExternalHolder",
    "RootDistances",
    "Selector",
    "Semantics",
    "SuspectOptions",
    "TopReport",
    "compute_dominators",
    "compute_root_distances",
    "diff_snapshots",
    "find_external_holders",
    "find_retaining_paths",
    "find_suspects",
    "find_top_retainers",
    "parse_selector",
    "select_nodes",
    "summarize",
]

ANALYZERS = {
    "summary": summarize,
    "paths": find_retaining_paths,
    "dominators": compute_dominators,
    "top": find_top_retainers,
    "external holders": find_external_holders,
    "diff": diff_snapshots,
    "suspects": find_suspects,
}
"""Every analyzer, by what it answers (the CLI command, or the report section, presenting it)."""
