"""The figures of the labs' evaluation report, computed once (suppressed for a suppressed role), and the chapter
on each lab in the order of the regional evaluation: context and resources, objectives planned and reached,
activities (outputs), comparison over time and with the control area with the reading of each estimate,
reflections (partnership, strengths and weaknesses, continuity and transferability) and what data is missing."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators.completeness import lab_completeness
from indicators.lab_disclosure import protect_counts, protect_outcomes
from indicators.lab_outcomes import lab_outcomes
from indicators.lab_outputs import AMBITO_LABELS, lab_catalogue, lab_outputs
from indicators.lab_records import RECORDS, cofinancing, lab_records, objectives_summary, synthesis_by_ambito
from osservatorio import lab_records_text as text
from osservatorio.evaluation_reading import outcome_reading
from osservatorio.evaluation_text import outcome_text_table
from osservatorio.formatting import fmt_count, fmt_date, fmt_eur
from osservatorio.reports.html import Section

NOTE_TOPICS = {"punto_di_forza": "Punti di forza", "punto_di_debolezza": "Punti di debolezza",
               "criticita": "Criticità", "effetto_inatteso": "Effetti inattesi", "partnership": "Partnership",
               "continuita": "Continuità", "trasferibilita": "Trasferibilità", "osservazione": "Osservazioni"}


@dataclass
class LabFigures:
    """Everything the report shows, for the labs asked; with a threshold, small counts are already hidden."""

    catalogue: pd.DataFrame
    outputs: pd.DataFrame
    outcomes: pd.DataFrame
    completeness: pd.DataFrame
    objectives: pd.DataFrame
    cofinancing: pd.DataFrame
    synthesis: pd.DataFrame
    records: dict[str, pd.DataFrame]
    threshold: int | None = None
    suppression_notes: list[str] = field(default_factory=list)

    @property
    def titles(self) -> dict[str, str]:
        return dict(zip(self.catalogue["code"], self.catalogue["title"]))


def lab_figures(engine, *, labs: list[str] | None = None, threshold: int | None = None) -> LabFigures:
    """The report's figures; with `threshold`, household counts of 1 .. threshold − 1 are hidden."""
    figures = LabFigures(lab_catalogue(engine, labs=labs), lab_outputs(engine, by="lab", labs=labs),
                         lab_outcomes(engine, labs=labs), lab_completeness(engine, labs=labs),
                         objectives_summary(engine, labs=labs), cofinancing(engine, labs=labs),
                         synthesis_by_ambito(engine, labs=labs),
                         {what: lab_records(engine, what, labs=labs) for what in RECORDS}, threshold)
    if threshold is not None:
        _protect(figures, threshold)
    return figures


def _protect(figures: LabFigures, threshold: int) -> None:
    done = [protect_counts(figures.outputs, ["households_reached", "households_taken_in_charge"], threshold=threshold,
                           dependent={"households_reached": ["cost_per_household_eur"]}),
            protect_outcomes(figures.outcomes, threshold=threshold),
            protect_counts(figures.records["targets"], ["households_planned", "households_reached"],
                           threshold=threshold),
            protect_counts(figures.synthesis.drop_duplicates("lab").set_index("lab"), ["households_reached"],
                           threshold=threshold)]
    figures.outputs, figures.outcomes, figures.records["targets"] = done[0].frame, done[1].frame, done[2].frame
    hidden = done[3].frame["households_reached"]
    figures.synthesis["households_reached"] = [hidden.get(lab) for lab in figures.synthesis["lab"]]
    figures.suppression_notes = list(dict.fromkeys(d.note for d in done if d.any))


def _context(figures: LabFigures, lab: pd.Series) -> Section:
    section = Section(f"Scheda: {lab['title']} ({lab['municipality']})", new_page=True)
    section.facts([("Comune", lab["municipality"]), ("Area di intervento", lab["district"] or "n.d."),
                   ("Ente capofila", lab["lead_body"] or "n.d."),
                   ("Ambiti", "; ".join(AMBITO_LABELS.get(a, a) for a in lab["ambiti"])),
                   ("Periodo", f"{fmt_date(lab['start_date'])} – {fmt_date(lab['end_date'])}"),
                   ("Costo totale", fmt_eur(lab["total_cost"])),
                   ("Contributo regionale", fmt_eur(lab["regional_contribution"])),
                   ("Presidi", fmt_count(len(_rows(figures, "presidi", lab["code"])), "presidio", "presidi"))])
    share = figures.cofinancing.set_index("lab").loc[lab["code"]]
    below, sentence = text.cofinancing_sentence(share)
    section.notes([sentence], "warning" if below else "note")
    for what in ("partners", "targets", "cofinancing", "presidi"):
        _records_block(section, figures, what, lab["code"])
    return section


def _rows(figures: LabFigures, what: str, code: str) -> pd.DataFrame:
    frame = figures.records[what]
    return frame[frame["lab"] == code]


def _records_block(section: Section, figures: LabFigures, what: str, code: str) -> None:
    rows = _rows(figures, what, code)
    section.text(text.TITLES[what], "subhead")
    if rows.empty:
        section.notes([text.EMPTY[what]], "missing")
    else:
        section.table(text.records_table(what, rows))


def _objectives(figures: LabFigures, code: str) -> Section:
    section = Section("Obiettivi previsti e raggiunti")
    summary = figures.objectives.set_index("lab")
    section.text(text.objectives_sentence(summary.loc[code] if code in summary.index else None))
    rows = _rows(figures, "objectives", code)
    if not rows.empty:
        section.table(text.records_table("objectives", rows))
    return section


def _activities(figures: LabFigures, code: str, outputs_text) -> Section:
    section = Section("Attività svolte (output)")
    row = figures.outputs[figures.outputs["group"] == code]
    if row.empty:
        return section.notes(["Nessuna attività registrata."], "missing")
    section.text("Partecipanti e nuclei raggiunti sono sommati sulle attività: contatti, non persone distinte.", "note")
    return section.table(outputs_text(row, figures.titles).drop(columns=["Laboratorio"]))


def _comparison(figures: LabFigures, code: str) -> Section:
    section = Section("Confronto temporale e con il caso di controllo")
    table = figures.outcomes[figures.outcomes["lab"] == code]
    if table.empty:
        return section.notes(["Nessun indicatore di contesto caricato."], "missing")
    section.table(outcome_text_table(table).drop(columns=["Laboratorio"]))
    section.text("Lettura delle stime", "subhead")
    treated = table[table["arm"] == "trattamento"]
    return section.notes([outcome_reading(r) for r in treated.itertuples()], "note")


def _reflections(figures: LabFigures, code: str) -> Section:
    section = Section("Riflessioni: partnership, punti di forza e di debolezza, continuità e trasferibilità")
    judgements = _rows(figures, "judgements", code)
    if judgements.empty:
        section.notes([text.EMPTY["judgements"]], "missing")
    else:
        section.table(text.records_table("judgements", judgements))
    notes = _rows(figures, "notes", code)
    for topic, heading in NOTE_TOPICS.items():
        chosen = notes[notes["topic"] == topic]
        if len(chosen):
            section.text(heading, "subhead")
            section.notes([f"{n.note} ({text.LABELS['source'].get(n.source, n.source)}"
                           f"{', ' + n.interlocutor if n.interlocutor else ''}, {fmt_date(n.noted_on)})"
                           for n in chosen.itertuples()], "note")
    return section


def _missing(figures: LabFigures, code: str) -> Section:
    section = Section("Dati mancanti")
    statements = list(figures.completeness.set_index("lab").loc[code, "missing"]) if code in set(
        figures.completeness["lab"]) else []
    statements += [text.EMPTY[what] for what in RECORDS if _rows(figures, what, code).empty]
    return section.notes(statements, "missing") if statements else section.text("Nessun dato mancante.")


def lab_chapter(figures: LabFigures, lab: pd.Series, outputs_text) -> list[Section]:
    """The sections on one lab, in the order of the regional evaluation."""
    code = lab["code"]
    return [_context(figures, lab), _objectives(figures, code), _activities(figures, code, outputs_text),
            _comparison(figures, code), _reflections(figures, code), _missing(figures, code)]


def synthesis_sections(figures: LabFigures) -> list[Section]:
    """The comparison by ambito: the labs side by side within each ambito."""
    sections = []
    for ambito, label in AMBITO_LABELS.items():
        rows = figures.synthesis[figures.synthesis["ambito"] == ambito]
        if rows.empty:
            continue
        section = Section(f"Confronto per ambito: {label}")
        section.table(text.synthesis_table(rows.reset_index(drop=True)).drop(columns=["Ambito"]))
        sections.append(section)
    return sections
