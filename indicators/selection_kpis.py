"""KPI definitions of the selection and matching (avvisi, graduatoria, abbinamento), registered by
`indicators.registry`; kept apart so that each family of definitions is one small module."""

from __future__ import annotations

MATCH_COMMAND = "osservatorio match"
PAGE = "cruscotto, pagina Selezione e abbinamento"
_DAR_CASA = "DAR=CASA, «Il Gestore Sociale Cooperativo»"
_PLAN = (f"{_DAR_CASA} (abbinamento candidato e alloggio automatico, riferito al reddito minimo; fasi e durate della "
         "selezione)")
_CINISELLO = "Comune di Cinisello Balsamo, «Agenzia per la Casa» (presentazione del 2017): graduatorie e assegnazioni"
_SUSTAINABLE = ("soglia di sostenibilità del 30% del reddito: Éupolis Lombardia per Regione Lombardia, valutazione "
                "della sperimentazione dei Laboratori Sociali di Quartiere, rapporto finale SOC15015 (2016)")


def selection_kpis(kpi, units: dict[str, str]) -> tuple:
    """The definitions, built with the registry's `KPI` class and unit codes (no import cycle)."""
    return (
        kpi("selection_placed", "Nuclei collocati dalla proposta di abbinamento",
            "nuclei idonei in graduatoria a cui la proposta assegna un alloggio adeguato (superficie per numero di "
            "componenti, tabella delle regole) e sostenibile (canone più spese entro il 30% del reddito) fra quelli "
            "locabili entro N giorni; in ordine di graduatoria o nel modo ottimale (più nuclei collocati, poi la "
            "minima somma delle posizioni).", units["COUNT"], f"{_PLAN}; {_CINISELLO}", higher_is_better=True,
            computed_by=MATCH_COMMAND),
        kpi("selection_burden_pct", "Incidenza di canone e spese sul reddito",
            "(canone mensile + spese mensili) × 12 / reddito annuo del nucleo (ISEE se manca il reddito) × 100, "
            "per ogni coppia proposta; media sulle coppie.", units["PCT"], _SUSTAINABLE, computed_by=MATCH_COMMAND),
        kpi("selection_phase_days", "Giorni per fase della selezione",
            "mediana dei giorni di calendario di ciascuna fase (raccolta delle domande, idoneità, preselezione, "
            "proposta, risposta, contratto e consegna) per avviso, confrontata con le durate del piano (30 e 60 "
            "giorni); l'avviso è in ritardo se una mediana supera la durata o se è stato aperto a meno di un anno "
            "dalla fine dei lavori.", units["DAYS"], _PLAN, computed_by=PAGE),
        kpi("selection_void_loss_eur", "Mancato canone fino alla consegna",
            "per ogni alloggio assegnato da un avviso: giorni dalla data in cui è locabile (disponibile dal, "
            "altrimenti giorno dopo la fine del contratto precedente) alla consegna delle chiavi × canone mensile "
            "× 12 / 365; sommato per avviso.", units["EUR"], f"{_PLAN}; definizione di void loss di Osservatorio",
            computed_by=PAGE),
        kpi("selection_offer_gap", "Alloggi in arrivo meno nuclei in attesa",
            "per Comune, avviso e numero di componenti: alloggi liberi ora o entro N giorni grandi abbastanza per "
            "quella dimensione (e non per la successiva) − nuclei idonei in attesa di quella dimensione; a parte i "
            "nuclei che non possono sostenere nemmeno il meno caro di quegli alloggi.", units["COUNT"],
            f"{_PLAN}; {_CINISELLO}", computed_by=PAGE),
    )
