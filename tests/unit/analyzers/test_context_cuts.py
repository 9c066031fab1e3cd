"""The per-context cut kernel: compiled against its plain-Python twin, and both against a
plain BFS per context written here, on random graphs with random contexts and cycles."""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakhunt.analyzers._kernels import context_cut_sets, context_cut_sets_reference


@st.composite
def heaps(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, 5))
    context = draw(st.lists(st.integers(-1, k - 1), min_size=n, max_size=n))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90))
    retains = draw(st.lists(st.booleans(), min_size=len(edges), max_size=len(edges)))
    seeds = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
    sizes = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    edges.sort(key=lambda edge: edge[0])
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount([s for s, _ in edges], minlength=n), out=first[1:])
    queries = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, k - 1)), max_size=10))
    return {
        "first": first,
        "target": np.array([t for _, t in edges], dtype=np.int32),
        "retains": np.array(retains, dtype=np.bool_),
        "context": np.array(context, dtype=np.int32),
        "seeds": np.array(seeds, dtype=np.int32),
        "k": k,
        "sizes": np.array(sizes, dtype=np.int64),
        "q_node": np.array([q for q, _ in queries], dtype=np.int64),
        "q_context": np.array([c for _, c in queries], dtype=np.int64),
    }


def _args(h: dict[str, object]) -> tuple[object, ...]:
    return (
        h["first"],
        h["target"],
        h["retains"],
        h["context"],
        h["seeds"],
        h["k"],
        h["sizes"],
        h["q_node"],
        h["q_context"],
    )


def _survivors(h: dict[str, object], cut: int) -> set[int]:
    """Plain BFS from the seeds, skipping every edge that enters context ``cut`` from outside
    (root edges into it included)."""
    context = h["context"].tolist()  # type: ignore[attr-defined]
    first = h["first"].tolist()  # type: ignore[attr-defined]
    target = h["target"].tolist()  # type: ignore[attr-defined]
    retains = h["retains"].tolist()  # type: ignore[attr-defined]
    seen: set[int] = set()
    queue: deque[int] = deque()
    for seed in h["seeds"].tolist():  # type: ignore[attr-defined]
        if context[seed] != cut and seed not in seen:
            seen.add(seed)
            queue.append(seed)
    while queue:
        node = queue.popleft()
        for edge in range(first[node], first[node + 1]):
            child = target[edge]
            if not retains[edge] or child in seen:
                continue
            if context[child] == cut and context[node] != cut:
                continue
            seen.add(child)
            queue.append(child)
    return seen


@settings(max_examples=200, deadline=None)
@given(heaps())
def test_kernel_equals_reference_and_the_plain_cut(h: dict[str, object]) -> None:
    compiled = context_cut_sets(*_args(h))
    reference = context_cut_sets_reference(*_args(h))
    for mine, theirs in zip(compiled, reference, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    start, length, pool, retained, objects, answers = compiled
    alive = _survivors(h, cut=-2)
    sizes = h["sizes"].tolist()  # type: ignore[attr-defined]
    freed_sets: dict[int, set[int]] = {}
    for cut in range(int(h["k"])):  # type: ignore[call-overload]
        freed = alive - _survivors(h, cut)
        freed_sets[cut] = freed
        assert int(retained[cut]) == sum(sizes[x] for x in freed)
        assert int(objects[cut]) == len(freed)
    for node in range(len(sizes)):
        if node not in alive:
            assert start[node] == -1
            continue
        mine = set(pool[start[node] : start[node] + length[node]].tolist())
        assert mine == {cut for cut, freed in freed_sets.items() if node in freed}
    for q, (node, cut) in enumerate(
        zip(h["q_node"].tolist(), h["q_context"].tolist(), strict=True)  # type: ignore[attr-defined]
    ):
        assert bool(answers[q]) == (node in freed_sets[cut])
