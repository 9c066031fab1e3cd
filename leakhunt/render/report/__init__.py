"""The self-contained HTML leak report (``leakhunt report``)."""

from leakhunt.render.report.collect import make_figure, snapshot_report
from leakhunt.render.report.data import Figure, Finding, ReportData, SnapshotReport
from leakhunt.render.report.page import CONTENT_SECURITY_POLICY, HtmlReportRenderer, report_html
from leakhunt.render.report.sections import SECTIONS, Section, SectionBody

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECTIONS",
    "Figure",
    "Finding",
    "HtmlReportRenderer",
    "ReportData",
    "Section",
    "SectionBody",
    "SnapshotReport",
    "make_figure",
    "report_html",
    "snapshot_report",
]
