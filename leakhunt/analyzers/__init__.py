"""Analyzers: plain functions over a :class:`~leakhunt.graph.core.RetentionGraph` that return
frozen results (:mod:`leakhunt.analyzers.results`). They never print."""

from leakhunt.analyzers.contexts import ContextReport, compute_context_report
from leakhunt.analyzers.diff import diff_snapshots
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.external import ExternalHolder, find_external_holders
from leakhunt.analyzers.neighbours import Neighbours, NodeReport, find_neighbours
from leakhunt.analyzers.paths import RootDistances, compute_root_distances, find_retaining_paths
from leakhunt.analyzers.retained_via import RetainedViaReport, find_retained_via
from leakhunt.analyzers.selectors import Selector, parse_selector, resolve_selectors, select_nodes
from leakhunt.analyzers.summary import summarize
from leakhunt.analyzers.suspects import SuspectOptions, find_suspects
from leakhunt.analyzers.top import TopReport, find_top_retainers
from leakhunt.analyzers.zombies import ZombieReport, find_zombie_contexts

__all__ = [
    "ANALYZERS",
    "ContextReport",
    "DominatorTree",
    "ExternalHolder",
    "Neighbours",
    "NodeReport",
    "RetainedViaReport",
    "RootDistances",
    "Selector",
    "Semantics",
    "SuspectOptions",
    "TopReport",
    "ZombieReport",
    "compute_context_report",
    "compute_dominators",
    "compute_root_distances",
    "diff_snapshots",
    "find_external_holders",
    "find_neighbours",
    "find_retained_via",
    "find_retaining_paths",
    "find_suspects",
    "find_top_retainers",
    "find_zombie_contexts",
    "parse_selector",
    "resolve_selectors",
    "select_nodes",
    "summarize",
]

ANALYZERS = {
    "summary": summarize,
    "paths": find_retaining_paths,
    "dominators": compute_dominators,
    "top": find_top_retainers,
    "external holders": find_external_holders,
    "neighbours": find_neighbours,
    "contexts": compute_context_report,
    "zombies": find_zombie_contexts,
    "retained-via": find_retained_via,
    "diff": diff_snapshots,
    "suspects": find_suspects,
}
"""Every analyzer, by what it answers (the CLI command, or the report section, presenting it)."""
