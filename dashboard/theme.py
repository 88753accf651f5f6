"""The dashboard's look where Streamlit has no option: a few CSS rules, drawn once per run by `app.py`.

- Headline figures (`st.metric`) never get cut: the value's size follows its tile's width (CSS container
  units), from 2.25rem on a wide tile down to 1.05rem on the narrowest, so "1.935.678,12 €" fits a quarter
  of a 1024 px screen.
- Tile labels and the words after a change ("rispetto all'anno prima") wrap instead of ending in "…".
- The file uploader's built-in English ("Upload", "200MB per file") has no parameter in Streamlit 1.67:
  the rules hide those words and write Italian ones in their place (the browser tests check what is on
  screen); each uploader's label says which file types it takes.
"""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: clamp(1.05rem, 11.5cqi, 2.25rem); }
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] .stMarkdownEllipsis p,
[data-testid="stMetricDeltaDescription"] .stMarkdownEllipsis,
[data-testid="stMetricDeltaDescription"] .stMarkdownEllipsis p {
  white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "Fino a 200 MB per file"; font-size: .875rem;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Scegli il file"; font-size: .875rem; }
</style>
"""


def apply() -> None:
    st.html(CSS)
