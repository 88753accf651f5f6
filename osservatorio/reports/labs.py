"""The evaluation report of the Laboratori Sociali di Quartiere, across labs or for one lab (HTML, Italian)."""

from __future__ import annotations

import pandas as pd

from osservatorio.charts import evaluation as charts
from indicators.completeness import completeness_grid, completeness_matrix, lab_completeness
from indicators.evaluation import Effect
from indicators.lab_outcomes import indicator_label, lab_outcomes
from indicators.lab_outputs import AMBITO_LABELS, lab_catalogue, lab_outputs
from osservatorio.evaluation_text import effect_lines, outcome_text_table
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_pct
from osservatorio.reports.html import Section, render

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


def _outcomes(engine, labs) -> Section:
    section = Section("Esiti: tempo zero, tempo uno, trattamento e controllo")
    section.text("Per gli indicatori in percentuale la variazione è in punti percentuali (56% → 50% è −6 punti) "
                 "e, a parte, in percentuale (−10,7%).", "note")
    table = lab_outcomes(engine, labs=labs)
    if table.empty:
        return section.notes(["Nessun indicatore di contesto caricato."], "missing")
    return section.table(outcome_text_table(table).drop(columns=["Laboratorio"] if labs else []))


def _sheet(engine, lab: pd.Series) -> Section:
    section = Section(f"Scheda: {lab['title']}")
    section.facts([("Comune", lab["municipality"]), ("Ente capofila", lab["lead_body"] or "n.d."),
                   ("Ambiti", "; ".join(AMBITO_LABELS.get(a, a) for a in lab["ambiti"])),
                   ("Periodo", f"{fmt_date(lab['start_date'])} – {fmt_date(lab['end_date'])}"),
                   ("Costo totale", fmt_eur(lab["total_cost"])),
                   ("Contributo regionale", fmt_eur(lab["regional_contribution"]))])
    months = lab_outputs(engine, by="month", labs=[lab["code"]])
    if not months.empty:
        section.chart(charts.activity_timeline(months))
    points = lab_outcomes(engine, labs=[lab["code"]])
    points = points[points["unit"].eq("pct") & points["points_change"].notna()]
    if not points.empty:
        section.chart(charts.points_changes(points, {c: indicator_label(c) for c in points["indicator"]}))
    return section


def panel_section(effects: list[Effect], figures: list, *, description: str) -> Section:
    """The panel evaluation (DiD, synthetic control) with its charts, as computed on the page."""
    section = Section("Valutazione su panel").text(description, "note")
    for effect in effects:
        section.facts(effect_lines(effect)).notes(effect.warnings)
    for fig in figures:
        section.chart(fig)
    return section


def labs_sections(engine, *, lab: str | None = None, extra: list[Section] | None = None
                  ) -> tuple[str, list[Section], str]:
    """Title, sections and subtitle of the report across all labs, or of the sheet of one lab."""
    labs = [lab] if lab else None
    catalogue = lab_catalogue(engine, labs=labs)
    titles = dict(zip(catalogue["code"], catalogue["title"]))
    outputs = lab_outputs(engine, by="lab", labs=labs)
    summary = Section("Output: che cosa hanno fatto i laboratori")
    summary.text("Partecipanti e nuclei raggiunti sono sommati sulle attività: contatti, non persone distinte.", "note")
    summary.table(outputs_text(outputs, titles), numeric=tuple(OUTPUT_HEADINGS.values())[1:])
    sections = [summary]
    if lab and len(catalogue):
        sections.insert(0, _sheet(engine, catalogue.iloc[0]))
    sections += [_completeness(engine, labs, titles), _outcomes(engine, labs), *(extra or [])]
    title = f"Valutazione del laboratorio «{titles.get(lab, lab)}»" if lab else \
        "Valutazione dei Laboratori Sociali di Quartiere"
    return title, sections, "Output, esiti, confronto con le aree di controllo e completezza dei dati."


def labs_report(engine, *, lab: str | None = None, extra: list[Section] | None = None) -> str:
    """The report across all labs, or the sheet of one lab; `extra` sections (e.g. the panel) go at the end."""
    title, sections, subtitle = labs_sections(engine, lab=lab, extra=extra)
    return render(title, sections, subtitle=subtitle)


def labs_pdf(engine, *, lab: str | None = None) -> bytes:
    """The same report as PDF (static charts, searchable text)."""
    from osservatorio.reports.pdf import render_pdf

    title, sections, subtitle = labs_sections(engine, lab=lab)
    return render_pdf(title, sections, subtitle=subtitle)
