"""Loading several snapshots for one command (``diff``, ``gate``), each through the index cache."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from leakhunt.analyzers.diff import SnapshotIdentity, diff_snapshots, snapshot_identity
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.leak_results import DiffReport
from leakhunt.analyzers.paths import RootDistances
from leakhunt.analyzers.top import ClassColumns
from leakhunt.background import Background
from leakhunt.cache.session import (
    CachedInput,
    cached_class_columns,
    cached_dominators,
    cached_identity,
    cached_root_distances,
    store_identity,
)
from leakhunt.cli.params import (
    InputChoice,
    checked_format,
    import_options,
    input_cache,
    load_input,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.errors import ConfigError
from leakhunt.importers import IMPORTERS, load_node_classes, sniff_format

__all__ = ["LoadChoice", "load_options"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

V8_FORMAT = "v8-heapsnapshot"
"""The format whose node columns are read without building the graph (see ``identity``)."""


@dataclass(frozen=True, slots=True)
class LoadChoice:
    """How to read the snapshot files of one invocation."""

    input_format: str | None
    """Forced format, or None to sniff."""
    dumps: tuple[int, ...] | None
    """Dump index per file (multi-dump logs), or None for each file's last."""
    quiet: bool
    """No progress bars."""
    no_cache: bool
    """Bypass the index cache."""
    cache_dir: str | None
    """Cache location override."""
    overlay: str | None = None
    """Root dump merged into the last file (the one per-snapshot checks examine)."""
    lenient: bool = False
    """Root-dump record problems become warnings."""

    def choice(self, path: str, position: int, *, last: bool = False) -> InputChoice:
        """The input options of the file at ``position`` (with the overlay when ``last``)."""
        dump = self.dumps[position] if self.dumps is not None else None
        return InputChoice(
            path,
            self.input_format,
            dump,
            self.quiet,
            self.no_cache,
            self.cache_dir,
            overlay=self.overlay if last else None,
            lenient=self.lenient,
        )

    def load_one(self, path: str, position: int, *, last: bool = False) -> CachedInput:
        """Load the file at ``position`` of the command line (with the overlay when ``last``)."""
        return load_input(self.choice(path, position, last=last))

    def cached_identity(
        self, path: str, position: int, *, with_classes: bool
    ) -> SnapshotIdentity | None:
        """The identity of the file at ``position`` if the index cache holds it, else None."""
        choice = self.choice(path, position)
        cache = input_cache(choice)
        if cache is None:
            return None
        return cached_identity(
            path,
            format=checked_format(choice),
            options=import_options(choice),
            cache=cache,
            with_classes=with_classes,
        )

    def identity(self, path: str, position: int, *, with_classes: bool) -> SnapshotIdentity:
        """The identity of the file at ``position``: from the index cache when it holds one,
        else read (stored in the cache for the next run). Without ``with_classes`` only the
        node columns are read (for V8, the edges are checked but no graph is built)."""
        found = self.cached_identity(path, position, with_classes=with_classes)
        if found is not None:
            return found
        choice = self.choice(path, position)
        cache = input_cache(choice)
        input_format = checked_format(choice)
        options = import_options(choice)
        if not with_classes and (input_format or sniff_format(path)) == V8_FORMAT:
            with progress_callback(not self.quiet) as progress:
                nodes = load_node_classes(
                    path, format=V8_FORMAT, options=options, progress=progress
                )
            identity = snapshot_identity(nodes)
        else:
            loaded = load_input(choice)
            classes = (
                cached_class_columns(loaded, self.dominators(loaded)) if with_classes else None
            )
            identity = snapshot_identity(loaded.graph, classes)
        if cache is not None:
            store_identity(path, identity, format=input_format, options=options, cache=cache)
        return identity

    def identities(
        self, files: Sequence[str], meanwhile: Callable[[], T]
    ) -> tuple[list[SnapshotIdentity], T]:
        """The identity of every file but the last, and ``meanwhile()`` (the work on the last).

        BASE's class table takes a full load and a dominator tree, about as long as the last
        file's own analysis. When a core is idle and the cache does not hold BASE's identity,
        BASE is reduced in a forked process while this one reads TARGET's node columns and
        then runs ``meanwhile``; otherwise the files are read one after another. Either way
        each process holds one graph at a time.
        """
        if self.dumps is not None and len(self.dumps) != len(files):
            raise ConfigError(f"--dumps gives {len(self.dumps)} indices for {len(files)} files")
        if len(files) < 2:
            return [], meanwhile()
        first = self.cached_identity(files[0], 0, with_classes=True)
        # The worker draws no progress bars: two on one terminal would garble each other.
        quiet = dataclasses.replace(self, quiet=True)
        base = Background(quiet.identity, files[0], 0, with_classes=True) if first is None else None
        with contextlib.nullcontext() if base is None else base:
            # A worker still running when this process fails is ended, not orphaned.
            if base is not None and not base.forked:
                # In line (with its progress bars), before the others: one graph at a time.
                first = self.identity(files[0], 0, with_classes=True)
            rest = [
                self.identity(path, position, with_classes=False)
                for position, path in enumerate(files[1:-1], 1)
            ]
            last = meanwhile()
            if first is None:
                assert base is not None
                first = base.result()
            return [first, *rest], last

    def diff(self, files: Sequence[str]) -> DiffReport:
        """``diff_snapshots`` over BASE TARGET [FINAL] (BASE and TARGET reduced to ids and
        classes, see :meth:`identities`)."""
        earlier, (last, tree, distances, classes) = self.identities(
            files, lambda: self._analysed_last(files)
        )
        options: dict[str, Any] = {
            "last_tree": tree,
            "last_distances": distances,
            "last_classes": classes,
        }
        if len(earlier) == 2:
            return diff_snapshots(earlier[0], earlier[1], last.graph, **options)
        return diff_snapshots(earlier[0], last.graph, **options)

    def _analysed_last(
        self, files: Sequence[str]
    ) -> tuple[CachedInput, DominatorTree, RootDistances, ClassColumns]:
        last = self.load_one(files[-1], len(files) - 1, last=True)
        tree = self.dominators(last)
        distances = cached_root_distances(last, include_weak=False)
        return last, tree, distances, cached_class_columns(last, tree)

    def dominators(self, loaded: CachedInput) -> DominatorTree:
        """DevTools dominator tree of one loaded input, from the cache when possible."""
        with progress_callback(not self.quiet) as progress:
            return cached_dominators(loaded, Semantics.DEVTOOLS, progress)


def _dumps(value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        indices = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise ConfigError(f"--dumps {value!r} is not a comma-separated list of integers") from None
    if any(i < 0 for i in indices):
        raise ConfigError("--dumps indices must not be negative")
    return indices


def load_options(func: F) -> F:
    """``--input-format``, ``--dumps``, ``--quiet``, ``--no-cache``, ``--cache-dir``,
    ``--overlay``, ``--lenient`` → ``load``."""

    @functools.wraps(func)
    def gather(
        *args: Any,
        input_format: str | None,
        dumps: str | None,
        quiet: bool,
        no_cache: bool,
        cache_dir: str | None,
        overlay: str | None,
        lenient: bool,
        **kwargs: Any,
    ) -> Any:
        load = LoadChoice(input_format, _dumps(dumps), quiet, no_cache, cache_dir, overlay, lenient)
        return func(*args, load=load, **kwargs)

    wrapped: Any = gather
    wrapped = click.option(
        "--lenient",
        is_flag=True,
        help="Root dumps: warn about and drop bad records instead of failing.",
    )(wrapped)
    wrapped = click.option(
        "--overlay",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        metavar="DUMP",
        help="Merge an embedder root dump (docs/rootdump.md) into the last file's graph.",
    )(wrapped)
    wrapped = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        default=None,
        envvar="LEAKHUNT_CACHE_DIR",
        help="Index cache location [default: $XDG_CACHE_HOME/leakhunt or ~/.cache/leakhunt].",
    )(wrapped)
    wrapped = click.option(
        "--no-cache", is_flag=True, help="Neither read nor write the index cache."
    )(wrapped)
    wrapped = click.option("--quiet", "-q", is_flag=True, help="No progress bars on stderr.")(
        wrapped
    )
    wrapped = click.option(
        "--dumps",
        default=None,
        metavar="I,J[,K]",
        help="For multi-dump logs: the dump index of each file, comma-separated (0-based).",
    )(wrapped)
    wrapped = click.option(
        "--input-format",
        type=click.Choice(sorted(IMPORTERS)),
        default=None,
        help="Read the files as this format instead of detecting it from their content.",
    )(wrapped)
    result: F = wrapped
    return result
