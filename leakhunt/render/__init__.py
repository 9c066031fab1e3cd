"""Renderers: analysis results → text, JSON and diagrams. Only this layer and the CLI print."""

from leakhunt.render.dot import DotRenderer
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import PathsJsonRenderer, SummaryJsonRenderer, TopJsonRenderer
from leakhunt.render.paths_console import PathsConsoleRenderer
from leakhunt.render.report import HtmlReportRenderer
from leakhunt.render.show_console import ShowConsoleRenderer
from leakhunt.render.show_json import ShowJsonRenderer
from leakhunt.render.summary_console import SummaryConsoleRenderer
from leakhunt.render.top_console import TopConsoleRenderer

__all__ = [
    "DotRenderer",
    "HtmlReportRenderer",
    "PathsConsoleRenderer",
    "PathsJsonRenderer",
    "Renderer",
    "ShowConsoleRenderer",
    "ShowJsonRenderer",
    "SummaryConsoleRenderer",
    "SummaryJsonRenderer",
    "TopConsoleRenderer",
    "TopJsonRenderer",
]
