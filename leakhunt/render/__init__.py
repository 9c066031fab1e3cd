"""Renderers: analysis results → text, JSON and diagrams. Only this layer and the CLI print."""

from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import PathsJsonRenderer, SummaryJsonRenderer
from leakhunt.render.paths_console import PathsConsoleRenderer
from leakhunt.render.summary_console import SummaryConsoleRenderer

__all__ = [
    "PathsConsoleRenderer",
    "PathsJsonRenderer",
    "Renderer",
    "SummaryConsoleRenderer",
    "SummaryJsonRenderer",
]
