"""The retention-graph model: flat columns, kinds, builder and views."""

from leakhunt.graph.builder import GraphBuilder, StringTable
from leakhunt.graph.core import ContextTable, EphemeronTable, RetentionGraph, RootTable, SourceInfo
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.graph.retainers import Retainers, build_retainers
from leakhunt.graph.views import EdgeView, NodeView

__all__ = [
    "ContextTable",
    "EdgeKind",
    "EdgeView",
    "EphemeronTable",
    "GraphBuilder",
    "NodeKind",
    "NodeView",
    "Retainers",
    "RetentionGraph",
    "RootKind",
    "RootTable",
    "SourceInfo",
    "StringTable",
    "build_retainers",
]
