"""The renderer contract: a result in, text out to a stream; knobs in the constructor."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TextIO, TypeVar

__all__ = ["Renderer"]

Result = TypeVar("Result", contravariant=True)


class Renderer(ABC, Generic[Result]):
    """Presents one kind of analysis result."""

    @abstractmethod
    def render(self, result: Result, out: TextIO) -> None:
        """Write ``result`` to ``out``."""
