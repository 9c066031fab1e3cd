"""Where command output goes: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

import click

from leakhunt.errors import OutputError
from leakhunt.render.safe_text import visible

__all__ = ["atomic_path", "check_output_path", "open_output", "warn"]


def check_output_path(path: str | None) -> None:
    """Fail early, before any work, when ``path`` cannot be created where it is asked for.

    Raises
    ------
    OutputError
        When the directory is missing or is not a directory, or ``path`` is a directory.
    """
    if path is None or path == "-" or _is_special(path):
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError(f"{path}: cannot write: directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise OutputError(f"{path}: cannot write: it is a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write: directory {directory!r} is not writable")


def _is_special(path: str) -> bool:
    """An existing path that is not a regular file (/dev/null, a pipe): write to it directly."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """Yield a text stream; for a path, write a temporary file and rename it on success only."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with (
        atomic_path(path) as temporary,
        # Lone surrogates (V8 writes them when it cuts a string inside a pair) cannot be
        # encoded: they are written as \\uXXXX escapes, which is also their JSON spelling.
        open(temporary, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as stream,
    ):
        yield stream


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only on success."""
    if _is_special(path):
        yield path
        return
    check_output_path(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix=".leakhunt-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        yield temporary
        try:
            os.replace(temporary, path)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def warn(message: str) -> None:
    """``leakhunt: warning: MESSAGE`` on stderr, one line, heap text made inert."""
    click.echo(f"leakhunt: warning: {visible(message)}", err=True)
