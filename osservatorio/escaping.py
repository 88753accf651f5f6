"""Text from the data (names, file names, column headers, notes) made inert where it meets markup.

Streamlit renders Markdown in st.markdown, captions, alerts, metric labels and help, expander and tab
labels; plotly renders a subset of HTML (including <a href>) in trace names, axis labels and hover text.
Every value that comes from data passes through `md` or `chart` before it reaches one of them, so an
intervention named `[Clicca qui](https://…)` shows those characters instead of a link.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark. Escaping all those that can
# start or end a construct also defuses GitHub autolinks (https\://, www\.example, a\@b\.it), Streamlit's
# :colour[...] directives and $LaTeX$; , ; ' " % / ? = & never do, so they stay as they are.
_PUNCTUATION = re.compile(r"([!#$()*+\-.:<>@\[\\\]^_`{|}~])")
_NO_BRACKETS = re.compile(r"([!#$()*+\-.:<>@\\^_`{|}~])")  # for st.badge, which escapes [ ] itself
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(value, *, brackets: bool = True) -> str:
    """`value` as literal text inside Markdown: punctuation escaped, line breaks as spaces (no new block).
    `brackets=False` leaves [ ] to the caller (st.badge escapes them, and escaping twice would show a \\)."""
    if value is None:
        return ""
    return (_PUNCTUATION if brackets else _NO_BRACKETS).sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))


def chart(value) -> str:
    """`value` as literal text inside a plotly label or hover text (plotly reads <a>, <b>, <br>... as HTML)."""
    return "" if value is None else html.escape(str(value), quote=True)


def chart_labels(values) -> list[str]:
    """`chart` over a list of category labels (bar names, axis categories)."""
    return [chart(v) for v in values]
