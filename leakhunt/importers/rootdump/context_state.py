"""What a root dump says about its contexts (state, memory limit and use), on the graph's table.

The embedder knows things no heap shows: that it disposed a context, how much memory it lets
each context use and how much it counted. Those facts become the context table's optional
columns, where ``contexts`` and ``zombies`` read them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from leakhunt.graph.core import ContextTable
from leakhunt.graph.processes import ContextFacts

__all__ = ["with_dump_facts"]


def with_dump_facts(table: ContextTable, facts: Mapping[int, ContextFacts]) -> ContextTable:
    """``table`` with the state, limit and use that ``facts`` (by context index) state.

    Contexts the dump does not describe keep what the engine said (or ``unknown``).

    Examples
    --------
    >>> import numpy as np
    >>> table = ContextTable(np.array([1, 2], np.int32), np.array([-1, -1], np.int32),
    ...                      ("a", "b"), ("context", "context"))
    >>> filled = with_dump_facts(table, {1: ContextFacts("b", "B", "disposed", memory_limit=64)})
    >>> filled.state_of(0), filled.state_of(1), filled.limit_of(1), filled.limit_of(0)
    ('unknown', 'disposed', 64, None)
    """
    if not facts:
        return table
    count = len(table)
    state = [table.state_of(i) for i in range(count)]
    note = [table.note_of(i) for i in range(count)]
    limit = (
        table.memory_limit.copy()
        if table.memory_limit is not None
        else np.full(count, -1, dtype=np.int64)
    )
    used = (
        table.memory_used.copy()
        if table.memory_used is not None
        else np.full(count, -1, dtype=np.int64)
    )
    for index, fact in facts.items():
        state[index] = fact.state
        if fact.state == "disposed":
            note[index] = "the embedder's root dump says it disposed this context"
        if fact.memory_limit is not None:
            limit[index] = fact.memory_limit
        if fact.memory_used is not None:
            used[index] = fact.memory_used
    return dataclasses.replace(
        table,
        state=tuple(state),
        state_note=tuple(note),
        memory_limit=limit if (limit >= 0).any() else table.memory_limit,
        memory_used=used if (used >= 0).any() else table.memory_used,
    )
