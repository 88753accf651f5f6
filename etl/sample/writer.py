"""The sample's files: one `<kind>.csv` per kind of the data contract, in the Italian format users bring.

`FILE_FORMATS` is the single table of headers, encodings and line ends; `SampleWriter` appends rows to
the open files chunk after chunk and counts what it wrote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Files holding accented text come from Windows desktop tools (Excel): cp1252 and CRLF.
# The rest come from web-based management software: UTF-8 and LF; contratti with a BOM.
EXCEL, SOFTWARE, SOFTWARE_BOM = ("cp1252", "\r\n"), ("utf-8", "\n"), ("utf-8-sig", "\n")


@dataclass(frozen=True)
class FileFormat:
    columns: tuple[str, ...]
    encoding: str
    newline: str


def _format(columns: str, flavour: tuple[str, str]) -> FileFormat:
    return FileFormat(tuple(columns.split()), *flavour)


FILE_FORMATS: dict[str, FileFormat] = {
    "interventi": _format("codice_intervento nome comune quartiere sgr fondo gestore tipo_contratto_gestore "
                          "data_inizio_gestione", EXCEL),
    "edifici": _format("codice_edificio codice_intervento indirizzo comune quartiere", EXCEL),
    "alloggi": _format("codice_alloggio codice_edificio regime tipologia superficie_mq vani canone_mensile stato "
                       "piano ascensore accessibile spese_mensili disponibile_dal", SOFTWARE),
    "nuclei": _format("codice_nucleo nominativo codice_fiscale componenti fascia isee in_carico_servizi_sociali "
                      "occupati disoccupati reddito_annuo", SOFTWARE),
    "contratti": _format("codice_contratto codice_alloggio codice_nucleo data_inizio data_fine canone_mensile tipo "
                         "motivo_cessazione", SOFTWARE_BOM),
    "movimenti": _format("codice_contratto data tipo importo voce competenza", SOFTWARE),
    "pratiche_morosita": _format("codice_pratica codice_contratto data evento importo gravita note", SOFTWARE),
    "segnalazioni": _format("codice_segnalazione codice_edificio codice_alloggio categoria data_apertura "
                            "data_chiusura costo fornitore urgenza", SOFTWARE),
    "laboratori": _format("codice_laboratorio titolo ente_capofila comune quartiere ambiti data_inizio data_fine "
                          "costo_totale contributo_regionale", EXCEL),
    "attivita_laboratorio": _format("codice_laboratorio data tipo_attivita ambito titolo partecipanti "
                                    "nuclei_raggiunti nuclei_presi_in_carico ore volontari", EXCEL),
    "indicatori_contesto": _format("codice_laboratorio area gruppo indicatore data_rilevazione valore unita fonte note",
                                   SOFTWARE),
    "consuntivi": _format("anno mese codice_intervento categoria importo", SOFTWARE),
    "budget": _format("anno codice_intervento categoria importo", SOFTWARE),
    "sfratti": _format("comune anno convalidati eseguiti motivo", SOFTWARE),
    "avvisi": _format("codice_avviso titolo comune interventi data_apertura data_chiusura fine_lavori "
                      "regole_punteggio isee_massimo reddito_minimo", EXCEL),
    "domande": _format("codice_domanda data_domanda comune avviso componenti isee esito data_esito codice_alloggio "
                       "codice_nucleo reddito_annuo sfratto_in_corso anziani disabilita monogenitore giovane_coppia "
                       "residenza_lavoro_comune anni_in_graduatoria senza_barriere data_idoneita data_preselezione "
                       "data_proposta data_risposta esito_proposta data_contratto data_consegna", SOFTWARE),
    "finanziamenti": _format("codice_progetto titolo programma codice_intervento data_inizio data_fine "
                             "importo_programmato importo_ammesso importo_impegnato importo_pagato cup rup "
                             "soggetto_attuatore", EXCEL),
    # the evaluators' records per lab, kept in a spreadsheet
    "obiettivi_laboratorio": _format("codice_laboratorio ambito obiettivo esito evidenze data_verifica", EXCEL),
    "partner_laboratorio": _format("codice_laboratorio partner tipo_soggetto ruolo partnership attivita", EXCEL),
    "cofinanziamento_laboratorio": _format("codice_laboratorio ente tipo importo note", EXCEL),
    "presidi_laboratorio": _format("codice_laboratorio presidio indirizzo tipo_spazio nel_quartiere ore_settimanali "
                                   "data_apertura data_chiusura", EXCEL),
    "destinatari_laboratorio": _format("codice_laboratorio gruppo descrizione nuclei_previsti nuclei_raggiunti", EXCEL),
    "giudizi_laboratorio": _format("codice_laboratorio aspetto giudizio motivazione data", EXCEL),
    "note_valutazione": _format("codice_laboratorio data fonte interlocutore tema nota", EXCEL),
    "attivita_comunita": _format("codice_intervento codice_edificio data tipo_attivita titolo partecipanti "
                                 "nuclei_raggiunti ore partner", EXCEL),
}

DELIMITER = ";"


def file_name(kind: str) -> str:
    return f"{kind}.csv"


class SampleWriter:
    """Writes every kind's file in `out_dir`, header first, and counts the data rows written per kind."""

    def __init__(self, out_dir: Path) -> None:
        self._files = {}
        self._writers = {}
        self.counts: dict[str, int] = {}
        for kind, fmt in FILE_FORMATS.items():
            handle = open(Path(out_dir) / file_name(kind), "w", encoding=fmt.encoding, newline="")
            self._files[kind] = handle
            self._writers[kind] = csv.writer(handle, delimiter=DELIMITER, lineterminator=fmt.newline)
            self._writers[kind].writerow(fmt.columns)
            self.counts[kind] = 0

    def rows(self, kind: str, rows: Iterable[Sequence[object]]) -> None:
        """Append rows of already formatted cells; the csv module quotes where CSV requires it."""
        rows = list(rows)
        self._writers[kind].writerows(rows)
        self.counts[kind] += len(rows)

    def columns(self, kind: str, columns: Sequence[np.ndarray]) -> None:
        """Append rows given as equally long columns of strings holding no delimiter, quote or line end.

        The fast path for the ledger: it joins lines without the csv module's per-cell checks.
        """
        if len(columns[0]) == 0:
            return
        newline = FILE_FORMATS[kind].newline
        lists = [np.asarray(c, dtype=object).tolist() for c in columns]
        self._files[kind].write(newline.join(map(DELIMITER.join, zip(*lists))) + newline)
        self.counts[kind] += len(lists[0])

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def __enter__(self) -> SampleWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
