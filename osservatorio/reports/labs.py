"""The evaluation report of the Laboratori Sociali di Quartiere, across labs or for one lab (HTML, Italian)."""

from __future__ import annotations

import pandas as pd

from osservatorio.charts import evaluation as charts
from indicators import targets
from indicators.completeness import completeness_grid, completeness_matrix, lab_completeness
from indicators.evaluation import Effect
from indicators.lab_outcomes import indicator_label, lab_outcomes
from indicators.lab_outputs import AMBITO_LABELS, lab_outputs
from osservatorio.evaluation_reading import effect_reading
from osservatorio.evaluation_text import effect_lines
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_pct
from osservatorio.reports.html import Section, render
from osservatorio.reports.lab_chapters import LabFigures, lab_chapter, lab_figures, synthesis_sections

OUTPUT_HEADINGS = {"title": "Laboratorio", "activities": "Attività", "participants": "Partecipanti (presenze)",
                   "households_reached": "Nuclei raggiunti (contatti)",
                   "households_taken_in_charge": "Nuclei presi in carico", "hours": "Ore", "volunteers": "Volontari",
                   "cost_per_household_eur": "Costo per nucleo raggiunto"}


def outputs_text(outputs: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Outputs per lab as Italian strings, with the lab's title."""
    out = pd.DataFrame({"title": [titles.get(g, g) for g in outputs["group"]]})
    for column in ("activities", "participants", "households_reached", "households_taken_in_charge", "volunteers"):
        out[column] = [fmt_int(v) for v in outputs[column]]
    out["hours"] = [fmt_int(v) for v in outputs["hours"]]
    out["cost_per_household_eur"] = [fmt_eur(v) if v is not None and not pd.isna(v) else "costo non noto"
                                     for v in outputs["cost_per_household_eur"]]
    return out.rename(columns=OUTPUT_HEADINGS)


def _completeness(engine, labs, titles) -> Section:
    section = Section("Completezza dei dati")
    section.text("Quota degli indicatori della scheda prototipo rilevati, per gruppo e momento. Dove manca un dato, "
                 "la stima è sostituita dalla descrizione di ciò che manca.", "note")
    section.chart(charts.completeness_heatmap(completeness_grid(completeness_matrix(engine, labs=labs)), titles))
    table = lab_completeness(engine, labs=labs)
    for row in table.itertuples():
        section.text(f"{titles.get(row.lab, row.lab)}: completezza {fmt_pct(row.score)}.")
        section.notes(row.missing, "missing")
    return section


def _overview(figures: LabFigures) -> Section:
    """The labs with their Comune, lead body, ambiti, period, cost and co-financing against the 20% minimum."""
    section = Section("I laboratori: territori, ambiti e risorse")
    shares = figures.cofinancing.set_index("lab")
    rows = []
    for lab in figures.catalogue.itertuples():
        share = shares.loc[lab.code]
        rows.append({"Laboratorio": lab.title, "Comune": lab.municipality, "Ente capofila": lab.lead_body or "n.d.",
                     "Ambiti": "; ".join(AMBITO_LABELS.get(a, a) for a in lab.ambiti),
                     "Periodo": f"{fmt_date(lab.start_date)} – {fmt_date(lab.end_date)}",
                     "Costo totale": fmt_eur(lab.total_cost),
                     "Contributo regionale": fmt_eur(lab.regional_contribution),
                     "Cofinanziamento": "n.d." if share["share_pct"] is None else fmt_pct(share["share_pct"]) + (
                         " (sotto il 20%)" if share["below_minimum"] else "")})
    section.table(pd.DataFrame(rows), numeric=("Costo totale", "Contributo regionale", "Cofinanziamento"))
    below = [figures.titles[c] for c in figures.cofinancing.loc[figures.cofinancing["below_minimum"].eq(True), "lab"]]
    if below:
        section.notes([f"Cofinanziamento sotto il 20% del costo totale richiesto dal bando: {'; '.join(below)}."])
    return section


def _sheet(engine, lab: pd.Series) -> Section:
    section = Section("Andamento delle attività e degli indicatori in percentuale")
    months = lab_outputs(engine, by="month", labs=[lab["code"]])
    if not months.empty:
        section.chart(charts.activity_timeline(months))
    points = lab_outcomes(engine, labs=[lab["code"]])
    points = points[points["unit"].eq("pct") & points["points_change"].notna()]
    if not points.empty:
        section.chart(charts.points_changes(points, {c: indicator_label(c) for c in points["indicator"]},
                                            targets=targets.drawn(engine, "lab_outcome_points")))
    return section


def panel_section(effects: list[Effect], figures: list, *, description: str) -> Section:
    """The panel evaluation (DiD, synthetic control) with its charts, as computed on the page."""
    section = Section("Valutazione su panel").text(description, "note")
    for effect in effects:
        section.facts([*effect_lines(effect), ("Lettura", effect_reading(effect, unit="punti"))]).notes(effect.warnings)
    for fig in figures:
        section.chart(fig)
    return section


def labs_sections(engine, *, lab: str | None = None, extra: list[Section] | None = None,
                 threshold: int | None = None) -> tuple[str, list[Section], str]:
    """Title, sections and subtitle of the report across all labs, or of one lab, in the order of the regional
    evaluation: the labs, then each lab's chapter, then the comparison by ambito and the data's completeness.
    With `threshold` (a suppressed role), counts of 1 .. threshold − 1 households are hidden."""
    labs = [lab] if lab else None
    figures = lab_figures(engine, labs=labs, threshold=threshold)
    titles = figures.titles
    sections = [_overview(figures)]
    if not lab:
        summary = Section("Output: che cosa hanno fatto i laboratori")
        summary.text("Partecipanti e nuclei raggiunti sono sommati sulle attività: contatti, non persone distinte.",
                      "note")
        summary.table(outputs_text(figures.outputs, titles), numeric=tuple(OUTPUT_HEADINGS.values())[1:])
        sections.append(summary)
    for row in figures.catalogue.itertuples(index=False):
        row = pd.Series(row._asdict())
        sections += lab_chapter(figures, row, outputs_text)
        if lab and threshold is None:
            sections.append(_sheet(engine, row))
    sections += [*synthesis_sections(figures), _completeness(engine, labs, titles), *(extra or [])]
    if figures.suppression_notes:
        sections.insert(0, Section("Riservatezza").notes(figures.suppression_notes, "note"))
    title = f"Valutazione del laboratorio «{titles.get(lab, lab)}»" if lab else \
        "Valutazione dei Laboratori Sociali di Quartiere"
    return title, sections, ("Obiettivi e risultati, output, esiti rispetto al controllo con la lettura delle stime, "
                             "dati mancanti e confronto per ambito.")


def labs_report(engine, *, lab: str | None = None, extra: list[Section] | None = None,
                threshold: int | None = None) -> str:
    """The report across all labs, or the sheet of one lab; `extra` sections (e.g. the panel) go at the end."""
    title, sections, subtitle = labs_sections(engine, lab=lab, extra=extra, threshold=threshold)
    return render(title, sections, subtitle=subtitle)


def labs_pdf(engine, *, lab: str | None = None, threshold: int | None = None) -> bytes:
    """The same report as PDF (static charts, searchable text)."""
    from osservatorio.reports.pdf import render_pdf

    title, sections, subtitle = labs_sections(engine, lab=lab, threshold=threshold)
    return render_pdf(title, sections, subtitle=subtitle)
