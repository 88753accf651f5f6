"""The PDF of a report: the same sections and template as the HTML, charts as static PNGs, laid out by WeasyPrint.

Charts are drawn by kaleido with Debian's chromium (`BROWSER_PATH`, default /usr/bin/chromium when present), all
in one call because each call starts a browser. Text stays text: the PDF is searchable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from shutil import which

import plotly.io as pio

from osservatorio.reports.html import Section, figures, render

CHART_WIDTH, CHART_HEIGHT_MAX, CHART_SCALE = 900, 700, 2


def _browser() -> None:
    """Point kaleido at the system chromium (it cannot download its own here)."""
    if "BROWSER_PATH" not in os.environ:
        found = which("chromium") or which("chromium-browser") or which("google-chrome")
        if found:
            os.environ["BROWSER_PATH"] = found


def static_images(sections: list[Section]) -> list[bytes]:
    """PNGs of every chart of the sections, in reading order, from a single kaleido run."""
    figs = figures(sections)
    if not figs:
        return []
    _browser()
    with tempfile.TemporaryDirectory(prefix="osservatorio-png-") as folder:
        paths = [Path(folder) / f"grafico_{i:03d}.png" for i in range(len(figs))]
        heights = [min(CHART_HEIGHT_MAX, int(f.layout.height or 400)) for f in figs]
        pio.write_images(figs, paths, format="png", width=CHART_WIDTH, height=heights, scale=CHART_SCALE)
        return [p.read_bytes() for p in paths]


def render_pdf(title: str, sections: list[Section], *, subtitle: str = "") -> bytes:
    """The report as PDF bytes (A4, page numbers, searchable text)."""
    from weasyprint import HTML

    html = render(title, sections, subtitle=subtitle, images=static_images(sections))
    return HTML(string=html).write_pdf()
