"""Cache-aware loading: the first run parses and stores, later runs start from the cache.

Only the CLI uses this module (``--no-cache`` turns it off); every function falls back to
computing when the cache is absent, stale or damaged, and never fails because of it.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from leakhunt.analyzers.context_cuts import ContextCuts
from leakhunt.analyzers.contexts import ContextAnalysis, ContextBuckets, analyze_contexts
from leakhunt.analyzers.diff import SnapshotIdentity
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.liveness import RootReach, retaining_edges
from leakhunt.analyzers.paths import RootDistances, compute_root_distances
from leakhunt.analyzers.top import ClassColumns, compute_class_columns
from leakhunt.cache.graph_codec import decode_graph, decode_strings, encode_graph, encode_strings
from leakhunt.cache.store import CacheEntry, IndexCache
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import ImportOptions, load_graph, sniff_format
from leakhunt.importers.interface import Progress
from leakhunt.importers.rootdump import RootDump, apply_overlay, read_root_dump

__all__ = [
    "CachedInput",
    "cached_class_columns",
    "cached_context_analysis",
    "cached_dominators",
    "cached_identity",
    "cached_root_distances",
    "input_prefix",
    "open_input",
    "overlay_input",
    "store_identity",
]


class CachedInput:
    """A loaded input and, when caching, its cache entry and section prefix."""

    def __init__(self, graph: RetentionGraph, entry: CacheEntry | None, prefix: str) -> None:
        self.graph = graph
        self.entry = entry
        self.prefix = prefix

    def section_name(self, name: str) -> str:
        """Cache section name for an analysis of this input."""
        return f"{self.prefix}-{name}"


def open_input(
    path: str,
    *,
    format: str | None,
    options: ImportOptions,
    progress: Progress | None,
    cache: IndexCache | None,
) -> CachedInput:
    """Load ``path``, from the cache when a valid entry exists; store it otherwise."""
    if cache is None:
        return CachedInput(
            load_graph(path, format=format, options=options, progress=progress), None, ""
        )
    prefix = input_prefix(path, format=format, options=options)
    name = prefix.split("-dump-", 1)[0]
    try:
        entry: CacheEntry | None = cache.entry_for(path)
    except OSError:
        entry = None
    if entry is not None:
        section = entry.load_section(f"{prefix}-graph")
        if section is not None:
            graph = decode_graph(section.arrays, section.attrs)
            # Name the file as this run was given it, not as the run that filled the cache did.
            graph = dataclasses.replace(graph, source=dataclasses.replace(graph.source, path=path))
            return CachedInput(graph, entry, prefix)
    graph = load_graph(path, format=name, options=options, progress=progress)
    if entry is not None:
        arrays, attrs = encode_graph(graph)
        entry.store_section(f"{prefix}-graph", arrays, attrs)
    return CachedInput(graph, entry, prefix)


def input_prefix(path: str, *, format: str | None, options: ImportOptions) -> str:
    """The section-name prefix of ``path`` read as ``format`` (sniffed when None) with ``options``."""
    name = format or sniff_format(path)
    dump = "last" if options.dump_index is None else str(options.dump_index)
    return f"{name}-dump-{dump}{'-lenient' if options.lenient else ''}"


def cached_identity(
    path: str,
    *,
    format: str | None,
    options: ImportOptions,
    cache: IndexCache,
    with_classes: bool,
) -> SnapshotIdentity | None:
    """The :class:`SnapshotIdentity` of ``path`` from the cache (None when absent, stale,
    damaged, or lacking the class table ``with_classes`` asks for). The graph is not read:
    a warm diff reads only the ids and classes of the snapshots it does not trace in."""
    try:
        entry = cache.entry_for(path)
    except OSError:
        return None
    section = entry.load_section(f"{input_prefix(path, format=format, options=options)}-identity")
    if section is None:
        return None
    arrays, attrs = section.arrays, section.attrs
    has_rows = bool(attrs.get("has_class_rows"))
    if with_classes and not has_rows:
        return None
    try:
        class_names = decode_strings(arrays, "class_names")
        rows = None
        if has_rows:
            names = decode_strings(arrays, "row_names")
            rows = tuple(
                zip(
                    names,
                    np.asarray(arrays["row_count"]).tolist(),
                    np.asarray(arrays["row_self_size"]).tolist(),
                    np.asarray(arrays["row_retained_size"]).tolist(),
                    strict=True,
                )
            )
        node_id = np.asarray(arrays["node_id"])
        node_class = np.asarray(arrays["node_class"])
        if node_id.shape != node_class.shape or (
            node_class.size and int(node_class.max()) >= len(class_names)
        ):
            return None
        return SnapshotIdentity(
            path=path,
            engine=str(attrs["engine"]),
            node_id=node_id,
            node_class=node_class,
            class_names=class_names,
            class_rows=rows,
            process=None if attrs.get("process") is None else str(attrs["process"]),
        )
    except (KeyError, TypeError, ValueError, UnicodeDecodeError):
        return None


def store_identity(
    path: str,
    identity: SnapshotIdentity,
    *,
    format: str | None,
    options: ImportOptions,
    cache: IndexCache,
) -> None:
    """Store ``identity`` (of ``path`` read with ``options``) for :func:`cached_identity`."""
    try:
        entry = cache.entry_for(path)
    except OSError:
        return
    arrays = {"node_id": identity.node_id, "node_class": identity.node_class}
    arrays.update(encode_strings(identity.class_names, "class_names"))
    rows = identity.class_rows
    if rows is not None:
        arrays.update(encode_strings(tuple(r[0] for r in rows), "row_names"))
        for index, field in enumerate(("row_count", "row_self_size", "row_retained_size"), 1):
            arrays[field] = np.array([r[index] for r in rows], dtype=np.int64)
    attrs = {
        "engine": identity.engine,
        "process": identity.process,
        "has_class_rows": rows is not None,
    }
    prefix = input_prefix(path, format=format, options=options)
    entry.store_section(f"{prefix}-identity", arrays, attrs)


def overlay_input(
    loaded: CachedInput,
    dump_path: str,
    *,
    lenient: bool,
    dump: RootDump | None = None,
    consume: bool = False,
) -> CachedInput:
    """Merge a root dump (``dump``, or read from ``dump_path``) into a loaded input. The
    merged graph is not stored; analyses of it are cached under a prefix naming the dump's
    content, so they never mix with the plain snapshot's. With ``consume`` the caller gives
    ``loaded`` up (see :func:`~leakhunt.importers.rootdump.apply_overlay`)."""
    if dump is None:
        dump = read_root_dump(dump_path, lenient=lenient)
    merged = apply_overlay(loaded.graph, dump, lenient=lenient, consume=consume).graph
    if loaded.entry is None:
        return CachedInput(merged, None, loaded.prefix)
    digest = hashlib.sha256()
    with open(dump_path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    tag = f"{loaded.prefix}-overlay-{digest.hexdigest()[:16]}{'-lenient' if lenient else ''}"
    return CachedInput(merged, loaded.entry, tag)


def cached_root_distances(loaded: CachedInput, *, include_weak: bool) -> RootDistances:
    """The paths BFS, from the cache when possible."""
    name = loaded.section_name("distances-weak" if include_weak else "distances")
    if loaded.entry is not None:
        section = loaded.entry.load_section(name)
        if section is not None:
            a = section.arrays
            return RootDistances(
                a["distance"], a["parent_edge"], a["origin"], a["seed_rows"], include_weak
            )
    distances = compute_root_distances(loaded.graph, include_weak=include_weak)
    if loaded.entry is not None:
        loaded.entry.store_section(
            name,
            {
                "distance": distances.distance,
                "parent_edge": distances.parent_edge,
                "origin": distances.origin,
                "seed_rows": distances.seed_rows,
            },
            {},
        )
    return distances


_TREE_ARRAYS = (
    "idom",
    "retained_size",
    "self_size_used",
    "distance",
    "page_owned",
    "user_roots",
    "unreachable_nodes",
    "orphan_nodes",
    "clique_nodes",
)


def cached_dominators(
    loaded: CachedInput, semantics: Semantics, progress: Progress | None = None
) -> DominatorTree:
    """The dominator tree under ``semantics``, from the cache when possible."""
    name = loaded.section_name(f"dominators-{semantics.value}")
    if loaded.entry is not None:
        section = loaded.entry.load_section(name)
        if section is not None and section.attrs.get("semantics") == semantics.value:
            attrs = section.attrs
            return DominatorTree(
                semantics=semantics,
                ownership_applied=bool(attrs["ownership_applied"]),
                essential_edge_count=int(attrs["essential_edge_count"]),
                problems=tuple(attrs["problems"]),
                **{key: np.asarray(section.arrays[key]) for key in _TREE_ARRAYS},
            )
    tree = compute_dominators(loaded.graph, semantics, progress)
    if loaded.entry is not None:
        loaded.entry.store_section(
            name,
            {key: getattr(tree, key) for key in _TREE_ARRAYS},
            {
                "semantics": semantics.value,
                "ownership_applied": tree.ownership_applied,
                "essential_edge_count": tree.essential_edge_count,
                "problems": list(tree.problems),
            },
        )
    return tree


def cached_class_columns(loaded: CachedInput, tree: DominatorTree) -> ClassColumns:
    """The class table under ``tree``'s semantics, from the cache when possible."""
    name = loaded.section_name(f"classes-{tree.semantics.value}")
    fields = ("class_name", "count", "self_size", "retained_size", "min_distance")
    if loaded.entry is not None:
        section = loaded.entry.load_section(name)
        if section is not None:
            return ClassColumns(**{key: np.asarray(section.arrays[key]) for key in fields})
    columns = compute_class_columns(loaded.graph, tree)
    if loaded.entry is not None:
        loaded.entry.store_section(name, {key: getattr(columns, key) for key in fields}, {})
    return columns


_CONTEXT_ARRAYS = (
    "distance",
    "parent_edge",
    "origin_row",
    "retained_size",
    "retained_objects",
    "held",
    "holder_first",
    "holder_edges",
    "root_kind_mask",
    "back_edges",
    "entering_target",
    "entering_source",
    "entering_count",
)
_BUCKET_FIELDS = tuple(field.name for field in dataclasses.fields(ContextBuckets))


def cached_context_analysis(loaded: CachedInput) -> ContextAnalysis:
    """Root reach, per-context cuts, front doors and buckets, from the cache when possible.

    The retaining-edge mask is cheap (array code over the edge columns) and recomputed; a
    warm run never imports the compiled kernels.
    """
    graph = loaded.graph
    name = loaded.section_name("contexts")
    if loaded.entry is not None:
        section = loaded.entry.load_section(name)
        if section is not None:
            a = {key: np.asarray(section.arrays[key]) for key in _CONTEXT_ARRAYS}
            return ContextAnalysis(
                live=retaining_edges(graph),
                reach=RootReach(a["distance"], a["parent_edge"], a["origin_row"]),
                # The per-node and per-holder answers are folded into the cached arrays.
                cuts=ContextCuts(
                    a["retained_size"],
                    a["retained_objects"],
                    np.zeros(0, dtype=np.bool_),
                    np.zeros(0, dtype=np.bool_),
                ),
                held=a["held"],
                holder_first=a["holder_first"],
                holder_edges=a["holder_edges"],
                buckets=ContextBuckets(**{k: int(section.attrs[k]) for k in _BUCKET_FIELDS}),
                root_kind_mask=a["root_kind_mask"],
                back_edges=a["back_edges"],
                entering_target=a["entering_target"],
                entering_source=a["entering_source"],
                entering_count=a["entering_count"],
            )
    analysis = analyze_contexts(graph)
    if loaded.entry is not None:
        reach, cuts = analysis.reach, analysis.cuts
        loaded.entry.store_section(
            name,
            {
                "distance": reach.distance,
                "parent_edge": reach.parent_edge,
                "origin_row": reach.origin_row,
                "retained_size": cuts.retained_size,
                "retained_objects": cuts.retained_objects,
                "held": analysis.held,
                "holder_first": analysis.holder_first,
                "holder_edges": analysis.holder_edges,
                "root_kind_mask": analysis.root_kind_mask,
                "back_edges": analysis.back_edges,
                "entering_target": analysis.entering_target,
                "entering_source": analysis.entering_source,
                "entering_count": analysis.entering_count,
            },
            {key: getattr(analysis.buckets, key) for key in _BUCKET_FIELDS},
        )
    return analysis
