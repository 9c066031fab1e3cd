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

from leakhunt.render.safe_text import visible

__all__ = ["atomic_path", "open_output", "warn"]


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
        open(temporary, "w", encoding="utf-8", newline="\n") as stream,
    ):
        yield stream


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only on success."""
    if _is_special(path):
        yield path
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".leakhunt-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def warn(message: str) -> None:
    """``leakhunt: warning: MESSAGE`` on stderr, one line, heap text made inert."""
    click.echo(f"leakhunt: warning: {visible(message)}", err=True)
