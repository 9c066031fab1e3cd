"""Writing a diagram as ``--format dot|svg|png``: one helper every diagram-producing command uses."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar, assert_never

import click

from leakhunt.cli.output import atomic_path, open_output
from leakhunt.errors import ConfigError
from leakhunt.render.diagram import Diagram
from leakhunt.render.dot import DotRenderer, diagram_to_dot
from leakhunt.render.image import ImageFormat, render_image

__all__ = ["DiagramFormat", "pick_finding", "write_diagram"]


class DiagramFormat(StrEnum):
    """Diagram formats of ``--format``."""

    DOT = "dot"
    SVG = "svg"
    PNG = "png"

    @classmethod
    def parse(cls, value: str) -> DiagramFormat | None:
        """The diagram format named ``value``, or None for a text/JSON format."""
        return cls(value) if value in cls._value2member_map_ else None


def write_diagram(diagram: Diagram, chosen: DiagramFormat, output: str | None) -> None:
    """Write ``diagram`` to ``output`` (stdout when None); images are laid out by ``dot``.

    PNG is never written to a terminal. The image is produced before the output file is
    opened, so a missing ``dot`` leaves no file behind.
    """
    if chosen is DiagramFormat.DOT:
        with open_output(output) as out:
            DotRenderer().render(diagram, out)
        return
    if chosen is DiagramFormat.SVG:
        image = ImageFormat.SVG
    elif chosen is DiagramFormat.PNG:
        image = ImageFormat.PNG
        if (output is None or output == "-") and sys.stdout.isatty():
            raise ConfigError("refusing to write PNG to a terminal: add -o FILE.png")
    else:
        assert_never(chosen)
    data = render_image(diagram_to_dot(diagram), image)
    if output is None or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with atomic_path(output) as temporary, open(temporary, "wb") as stream:
        stream.write(data)


T = TypeVar("T")


def pick_finding(findings: Sequence[T], pick: int, what: str) -> T:
    """The ``pick``-th (1-based) of ``findings`` to draw; a usage error when there is none."""
    if not findings:
        raise click.UsageError(f"no {what} found: nothing to draw")
    if pick > len(findings):
        raise click.UsageError(f"--pick {pick}: only {len(findings)} {what}(s) found")
    return findings[pick - 1]
