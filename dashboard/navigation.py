"""The dashboard's navigation: `st.Page` objects for the pages the signed-in user's role may open.

Which role sees which page is the matrix in `osservatorio.pages` (readable without Streamlit, by the CLI and
the reports too); a page left out of a role's navigation is not even routable for them (and the page checks
again with `auth.require`).
"""

from __future__ import annotations

import streamlit as st

from osservatorio.pages import PAGES, PageSpec, pages_for


def build_pages(role: str, specs: tuple[PageSpec, ...] = PAGES) -> dict[str, list[st.Page]]:
    """`st.Page` objects the role may open, grouped by section, in the order of `specs`; the first is the default."""
    sections: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(pages_for(role, specs)):
        page = st.Page(spec.path, title=spec.title, icon=spec.icon, default=i == 0)
        sections.setdefault(spec.section, []).append(page)
    return sections
