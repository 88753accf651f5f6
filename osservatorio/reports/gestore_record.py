"""Sections of the impact report about the gestore's own record: its community register (per intervention, per
type and year on year), service levels by urgency and supplier, leases ending and the tenant mix per intervention.
Small cells are hidden for suppressed readers, as in the rest of the report."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from indicators import community, lease_pipeline, service_levels, targets, tenant_mix
from indicators.disclosure import HIDDEN, hidden_cells, protect_frame
from indicators.registry import get_kpi
from indicators.suppression import households_by
from indicators.disclosure import households_for
from osservatorio.charts.community import activities_by_year
from osservatorio.charts.impact import within_target
from osservatorio.formatting import fmt_eur, fmt_int, fmt_num, fmt_pct
from osservatorio.kpi_labels import code_name
from osservatorio.reports.html import Section

NO_REGISTER = "Nessuna attività di comunità del gestore registrata nel perimetro nel periodo."
QUALITY_COUNTS = ("closed", "with_target", "within_target", "repeats", "reopened")


def _cells(frame: pd.DataFrame, column: str, fmt: Callable) -> list[str]:
    return [HIDDEN if h else fmt(v) for v, h in zip(frame[column], hidden_cells(frame, column))]


def _protected(section: Section, frame: pd.DataFrame, rs, **kw) -> pd.DataFrame:
    if rs.suppress is None or frame.empty:
        return frame
    done = protect_frame(frame, threshold=rs.suppress, **kw)
    if done.any and done.note not in [str(b) for b in section.blocks]:
        section.notes([done.note], "note")
    return done.frame


def _pct_change(v) -> str:
    return "—" if v is None or pd.isna(v) else fmt_pct(v)


def community_section(engine: Engine, rs, names: dict) -> Section:
    """The register's activities in the report's period and scope, exactly those: per intervention and type, then
    year by year with the change from the year before."""
    section = Section("Attività di comunità del gestore", new_page=True)
    per_int = community.community_register(engine, start=rs.start, end=rs.end, scope=rs.scope, by="intervention")
    if per_int.empty:
        return section.notes([NO_REGISTER], "missing")
    label = {g: f"{g} · {names.get(g, '')}".rstrip(" ·") for g in per_int["group"]}

    def measures(frame: pd.DataFrame) -> dict:
        return {"Attività": [fmt_int(v) for v in frame["activities"]],
                "Partecipanti (presenze)": [fmt_int(v) for v in frame["participants"]],
                "Nuclei raggiunti (contatti)": [fmt_int(v) for v in frame["households_reached"]],
                "Ore": [fmt_num(v, 1) for v in frame["hours"]]}

    numeric = ("Attività", "Partecipanti (presenze)", "Nuclei raggiunti (contatti)", "Ore")
    section.text(f"Dal registro del gestore sociale, dal {rs.start:%d/%m/%Y} al {rs.end:%d/%m/%Y}: "
                 f"{get_kpi('community_activities').formula}")
    section.table(pd.DataFrame({"Intervento": [label[g] for g in per_int["group"]], **measures(per_int)}),
                  numeric=numeric)
    kinds = community.community_register(engine, start=rs.start, end=rs.end, scope=rs.scope, by="activity_type")
    section.table(pd.DataFrame({"Tipo di attività": [code_name(g) for g in kinds["group"]], **measures(kinds)}),
                  numeric=numeric)
    years = community.community_years(engine, first_year=rs.start.year, last_year=rs.end.year, scope=rs.scope)
    years = years[years["group"].isin(per_int["group"])]
    if years["year"].nunique() > 1:
        section.table(pd.DataFrame({
            "Intervento": [label.get(g, g) for g in years["group"]], "Anno": [str(y) for y in years["year"]],
            **measures(years), "Variazione attività": [_pct_change(v) for v in years["activities_change_pct"]],
            "Variazione partecipanti": [_pct_change(v) for v in years["participants_change_pct"]]}),
            numeric=(*numeric, "Variazione attività", "Variazione partecipanti"))
        section.chart(activities_by_year(years, label))
    return section.text("Partecipanti e nuclei sono contatti sommati sulle attività, non persone distinte; la "
                        "variazione è sull'anno prima (anni parziali ai bordi del periodo).", "note")


def quality_section(engine: Engine, rs) -> Section:
    section = Section("Qualità della manutenzione: obiettivi per urgenza e fornitori")
    urgency = service_levels.ticket_quality(engine, start=rs.start, end=rs.end, scope=rs.scope, by="urgency")
    if urgency.empty:
        return section.notes(["Nessuna segnalazione chiusa nel periodo negli edifici del perimetro."], "missing")
    urgency = _protected(section, urgency, rs, count_columns=QUALITY_COUNTS)
    section.table(pd.DataFrame({
        "Urgenza": [code_name(g) if g else "Non indicata" for g in urgency["group"]],
        "Obiettivo (giorni)": [fmt_int(v) for v in urgency["target_days"]],
        "Chiuse": _cells(urgency, "closed", fmt_int),
        get_kpi("ticket_within_target_pct").label: _cells(urgency, "within_target_pct", fmt_pct),
        get_kpi("ticket_repeat_pct").label: _cells(urgency, "repeat_pct", fmt_pct)}),
        numeric=("Obiettivo (giorni)", "Chiuse", get_kpi("ticket_within_target_pct").label,
                 get_kpi("ticket_repeat_pct").label))
    if urgency["within_target_pct"].notna().any():
        section.chart(within_target(urgency, {g: code_name(g) for g in urgency["group"] if g},
                                    targets=targets.drawn(engine, "ticket_within_target_pct", scope=rs.scope)))
    suppliers = _protected(section, service_levels.supplier_performance(engine, start=rs.start, end=rs.end,
                                                                         scope=rs.scope), rs,
                           count_columns=QUALITY_COUNTS)
    section.table(pd.DataFrame({
        "Fornitore": [g or "Non indicato" for g in suppliers["group"]],
        "Chiuse": _cells(suppliers, "closed", fmt_int), "Costo": _cells(suppliers, "cost", fmt_eur),
        "Costo medio": _cells(suppliers, "cost_mean", fmt_eur),
        "Giorni medi": _cells(suppliers, "days_mean", lambda v: fmt_num(v, 1)),
        "Entro l'obiettivo": _cells(suppliers, "within_target_pct", fmt_pct),
        "Ripetute (90 gg)": _cells(suppliers, "repeat_pct", fmt_pct),
        "Riaperte (30 gg)": _cells(suppliers, "reopened_pct", fmt_pct)}),
        numeric=("Chiuse", "Costo", "Costo medio", "Giorni medi", "Entro l'obiettivo", "Ripetute (90 gg)",
                 "Riaperte (30 gg)"))
    return section.text(get_kpi("ticket_within_target_pct").source + ".", "note")


def pipeline_and_mix_section(engine: Engine, rs, names: dict) -> Section:
    section = Section("Contratti in scadenza, nuclei residenti e sostenibilità dei canoni")
    groups = households_by(engine, as_of=rs.as_of, scope=rs.scope, by="intervention") if rs.suppress else None
    pipeline = lease_pipeline.lease_pipeline(engine, as_of=rs.as_of, scope=rs.scope, by="intervention")
    pipeline = _protected(section, pipeline, rs, code="leases_ending", households=households_for(pipeline, groups))
    if pipeline.empty:
        section.notes(["Nessun contratto in scadenza nei 12 mesi dopo la data di riferimento."], "missing")
    else:
        section.table(pd.DataFrame({
            "Intervento": [f"{g} · {names.get(g, '')}".rstrip(" ·") for g in pipeline["group"]],
            "Entro 3 mesi": _cells(pipeline, "ending_3", fmt_int),
            "Entro 6 mesi": _cells(pipeline, "ending_6", fmt_int),
            "Entro 12 mesi": _cells(pipeline, "ending_12", fmt_int),
            "Rilocazioni attese": _cells(pipeline, "expected_relets", fmt_int),
            get_kpi("void_loss_risk_eur").label: _cells(pipeline, "void_loss_risk", fmt_eur)}),
            numeric=("Entro 3 mesi", "Entro 6 mesi", "Entro 12 mesi", "Rilocazioni attese",
                     get_kpi("void_loss_risk_eur").label))
    mix = tenant_mix.tenant_mix(engine, as_of=rs.as_of, scope=rs.scope, by="intervention")
    mix = _protected(section, mix, rs, count_columns=("households", "social_services", "with_employed",
                                                      "income_known", "over_burden"),
                     households=households_for(mix, groups))
    if not mix.empty:
        section.table(pd.DataFrame({
            "Intervento": [f"{g} · {names.get(g, '')}".rstrip(" ·") for g in mix["group"]],
            "Nuclei": _cells(mix, "households", fmt_int),
            "Componenti medi": _cells(mix, "members_mean", lambda v: fmt_num(v, 2)),
            "In carico ai servizi sociali": _cells(mix, "social_services_pct", fmt_pct),
            "Con un occupato": _cells(mix, "with_employed_pct", fmt_pct),
            "Incidenza mediana": _cells(mix, "burden_median", fmt_pct),
            "Oltre il 30%": _cells(mix, "over_burden_pct", fmt_pct),
            "Canone al m²": _cells(mix, "rent_per_m2", fmt_eur)}),
            numeric=("Nuclei", "Componenti medi", "In carico ai servizi sociali", "Con un occupato",
                     "Incidenza mediana", "Oltre il 30%", "Canone al m²"))
    return section.text(f"{get_kpi('households_over_burden_pct').formula} Fonte: "
                        f"{get_kpi('households_over_burden_pct').source}.", "note")
