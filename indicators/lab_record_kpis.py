"""KPI definitions of the evaluators' records per lab (objectives, co-financing, presidi, partners), registered
by `indicators.registry` beside the others."""

from __future__ import annotations

_EUPOLIS = ("Éupolis Lombardia per Regione Lombardia, valutazione della sperimentazione dei Laboratori Sociali di "
            "Quartiere, rapporto finale SOC15015 (2016)")
_CALL = ("Regione Lombardia, bando «Laboratori sociali di quartiere: nuovi spazi di attivazione sociale» "
         "(d.g.r. n. 10/1592 del 28 marzo 2014), condizioni di partecipazione")


def lab_record_kpis(kpi, *, pct: str, count: str, command: str) -> tuple:
    """The definitions, built with the registry's own `KPI` class and units (no import cycle)."""
    return (
        kpi("lab_objectives_achieved_pct", "Obiettivi raggiunti",
            "obiettivi con esito «raggiunto» / obiettivi previsti × 100, per laboratorio e per ambito; gli obiettivi "
            "«parzialmente raggiunti» sono contati a parte, non come raggiunti.", pct, _EUPOLIS,
            higher_is_better=True, computed_by=command),
        kpi("lab_cofinancing_share_pct", "Quota di cofinanziamento",
            "apporti dichiarati dai partner (denaro, personale, servizi, spazi valorizzati in euro) / costo totale del "
            "progetto × 100; senza apporti dichiarati, (costo totale − contributo regionale) / costo totale × 100. "
            "Segnalata sotto il minimo del 20% richiesto dal bando.", pct, _CALL, higher_is_better=True,
            computed_by=command),
        kpi("lab_presidi", "Presidi sociali",
            "numero dei presidi (spazi del laboratorio nel quartiere) registrati dai valutatori.", count, _EUPOLIS,
            higher_is_better=True, computed_by=command),
        kpi("lab_partners", "Partner",
            "numero dei soggetti del partenariato (capofila, partner obbligatori, partner, aderenti).", count,
            _EUPOLIS, higher_is_better=True, computed_by=command),
    )
