"""What a KPI definition is (code, label, formula, unit, source) and the published sources the definitions cite:
the registry (`indicators.registry`) and its parts (prevention, gestore, economics) are written with these."""

from __future__ import annotations

from dataclasses import dataclass

EUR, PCT, DAYS, COUNT, PER_1000, RATIO = "eur", "pct", "days", "count", "per_1000", "ratio"
POINTS = "points"  # a difference of two percentages, in percentage points
KPI_COMMAND, LABS_COMMAND, EVALUATE_COMMAND = "osservatorio kpi", "osservatorio labs", "osservatorio evaluate"
REPORT_COMMAND = "osservatorio report impatto"


@dataclass(frozen=True)
class KPI:
    """A definition: code, Italian label, formula in words, unit, source and version."""

    code: str
    label: str
    formula: str
    unit: str
    source: str
    version: int = 1
    higher_is_better: bool = False
    computed_by: str = KPI_COMMAND  # the command that prints it (lab and panel figures come as tables)

    @property
    def help(self) -> str:
        """The tooltip a tile shows: the formula and where it comes from."""
        return f"**{self.label}** (`{self.code}`, v{self.version}): {self.formula} Fonte: {self.source}."


# Sources by their published titles (never our own files): the documents the definitions come from.
_DAR_CASA = "DAR=CASA, «Il Gestore Sociale Cooperativo»"
TRACK_RECORD = "Legacoop Abitanti, «Gestore sociale: il track record cooperativo» (Roma, 21 marzo 2018)"
_EUPOLIS = ("Éupolis Lombardia per Regione Lombardia, valutazione della sperimentazione dei Laboratori Sociali di "
            "Quartiere, rapporto finale SOC15015 (2016)")
_DOMAIN = "definizione adottata da Osservatorio per il monitoraggio della gestione sociale (formula qui sopra)"
_PROC = f"procedura della morosità del gestore sociale: {_DAR_CASA}"
_BUDGET = f"{_DAR_CASA} (budget «sulla scorta dello storico»); Hyndman e Koehler 2006 (MASE)"
_LABS = _EUPOLIS
_TRACK = TRACK_RECORD
TRACK_RECORD_SHARES = (f"Riferimento ({TRACK_RECORD}): 1.463 alloggi gestiti da cooperative, 23% proprietà o patto "
                       "di futura vendita, 40% locazione a termine, 37% locazione permanente; contratti standard "
                       "full 76%, vuoto per pieno 12%, altro 12%.")
_FACILITY = f"{_DAR_CASA} (segnalazioni aperte e chiuse, storico dei problemi)"
_ALLOC = ("Comune di Cinisello Balsamo, «Agenzia per la Casa» (presentazione del 2017); "
          f"{_DAR_CASA} (banca dati delle domande)")
_FUNDING = ("avanzamento finanziario come lo pubblicano le schede dei progetti finanziati: importo programmato, "
            "ammesso a finanziamento, giuridicamente vincolante, erogato")
_PANEL = "metodi di valutazione su panel (Wooldridge cap. 13; Abadie, Diamond e Hainmueller 2010)"
