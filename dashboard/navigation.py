"""The dashboard's pages, grouped in Italian sections: adding a page is one line in `PAGES`."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageSpec:
    """A page of the dashboard: its script (relative to `app.py`), title, icon and section."""

    path: str
    title: str
    icon: str
    section: str = "Dati"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/home.py", "Inizio", ":material/home:"),
    PageSpec("views/loads.py", "Caricamenti", ":material/upload_file:"),
    PageSpec("views/overview.py", "Panoramica", ":material/dashboard:", "Monitoraggio"),
    PageSpec("views/arrears.py", "Morosità", ":material/euro:", "Monitoraggio"),
    PageSpec("views/vacancy.py", "Sfitto", ":material/door_open:", "Monitoraggio"),
    PageSpec("views/labs.py", "Laboratori", ":material/groups:", "Valutazione"),
)


def build_pages(specs: tuple[PageSpec, ...] = PAGES) -> dict[str, list[st.Page]]:
    """`st.Page` objects grouped by section, in the order of `specs`; the first page is the default."""
    sections: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(specs):
        page = st.Page(spec.path, title=spec.title, icon=spec.icon, default=i == 0)
        sections.setdefault(spec.section, []).append(page)
    return sections
