"""Italian names for what `osservatorio kpi` prints as a table: columns, breakdown entries and coded values.

The indicators return English field names (or Italian snake_case ones); the table shows these names, JSON and
CSV keep the field names, which scripts rely on.
"""

from __future__ import annotations

from indicators.catalog import GROUPING_LABELS

NAMES = {
    "year": "anno", "group": "gruppo", "value": "valore", "numerator": "numeratore", "denominator": "denominatore",
    "bucket": "fascia di anzianità", "amount": "importo (€)", "contracts": "contratti", "units": "alloggi",
    "interventions": "interventi", "share": "quota (%)", "opened": "aperte", "closed": "chiuse",
    "days_mean": "giorni (media)", "days_median": "giorni (mediana)", "median": "mediana",
    "backlog": "aperte alla data",
    "cost": "costo (€)", "cost_per_unit": "costo per alloggio (€)", "total_days": "giorni (somma)",
    "empty_available": "vuoti locabili", "empty_unavailable": "vuoti non disponibili", "no_rent": "senza canone",
    "open": "aperte", "late": "in ritardo", "resolved": "risolte", "no_fault": "incolpevoli", "culpable": "colpevoli",
    "not_assessed": "non valutate", "received": "ricevute", "eligible": "idonee", "allocated": "assegnate",
    "renounced": "rinunce", "rejected": "non idonee", "pending": "in istruttoria", "allocated_pct": "assegnate (%)",
    "allocations": "assegnazioni", "validated": "convalidati", "comuni": "Comuni", "planned": "pianificato (€)",
    "plans": "piani di rientro",
    # economics of each intervention and the performance index (`indicators.economics`, `indicators.performance`)
    "rent_billed": "canoni addebitati (€)", "charges_billed": "spese addebitate (€)", "billed": "addebitato (€)",
    "collected": "incassato (€)", "arrears_loss": "perdita attesa da morosità (€)",
    "void_loss": "mancato canone da sfitto (€)", "costs": "costi (€)", "margin": "margine (€)",
    "margin_pct": "margine (%)", "arrears_rate_billed": "morosità sull'emesso (%)", "vacancy_rate": "sfitto (%)",
    # facility quality, tenancy pipeline, tenant mix, community register
    "with_target": "chiuse con urgenza", "within_target": "entro l'obiettivo",
    "within_target_pct": "entro l'obiettivo (%)", "target_days": "obiettivo (giorni)", "cost_mean": "costo medio (€)",
    "repeats": "ripetute entro 90 giorni", "repeat_pct": "ripetute (%)", "reopened": "riaperte entro 30 giorni",
    "reopened_pct": "riaperte (%)", "tickets": "segnalazioni", "over_target": "oltre l'obiettivo",
    "ending_3": "in scadenza entro 3 mesi", "ending_6": "entro 6 mesi", "ending_12": "entro 12 mesi",
    "expected_relets": "rilocazioni attese", "rent_at_risk": "canone mensile in gioco (€)",
    "relet_days_mean": "giorni di rilocazione (storico)", "void_loss_risk": "mancato canone a rischio (€)",
    "households": "nuclei", "members_mean": "componenti medi", "band_unknown": "fascia non indicata",
    "social_services": "in carico ai servizi sociali", "social_services_pct": "in carico ai servizi sociali (%)",
    "with_employed": "con almeno un occupato", "with_employed_pct": "con almeno un occupato (%)",
    "income_known": "con reddito noto", "burden_median": "incidenza mediana (%)",
    "over_burden": "oltre il 30%", "over_burden_pct": "oltre il 30% (%)", "rent": "canoni mensili (€)",
    "area": "superficie (m²)", "rent_per_m2": "canone al m² (€)", "activities": "attività",
    "participants": "partecipanti", "households_reached": "nuclei raggiunti", "hours": "ore",
}
CODES = {
    "locazione_permanente": "Locazione permanente", "locazione_termine": "Locazione a termine",
    "proprieta_futura_vendita": "Proprietà a futura vendita", "erp_sociale": "ERP sociale",
    "erp_moderato": "ERP moderato", "standard_full": "Standard full", "vuoto_per_pieno": "Vuoto per pieno",
    "totale": "Totale", "altro": "Altro", "emergenza": "Emergenza", "alta": "Alta", "media": "Media",
    "bassa": "Bassa", "accoglienza_ingresso": "Accoglienza e ingresso", "spazi_comuni": "Spazi comuni",
    "rappresentanze_assemblee": "Rappresentanze e assemblee", "mediazione_conflitti": "Mediazione dei conflitti",
    "socializzazione": "Socializzazione", "regolamenti_condivisi": "Regolamenti condivisi",
    "accompagnamento_individuale": "Accompagnamento individuale", "portierato_sociale": "Portierato sociale",
    **{c: c.replace("_", " ").capitalize() for c in (  # ticket categories, income bands (fasce)
        "idraulica", "elettrico", "riscaldamento", "ascensore", "infissi", "parti_comuni", "pulizie", "verde",
        "protezione", "accesso", "permanenza", "decadenza")},
}


def name(field: str) -> str:
    """'days_mean' -> 'giorni (media)'; an Italian snake_case field -> words ('alloggi_medi' -> 'alloggi medi')."""
    return NAMES.get(field, field.replace("_", " "))


def group_name(by: str | None) -> str:
    return GROUPING_LABELS.get(by, "gruppo") if by else "gruppo"


def code_name(value) -> object:
    """A coded value (tenure, ticket category, contract type) as a reader names it; other values unchanged."""
    return CODES.get(value, value) if isinstance(value, str) else value
