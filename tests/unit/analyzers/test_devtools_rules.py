"""The individual rules of DevTools' heap model, one small graph each."""

from __future__ import annotations

import numpy as np
import pytest

from leakhunt.analyzers.devtools.distances import compute_devtools_distances, js_parse_int
from leakhunt.analyzers.devtools.dom_state import propagate_dom_state
from leakhunt.analyzers.devtools.essential import compute_essential_edges
from leakhunt.analyzers.devtools.ownership import compute_shallow_sizes
from leakhunt.analyzers.devtools.page_flags import compute_page_owned, find_user_roots
from leakhunt.analyzers.dominators import Semantics, compute_dominators
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, SourceInfo

SOURCE = SourceInfo("inline", "test", "none")
SYSTEM = 100_000_000


def _with_global(size: int = 0) -> tuple[GraphBuilder, int]:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=size)
    b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    return b, glob


def _freeze(b: GraphBuilder) -> RetentionGraph:
    return b.freeze(SOURCE)


# --- user roots and page flags ---------------------------------------------------------------


def test_user_roots_follow_devtools_rule() -> None:
    b = GraphBuilder()
    gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=2)
    dom = b.add_node(NodeKind.SYNTHETIC, "(Document DOM trees)", node_id=4)
    win = b.add_node(NodeKind.OBJECT, "Window", node_id=5)
    held = b.add_node(NodeKind.OBJECT, "Held", node_id=7)
    b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
    b.add_edge(b.root, dom, EdgeKind.ELEMENT, 2)
    b.add_edge(b.root, win, EdgeKind.SHORTCUT, "3")
    b.add_edge(b.root, held, EdgeKind.WEAK, "4")  # any edge type counts, even weak
    b.add_edge(b.root, win, EdgeKind.ELEMENT, 5)  # repeats are kept
    g = _freeze(b)
    assert find_user_roots(g).tolist() == [dom, win, held, win]
    # DevTools seeds: the shortcut and the DOM-trees element edge.
    assert np.flatnonzero(compute_page_owned(g)).tolist() == [dom, win]
    # memlab: every other child (an element edge to Window counts, the shortcut does not).
    assert np.flatnonzero(compute_page_owned(g, Semantics.MEMLAB)).tolist() == [gc, win, held]


# --- distances ---------------------------------------------------------------------------------


def test_sloppy_function_map_is_not_followed() -> None:
    b, glob = _with_global()
    gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=2)
    ctx = b.add_node(NodeKind.HIDDEN, "system / NativeContext", node_id=3)
    fake = b.add_node(NodeKind.OBJECT, "system / NativeContext", node_id=5)
    m1 = b.add_node(NodeKind.SHAPE, "system / Map", node_id=7)
    m2 = b.add_node(NodeKind.SHAPE, "system / Map", node_id=9)
    b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
    b.add_edge(gc, m1, EdgeKind.ELEMENT, 1)
    b.add_edge(glob, ctx, EdgeKind.INTERNAL, "native_context")
    b.add_edge(glob, fake, EdgeKind.PROPERTY, "fake")
    b.add_edge(ctx, m1, EdgeKind.INTERNAL, "sloppy_function_map")
    b.add_edge(fake, m2, EdgeKind.INTERNAL, "sloppy_function_map")  # not a hidden node
    distance = compute_devtools_distances(_freeze(b))
    assert distance[[ctx, fake, m1, m2]].tolist() == [2, 2, SYSTEM + 2, 3]


def test_map_descriptors_slots() -> None:
    b, glob = _with_global()
    descriptors = b.add_node(NodeKind.ARRAY, "(map descriptors)", node_id=3)
    b.add_edge(glob, descriptors, EdgeKind.INTERNAL, "descriptors")
    targets = {}
    for name in [0, 1, 4, 5, 7, 10, "4", " 7x", "-2", "k"]:
        node = b.add_node(NodeKind.OBJECT, f"t{name!r}", node_id=100 + len(targets) * 2)
        kind = EdgeKind.ELEMENT if isinstance(name, int) else EdgeKind.PROPERTY
        b.add_edge(descriptors, node, kind, name)
        targets[name] = node
    distance = compute_devtools_distances(_freeze(b))
    followed = {name: bool(distance[node] == 3) for name, node in targets.items()}
    # Skipped: index >= 2 and index % 3 == 1 (4, 7, 10, "4", " 7x").
    assert followed == {
        0: True, 1: True, 4: False, 5: True, 7: False, 10: False,
        "4": False, " 7x": False, "-2": True, "k": True,
    }  # fmt: skip


def test_map_descriptors_bypass_the_weakmap_rule() -> None:
    b, glob = _with_global()
    descriptors = b.add_node(NodeKind.ARRAY, "(map descriptors)", node_id=3)
    key = b.add_node(NodeKind.OBJECT, "Key", node_id=5)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    b.add_edge(glob, descriptors, EdgeKind.INTERNAL, "d")
    b.add_ephemeron(descriptors, key, value, "pair")  # key unreachable: only this half is met
    distance = compute_devtools_distances(_freeze(b))
    assert distance[value] == 3


@pytest.mark.parametrize(
    "text, value", [("12", 12), ("  +3z", 3), ("\ufeff9", 9), ("0x10", 0), ("", None), ("a1", None)]
)
def test_js_parse_int(text: str, value: int | None) -> None:
    assert js_parse_int(text) == value


def test_weakmap_value_distance_is_the_later_holder_plus_one() -> None:
    b, glob = _with_global()
    a = b.add_node(NodeKind.OBJECT, "A", node_id=3)
    bb = b.add_node(NodeKind.OBJECT, "B", node_id=5)
    table = b.add_node(NodeKind.ARRAY, "", node_id=7)
    key = b.add_node(NodeKind.OBJECT, "Key", node_id=9)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=11)
    b.add_edge(glob, key, EdgeKind.PROPERTY, "key")  # key at 2
    b.add_edge(glob, a, EdgeKind.PROPERTY, "a")
    b.add_edge(a, bb, EdgeKind.PROPERTY, "b")
    b.add_edge(bb, table, EdgeKind.INTERNAL, "table")  # table at 4
    b.add_ephemeron(table, key, value, "pair")
    assert compute_devtools_distances(_freeze(b))[value] == 5


def test_pending_weakmap_halves_carry_over_to_the_system_pass() -> None:
    """The table half is met in the user-root pass, the key half only in the system pass:
    DevTools' pending set is shared, so the key half is followed."""
    b, glob = _with_global()
    gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=2)
    table = b.add_node(NodeKind.ARRAY, "", node_id=3)
    key = b.add_node(NodeKind.OBJECT, "Key", node_id=5)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
    b.add_edge(gc, key, EdgeKind.ELEMENT, 1)
    b.add_edge(glob, table, EdgeKind.INTERNAL, "table")
    b.add_ephemeron(table, key, value, "pair")
    distance = compute_devtools_distances(_freeze(b))
    assert distance[[table, key, value]].tolist() == [2, SYSTEM + 2, SYSTEM + 3]


def test_weakmap_entry_whose_halves_leave_one_node() -> None:
    b, glob = _with_global()
    table = b.add_node(NodeKind.ARRAY, "", node_id=3)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    b.add_edge(glob, table, EdgeKind.INTERNAL, "table")
    b.add_ephemeron(table, table, value, "pair")  # the map's table is also the key
    g = _freeze(b)
    assert compute_devtools_distances(g)[value] == 3


def test_single_half_entry_is_followed_at_once() -> None:
    b, glob = _with_global()
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    b.add_ephemeron(None, glob, value, "pair")  # an engine where only the key holds the value
    assert compute_devtools_distances(_freeze(b))[value] == 2


def test_repeated_user_root_visits_its_edges_twice() -> None:
    """DevTools queues a user root once per root edge: the second visit meets the WeakMap half
    the first one skipped, and follows it."""
    b, glob = _with_global()
    b.add_edge(b.root, glob, EdgeKind.ELEMENT, 3)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    key = b.add_node(NodeKind.OBJECT, "Key", node_id=9)
    b.add_ephemeron(glob, key, value, "pair")  # key is never reached
    assert compute_devtools_distances(_freeze(b))[value] == 2


def test_distances_skip_weak_edges() -> None:
    b, glob = _with_global()
    target = b.add_node(NodeKind.OBJECT, "T", node_id=3)
    b.add_edge(glob, target, EdgeKind.WEAK, "t")
    assert compute_devtools_distances(_freeze(b)).tolist() == [SYSTEM, 1, -5]


# --- ownership and DOM state -------------------------------------------------------------------


def test_ownership_multiple_owners_and_synthetic_owner() -> None:
    b, glob = _with_global(100)
    other = b.add_node(NodeKind.OBJECT, "Other", node_id=3, self_size=10)
    shared = b.add_node(NodeKind.ARRAY, "", node_id=5, self_size=40)
    below_shared = b.add_node(NodeKind.HIDDEN, "h", node_id=7, self_size=8)
    own = b.add_node(NodeKind.ARRAY, "", node_id=9, self_size=4)
    synth = b.add_node(NodeKind.SYNTHETIC, "(Strong roots)", node_id=10)
    synth_array = b.add_node(NodeKind.ARRAY, "", node_id=11, self_size=16)
    b.add_edge(glob, shared, EdgeKind.INTERNAL, "s")
    b.add_edge(other, shared, EdgeKind.INTERNAL, "s")
    b.add_edge(shared, below_shared, EdgeKind.INTERNAL, "x")
    b.add_edge(glob, own, EdgeKind.INTERNAL, "o")
    b.add_edge(own, below_shared, EdgeKind.WEAK, "w")
    b.add_edge(synth, synth_array, EdgeKind.ELEMENT, 0)
    sizes = compute_shallow_sizes(_freeze(b))
    assert sizes.tolist() == [0, 104, 10, 40, 8, 0, 0, 16]


def test_external_string_data_is_owned_unless_detached() -> None:
    b, glob = _with_global(100)
    attached = b.add_node(NodeKind.NATIVE, "system / ExternalStringData", node_id=2, self_size=30)
    detached = b.add_node(NodeKind.NATIVE, "system / ExternalStringData", node_id=4, self_size=20)
    wrapper = b.add_node(NodeKind.NATIVE, "Node / Wrapper", node_id=6, self_size=1, detachedness=2)
    b.add_edge(glob, attached, EdgeKind.INTERNAL, "a")
    b.add_edge(glob, wrapper, EdgeKind.INTERNAL, "w")
    b.add_edge(wrapper, detached, EdgeKind.INTERNAL, "d")
    g = _freeze(b)
    assert propagate_dom_state(g).tolist() == [0, 0, 0, 2, 2]
    # The detached one is renamed "Detached system / ExternalStringData": it owns itself.
    assert compute_shallow_sizes(g).tolist() == [0, 130, 0, 20, 1]


def test_dom_state_attached_wins_and_stops_at_non_natives() -> None:
    b = GraphBuilder()
    doc = b.add_node(NodeKind.NATIVE, "HTMLDocument", node_id=2, detachedness=1)
    old = b.add_node(NodeKind.NATIVE, "HTMLDivElement", node_id=4, detachedness=2)
    shared = b.add_node(NodeKind.NATIVE, "Text", node_id=6)
    js = b.add_node(NodeKind.OBJECT, "Object", node_id=7)
    behind_js = b.add_node(NodeKind.NATIVE, "Text", node_id=8)
    hidden_child = b.add_node(NodeKind.NATIVE, "Text", node_id=10)
    b.add_edge(old, shared, EdgeKind.ELEMENT, 0)
    b.add_edge(doc, shared, EdgeKind.ELEMENT, 0)
    b.add_edge(old, js, EdgeKind.PROPERTY, "x")
    b.add_edge(js, behind_js, EdgeKind.PROPERTY, "y")
    b.add_edge(old, hidden_child, EdgeKind.HIDDEN, 1)
    assert propagate_dom_state(_freeze(b)).tolist() == [0, 1, 2, 1, 0, 0, 0]


# --- essential edges ---------------------------------------------------------------------------


def test_essential_edge_rules() -> None:
    b, glob = _with_global()
    gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=2)
    a = b.add_node(NodeKind.OBJECT, "A", node_id=3)
    bound = b.add_node(NodeKind.CLOSURE, "bound", node_id=5)
    b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
    b.add_edge(gc, a, EdgeKind.ELEMENT, 1)  # non-page -> page: dropped (DevTools)
    b.add_edge(glob, a, EdgeKind.PROPERTY, "a")
    b.add_edge(a, a, EdgeKind.PROPERTY, "self")
    b.add_edge(a, bound, EdgeKind.PROPERTY, "f")
    b.add_edge(bound, a, EdgeKind.SHORTCUT, "bound_this")
    b.add_edge(bound, glob, EdgeKind.WEAK, "w")
    g = _freeze(b)
    names = [g.edge_name_text(e) for e in range(g.edge_count)]
    devtools = dict(zip(names, compute_essential_edges(g).tolist(), strict=True))
    assert devtools == {
        "2": True, "1": False, "a": True, "self": False, "f": True, "bound_this": False, "w": False,
    }  # fmt: skip


def test_memlab_orphans_differ_from_devtools_orphans() -> None:
    """A node held only by a self edge: DevTools (no essential retainer) makes it an orphan,
    memlab (a non-weak referrer exists) numbers it on its own as a clique."""
    b, _ = _with_global(1)
    lonely = b.add_node(NodeKind.OBJECT, "Lonely", node_id=3, self_size=2)
    child = b.add_node(NodeKind.OBJECT, "Child", node_id=5, self_size=3)
    b.add_edge(lonely, lonely, EdgeKind.PROPERTY, "me")
    b.add_edge(lonely, child, EdgeKind.PROPERTY, "c")
    g = _freeze(b)
    devtools = compute_dominators(g)
    assert devtools.orphan_nodes.tolist() == [lonely]
    assert devtools.clique_nodes.tolist() == []
    assert devtools.idom[child] == lonely
    memlab = compute_dominators(g, Semantics.MEMLAB)
    assert memlab.orphan_nodes.tolist() == []
    # Clique nodes are numbered without exploring their edges, so child is numbered alone too.
    assert memlab.clique_nodes.tolist() == [lonely, child]
    assert memlab.unreachable_nodes.tolist() == [lonely, child]
    assert memlab.total_size == devtools.total_size == 6


def test_engine_neutral_edge_kinds() -> None:
    """Graphs from other engines: weak callbacks never retain, native handles and host options
    do, and a root whose children are plain objects makes them all user roots."""
    b = GraphBuilder()
    realm_global = b.add_node(NodeKind.OBJECT, "GlobalObject", node_id=16, self_size=8)
    handle_target = b.add_node(NodeKind.OBJECT, "Held", node_id=32, self_size=4)
    callback_target = b.add_node(NodeKind.NATIVE, "Callback", node_id=48, self_size=2)
    options = b.add_node(NodeKind.PLACEHOLDER, "", node_id=64, self_size=0)
    b.add_edge(b.root, realm_global, EdgeKind.INTERNAL, "global")
    b.add_edge(realm_global, handle_target, EdgeKind.NATIVE_HANDLE, "h")
    b.add_edge(realm_global, callback_target, EdgeKind.WEAK_CALLBACK, "cb")
    b.add_edge(handle_target, options, EdgeKind.HOST_OPTIONS, "opts")
    tree = compute_dominators(_freeze(b))
    assert tree.user_roots.tolist() == [realm_global]
    assert tree.distance.tolist() == [SYSTEM, 1, 2, -5, 3]
    assert tree.idom.tolist() == [0, 0, realm_global, 0, handle_target]
    assert tree.orphan_nodes.tolist() == [callback_target]
    assert tree.retained_size.tolist() == [14, 12, 4, 2, 0]
