"""Builds the graph of a Firefox CC log from its records (see :mod:`.firefox_cclog`).

Node lines become nodes in file order (ordinal = line index + 1, after the super root);
addresses named without a node line become placeholders after them. Then edges, roots,
weak-map entries, garbage, and the facts shown in ``SourceInfo.details``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from leakhunt.graph.builder import GraphBuilder
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers.firefox_cc.nodes import describe_gc_thing, describe_refcounted
from leakhunt.importers.firefox_cc.parser import GC, GC_MARKED, CCLogRecords

__all__ = ["ENGINE", "FORMAT_NAME", "build_cc_graph", "unknown_references_label"]

FORMAT_NAME = "firefox-cclog"
ENGINE = "Gecko CC"
MARKED_LABEL = "marked live by the GC"
INCREMENTAL_LABEL = "incremental root"
OUTSIDE_LABEL = "weak-map member outside the graph (marked live by the GC)"
NULL_KEY_AND_MAP_LABEL = "weak-map value with NULL map and key"
_DETAIL_HOLDERS = 10
_DETAIL_GARBAGE = 5


def unknown_references_label(count: int, *, incremental: bool = False) -> str:
    """Root label of a refcounted root with ``count`` references from outside the graph.

    >>> unknown_references_label(2), unknown_references_label(1, incremental=True)
    ('2 unknown references', '1 unknown reference, incremental root')
    """
    text = f"{count} unknown reference{'' if count == 1 else 's'}"
    return f"{text}, {INCREMENTAL_LABEL}" if incremental else text


def _signed(address: int) -> int:
    """An address as the int64 ``node_id`` (addresses above 2**63 wrap; none seen in practice)."""
    return address - (1 << 64) if address >> 63 else address


def _hex(address: int) -> str:
    return f"0x{address:x}"


class _Assembly:
    """Turns :class:`CCLogRecords` into a graph; one instance per load."""

    def __init__(self, records: CCLogRecords) -> None:
        self.records = records
        self.builder = GraphBuilder()
        self.index: dict[int, int] = {}
        self.placeholders: dict[int, int] = {}
        self.rooted: set[int] = set()
        self.classes: list[str] = []

    def nodes(self) -> None:
        """One node per node line, in file order (descriptions repeat: each is read once)."""
        records, builder = self.records, self.builder
        seen: dict[tuple[bool, str], tuple[NodeKind, str, str]] = {}
        for address, rc, description in zip(
            records.node_address, records.node_rc, records.node_description, strict=True
        ):
            refcounted = rc >= 0
            described = seen.get((refcounted, description))
            if described is None:
                describe = describe_refcounted if refcounted else describe_gc_thing
                described = seen[refcounted, description] = describe(description)
            kind, class_name, name = described
            type_name = "refcounted" if refcounted else "gc.marked" if rc == GC_MARKED else "gc"
            self.classes.append(class_name)
            self.index[address] = builder.add_node(
                kind, name, node_id=_signed(address), type_name=type_name, class_name=class_name
            )
        high = int(np.count_nonzero(np.array(records.node_address, dtype=np.uint64) >> 63))
        if high:
            builder.add_problem(
                f"{high} address(es) above 2**63 are stored as negative node ids "
                "(0xADDR selectors do not find them)"
            )

    def node_for(self, address: int) -> int:
        """Ordinal of ``address``, adding a placeholder node when it has no node line."""
        ordinal = self.index.get(address)
        if ordinal is None:
            ordinal = self.placeholders.get(address)
        if ordinal is None:
            ordinal = self.builder.add_node(
                NodeKind.PLACEHOLDER,
                "",
                node_id=_signed(address),
                type_name="placeholder",
                class_name="(not described)",
            )
            self.placeholders[address] = ordinal
        return ordinal

    def edges(self) -> None:
        records, builder = self.records, self.builder
        if not len(records.edge_source):
            return
        node_address = np.array(records.node_address, dtype=np.uint64)
        order = np.argsort(node_address, kind="stable")
        by_address = node_address[order]
        target_address = np.frombuffer(records.edge_target, dtype=np.uint64)
        position = np.minimum(np.searchsorted(by_address, target_address), by_address.size - 1)
        found = by_address[position] == target_address if by_address.size else position < 0
        target = np.where(found, order[position] + 1, -1).astype(np.int64)
        missing = np.unique(target_address[~found])
        if missing.size:
            builder.add_problem(
                f"{missing.size} edge target(s) have no node line (placeholder nodes), "
                f"first {_hex(int(missing[0]))}"
            )
            ordinals = np.array([self.node_for(int(a)) for a in missing.tolist()], np.int64)
            target[~found] = ordinals[np.searchsorted(missing, target_address[~found])]
        name_index = np.array([builder.strings.intern(n) for n in records.edge_names], np.int64)
        source = np.frombuffer(records.edge_source, dtype=np.int64) + 1
        builder.add_edges(
            source,
            target,
            np.full(source.size, EdgeKind.PROPERTY, dtype=np.uint8),
            name_index[np.frombuffer(records.edge_name, dtype=np.int64)],
        )

    def known_results(self) -> dict[int, int]:
        """Unknown-reference count of each ``[known=N]`` node (by ordinal)."""
        records, builder = self.records, self.builder
        in_edges = _incoming_counts(records)
        unknown: dict[int, int] = {}
        for address, (known, line) in records.known.items():
            ordinal = self.index.get(address)
            where = f"line {line}: {_hex(address)} [known={known}]"
            if ordinal is None:
                builder.add_problem(f"{where} names no node; ignored")
                continue
            rc = records.node_rc[ordinal - 1]
            if rc < 0:
                builder.add_problem(f"{where} names a GC thing, not a refcounted node; ignored")
                continue
            listed = in_edges.get(address, 0)
            if known != listed:
                builder.add_problem(f"{where}, but the log lists {listed} edge(s) into it")
            if rc < known:
                builder.add_problem(f"{where} exceeds its refcount {rc}: 0 unknown references")
            unknown[ordinal] = max(rc - known, 0)
        return unknown

    def is_placeholder(self, ordinal: int) -> bool:
        """Whether ``ordinal`` was added for an address without a node line."""
        return ordinal > len(self.records.node_address)

    def roots(self) -> tuple[dict[int, int], set[int]]:
        """Add the roots; return unknown counts by refcounted root and the incremental roots."""
        records, builder = self.records, self.builder
        unknown = self.known_results()
        incremental: set[int] = set()
        for line, address in records.incremental_roots:
            if address not in self.index:
                builder.add_problem(f"line {line}: IncrementalRoot {_hex(address)} names no node")
            incremental.add(self.node_for(address))
        marked = {i + 1 for i, rc in enumerate(records.node_rc) if rc == GC_MARKED}
        for ordinal in incremental:
            if self.is_placeholder(ordinal) or records.node_rc[ordinal - 1] < 0:
                marked.add(ordinal)
            else:
                unknown.setdefault(ordinal, 0)
        for ordinal in sorted(unknown, key=lambda o: (-unknown[o], o)):
            label = unknown_references_label(unknown[ordinal], incremental=ordinal in incremental)
            builder.add_root(ordinal, RootKind.REFCOUNTED, label)
        for ordinal in sorted(marked):
            is_marked = (
                not self.is_placeholder(ordinal) and records.node_rc[ordinal - 1] == GC_MARKED
            )
            if is_marked and ordinal in incremental:
                label = f"{MARKED_LABEL}, {INCREMENTAL_LABEL}"
            else:
                label = MARKED_LABEL if is_marked else INCREMENTAL_LABEL
            builder.add_root(ordinal, RootKind.MARKED, label)
        self.rooted.update(unknown, marked)
        return unknown, incremental

    def weak_maps(self) -> None:
        builder = self.builder
        outside: set[int] = set()

        def member(address: int) -> int | None:
            if not address:
                return None
            if address not in self.index and address not in self.placeholders:
                outside.add(address)
            return self.node_for(address)

        for entry in self.records.weak_map_entries:
            table, key = member(entry.map), member(entry.key)
            delegate, value = member(entry.key_delegate), member(entry.value)
            if key is not None and delegate is not None and delegate != key:
                builder.add_ephemeron(table, delegate, key, "weak-map key (kept by its delegate)")
            if value is None:
                continue
            if key is not None:
                builder.add_ephemeron(table, key, value, "weak-map value")
            elif table is not None:
                builder.add_ephemeron(None, table, value, "weak-map value (NULL key)")
            elif value not in self.rooted:
                builder.add_root(value, RootKind.MARKED, NULL_KEY_AND_MAP_LABEL)
                self.rooted.add(value)
        for address in sorted(outside):
            ordinal = self.placeholders[address]
            if ordinal not in self.rooted:
                builder.add_root(ordinal, RootKind.MARKED, OUTSIDE_LABEL)
                self.rooted.add(ordinal)

    def garbage(self) -> list[int]:
        """Ordinals of the ``[garbage]`` nodes, in results order."""
        found: list[int] = []
        for address, line in self.records.garbage.items():
            ordinal = self.index.get(address)
            if ordinal is None:
                self.builder.add_problem(f"line {line}: {_hex(address)} [garbage] names no node")
                continue
            if ordinal in self.rooted:
                self.builder.add_problem(
                    f"line {line}: {_hex(address)} is listed as garbage but is a root"
                )
            found.append(ordinal)
        return found

    def owners(self, ordinal: int) -> list[int]:
        """Addresses of the nodes with an edge to ``ordinal`` (its known references)."""
        records = self.records
        address = records.node_address[ordinal - 1]
        targets = np.frombuffer(records.edge_target, dtype=np.uint64)
        sources = np.frombuffer(records.edge_source, dtype=np.int64)[targets == address]
        return [records.node_address[int(s)] for s in sources.tolist()]

    def details(
        self, unknown: dict[int, int], incremental: set[int], garbage: Sequence[int]
    ) -> tuple[tuple[str, str], ...]:
        """Facts for ``SourceInfo.details``: header, counts, garbage, who is held from outside."""
        records = self.records
        rc = np.frombuffer(records.node_rc, dtype=np.int64)
        want = records.want_all_traces
        held = sorted((o for o, k in unknown.items() if k > 0), key=lambda o: (-unknown[o], o))
        details = [
            (
                "want all traces",
                "not stated (no '# WantAllTraces=' line)"
                if want is None
                else "true (verbose log)"
                if want
                else "false (concise log: things the CC knew to be live are left out)",
            ),
            (
                "graph nodes",
                f"{int((rc >= 0).sum())} refcounted, {int((rc < 0).sum())} GC things "
                f"({int((rc == GC_MARKED).sum())} marked, {int((rc == GC).sum())} gray)",
            ),
            (
                "externally held",
                f"{len(held)} refcounted node(s) with "
                f"{sum(unknown[o] for o in held)} unknown reference(s)",
            ),
            ("garbage", self.garbage_text(garbage)),
            ("incremental roots", str(len(incremental))),
            ("weak-map entries", str(len(records.weak_map_entries))),
            ("self sizes", "not in CC logs (every node has self size 0)"),
            ("comment lines", str(records.comment_lines)),
        ]
        if self.placeholders:
            details.append(
                ("nodes without a node line", f"{len(self.placeholders)} (placeholders)")
            )
        if records.skipped_null_nodes:
            details.append(("skipped 0x0 node lines", str(records.skipped_null_nodes)))
        for ordinal in held[:_DETAIL_HOLDERS]:
            details.append(
                (
                    f"held from outside {_hex(records.node_address[ordinal - 1])}",
                    self.holder_text(ordinal, unknown[ordinal]),
                )
            )
        if len(held) > _DETAIL_HOLDERS:
            details.append(("held from outside (more)", f"{len(held) - _DETAIL_HOLDERS} more"))
        return tuple(details)

    def garbage_text(self, garbage: Sequence[int]) -> str:
        if not garbage:
            return "none"
        shown = ", ".join(self.short(o) for o in garbage[:_DETAIL_GARBAGE])
        more = (
            f" and {len(garbage) - _DETAIL_GARBAGE} more" if len(garbage) > _DETAIL_GARBAGE else ""
        )
        return f"{len(garbage)} node(s) the collector will free: {shown}{more}"

    def short(self, ordinal: int) -> str:
        """``0xADDR Class`` for details."""
        return f"{_hex(self.records.node_address[ordinal - 1])} {self.classes[ordinal - 1]}"

    def holder_text(self, ordinal: int, count: int) -> str:
        records = self.records
        owners = list(dict.fromkeys(self.owners(ordinal)))
        listed = ", ".join(_hex(a) for a in owners[:5]) + (" …" if len(owners) > 5 else "")
        known = records.known[records.node_address[ordinal - 1]][0]
        return (
            f"{self.classes[ordinal - 1]}: rc {records.node_rc[ordinal - 1]}, "
            f"{known} known, {count} unknown; known owners: {listed or 'none'}"
        )


def _incoming_counts(records: CCLogRecords) -> dict[int, int]:
    """Edges into each address that has a ``[known=N]`` line (the CC's internal references)."""
    wanted = np.array(sorted(records.known), dtype=np.uint64)
    if not wanted.size or not len(records.edge_target):
        return {}
    targets = np.frombuffer(records.edge_target, dtype=np.uint64)
    unique, counts = np.unique(targets[np.isin(targets, wanted)], return_counts=True)
    return dict(zip(unique.tolist(), counts.tolist(), strict=True))


def build_cc_graph(path: str, records: CCLogRecords) -> RetentionGraph:
    """The graph of one CC log (modelling: :mod:`leakhunt.importers.firefox_cc.importer`)."""
    assembly = _Assembly(records)
    for problem in records.problems:
        assembly.builder.add_problem(problem)
    assembly.nodes()
    assembly.edges()
    unknown, incremental = assembly.roots()
    assembly.weak_maps()
    garbage = assembly.garbage()
    details = assembly.details(unknown, incremental, garbage)
    return assembly.builder.freeze(SourceInfo(path, FORMAT_NAME, ENGINE, details))
