"""A self-contained Italian HTML report: sections of text, tables and plotly charts, plotly.js inlined once.

Generic on purpose: any report (labs, gestore, ...) builds `Section`s and calls `render`. Charts are
embedded with `include_plotlyjs=False` and one script tag carries plotly.js from the installed package,
so the file opens offline (PA intranets often block CDNs) and stays a few MB whatever the chart count.
The same sections make the PDF (`osservatorio.reports.pdf`): `render(..., images=...)` puts each chart
as a static PNG instead, and the template's print rules lay it out on A4.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from osservatorio.formatting import fmt_datetime

TEMPLATE = """<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: "Source Sans Pro", Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { color: #1f5fa8; } h2 { border-bottom: 2px solid #1f5fa8; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .8rem 0; width: 100%; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; vertical-align: top; }
th { background: #eef3fa; text-align: left; }
td.num { text-align: right; white-space: nowrap; } .note { color: #555; font-size: .9rem; }
.subhead { font-weight: 600; margin: .9rem 0 .3rem; }
.warning { background: #fff4e0; border-left: 4px solid #d9822b; padding: .4rem .8rem; margin: .4rem 0; }
.missing { background: #fdecec; border-left: 4px solid #b03a2e; padding: .4rem .8rem; margin: .4rem 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; } dt { font-weight: 600; }
img.chart { width: 100%; } .cover { border-bottom: 3px solid #1f5fa8; margin-bottom: 1rem; }
@page { size: A4; margin: 1.5cm 1.4cm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
@media print { body { margin: 0; max-width: none; font-size: 9.5pt; } h2 { break-after: avoid; }
  tr, img.chart, dl { break-inside: avoid; } section.break { break-before: page; } }
</style>
{% if charts %}<script type="text/javascript">{{ plotlyjs }}</script>{% endif %}
</head><body>
<h1>{{ title }}</h1>
<p class="note">{{ subtitle }}<br>Generato il {{ generated }} da Osservatorio.</p>
{% for section in sections %}<section{% if section.new_page %} class="break"{% endif %}><h2>{{ section.title }}</h2>
{% for block in section.blocks %}{{ block }}
{% endfor %}</section>
{% endfor %}
</body></html>
"""
_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass
class Section:
    """A titled part of a report: blocks of already-safe HTML, added with the methods below."""

    title: str
    blocks: list[Markup | go.Figure] = field(default_factory=list)
    charts: int = 0
    new_page: bool = False  # in print, start the section on a new page

    def text(self, text: str, css: str = "") -> Section:
        self.blocks.append(Markup('<p class="{}">{}</p>').format(css, text))
        return self

    def notes(self, items: list[str], css: str = "warning") -> Section:
        for item in items:
            self.blocks.append(Markup('<div class="{}">{}</div>').format(css, item))
        return self

    def facts(self, pairs: list[tuple[str, str]]) -> Section:
        inner = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, v) for k, v in pairs)
        self.blocks.append(Markup("<dl>{}</dl>").format(inner))
        return self

    def table(self, frame: pd.DataFrame, *, numeric: tuple[str, ...] = ()) -> Section:
        """A table of strings (format numbers before); `numeric` columns are right-aligned."""
        head = Markup("").join(Markup("<th>{}</th>").format(c) for c in frame.columns)
        rows = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(
                Markup('<td class="{}">{}</td>').format("num" if c in numeric else "", "" if pd.isna(v) else v)
                for c, v in zip(frame.columns, row))) for row in frame.itertuples(index=False))
        self.blocks.append(Markup("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(head, rows))
        return self

    def chart(self, fig: go.Figure) -> Section:
        """A chart: interactive in the HTML, a static image in the PDF (drawn by `render`)."""
        self.blocks.append(fig)
        self.charts += 1
        return self


def figures(sections: list[Section]) -> list[go.Figure]:
    """Every chart of the report, in reading order (what `render`'s `images` must match)."""
    return [b for s in sections for b in s.blocks if isinstance(b, go.Figure)]


def _drawn(sections: list[Section], images: list[bytes] | None) -> list[Section]:
    """The sections with their charts as HTML: plotly divs, or `<img>` of the given PNGs, one per chart."""
    pngs = iter(images or [])
    out = []
    for s in sections:
        blocks = [b if not isinstance(b, go.Figure) else
                  Markup(b.to_html(full_html=False, include_plotlyjs=False,
                                   config={"displaylogo": False, "locale": "it"})) if images is None else
                  Markup('<img class="chart" alt="{}" src="data:image/png;base64,{}">').format(
                      s.title, base64.b64encode(next(pngs)).decode("ascii")) for b in s.blocks]
        out.append(Section(s.title, blocks, s.charts, s.new_page))
    return out


def render(title: str, sections: list[Section], *, subtitle: str = "", generated: datetime | None = None,
           images: list[bytes] | None = None) -> str:
    """The whole report as one HTML string (UTF-8), plotly.js included once if any chart is present; with
    `images` (PNGs of `figures(sections)`), static charts and no script at all."""
    charts = 0 if images is not None else sum(s.charts for s in sections)
    return _ENV.from_string(TEMPLATE).render(
        title=title, subtitle=subtitle, sections=_drawn(sections, images), charts=charts,
        plotlyjs=Markup(get_plotlyjs()) if charts else "", generated=fmt_datetime(generated or datetime.now()))
