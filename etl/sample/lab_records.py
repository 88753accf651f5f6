"""The evaluators' records of the 15 sample labs: objectives by ambito and how far they were reached, partners,
co-financing, presidi, target groups, judgements on continuity and transferability, notes from interviews and
visits. Made up, in the manner of the regional evaluation's chapters on each lab.
"""

from __future__ import annotations

import numpy as np

from etl.sample.formats import amount, day_text, decimal, yes_no
from etl.sample.labs import Lab

ALER = {"Brescia": "ALER di Brescia", "Cremona": "ALER di Cremona", "Lodi": "ALER di Lodi", "Pavia": "ALER di Pavia",
        "Monza": "ALER di Monza", "Sondrio": "ALER di Sondrio"}  # the others: ALER di Milano
OBJECTIVES = {
    "rappresentanza": ("Individuare e formare referenti di scala", "Costituire un comitato degli inquilini",
                       "Avviare un tavolo periodico tra abitanti, Comune e ALER"),
    "intermediazione": ("Attivare uno sportello unico per le richieste degli inquilini",
                        "Accompagnare l'inserimento dei nuovi assegnatari",
                        "Ridurre i tempi di risposta alle segnalazioni di manutenzione"),
    "autogestione": ("Affidare agli abitanti la cura degli spazi comuni", "Avviare un'autogestione dei servizi"),
    "morosita_incolpevole": ("Rimodulare le procedure di gestione della morosità",
                             "Concordare piani di rientro con i nuclei morosi",
                             "Inserire nel lavoro inquilini morosi disoccupati"),
    "disagio_sociale": ("Prendere in carico i nuclei fragili con i servizi sociali",
                        "Mediare i conflitti di vicinato", "Contrastare l'isolamento degli anziani soli"),
}
EVIDENCE = {
    "raggiunto": ("Verificato nella relazione finale e nel colloquio con la cabina di regia.",
                  "Attività svolta con continuità; riscontri positivi degli abitanti nel sopralluogo."),
    "parzialmente_raggiunto": ("Avviato in ritardo: i primi risultati si vedranno dopo la chiusura del progetto.",
                               "Partecipazione inferiore alle attese; obiettivo ridefinito in corso d'opera."),
    "non_raggiunto": ("Non avviato per la mancata disponibilità dei dati del gestore.",
                      "Sospeso per l'uscita di un partner dal progetto."),
}
TARGETS = {"rappresentanza": "inquilini_erp", "intermediazione": "nuovi_assegnatari", "autogestione": "inquilini_erp",
           "morosita_incolpevole": "nuclei_morosi", "disagio_sociale": "persone_fragili"}
TARGET_DESCRIPTIONS = {"inquilini_erp": "Inquilini dei caseggiati ERP del quartiere",
                       "nuovi_assegnatari": "Nuclei entrati negli alloggi durante il progetto",
                       "nuclei_morosi": "Nuclei con debito sotto 5.000 euro e piano di rientro da concordare",
                       "persone_fragili": "Anziani soli, persone con disabilità e nuclei seguiti dai servizi"}
COOPERATIVES = ("Cooperativa sociale La Rete", "Cooperativa sociale Il Girasole", "Associazione Abitare Insieme",
                "Cooperativa sociale Spazio Aperto", "Fondazione Casa Amica", "Associazione Vicini di Casa")
REASONS = {
    "continuita": {"positivo": "Il Comune ha finanziato lo sportello per un altro anno.",
                   "parziale": "Proseguono solo le attività affidate ai volontari.",
                   "negativo": "Nessuna risorsa dedicata dopo la chiusura del progetto."},
    "trasferibilita": {"positivo": "Procedure di gestione della morosità adottate in altri quartieri.",
                       "parziale": "Modello replicabile dove esiste già una rete di associazioni.",
                       "negativo": "Esperienza legata a un contesto e a persone difficilmente replicabili."},
    "partnership": {"positivo": "Cabina di regia riunita ogni mese; ALER e Comune hanno condiviso i dati.",
                    "parziale": "Collaborazione buona sul piano operativo, formale solo sulla carta.",
                    "negativo": "Difficile ottenere dal gestore i dati e le risposte agli abitanti."},
    "autonomia_finanziaria": {"positivo": "Attività sostenute da un finanziamento di una fondazione.",
                              "parziale": "Sostenibili le attività di gruppo, non i servizi.",
                              "negativo": "Senza il contributo regionale le attività si fermano."},
}
NOTES = (
    ("intervista", "Cabina di regia", "punto_di_forza", "La presenza costante degli operatori nel presidio ha "
     "costruito fiducia con gli inquilini."),
    ("sopralluogo", "Valutatori", "osservazione", "Spazio del presidio aperto e frequentato; bacheca aggiornata."),
    ("intervista", "Operatori del terzo settore", "punto_di_debolezza", "Tempi del progetto troppo brevi per vedere "
     "effetti sulla morosità."),
    ("colloquio_telefonico", "Referente del Comune", "criticita", "Difficile reperire i dati dell'area di "
     "controllo presso il gestore."),
    ("relazione_finale", "Ente capofila", "effetto_inatteso", "Alcuni abitanti si sono offerti come volontari "
     "per il doposcuola."),
)


def _pick(options, rng: np.random.Generator):
    return options[int(rng.integers(len(options)))]


def objective_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for ambito in lab.ambiti:
        for text in OBJECTIVES[ambito][:int(rng.integers(2, len(OBJECTIVES[ambito]) + 1))]:
            status = str(rng.choice(("raggiunto", "parzialmente_raggiunto", "non_raggiunto"), p=(0.5, 0.35, 0.15)))
            rows.append((lab.code, ambito, text, status, _pick(EVIDENCE[status], rng), day_text(lab.end + 60)))
    return rows


def partner_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    aler = ALER.get(lab.comune, "ALER di Milano")
    comune = f"Comune di {lab.comune}"
    lead_is_aler = lab.lead.startswith("ALER")
    rows: list[tuple[str, ...]] = [
        (lab.code, comune, "comune", "partner_obbligatorio" if lead_is_aler else "capofila", "formale_e_operativa",
         "Servizi sociali territoriali e coordinamento della cabina di regia"),
        (lab.code, aler, "aler", "capofila" if lead_is_aler else "partner_obbligatorio",
         str(rng.choice(("formale", "formale_e_operativa"))), "Dati sugli inquilini, spazi e procedure")]
    for name in rng.choice(COOPERATIVES, size=int(rng.integers(1, 4)), replace=False).tolist():
        role = "partner" if name.startswith(("Cooperativa", "Fondazione")) else "aderente"
        rows.append((lab.code, name, "terzo_settore" if role == "partner" else "associazione", role, "operativa",
                     "Gestione del presidio e accompagnamento dei nuclei" if role == "partner" else
                     "Volontari per le attività di quartiere"))
    return rows


def cofinancing_rows(lab: Lab, rng: np.random.Generator, *, short: bool) -> list[tuple[str, ...]]:
    """The partners' shares add up to the cost the Regione did not pay; a `short` lab declared only part of it."""
    residual = lab.cost_cents - lab.regional_cents
    if short:
        residual = int(lab.cost_cents * rng.uniform(0.12, 0.18))
    comune = int(residual * rng.uniform(0.4, 0.6))
    aler = residual - comune
    return [(lab.code, f"Comune di {lab.comune}", "personale", amount(comune), "Ore di assistenti sociali valorizzate"),
            (lab.code, ALER.get(lab.comune, "ALER di Milano"), "spazi", amount(aler),
             "Locali del presidio in comodato d'uso")]


def presidio_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for i in range(lab.desks):
        name = f"Presidio {lab.area}" + (f" {i + 1}" if lab.desks > 1 else "")
        rows.append((lab.code, name, f"{lab.area}, {lab.comune}", _pick(("alloggio_erp", "spazio_comune",
                     "spazio_recuperato", "sportello_esistente"), rng), yes_no(bool(rng.random() > 0.1)),
                     decimal(float(rng.choice((6, 8, 10, 12, 15)))), day_text(lab.start + 30), day_text(lab.end)))
    return rows


def target_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    groups = dict.fromkeys(TARGETS[a] for a in lab.ambiti)
    rows: list[tuple[str, ...]] = []
    for group in groups:
        planned = int(rng.integers(20, 120))
        rows.append((lab.code, group, TARGET_DESCRIPTIONS[group], str(planned),
                     str(int(planned * rng.uniform(0.5, 1.2)))))
    return rows


def judgement_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for aspect, reasons in REASONS.items():
        judgement = str(rng.choice(("positivo", "parziale", "negativo"), p=(0.4, 0.4, 0.2)))
        rows.append((lab.code, aspect, judgement, reasons[judgement], day_text(lab.end + 90)))
    return rows


def note_rows(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    chosen = sorted(rng.choice(len(NOTES), size=int(rng.integers(2, len(NOTES) + 1)), replace=False).tolist())
    return [(lab.code, day_text(lab.end - 30 + 7 * i), *NOTES[j]) for i, j in enumerate(chosen)]


def write_lab_records(writer, labs: list[Lab], rng: np.random.Generator) -> None:
    """Every kind of record for every lab; one lab (chosen by the seed) declares co-financing under 20%."""
    short = int(rng.integers(len(labs)))
    for i, lab in enumerate(labs):
        writer.rows("obiettivi_laboratorio", objective_rows(lab, rng))
        writer.rows("partner_laboratorio", partner_rows(lab, rng))
        writer.rows("cofinanziamento_laboratorio", cofinancing_rows(lab, rng, short=i == short))
        writer.rows("presidi_laboratorio", presidio_rows(lab, rng))
        writer.rows("destinatari_laboratorio", target_rows(lab, rng))
        writer.rows("giudizi_laboratorio", judgement_rows(lab, rng))
        writer.rows("note_valutazione", note_rows(lab, rng))
