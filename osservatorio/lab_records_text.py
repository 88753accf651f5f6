"""The evaluators' records per lab in Italian words and formats, shared by the Laboratori page and the report:
objectives and their status, partners, co-financing against the 20% minimum, presidi, target groups, judgements,
notes, and the synthesis by ambito."""

from __future__ import annotations

import pandas as pd

from indicators.lab_outputs import AMBITO_LABELS
from indicators.lab_records import ASPECT_LABELS, JUDGEMENT_LABELS, MIN_COFINANCING_PCT, STATUS_LABELS
from osservatorio.formatting import MISSING, fmt_count, fmt_date, fmt_eur, fmt_int, fmt_num, fmt_pct

LABELS = {
    "body_type": {"aler": "ALER", "comune": "Comune", "terzo_settore": "Terzo settore",
                  "ente_pubblico": "Ente pubblico", "associazione": "Associazione", "altro": "Altro"},
    "role": {"capofila": "Capofila", "partner_obbligatorio": "Partner obbligatorio", "partner": "Partner",
             "aderente": "Aderente alla rete"},
    "partnership": {"formale": "Formale", "operativa": "Operativa", "formale_e_operativa": "Formale e operativa"},
    "contribution_type": {"monetario": "Denaro", "personale": "Personale", "servizi": "Servizi", "spazi": "Spazi",
                          "altro": "Altro"},
    "space_type": {"alloggio_erp": "Alloggio ERP", "sportello_esistente": "Sportello già esistente",
                   "spazio_comune": "Spazio comune del caseggiato", "spazio_recuperato": "Spazio recuperato",
                   "altro": "Altro"},
    "target_group": {"inquilini_erp": "Inquilini ERP", "residenti_quartiere": "Residenti del quartiere",
                     "nuclei_morosi": "Nuclei morosi", "nuovi_assegnatari": "Nuovi assegnatari", "anziani": "Anziani",
                     "stranieri": "Stranieri", "giovani_minori": "Giovani e minori",
                     "persone_fragili": "Persone fragili", "partner_rete": "Partner e rete", "altro": "Altro"},
    "source": {"intervista": "Intervista", "sopralluogo": "Sopralluogo", "colloquio_telefonico": "Colloquio telefonico",
               "relazione_intermedia": "Relazione intermedia", "relazione_finale": "Relazione finale",
               "incontro": "Incontro"},
    "topic": {"punto_di_forza": "Punto di forza", "punto_di_debolezza": "Punto di debolezza", "criticita": "Criticità",
              "effetto_inatteso": "Effetto inatteso", "partnership": "Partnership", "continuita": "Continuità",
              "trasferibilita": "Trasferibilità", "osservazione": "Osservazione"},
    "status": STATUS_LABELS, "judgement": JUDGEMENT_LABELS, "aspect": ASPECT_LABELS, "area_of_action": AMBITO_LABELS,
}
HEADINGS = {
    "objectives": {"area_of_action": "Ambito", "objective": "Obiettivo previsto", "status": "Esito",
                   "evidence": "Evidenze", "assessed_on": "Verificato il"},
    "partners": {"partner": "Partner", "body_type": "Tipo di soggetto", "role": "Ruolo", "partnership": "Partnership",
                 "tasks": "Attività"},
    "cofinancing": {"body": "Ente", "contribution_type": "Forma dell'apporto", "amount": "Importo", "notes": "Note"},
    "presidi": {"name": "Presidio", "address": "Indirizzo", "space_type": "Tipo di spazio", "in_district":
                "Nel quartiere", "weekly_hours": "Ore settimanali", "opened_on": "Aperto il", "closed_on": "Chiuso il"},
    "targets": {"target_group": "Destinatari", "description": "Descrizione", "households_planned": "Nuclei previsti",
                "households_reached": "Nuclei raggiunti"},
    "judgements": {"aspect": "Aspetto", "judgement": "Giudizio", "reason": "Motivazione", "assessed_on": "Data"},
    "notes": {"noted_on": "Data", "source": "Fonte", "interlocutor": "Interlocutore", "topic": "Tema", "note": "Nota"},
}
TITLES = {"objectives": "Obiettivi previsti e risultati", "partners": "Partenariato", "cofinancing": "Cofinanziamento",
          "presidi": "Presidi", "targets": "Destinatari", "judgements": "Continuità, trasferibilità e partnership",
          "notes": "Note di interviste e sopralluoghi"}
EMPTY = {"objectives": "Nessun obiettivo registrato.", "partners": "Nessun partner registrato.",
         "cofinancing": "Nessun apporto di cofinanziamento registrato.", "presidi": "Nessun presidio registrato.",
         "targets": "Nessun gruppo di destinatari registrato.", "judgements": "Nessun giudizio dei valutatori.",
         "notes": "Nessuna nota di interviste o sopralluoghi."}


HIDDEN = "nascosto"  # a count hidden for confidentiality (small-cell suppression)


def _cell(column: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if value == HIDDEN:
        return HIDDEN
    if column in LABELS:
        return LABELS[column].get(value, str(value))
    if column in ("assessed_on", "opened_on", "closed_on", "noted_on"):
        return fmt_date(value)
    if column == "amount":
        return fmt_eur(value)
    if column in ("households_planned", "households_reached"):
        return fmt_int(value)
    if column == "weekly_hours":
        return fmt_num(value, 0 if float(value).is_integer() else 1)
    if column == "in_district":
        return "sì" if value else "no"
    return str(value)


def records_table(what: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The records of one kind (`indicators.lab_records.lab_records`) as Italian text, one lab's rows."""
    headings = HEADINGS[what]
    return pd.DataFrame({heading: [_cell(column, v) for v in frame[column]] for column, heading in headings.items()},
                        columns=list(headings.values()))


def objectives_sentence(summary: pd.Series | None) -> str:
    """'6 obiettivi previsti: 3 raggiunti, 2 parzialmente raggiunti, 1 non raggiunto (50,0% raggiunti).'"""
    if summary is None or not summary["planned"]:
        return EMPTY["objectives"]
    return (f"{fmt_count(summary['planned'], 'obiettivo previsto', 'obiettivi previsti')}: "
            f"{fmt_count(summary['raggiunto'], 'raggiunto', 'raggiunti')}, "
            f"{fmt_count(summary['parzialmente_raggiunto'], 'parzialmente raggiunto', 'parzialmente raggiunti')}, "
            f"{fmt_count(summary['non_raggiunto'], 'non raggiunto', 'non raggiunti')} "
            f"({fmt_pct(summary['achieved_pct'])} raggiunti).")


def cofinancing_sentence(row: pd.Series) -> tuple[bool | None, str]:
    """(below the minimum?, the sentence) for one lab's co-financing."""
    if row["share_pct"] is None or pd.isna(row["share_pct"]):
        return None, "Quota di cofinanziamento non calcolabile: manca il costo totale o il contributo regionale."
    basis = ("apporti dichiarati dai partner" if row["basis"] == "dichiarato" else
             "costo non coperto dal contributo regionale: nessun apporto dichiarato")
    text = (f"Quota di cofinanziamento {fmt_pct(row['share_pct'])} del costo totale ({fmt_eur(row['total_cost'])}; "
            f"{basis}).")
    if row["below_minimum"]:
        return True, text + f" Sotto il minimo del {fmt_pct(MIN_COFINANCING_PCT, 0)} richiesto dal bando."
    return False, text + f" Rispetta il minimo del {fmt_pct(MIN_COFINANCING_PCT, 0)} richiesto dal bando."


SYNTHESIS_HEADINGS = {
    "ambito": "Ambito", "title": "Laboratorio", "municipality": "Comune", "planned": "Obiettivi previsti",
    "raggiunto": "Raggiunti", "parzialmente_raggiunto": "Parzialmente", "non_raggiunto": "Non raggiunti",
    "achieved_pct": "Obiettivi raggiunti (%)", "share_pct": "Cofinanziamento (%)", "presidi": "Presidi",
    "partners": "Partner", "households_reached": "Nuclei raggiunti (contatti)", "continuita": "Continuità",
    "trasferibilita": "Trasferibilità", "partnership": "Partnership", "autonomia_finanziaria": "Autonomia finanziaria",
}


def synthesis_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The synthesis by ambito (`indicators.lab_records.synthesis_by_ambito`) as Italian text."""
    def share(v, below) -> str:
        return MISSING if v is None else fmt_pct(v) + (" (sotto il 20%)" if below else "")

    out = pd.DataFrame({
        "ambito": [AMBITO_LABELS.get(a, a) for a in frame["ambito"]], "title": frame["title"],
        "municipality": frame["municipality"],
        **{c: [fmt_int(v) for v in frame[c]] for c in ("planned", "raggiunto", "parzialmente_raggiunto",
                                                       "non_raggiunto", "presidi", "partners")},
        "achieved_pct": [fmt_pct(v) if v is not None else MISSING for v in frame["achieved_pct"]],
        "share_pct": [share(v, b) for v, b in zip(frame["share_pct"], frame["below_minimum"])],
        "households_reached": [fmt_int(v) if v is not None else MISSING for v in frame["households_reached"]],
        **{a: [JUDGEMENT_LABELS.get(v, MISSING) if v else MISSING for v in frame[a]] for a in ASPECT_LABELS},
    })
    return out.rename(columns=SYNTHESIS_HEADINGS)
