"""The lab the panel evaluation opens on: its buildings as the treated units and its first month as the start,
chosen with the lab (listed with its Comune) rather than a building picked by default."""

from __future__ import annotations

import streamlit as st

from dashboard import lab_data as ld
from osservatorio import escaping
from osservatorio.charts.common import month_label
from osservatorio.formatting import fmt_count


def _default_lab(counts) -> str:
    """The lab of the sheet when it has buildings in the warehouse, else the first lab that has some."""
    with_buildings = list(counts.loc[counts["buildings"] > 0, "lab"])
    sheet = st.session_state.get("labs_sheet")
    if sheet in with_buildings or not with_buildings:
        return str(sheet) if sheet in list(counts["lab"]) else str(counts["lab"].iloc[0])
    return str(with_buildings[0])


def _apply(buildings: list[str], fallback: list[str], months: list, middle) -> None:
    """Set the treated buildings and the start of the panel from the chosen lab."""
    links = ld.lab_links(st.session_state["panel_lab"])
    treated = [b for b in links.buildings if b in buildings]
    st.session_state["panel_treated"] = treated or [b for b in fallback if b in buildings]
    start = next((m for m in months if links.start and m.year == links.start.year and m.month == links.start.month),
                 None)
    st.session_state["panel_start"] = start or middle


def _keep_known(buildings: list[str], months: list, middle) -> None:
    """Values kept from an earlier run that the current options no longer hold are dropped."""
    if any(b not in buildings for b in st.session_state.get("panel_treated", [])):
        st.session_state["panel_treated"] = [b for b in st.session_state["panel_treated"] if b in buildings]
    if st.session_state.get("panel_start") not in months:
        st.session_state["panel_start"] = middle


def lab_choice(buildings: list[str], fallback: list[str], months: list, middle) -> None:
    """The lab selector of the panel tab; on the first run and on each change it sets the panel's treated
    buildings (`panel_treated`) and first treated month (`panel_start`) from the lab, and says what links it."""
    counts = ld.lab_building_counts()
    if counts.empty:
        st.session_state.setdefault("panel_treated", [b for b in fallback if b in buildings])
        _keep_known(buildings, months, middle)
        return
    titles = dict(zip(ld.catalogue()["code"], ld.catalogue()["title"]))
    places = dict(zip(counts["lab"], counts["municipality"]))
    options = list(counts["lab"])
    st.selectbox("Laboratorio valutato", options, index=options.index(_default_lab(counts)), key="panel_lab",
                 format_func=lambda c: f"{titles.get(c, c)} ({places.get(c, '')})", on_change=_apply,
                 args=(buildings, fallback, months, middle))
    if "panel_treated" not in st.session_state or "panel_start" not in st.session_state:
        _apply(buildings, fallback, months, middle)
    _keep_known(buildings, months, middle)
    _links_caption(st.session_state["panel_lab"], buildings, months)


def _links_caption(lab: str, buildings: list[str], months: list) -> None:
    links = ld.lab_links(lab)
    mine = [b for b in links.buildings if b in buildings]
    area = f"{links.area}, {links.municipality}" if links.area else links.municipality
    parts = [f"Area del laboratorio: {area}."]
    if mine:
        parts.append(f"Trattati: {fmt_count(len(mine), 'edificio', 'edifici')} dell'area; gli altri edifici fanno da "
                     "controllo.")
    else:
        parts.append("Nessun edificio del warehouse nell'area del laboratorio (o nessuno con dati sufficienti): "
                     "scegliere a mano gli edifici trattati.")
    if links.control_areas:
        parts.append(f"Aree di controllo della scheda: {', '.join(links.control_areas)} "
                     f"({fmt_count(len(links.control_buildings), 'edificio', 'edifici')} nel warehouse).")
    if links.start and not any(m.year == links.start.year and m.month == links.start.month for m in months):
        parts.append(f"L'avvio del laboratorio ({links.start:%m/%Y}) è fuori dai mesi del panel "
                     f"({month_label(months[0])} – {month_label(months[-1])}): il primo mese trattato va scelto.")
    st.caption(escaping.md(" ".join(parts)))
