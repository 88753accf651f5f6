"""The prevention figures' definitions (early warning, breakdowns, risk score), imported by `indicators.registry`.

Kept apart so that the registry stays one list; `computed_by` names the command that prints them.
"""

from __future__ import annotations

from indicators.kpi_model import COUNT, EUR, KPI, PCT

ARREARS_COMMAND = "osservatorio arrears"
_DAR_CASA = "DAR=CASA, «Il Gestore Sociale Cooperativo»"
_EUPOLIS = ("Éupolis Lombardia per Regione Lombardia, valutazione della sperimentazione dei Laboratori Sociali di "
            "Quartiere, rapporto finale SOC15015 (2016)")
_PROC = f"procedura della morosità del gestore sociale: {_DAR_CASA}"
_BANDS = f"fasce di debito e definizioni di morosità incolpevole citate da {_EUPOLIS}"
_MODEL = (f"{_PROC} (monitoraggio immediato della morosità); regressione logistica sullo storico del gestore, "
          "verificata sul passato contro l'ordinamento per saldo")

PREVENTION_KPIS: tuple[KPI, ...] = (
    KPI("early_warning_contracts", "Contratti da chiamare (campanello d'allarme)",
        "contratti in essere alla data D con il più vecchio addebito non pagato (incassi imputati FIFO) scaduto da "
        "più di N giorni (predefinito 30) e nessuna pratica di morosità aperta a D; per ciascuno il passo della "
        "procedura dovuto contando dalla rata non pagata: +30 telefonata e sollecito scritto, +60 lettera, incontro "
        "e valutazione del disagio, entro +90 uno strumento, entro 18-24 mesi lo sfratto.", COUNT, _PROC,
        computed_by=ARREARS_COMMAND),
    KPI("early_warning_eur", "Debito dei contratti da chiamare",
        "somma della morosità a D dei contratti del campanello d'allarme.", EUR, _PROC, computed_by=ARREARS_COMMAND),
    KPI("arrears_by_item_eur", "Morosità per voce",
        "morosità accumulata a D ripartita per voce degli addebiti non pagati (canone, spese, conguaglio, interessi "
        "di mora, altro), incassi imputati FIFO agli addebiti per scadenza: la somma delle voci è la morosità "
        "accumulata.", EUR, _PROC, computed_by=ARREARS_COMMAND),
    KPI("arrears_by_debt_band_eur", "Morosità per fascia di debito",
        "morosità accumulata a D e contratti per fascia del debito del contratto (predefinite: fino a 1.000 €, da "
        "1.000 a 5.000 €, oltre 5.000 €; configurabili).", EUR, _BANDS, computed_by=ARREARS_COMMAND),
    KPI("arrears_by_severity_eur", "Morosità per gravità del disagio",
        "morosità accumulata a D per gravità (lieve, grave) dell'ultima valutazione del disagio nelle pratiche del "
        "contratto; «non valutata» se la pratica non ha valutazione, «senza pratica» se non ce n'è.", EUR, _PROC,
        computed_by=ARREARS_COMMAND),
    KPI("no_fault_eviction_flags", "Incolpevoli gravi verso lo sfratto",
        "pratiche aperte valutate incolpevoli e di disagio grave che sono in sfratto (avviato o convalidato) o il cui "
        "prossimo passo è lo sfratto entro 90 giorni o già scaduto.", COUNT, f"{_PROC}; {_BANDS}",
        computed_by=ARREARS_COMMAND),
    KPI("arrears_risk_score", "Rischio di morosità grave a 6 mesi",
        "per un contratto in essere moroso a D e non ancora oltre 90 giorni: probabilità di superare i 90 giorni di "
        "ritardo (o di arrivare allo sfratto) entro 6 mesi, da una regressione logistica stimata sulle fine mese "
        "passate (giorni di ritardo, debito, mensilità dovute, andamento degli ultimi 3 mesi, fascia, anzianità del "
        "contratto, pratiche e piani passati), senza informazioni successive a D; mostrata solo con la sua verifica "
        "sul passato (AUC e precisione tra i primi 50 contro l'ordinamento per saldo).", PCT, _MODEL,
        computed_by=ARREARS_COMMAND),
)
