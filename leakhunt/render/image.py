"""SVG and PNG from DOT through Graphviz's ``dot`` program, and SVG made safe to inline in HTML.

``dot`` is an external program: when it is missing or fails, :class:`~leakhunt.errors.RenderError`
says so in one line (the CLI exits with code 3); ``--format dot`` never needs it.

Examples
--------
>>> svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><g><text>a&lt;b</text></g></svg>'
>>> inline_svg(svg.encode())
'<svg xmlns="http://www.w3.org/2000/svg"><g><text>a&lt;b</text></g></svg>'
>>> inline_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
Traceback (most recent call last):
...
leakhunt.errors.RenderError: refusing to inline SVG: unexpected <script> element
"""

from __future__ import annotations

import shutil
from enum import StrEnum
from xml.etree import ElementTree

import graphviz

from leakhunt.errors import RenderError

__all__ = ["ImageFormat", "dot_available", "inline_svg", "render_image"]

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_ALLOWED_ELEMENTS = frozenset(
    {"svg", "g", "polygon", "polyline", "ellipse", "path", "text", "title", "defs", "tspan"}
)
"""What ``dot -Tsvg`` writes for leakhunt's diagrams (no ``a``, ``image``, ``script``, ``style``)."""
_DROPPED_ELEMENTS = frozenset({"title"})
"""Tooltips holding only generated node keys: noise in a report."""

MISSING_DOT = (
    "Graphviz's 'dot' program was not found on PATH; install Graphviz "
    "(apt-get install graphviz, brew install graphviz) or use --format dot"
)


class ImageFormat(StrEnum):
    """Image formats ``dot`` writes for leakhunt."""

    SVG = "svg"
    PNG = "png"


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on ``PATH``."""
    return shutil.which("dot") is not None


def render_image(dot_source: str, image_format: ImageFormat) -> bytes:
    """Lay out ``dot_source`` with ``dot`` and return the image bytes.

    Raises
    ------
    RenderError
        ``dot`` is not installed, or it rejected the input.
    """
    try:
        data: bytes = graphviz.Source(dot_source).pipe(format=image_format.value, engine="dot")
    except graphviz.ExecutableNotFound as exc:
        raise RenderError(f"cannot write {image_format.value}: {MISSING_DOT}") from exc
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
        first = (
            stderr.strip().splitlines()[0] if stderr.strip() else f"exit status {exc.returncode}"
        )
        raise RenderError(f"Graphviz 'dot' failed: {first}") from exc
    return data


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def inline_svg(svg: bytes) -> str:
    """``dot``'s SVG as an element to embed in HTML: no prolog, no comments, no active content.

    The SVG is parsed and written back (so every text node is re-escaped); elements outside
    the small set ``dot`` produces for leakhunt make it fail closed, and event-handler,
    ``href`` and ``style`` attributes are removed.
    """
    ElementTree.register_namespace("", _SVG_NS)
    ElementTree.register_namespace("xlink", _XLINK_NS)
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise RenderError(f"Graphviz wrote unreadable SVG: {exc}") from exc
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in _DROPPED_ELEMENTS:
                parent.remove(child)
    for element in root.iter():
        name = _local(element.tag)
        if name not in _ALLOWED_ELEMENTS:
            raise RenderError(f"refusing to inline SVG: unexpected <{name}> element")
        for attribute in list(element.attrib):
            local = _local(attribute).lower()
            if local.startswith("on") or local in ("href", "style"):
                del element.attrib[attribute]
    text: str = ElementTree.tostring(root, encoding="unicode")
    return text
