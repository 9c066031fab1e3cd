"""The leakhunt error tree.

Every error leakhunt raises on purpose derives from :class:`LeakhuntError`. Only
``leakhunt.cli`` turns them into exit codes (see ``docs/cli.md``); library users
catch the class that matters to them.

Examples
--------
>>> err = SnapshotFormatError("heap.heapsnapshot", "edge 12", "to_node 9 is not a multiple of 7")
>>> str(err)
'heap.heapsnapshot: edge 12: to_node 9 is not a multiple of 7'
>>> isinstance(err, InputError)
True
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "CacheError",
    "ConfigError",
    "GraphError",
    "InputError",
    "LeakhuntError",
    "NodeNotFoundError",
    "OutputError",
    "RenderError",
    "SelectorError",
    "SnapshotFormatError",
    "UnsupportedFormatError",
]


class LeakhuntError(Exception):
    """Base of every error leakhunt raises deliberately."""


class InputError(LeakhuntError):
    """An input file could not be read as the format it claims to be."""


class SnapshotFormatError(InputError):
    """A heap dump is malformed, truncated or internally inconsistent.

    Parameters
    ----------
    path
        The file being read.
    record
        Which record is at fault (``"node 12"``, ``"line 40"``, ``"meta"``).
    problem
        What is wrong with it, in one line.
    """

    def __init__(self, path: str, record: str, problem: str) -> None:
        self.path = path
        self.record = record
        self.problem = problem
        super().__init__(f"{path}: {record}: {problem}")

    def __reduce__(self) -> tuple[type[SnapshotFormatError], tuple[str, str, str]]:
        # Rebuilt from its three parts (errors cross process boundaries: background reads).
        return (type(self), (self.path, self.record, self.problem))


class UnsupportedFormatError(InputError):
    """No importer recognises the file."""


class OutputError(LeakhuntError):
    """An output file cannot be written (its directory is missing, or not writable)."""


class GraphError(LeakhuntError):
    """A retention graph violates an invariant of the model."""


class SelectorError(LeakhuntError):
    """A node selector is not of a known form (``@ID``, ``0xADDR``, ``class:``, ``name:``)."""


class NodeNotFoundError(LeakhuntError):
    """A selector is well formed but matches no node of the graph."""


class AnalysisError(LeakhuntError):
    """An analysis cannot run on this graph (for example, it has no roots)."""


class RenderError(LeakhuntError):
    """A diagram could not be drawn: Graphviz's ``dot`` program is missing or failed."""


class ConfigError(LeakhuntError):
    """An option or configuration value is invalid."""


class CacheError(LeakhuntError):
    """An index-cache entry is unreadable; callers rebuild instead of trusting it."""
