"""Registry entries of the economics of each intervention, the stalled funded projects and the combined
performance index (imported by `indicators.registry`, which they extend)."""

from __future__ import annotations

from indicators.kpi_model import KPI, TRACK_RECORD, _DAR_CASA, _FUNDING

EUR, PCT, COUNT = "eur", "pct", "count"  # the units of `indicators.registry` (imported from it while it loads)

_ECONOMICS = (f"{_DAR_CASA} («benessere abitativo + sostenibilità economica intervento»; budget «sulla "
              "scorta dello storico»)")
_PROJECT_SHEET = (f"{_FUNDING}; scheda del progetto «Abitare in borgo» (PON Metro Milano, MI3.1.1.a: ammessi "
                  "281.250,00 €, impegnati 0,00 €, fine 31/12/2020)")
_INDEX = (f"{TRACK_RECORD}, «Indice Performance Vacancy» (morosità e sfitto per intervento; riferimenti: morosità "
          "media 3% e sfitto 9%, proprietà indivisa 3,4% e 2,6%)")

KPIS: tuple[KPI, ...] = (
    KPI("operating_margin_eur", "Margine operativo dell'intervento",
        "nel periodo: canoni e spese addebitati (per mese di competenza) − perdita attesa da morosità (addebiti "
        "scaduti nel periodo non incassati alla fine) − costi consuntivi di tutte le voci (un costo annuale in "
        "dodicesimi); il mancato canone da sfitto è mostrato a parte, non sottratto (non è mai addebitato); "
        "margine % = margine / addebitato.", EUR, _ECONOMICS, higher_is_better=True),
    KPI("cost_per_unit_eur", "Costo per alloggio",
        "costi consuntivi del periodo (tutte le voci) / alloggi in gestione alla fine del periodo, per intervento "
        "o fondo.", EUR, _ECONOMICS),
    KPI("funding_stalled_projects", "Progetti finanziati fermi",
        "progetti la cui data di fine è passata alla data D con un importo ammesso e nessun importo "
        "giuridicamente vincolante (impegnato zero o non indicato); numeratore: il loro importo ammesso.", COUNT,
        _PROJECT_SHEET),
    KPI("performance_index_pct", "Indice di performance (morosità e sfitto)",
        "quota del canone potenziale persa per sfitto o morosità: 100 × [1 − (1 − sfitto/100) × (1 − morosità/"
        "100)], con sfitto = tasso di sfitto alla data D e morosità = tasso di morosità sull'emesso dei 12 mesi "
        "fino a D; mostrato accanto alle due componenti. Riferimenti: 11,7% (3% e 9%), 5,9% (3,4% e 2,6%).",
        PCT, _INDEX),
)
