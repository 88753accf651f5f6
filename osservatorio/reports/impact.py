"""The gestore sociale's impact report (Italian): cover, key figures with their definitions, units managed,
arrears and vacancy per intervention against the references, cases and plans, community activity, tickets,
funded projects and a methods note. One set of sections makes both the HTML and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from osservatorio.charts import impact as charts
from indicators import cases, coverage, facilities, funding, targets, track_record
from indicators.arrears import arrears_kpis
from indicators.benchmarks import benchmarks
from indicators.catalog import CATALOG, PERIOD
from indicators.registry import TRACK_RECORD, TRACK_RECORD_SHARES, get_kpi
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.disclosure import (HIDDEN, HIDDEN_FLAG, TICKET_COUNTS, hidden_cells, hide_value, is_hidden, is_small,
                                   protect_frame, protect_indicator)
from indicators.vacancy import vacancy
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_kpi, fmt_num, fmt_pct
from osservatorio.reports import gestore_record as record
from osservatorio.reports.html import Section, render

TITLE = "Impatto del gestore sociale"
PREFERRED_REFERENCE = "Cooperative gestori sociali (media)"  # seed 001's sector average, drawn on the charts
CODE_NAMES = {"locazione_permanente": "Locazione permanente", "locazione_termine": "Locazione a termine",
              "proprieta_futura_vendita": "Proprietà a futura vendita", "erp_sociale": "ERP sociale",
              "erp_moderato": "ERP moderato", "altro": "Altro", "standard_full": "Standard full",
              "vuoto_per_pieno": "Vuoto per pieno", None: "Non indicato"}
METHODS = (
    "Ogni cifra chiave riporta la sua definizione, la sua fonte e il codice con cui compare nel registro degli "
    "indicatori di Osservatorio. "
    "La morosità sull'emesso è calcolata sugli addebiti scaduti nel periodo, con gli incassi imputati ai debiti più "
    "vecchi (FIFO); lo sfitto è la quota di alloggi vuoti alla data di riferimento. I valori di riferimento sono "
    f"quelli pubblicati ({TRACK_RECORD}: cooperative gestori sociali, morosità 3%, sfitto 9%) o aggiunti dagli utenti. "
    "Le pratiche "
    "sono quelle aperte nel periodo, con lo stato che hanno alla data di riferimento. L'attività di comunità del "
    "gestore è quella del suo registro, nel periodo; a parte, quella "
    "dei Laboratori Sociali di Quartiere collegati a un intervento del perimetro, attribuita al laboratorio e limitata "
    "al periodo: partecipanti e nuclei sono contatti sommati sulle attività, non persone distinte. Le segnalazioni "
    "contano nel periodo in cui sono chiuse. I progetti finanziati riportano gli importi come li pubblica l'ente "
    "finanziatore; le quote sono sull'importo ammesso. Dove un valore non si può calcolare onestamente il rapporto "
    "lo dice a parole; con la soppressione delle celle piccole, i valori calcolati su pochi nuclei sono nascosti.")


@dataclass(frozen=True)
class ReportScope:
    """What the report covers and for whom: the user's scope, dates, and the small-cell threshold (or None)."""

    scope: Scope
    start: date
    end: date
    as_of: date
    label: str = "tutto il portafoglio"
    suppress: int | None = None


SCOPE_WORDS = (("sgrs", "SGR"), ("funds", "fondo"), ("interventions", "intervento"), ("buildings", "edificio"))


def scope_label(scope: Scope) -> str:
    """'intervento INT002; fondo Fondo A' or 'tutto il portafoglio', for the cover."""
    parts = [f"{word} {', '.join(getattr(scope, level))}" for level, word in SCOPE_WORDS
             if getattr(scope, level) is not None]
    return "; ".join(parts) or "tutto il portafoglio"


def _label(code) -> str:
    return CODE_NAMES.get(code, str(code).replace("_", " ").capitalize())


def _protected(engine: Engine, frame: pd.DataFrame, rs: ReportScope, by: str, section: Section, *,
               code: str) -> pd.DataFrame:
    if rs.suppress is None or frame.empty:
        return frame
    done, note = protect_indicator(engine, code, frame, threshold=rs.suppress, as_of=rs.as_of, scope=rs.scope, by=by)
    if note and not any(note in str(block) for block in section.blocks):
        section.notes([note], "note")
    return done


def count_text(value: float | None, threshold: int | None) -> str:
    """A count of cases, written 'meno di N' below the small-cell threshold for suppressed readers."""
    if value is not None and threshold is not None and 0 < value < threshold:
        return f"meno di {threshold}"
    return fmt_int(value)


def _count(value: float | None, rs: ReportScope) -> str:
    return count_text(value, rs.suppress)


def _shown(engine: Engine, value: KpiValue, rs: ReportScope) -> KpiValue:
    """A figure as the report's reader may see it (`indicators.disclosure`)."""
    if rs.suppress is None:
        return value
    return protect_indicator(engine, value.code, value, threshold=rs.suppress, as_of=rs.as_of, scope=rs.scope)[0]


def _text(value: KpiValue) -> str:
    if is_hidden(value):
        return f"{HIDDEN} ({value.warnings[-1].rstrip('.')})"
    if value.value is not None:
        return fmt_kpi(value.kpi.unit, value.value)
    return ("" if value.no_data else "non calcolabile: ") + "; ".join(value.warnings)


def key_figures(engine: Engine, rs: ReportScope) -> list[tuple[KpiValue, str]]:
    """The cover's figures: (value, text as printed), hidden where the reader's small-cell rule says so."""
    arrears = arrears_kpis(engine, start=rs.start, end=rs.end, scope=rs.scope)
    plans = cases.plan_recovery(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    values = [track_record.units_managed(engine, as_of=rs.as_of, scope=rs.scope),
              arrears["arrears_rate_billed"], arrears["households_in_arrears_pct"],
              vacancy(engine, as_of=rs.as_of, scope=rs.scope), plans,
              facilities.ticket_days_to_close(engine, start=rs.start, end=rs.end, scope=rs.scope),
              facilities.ticket_backlog(engine, as_of=rs.as_of, scope=rs.scope),
              facilities.ticket_cost_per_unit(engine, start=rs.start, end=rs.end, scope=rs.scope),
              funding.funding_paid_share(engine, scope=rs.scope)]
    values = [_shown(engine, _covered(engine, v, rs), rs) for v in values]
    return [(v, _text(v)) for v in values]


def _covered(engine: Engine, value: KpiValue, rs: ReportScope) -> KpiValue:
    """A figure asked outside the dates its data covers is "nessun dato per il periodo", never a zero."""
    period = value.code in CATALOG and CATALOG[value.code].style == PERIOD
    return coverage.checked(engine, value, **({"start": rs.start, "end": rs.end} if period else {"as_of": rs.as_of}))


def _cover(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Cifre chiave")
    section.facts([("Perimetro", rs.label), ("Periodo", f"{fmt_date(rs.start)} – {fmt_date(rs.end)}"),
                   ("Data di riferimento", fmt_date(rs.as_of))])
    rows = [(v.kpi.label, text, f"{v.kpi.formula} Fonte: {v.kpi.source}. ({v.code})")
            for v, text in key_figures(engine, rs)]
    return section.table(pd.DataFrame(rows, columns=["Indicatore", "Valore", "Definizione"]), numeric=("Valore",))


def _units(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Alloggi gestiti per regime e per tipo di contratto del gestore")
    for by, heading in (("tenure", "Regime"), ("contract_type", "Tipo di contratto del gestore")):
        frame = track_record.units_managed(engine, as_of=rs.as_of, scope=rs.scope, by=by)
        assert isinstance(frame, pd.DataFrame), "grouped: one row per group"
        if frame.empty:
            section.notes(["Nessun alloggio in gestione nel perimetro alla data."], "missing")
            return section
        section.table(pd.DataFrame({heading: [_label(g) for g in frame["group"]],
                                    "Alloggi": [fmt_int(v) for v in frame["value"]],
                                    "Quota": [fmt_pct(v) for v in frame["share"]]}), numeric=("Alloggi", "Quota"))
        section.chart(charts.shares(frame, CODE_NAMES, name=f"Alloggi per {heading.lower()}"))
    return section.text(TRACK_RECORD_SHARES, "note")


def _per_intervention(engine: Engine, rs: ReportScope, names: dict) -> Section:
    section = Section("Morosità e sfitto per intervento, rispetto ai riferimenti", new_page=True)
    arrears = arrears_kpis(engine, start=rs.start, end=rs.end, scope=rs.scope, by="intervention")
    parts = {"arrears": ("arrears_rate_billed", arrears["arrears_rate_billed"]),
             "households": ("households_in_arrears_pct", arrears["households_in_arrears_pct"]),
             "vacancy": ("vacancy_rate", vacancy(engine, as_of=rs.as_of, scope=rs.scope, by="intervention"))}
    frame: pd.DataFrame | None = None
    for name, (code, part) in parts.items():
        part = _protected(engine, part, rs, "intervention", section, code=code)
        part = part[["group", "value", *[c for c in part.columns if c == "value" + HIDDEN_FLAG]]].rename(
            columns={"value": name, "value" + HIDDEN_FLAG: name + HIDDEN_FLAG})
        frame = part if frame is None else frame.merge(part, on="group", how="outer")
    assert frame is not None
    labels = {g: f"{g} · {names.get(g, '')}".rstrip(" ·") for g in frame["group"]}
    pct = lambda column: [HIDDEN if h else fmt_pct(v)  # noqa: E731
                          for v, h in zip(frame[column], hidden_cells(frame, column))]
    section.table(pd.DataFrame({"Intervento": [labels[g] for g in frame["group"]],
                                get_kpi("arrears_rate_billed").label: pct("arrears"),
                                get_kpi("households_in_arrears_pct").label: pct("households"),
                                get_kpi("vacancy_rate").label: pct("vacancy")}),
                  numeric=tuple(get_kpi(c).label for c in ("arrears_rate_billed", "households_in_arrears_pct",
                                                           "vacancy_rate")))
    for column, code in (("arrears", "arrears_rate_billed"), ("vacancy", "vacancy_rate")):
        refs = benchmarks(engine, kpi_code=code)
        drawn = refs[refs["label"] == PREFERRED_REFERENCE] if not refs.empty else refs
        goals = targets.drawn(engine, code, scope=rs.scope, per_intervention=True)
        section.chart(charts.by_intervention(frame, column, labels, name=get_kpi(code).label, references=drawn,
                                             targets=goals))
        section.text("Riferimenti: " + "; ".join(f"{r.label} {fmt_pct(r.value)}" for r in refs.itertuples()) + ".",
                     "note")
    return section


def _cases(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Pratiche di morosità e piani di rientro")
    summary = cases.case_summary(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    tools = cases.instruments_summary(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    plan = tools.set_index("instrument").loc["piano_rientro"] if "piano_rientro" in set(tools["instrument"]) else None
    recovered = _shown(engine, cases.plan_recovery(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start,
                                                   end=rs.end), rs)
    if rs.suppress is not None and plan is not None and is_small(plan["cases"], rs.suppress):
        recovered = hide_value(recovered, threshold=rs.suppress)  # money recovered from few plans is theirs
    b = summary.breakdown
    section.facts([("Pratiche aperte nel periodo", _count(sum(b.get(k) or 0 for k in ("open", "closed")) or None, rs)),
                   ("Risolte (debito saldato)", _count(b.get("resolved"), rs)),
                   ("Piani di rientro firmati", _count(None if plan is None else plan["cases"], rs)),
                   ("Piani di rientro completati (pratica risolta)",
                    _count(None if plan is None else plan["resolved"], rs)),
                   (get_kpi("plan_recovery_eur").label, HIDDEN if is_hidden(recovered) else fmt_eur(recovered.value))])
    return section.notes(summary.warnings + recovered.warnings)


def _community(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Attività dei laboratori collegati agli interventi")
    labs = track_record.community_labs(engine, scope=rs.scope)
    if labs.empty:
        return section.notes(["Nessun laboratorio collegato agli interventi del perimetro: "
                              f"{track_record.NO_COMMUNITY_ACTIVITY}."], "missing")
    frame = track_record.community_activity(engine, start=rs.start, end=rs.end, scope=rs.scope)
    for lab in labs.itertuples(index=False):
        rows = frame[frame["lab"] == lab.code]
        section.text(f"{track_record.community_heading(lab.title)} (intervento {lab.intervention_code} · "
                     f"{lab.intervention_name}), dal {fmt_date(rs.start)} al {fmt_date(rs.end)}:")
        if rows.empty:
            section.notes([f"Nel periodo: {track_record.NO_COMMUNITY_ACTIVITY}."], "missing")
            continue
        section.table(pd.DataFrame({
            "Tipo di attività": [_label(g) for g in rows["group"]],
            "Attività": [fmt_int(v) for v in rows["activities"]],
            "Partecipanti (presenze)": [fmt_int(v) for v in rows["participants"]],
            "Nuclei raggiunti (contatti)": [fmt_int(v) for v in rows["households_reached"]],
            "Nuclei presi in carico": [fmt_int(v) for v in rows["households_taken_in_charge"]]}),
            numeric=("Attività", "Partecipanti (presenze)", "Nuclei raggiunti (contatti)", "Nuclei presi in carico"))
    return section


def _tickets(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Manutenzione: segnalazioni per categoria", new_page=True)
    summary = facilities.ticket_summary(engine, start=rs.start, end=rs.end, scope=rs.scope)
    if summary.empty:
        return section.notes(["Nessuna segnalazione negli edifici del perimetro."], "missing")
    if rs.suppress is not None:
        done = protect_frame(summary, threshold=rs.suppress, count_columns=TICKET_COUNTS)
        summary = done.frame
        if done.any:
            section.notes([done.note], "note")

    def shown(column: str, fmt) -> list[str]:
        return [HIDDEN if h else fmt(v) for v, h in zip(summary[column], hidden_cells(summary, column))]

    section.table(pd.DataFrame({
        "Categoria": [_label(g) for g in summary["group"]], "Aperte": shown("opened", fmt_int),
        "Chiuse": shown("closed", fmt_int), "Giorni medi": shown("days_mean", lambda v: fmt_num(v, 1)),
        "Giorni mediani": shown("days_median", lambda v: fmt_num(v, 1)),
        "Aperte a fine periodo": shown("backlog", fmt_int),
        "Costo": shown("cost", fmt_eur), "Costo per alloggio": shown("cost_per_unit", fmt_eur)}),
        numeric=("Aperte", "Chiuse", "Giorni medi", "Giorni mediani", "Aperte a fine periodo", "Costo",
                 "Costo per alloggio"))
    return section.chart(charts.ticket_days(summary, {g: _label(g) for g in summary["group"]},
                                            targets=targets.drawn(engine, "ticket_days_to_close", scope=rs.scope)))


def funding_section(engine: Engine, scope: Scope) -> Section:
    """Funded projects: the four amounts and the shares of the admitted (also the Progetti page's table)."""
    section = Section("Progetti finanziati")
    projects = funding.funding_projects(engine, scope=scope)
    if projects.empty:
        return section.notes(["Nessun progetto finanziato nel perimetro (file «finanziamenti»)."], "missing")
    section.table(pd.DataFrame({
        "Progetto": [f"{c} · {t}" for c, t in zip(projects["code"], projects["title"])],
        "Periodo": [f"{fmt_date(a)} – {fmt_date(b)}" for a, b in zip(projects["start_date"], projects["end_date"])],
        "Programmato": [fmt_eur(v) for v in projects["programmed"]],
        "Ammesso": [fmt_eur(v) for v in projects["admitted"]],
        "Impegnato": [fmt_eur(v) for v in projects["committed"]], "Erogato": [fmt_eur(v) for v in projects["paid"]],
        "Quota erogata": [fmt_pct(v) for v in projects["paid_pct"]],
        "Stato": [funding.STATUS_LABELS[s] for s in projects["status"]]}),
        numeric=("Programmato", "Ammesso", "Impegnato", "Erogato", "Quota erogata"))
    stalled = funding.funding_stalled(engine, as_of=date.today(), scope=scope).warnings
    if stalled and projects["stalled"].any():
        section.notes(stalled)
    return section.chart(charts.funding(projects))


def impact_sections(engine: Engine, rs: ReportScope) -> list[Section]:
    names = dict(pd.read_sql("SELECT code, name FROM intervention", engine).itertuples(index=False))
    return [_cover(engine, rs), _units(engine, rs), _per_intervention(engine, rs, names), _cases(engine, rs),
            record.community_section(engine, rs, names), _community(engine, rs), _tickets(engine, rs),
            record.quality_section(engine, rs), record.pipeline_and_mix_section(engine, rs, names),
            funding_section(engine, rs.scope), Section("Nota metodologica").text(METHODS)]


def subtitle(rs: ReportScope) -> str:
    return f"Perimetro: {rs.label}. Periodo {fmt_date(rs.start)} – {fmt_date(rs.end)}, alla data {fmt_date(rs.as_of)}."


def impact_html(engine: Engine, rs: ReportScope) -> str:
    return render(TITLE, impact_sections(engine, rs), subtitle=subtitle(rs))


def impact_pdf(engine: Engine, rs: ReportScope) -> bytes:
    from osservatorio.reports.pdf import render_pdf

    return render_pdf(TITLE, impact_sections(engine, rs), subtitle=subtitle(rs))


