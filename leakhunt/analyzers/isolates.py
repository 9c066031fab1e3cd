"""Memory per isolate group: the isolates sharing a pointer cage, their heaps, the cage's room.

With pointer compression every isolate of a group allocates inside one cage (4 GiB in V8), so
the group's heaps together, not each alone, meet the limit. The roll-up adds up each group's
isolates (``IsolateFacts.heap_size``: committed heap, else used heap, else QuickJS malloc size)
and flags groups whose total reaches ``near`` of the cage (``near``) or all of it (``over``).
Contexts with an embedder-enforced limit are flagged the same way against their limit.

Examples
--------
>>> from leakhunt.graph.processes import GroupFacts, IsolateFacts, ProcessFacts, ProcessTree
>>> iso = lambda name, size: IsolateFacts(name, heap_statistics=(("total_heap_size", size),))
>>> tree = ProcessTree((ProcessFacts(groups=(
...     GroupFacts("default", pointer_cage_size=1000, isolates=(iso("a", 500), iso("b", 350))),)),))
>>> group = roll_up_isolate_groups(tree).groups[0]
>>> group.total_heap_size, group.status, round(group.cage_fraction or 0, 2)
(850, 'near', 0.85)
"""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.graph.processes import (
    ContextFacts,
    GroupFacts,
    IsolateFacts,
    ProcessFacts,
    ProcessTree,
)

__all__ = ["GroupRollup", "IsolateGroupsReport", "roll_up_isolate_groups"]

NEAR_DEFAULT = 0.8
"""Fraction of a cage (or context limit) from which a group (context) is flagged ``near``."""


@dataclass(frozen=True, slots=True)
class GroupRollup:
    """One isolate group and its isolates' heaps against its cage."""

    process: ProcessFacts
    group: GroupFacts
    cage_size: int | None
    """The group's cage, or the assumed one (``assume_cage``) when the dump gave none."""
    cage_assumed: bool
    """Whether :attr:`cage_size` came from ``assume_cage`` rather than the dump."""
    total_heap_size: int
    """Sum of the known heap sizes."""
    unknown_isolates: tuple[str, ...]
    """Isolates without a heap size (not in the total)."""
    cage_fraction: float | None
    """Total over cage size; None without a cage."""
    status: str
    """``"over"``, ``"near"``, ``"ok"`` or ``"no cage"``."""
    contexts_flagged: tuple[tuple[IsolateFacts, ContextFacts, str], ...]
    """Contexts at ``near`` or ``over`` their memory limit, with the flag."""


@dataclass(frozen=True, slots=True)
class IsolateGroupsReport:
    """Every group of every process, in file order."""

    groups: tuple[GroupRollup, ...]
    near: float
    """The threshold used."""

    @property
    def flagged(self) -> tuple[GroupRollup, ...]:
        """Groups near or over their cage."""
        return tuple(g for g in self.groups if g.status in ("near", "over"))


def _flag(used: int, limit: int, near: float) -> str:
    if used >= limit:
        return "over"
    if used >= near * limit:
        return "near"
    return "ok"


def roll_up_isolate_groups(
    tree: ProcessTree, *, near: float = NEAR_DEFAULT, assume_cage: int | None = None
) -> IsolateGroupsReport:
    """Roll up heap sizes per isolate group.

    Parameters
    ----------
    tree
        The processes a root dump or manifest describes.
    near
        Fraction of the cage (or of a context's limit) from which to flag ``near``.
    assume_cage
        Cage size to use for groups whose dump gives none (planning: "with pointer
        compression on, would these fit in 4 GiB?").
    """
    groups = []
    for process in tree.processes:
        for group in process.groups:
            sizes = [(isolate, isolate.heap_size) for isolate in group.isolates]
            total = sum(size for _, size in sizes if size is not None)
            unknown = tuple(isolate.id for isolate, size in sizes if size is None)
            cage = group.pointer_cage_size
            assumed = cage is None and assume_cage is not None
            if cage is None:
                cage = assume_cage
            fraction = total / cage if cage else None
            status = "no cage" if cage is None else _flag(total, cage, near)
            flagged = tuple(
                (isolate, context, _flag(context.memory_used, context.memory_limit, near))
                for isolate in group.isolates
                for context in isolate.contexts
                if context.memory_limit is not None
                and context.memory_used is not None
                and _flag(context.memory_used, context.memory_limit, near) != "ok"
            )
            groups.append(
                GroupRollup(
                    process, group, cage, assumed, total, unknown, fraction, status, flagged
                )
            )
    return IsolateGroupsReport(tuple(groups), near)
