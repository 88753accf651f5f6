"""The gestore sociale's impact report (Italian): cover, key figures with their definitions, units managed,
arrears and vacancy per intervention against the references, cases and plans, community activity, tickets,
funded projects and a methods note. One set of sections makes both the HTML and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from dashboard import impact_charts as charts
from indicators import cases, facilities, funding, track_record
from indicators.arrears import arrears_kpis
from indicators.benchmarks import benchmarks
from indicators.registry import TRACK_RECORD, TRACK_RECORD_SHARES, get_kpi
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.suppression import suppress_frame
from indicators.vacancy import vacancy
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_kpi, fmt_num, fmt_pct
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
    "vecchi (FIFO); lo sfitto è la quota di alloggi vuoti alla data di riferimento. I valori di riferimento sono quelli "
    f"pubblicati ({TRACK_RECORD}: cooperative gestori sociali, morosità 3%, sfitto 9%) o aggiunti dagli utenti. "
    "Le pratiche "
    "sono quelle aperte nel periodo, con lo stato che hanno alla data di riferimento. L'attività di comunità è quella "
    "dei Laboratori Sociali di Quartiere nei Comuni degli interventi: partecipanti e nuclei sono contatti sommati sulle "
    "attività, non persone distinte. Le segnalazioni contano nel periodo in cui sono chiuse. I progetti finanziati "
    "riportano gli importi come li pubblica l'ente finanziatore; le quote sono sull'importo ammesso. Dove un valore non "
    "si può calcolare onestamente il rapporto lo dice a parole; con la soppressione delle celle piccole, i valori "
    "calcolati su pochi nuclei sono nascosti.")


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


def _protected(engine: Engine, frame: pd.DataFrame, rs: ReportScope, by: str, section: Section) -> pd.DataFrame:
    if rs.suppress is None or frame.empty:
        return frame
    done = suppress_frame(engine, frame, threshold=rs.suppress, as_of=rs.as_of, scope=rs.scope, by=by)
    if done.any:
        section.notes([done.note], "note")
    return done.frame


def count_text(value: float | None, threshold: int | None) -> str:
    """A count of cases, written 'meno di N' below the small-cell threshold for suppressed readers."""
    if value is not None and threshold is not None and 0 < value < threshold:
        return f"meno di {threshold}"
    return fmt_int(value)


def _count(value: float | None, rs: ReportScope) -> str:
    return count_text(value, rs.suppress)


def key_figures(engine: Engine, rs: ReportScope) -> list[tuple[KpiValue, str]]:
    """The cover's figures: (value, text as printed)."""
    arrears = arrears_kpis(engine, start=rs.start, end=rs.end, scope=rs.scope)
    plans = cases.plan_recovery(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    values = [track_record.units_managed(engine, as_of=rs.as_of, scope=rs.scope),
              arrears["arrears_rate_billed"], arrears["households_in_arrears_pct"],
              vacancy(engine, as_of=rs.as_of, scope=rs.scope), plans,
              facilities.ticket_days_to_close(engine, start=rs.start, end=rs.end, scope=rs.scope),
              facilities.ticket_backlog(engine, as_of=rs.as_of, scope=rs.scope),
              facilities.ticket_cost_per_unit(engine, start=rs.start, end=rs.end, scope=rs.scope),
              funding.funding_paid_share(engine, scope=rs.scope)]
    return [(v, fmt_kpi(v.kpi.unit, v.value) if v.value is not None else "non calcolabile: " + "; ".join(v.warnings))
            for v in values]


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
    empty = vacancy(engine, as_of=rs.as_of, scope=rs.scope, by="intervention")
    frame = (arrears["arrears_rate_billed"][["group", "value"]].rename(columns={"value": "arrears"})
             .merge(arrears["households_in_arrears_pct"][["group", "value"]].rename(columns={"value": "households"}),
                    on="group", how="outer")
             .merge(empty[["group", "value"]].rename(columns={"value": "vacancy"}), on="group", how="outer"))
    frame = _protected(engine, frame, rs, "intervention", section)
    labels = {g: f"{g} · {names.get(g, '')}".rstrip(" ·") for g in frame["group"]}
    section.table(pd.DataFrame({"Intervento": [labels[g] for g in frame["group"]],
                                get_kpi("arrears_rate_billed").label: [fmt_pct(v) for v in frame["arrears"]],
                                get_kpi("households_in_arrears_pct").label: [fmt_pct(v) for v in frame["households"]],
                                get_kpi("vacancy_rate").label: [fmt_pct(v) for v in frame["vacancy"]]}),
                  numeric=tuple(get_kpi(c).label for c in ("arrears_rate_billed", "households_in_arrears_pct",
                                                           "vacancy_rate")))
    for column, code in (("arrears", "arrears_rate_billed"), ("vacancy", "vacancy_rate")):
        refs = benchmarks(engine, kpi_code=code)
        drawn = refs[refs["label"] == PREFERRED_REFERENCE] if not refs.empty else refs
        section.chart(charts.by_intervention(frame, column, labels, name=get_kpi(code).label, references=drawn))
        section.text("Riferimenti: " + "; ".join(f"{r.label} {fmt_pct(r.value)}" for r in refs.itertuples()) + ".",
                     "note")
    return section


def _cases(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Pratiche di morosità e piani di rientro")
    summary = cases.case_summary(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    tools = cases.instruments_summary(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    plan = tools.set_index("instrument").loc["piano_rientro"] if "piano_rientro" in set(tools["instrument"]) else None
    recovered = cases.plan_recovery(engine, as_of=rs.as_of, scope=rs.scope, start=rs.start, end=rs.end)
    b = summary.breakdown
    section.facts([("Pratiche aperte nel periodo", _count(sum(b.get(k, 0) for k in ("open", "closed")) or None, rs)),
                   ("Risolte (debito saldato)", _count(b.get("resolved"), rs)),
                   ("Piani di rientro firmati", _count(None if plan is None else plan["cases"], rs)),
                   ("Piani di rientro completati (pratica risolta)", _count(None if plan is None else plan["resolved"], rs)),
                   (get_kpi("plan_recovery_eur").label, fmt_eur(recovered.value))])
    return section.notes(summary.warnings + recovered.warnings)


def _community(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Attività di comunità")
    frame = track_record.community_activity(engine, start=rs.start, end=rs.end, scope=rs.scope)
    if frame.empty:
        section.notes(["Nessuna attività dei laboratori registrata nel periodo nei Comuni degli interventi."], "missing")
        frame = track_record.community_activity(engine, start=date(1900, 1, 1), end=rs.end, scope=rs.scope)
        if frame.empty:
            return section
        section.text("Tutte le attività registrate dai laboratori di quei Comuni, fino alla fine del periodo:", "note")
    return section.table(pd.DataFrame({
        "Tipo di attività": [_label(g) for g in frame["group"]], "Attività": [fmt_int(v) for v in frame["activities"]],
        "Partecipanti (presenze)": [fmt_int(v) for v in frame["participants"]],
        "Nuclei raggiunti (contatti)": [fmt_int(v) for v in frame["households_reached"]],
        "Nuclei presi in carico": [fmt_int(v) for v in frame["households_taken_in_charge"]]}),
        numeric=("Attività", "Partecipanti (presenze)", "Nuclei raggiunti (contatti)", "Nuclei presi in carico"))


def _tickets(engine: Engine, rs: ReportScope) -> Section:
    section = Section("Manutenzione: segnalazioni per categoria", new_page=True)
    summary = facilities.ticket_summary(engine, start=rs.start, end=rs.end, scope=rs.scope)
    if summary.empty:
        return section.notes(["Nessuna segnalazione negli edifici del perimetro."], "missing")
    section.table(pd.DataFrame({
        "Categoria": [_label(g) for g in summary["group"]], "Aperte": [fmt_int(v) for v in summary["opened"]],
        "Chiuse": [fmt_int(v) for v in summary["closed"]],
        "Giorni medi": [fmt_num(v, 1) for v in summary["days_mean"]],
        "Giorni mediani": [fmt_num(v, 1) for v in summary["days_median"]],
        "Aperte a fine periodo": [fmt_int(v) for v in summary["backlog"]],
        "Costo": [fmt_eur(v) for v in summary["cost"]], "Costo per alloggio": [fmt_eur(v) for v in summary["cost_per_unit"]]}),
        numeric=("Aperte", "Chiuse", "Giorni medi", "Giorni mediani", "Aperte a fine periodo", "Costo",
                 "Costo per alloggio"))
    return section.chart(charts.ticket_days(summary, {g: _label(g) for g in summary["group"]}))


def funding_section(engine: Engine, scope: Scope) -> Section:
    """Funded projects: the four amounts and the shares of the admitted (also the Progetti page's table)."""
    section = Section("Progetti finanziati")
    projects = funding.funding_projects(engine, scope=scope)
    if projects.empty:
        return section.notes(["Nessun progetto finanziato nel perimetro (file «finanziamenti»)."], "missing")
    section.table(pd.DataFrame({
        "Progetto": [f"{c} · {t}" for c, t in zip(projects["code"], projects["title"])],
        "Periodo": [f"{fmt_date(a)} – {fmt_date(b)}" for a, b in zip(projects["start_date"], projects["end_date"])],
        "Programmato": [fmt_eur(v) for v in projects["programmed"]], "Ammesso": [fmt_eur(v) for v in projects["admitted"]],
        "Impegnato": [fmt_eur(v) for v in projects["committed"]], "Erogato": [fmt_eur(v) for v in projects["paid"]],
        "Quota erogata": [fmt_pct(v) for v in projects["paid_pct"]]}),
        numeric=("Programmato", "Ammesso", "Impegnato", "Erogato", "Quota erogata"))
    return section.chart(charts.funding(projects))


def impact_sections(engine: Engine, rs: ReportScope) -> list[Section]:
    names = dict(pd.read_sql("SELECT code, name FROM intervention", engine).itertuples(index=False))
    return [_cover(engine, rs), _units(engine, rs), _per_intervention(engine, rs, names), _cases(engine, rs),
            _community(engine, rs), _tickets(engine, rs), funding_section(engine, rs.scope),
            Section("Nota metodologica").text(METHODS)]


def subtitle(rs: ReportScope) -> str:
    return f"Perimetro: {rs.label}. Periodo {fmt_date(rs.start)} – {fmt_date(rs.end)}, alla data {fmt_date(rs.as_of)}."


def impact_html(engine: Engine, rs: ReportScope) -> str:
    return render(TITLE, impact_sections(engine, rs), subtitle=subtitle(rs))


def impact_pdf(engine: Engine, rs: ReportScope) -> bytes:
    from osservatorio.reports.pdf import render_pdf

    return render_pdf(TITLE, impact_sections(engine, rs), subtitle=subtitle(rs))


