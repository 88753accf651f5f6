"""Sections of the Impatto page about the gestore's own record: its community register, facility quality by
urgency and supplier, the tenancy pipeline and the tenant mix. Each draws figures computed in `indicators/`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import economics_data as ed
from dashboard import filters, tiles
from dashboard import gestore_data as gd
from dashboard import monitoring_data as md
from dashboard.privacy import protect
from dashboard.tables import Col, code_label, kpi_col, show_table
from indicators.tenant_mix import BANDS, BURDEN_THRESHOLD_PCT
from osservatorio.charts.community import activities_by_year
from osservatorio.charts.impact import within_target
from osservatorio.exports import DATE, DAYS, EUR, INT, NUM, PCT, YES_NO

COMMUNITY_TILES = ("community_activities", "community_participants", "community_households_reached",
                   "community_hours")
QUALITY_TILES = ("ticket_within_target_pct", "ticket_backlog_over_target", "ticket_repeat_pct", "ticket_reopened_pct",
                 "ticket_cost_mean_eur")
QUALITY_COUNTS = ("closed", "with_target", "within_target", "repeats", "reopened")
PIPELINE_TILES = ("leases_ending", "void_loss_risk_eur", "units_coming_free")
MIX_TILES = ("tenant_households", "household_members_mean", "households_social_services_pct",
             "households_with_employed_pct", "rent_burden_median_pct", "households_over_burden_pct", "rent_per_m2_eur")
MIX_COUNTS = ("households", *BANDS, "band_unknown", "social_services", "with_employed", "income_known", "over_burden")
NO_REGISTER = ("Nessuna attività di comunità del gestore registrata nel perimetro e nel periodo: caricare il file "
               "«attivita_comunita» (intervento, data, tipo di attività, partecipanti, nuclei raggiunti, ore, "
               "partner).")


def _tiles(codes: tuple[str, ...], f: filters.Filters, per_row: int = 4) -> None:
    for start in range(0, len(codes), per_row):
        for col, code in zip(st.columns(per_row), codes[start:start + per_row]):
            with col:
                tiles.kpi_tile(code, f, references=False)


def community_register(f: filters.Filters) -> None:
    st.subheader("Attività di comunità del gestore")
    st.caption("Il registro del gestore sociale (file «attivita_comunita»): accoglienza, spazi comuni, assemblee, "
               "mediazione, socializzazione, regolamenti, accompagnamento, portierato. Partecipanti e nuclei sono "
               "contatti sommati sulle attività; la variazione dei riquadri è sull'anno prima.")
    _tiles(COMMUNITY_TILES, f)
    kinds = gd.community_register(start=f.start, end=f.end, scope=f.scope, by="activity_type")
    if kinds.empty:
        st.info(NO_REGISTER, icon=":material/info:")
        return
    measures = [kpi_col("activities", "community_activities", "Attività"),
                kpi_col("participants", "community_participants", "Partecipanti"),
                kpi_col("households_reached", "community_households_reached", "Nuclei raggiunti"),
                kpi_col("hours", "community_hours", "Ore")]
    left, right = st.columns(2)
    with left:
        per_int = gd.community_register(start=f.start, end=f.end, scope=f.scope, by="intervention")
        show_table(per_int, [Col("group", "Intervento", labels={g: f.intervention_label(g) for g in per_int["group"]}),
                             *measures], name="comunita_per_intervento", key="imp_comm_int", empty=NO_REGISTER)
    with right:
        show_table(kinds, [Col("group", "Tipo", labels={g: code_label(g) for g in kinds["group"]}),
                           *measures], name="comunita_per_tipo", key="imp_comm_type", empty=NO_REGISTER)
    years = gd.community_years(first_year=f.first_day.year, last_year=f.end.year, scope=f.scope)
    if not years.empty:
        labels = {g: f.intervention_label(g) for g in years["group"].unique()}
        st.plotly_chart(activities_by_year(years, labels), width="stretch", key="imp_comm_chart")
        show_table(years, [Col("group", "Intervento", labels=labels), Col("year", "Anno"),
                           *measures, Col("activities_change", "Variazione attività", INT),
                           Col("activities_change_pct", "Variazione attività (%)", PCT),
                           Col("participants_change_pct", "Variazione partecipanti (%)", PCT)],
                   name="comunita_per_anno", key="imp_comm_years", empty=NO_REGISTER)


def facility_quality(f: filters.Filters) -> None:
    st.subheader("Qualità della manutenzione: livelli di servizio e fornitori")
    _tiles(QUALITY_TILES, f, per_row=5)
    urgency = protect(gd.ticket_quality(start=f.start, end=f.end, scope=f.scope, by="urgency"), f,
                      counts=QUALITY_COUNTS)
    quality = [Col("closed", "Chiuse", INT),
               kpi_col("within_target_pct", "ticket_within_target_pct", "Entro l'obiettivo"),
               Col("days_mean", "Giorni medi", DAYS), kpi_col("repeat_pct", "ticket_repeat_pct", "Ripetute (90 gg)"),
               kpi_col("reopened_pct", "ticket_reopened_pct", "Riaperte (30 gg)")]
    show_table(urgency, [Col("group", "Urgenza", labels={None: "Non indicata"} | {g: code_label(g) for g in
                                                                              urgency["group"] if g}),
                         Col("target_days", "Obiettivo (giorni)", INT), *quality],
               name="segnalazioni_per_urgenza", key="imp_sla", empty="Nessuna segnalazione chiusa nel periodo.")
    if urgency["within_target_pct"].notna().any():
        st.plotly_chart(within_target(urgency, {g: code_label(g) for g in urgency["group"] if g},
                                      targets=ed.drawn_targets("ticket_within_target_pct", scope=f.scope)),
                        width="stretch", key="imp_sla_chart")
    left, right = st.columns([1, 2])
    with left:
        ages = protect(gd.backlog_by_age(as_of=f.as_of, scope=f.scope), f, code="ticket_backlog_age")
        show_table(ages, [Col("bucket", "Aperte da"), kpi_col("tickets", "ticket_backlog_age", "Segnalazioni"),
                          kpi_col("over_target", "ticket_backlog_over_target", "Oltre l'obiettivo")],
                   name="segnalazioni_aperte_per_anzianita", key="imp_backlog_age", empty="Nessuna segnalazione.")
    with right:
        suppliers = protect(gd.supplier_performance(start=f.start, end=f.end, scope=f.scope), f,
                            counts=QUALITY_COUNTS)
        show_table(suppliers, [Col("group", "Fornitore", labels={None: "Non indicato"}), *quality[:2],
                               Col("cost", "Costo", EUR), kpi_col("cost_mean", "ticket_cost_mean_eur", "Costo medio"),
                               *quality[2:]],
                   name="fornitori", key="imp_suppliers", empty="Nessuna segnalazione chiusa nel periodo.")


def tenancy_pipeline(f: filters.Filters) -> None:
    st.subheader("Contratti in scadenza e rilocazioni attese")
    _tiles(PIPELINE_TILES, f, per_row=3)
    frame = protect(gd.lease_pipeline_frame(as_of=f.as_of, scope=f.scope, by="intervention"), f, by="intervention",
                    code="leases_ending")
    show_table(frame, [Col("group", "Intervento", labels={g: f.intervention_label(g) for g in frame["group"]}),
                       Col("ending_3", "Entro 3 mesi", INT), Col("ending_6", "Entro 6 mesi", INT),
                       kpi_col("ending_12", "leases_ending", "Entro 12 mesi"),
                       Col("expected_relets", "Rilocazioni attese", INT), Col("rent_at_risk", "Canone mensile", EUR),
                       Col("relet_days_mean", "Giorni di rilocazione (storico)", DAYS),
                       kpi_col("void_loss_risk", "void_loss_risk_eur", "Mancato canone a rischio")],
               name="scadenze_per_intervento", key="imp_pipeline",
               empty="Nessun contratto in scadenza nei 12 mesi dopo la data di riferimento.")
    if f.contract_rows:
        free = gd.units_coming_free(as_of=f.as_of, scope=f.scope)
        free = free.assign(lettable=[YES_NO.get(bool(v), "no") for v in free["lettable"]])  # as the CSV writes it
        with st.expander(f"Alloggi che si liberano nei prossimi 12 mesi ({len(free)}), per l'offerta di assegnazione"):
            show_table(free, [Col("unit_code", "Alloggio"), Col("building_code", "Edificio"),
                              Col("intervention_code", "Intervento"), Col("end_date", "Fine contratto", DATE),
                              Col("monthly_rent", "Canone mensile", EUR), Col("floor_area_m2", "Superficie (m²)", NUM),
                              Col("rooms", "Vani", NUM), Col("lettable", "Da rilocare")],
                       name="alloggi_in_liberazione", key="imp_free_units", empty="Nessun alloggio si libera.")


def mix(f: filters.Filters) -> None:
    st.subheader("Nuclei residenti e sostenibilità dei canoni")
    st.caption(f"Incidenza di canone e spese sul reddito annuo del nucleo, rispetto alla soglia di sostenibilità "
               f"del {BURDEN_THRESHOLD_PCT:.0f}%.")
    _tiles(MIX_TILES, f)
    by = "building" if f.contract_rows else "intervention"
    frame = protect(gd.tenant_mix_frame(as_of=f.as_of, scope=f.scope, by=by), f, by=by, counts=MIX_COUNTS)
    labels = ({g: f.intervention_label(g) for g in frame["group"]} if by == "intervention" else
              {g: f"{g} · {f.building_addresses.get(g, '')}".rstrip(" ·") for g in frame["group"]})
    show_table(frame, [Col("group", "Edificio" if by == "building" else "Intervento", labels=labels),
                       kpi_col("households", "tenant_households", "Nuclei"),
                       kpi_col("members_mean", "household_members_mean", "Componenti medi"),
                       *[Col(b, f"Fascia {b}", INT) for b in BANDS],
                       kpi_col("social_services_pct", "households_social_services_pct", "In carico ai servizi"),
                       kpi_col("with_employed_pct", "households_with_employed_pct", "Con un occupato"),
                       kpi_col("burden_median", "rent_burden_median_pct", "Incidenza mediana"),
                       kpi_col("over_burden_pct", "households_over_burden_pct", "Oltre il 30%"),
                       kpi_col("rent_per_m2", "rent_per_m2_eur", "Canone al m²")],
               name=f"nuclei_per_{'edificio' if by == 'building' else 'intervento'}", key="imp_mix",
               empty="Nessun nucleo con contratto attivo alla data.")
    bands = md.kpi("tenant_households", as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, by="income_band",
                   suppress=f.suppress)
    assert isinstance(bands, pd.DataFrame), "grouped: one row per income band"
    show_table(bands, [Col("group", "Fascia", labels={None: "Non indicata"} | {g: code_label(g) for g in
                                                                             bands["group"] if g}),
                       kpi_col("value", "tenant_households", "Nuclei"),
                       kpi_col("burden_median", "rent_burden_median_pct", "Incidenza mediana"),
                       kpi_col("over_burden_pct", "households_over_burden_pct", "Oltre il 30%")],
               name="nuclei_per_fascia", key="imp_mix_bands", empty="Nessun nucleo con contratto attivo alla data.")
