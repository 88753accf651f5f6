"""The record kinds users bring, as data: headers, types, keys and parents of every file kind.

This table is the one bridge between the Italian headers of users' exports and the warehouse
fields; the importer, the CLI help and the documentation all read it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Column types understood by `etl.values`.
CODE, TEXT, ENUM, INT, MONEY, DECIMAL, PCT, DATE, EVENT_DATE, MONTH, BOOL, AMBITI, YEAR, SLUG, VALUE = (
    "code", "text", "enum", "int", "money", "decimal", "pct", "date", "event_date", "month", "bool",
    "ambiti", "year", "slug", "value",
)

AMBITI_VALUES = ("rappresentanza", "intermediazione", "autogestione", "morosita_incolpevole", "disagio_sociale")


@dataclass(frozen=True)
class Column:
    """One column of an import file: its canonical Italian header and the warehouse field it fills."""

    header: str
    field: str
    type: str = TEXT
    required: bool = False
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    pii: bool = False
    min: float | None = None
    max: float | None = None
    synonyms: dict[str, str] = dataclasses.field(default_factory=dict)  # `field` is a column here


@dataclass(frozen=True)
class Parent:
    """A reference from a column of this kind to the key of another kind."""

    field: str
    kind: str


@dataclass(frozen=True)
class Kind:
    """A file kind: its columns, natural key, parents and the table it loads into."""

    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    parents: tuple[Parent, ...] = ()
    # "code": the single key field is the table's primary key; "row_key": a composite key
    # stored joined in `row_key`; "entry_code": ledger movements, keyed by their content and occurrence.
    key_style: str = "code"
    date_order: tuple[tuple[str, str], ...] = ()
    description: str = ""

    @property
    def conflict_field(self) -> str:
        return {"code": self.key[0], "row_key": "row_key", "entry_code": "entry_code"}[self.key_style]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


def _c(header, fld, type_=TEXT, **kw) -> Column:
    for name in ("allowed", "aliases"):
        if name in kw:
            kw[name] = tuple(kw[name])
    return Column(header, fld, type_, **kw)


REGIMI = ("locazione_permanente", "locazione_termine", "proprieta_futura_vendita", "erp_sociale", "erp_moderato", "altro")
STATI_ALLOGGIO = ("locabile", "non_locabile", "in_ristrutturazione", "occupato_senza_titolo", "in_vendita")
EVENTI_PRATICA = (
    "apertura", "sollecito_telefonico", "sollecito_scritto", "incontro", "valutazione_disagio", "incolpevole",
    "colpevole", "microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio", "programma_supporto",
    "assicurazione", "riduzione_canone", "diffida", "sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito",
    "chiusura_saldo", "chiusura_altro",
)
URGENZE = ("emergenza", "alta", "media", "bassa")  # ticket urgency, most urgent first
TIPI_ATTIVITA_COMUNITA = (
    "accoglienza_ingresso", "spazi_comuni", "rappresentanze_assemblee", "mediazione_conflitti", "socializzazione",
    "regolamenti_condivisi", "accompagnamento_individuale", "portierato_sociale", "altro",
)
CATEGORIE_COSTO = (
    "manutenzione_ordinaria", "manutenzione_straordinaria", "utenze", "assicurazioni", "imposte",
    "amministrazione", "gestione_sociale", "perdite_su_crediti", "altro",
)

KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> None:
    KINDS[kind.name] = kind


_register(Kind("interventi", "intervention", key=("code",), description="Interventi (progetti abitativi)", columns=(
    _c("codice_intervento", "code", CODE, required=True, aliases=["cod intervento", "id intervento", "intervento"]),
    _c("nome", "name", TEXT, required=True, aliases=["nome intervento", "denominazione", "descrizione"]),
    _c("comune", "municipality", TEXT, required=True, aliases=["citta", "localita"]),
    _c("quartiere", "district", TEXT, aliases=["zona", "municipio"]),
    _c("sgr", "sgr", TEXT, aliases=["societa di gestione", "sgr gestore"]),
    _c("fondo", "fund", TEXT, aliases=["fondo immobiliare", "nome fondo"]),
    _c("gestore", "manager", TEXT, aliases=["gestore sociale", "ente gestore"]),
    _c("tipo_contratto_gestore", "manager_contract_type", ENUM, allowed=["standard_full", "vuoto_per_pieno", "altro"],
       synonyms={"standard": "standard_full", "full": "standard_full", "vuoto_pieno": "vuoto_per_pieno"}),
    _c("data_inizio_gestione", "management_start", DATE, aliases=["inizio gestione"]),
)))

_register(Kind("edifici", "building", key=("code",), parents=(Parent("intervention_code", "interventi"),),
               description="Edifici (civici)", columns=(
    _c("codice_edificio", "code", CODE, required=True, aliases=["cod edificio", "id edificio", "civico", "codice stabile", "stabile"]),
    _c("codice_intervento", "intervention_code", CODE, required=True, aliases=["cod intervento", "intervento"]),
    _c("indirizzo", "address", TEXT, aliases=["via", "ubicazione"]),
    _c("comune", "municipality", TEXT, aliases=["citta"]),
    _c("quartiere", "district", TEXT, aliases=["zona"]),
)))

_register(Kind("alloggi", "unit", key=("code",), parents=(Parent("building_code", "edifici"),),
               description="Alloggi (unità abitative)", columns=(
    _c("codice_alloggio", "code", CODE, required=True, aliases=["cod alloggio", "id alloggio", "codice unita", "unita immobiliare", "cod ui"]),
    _c("codice_edificio", "building_code", CODE, required=True, aliases=["cod edificio", "edificio", "stabile", "civico"]),
    _c("regime", "tenure", ENUM, required=True, allowed=REGIMI, aliases=["destinazione", "regime locativo", "tipo locazione"],
       synonyms={"permanente": "locazione_permanente", "a_termine": "locazione_termine", "termine": "locazione_termine",
                 "locazione_a_termine": "locazione_termine", "futura_vendita": "proprieta_futura_vendita",
                 "patto_di_futura_vendita": "proprieta_futura_vendita", "proprieta": "proprieta_futura_vendita"}),
    _c("tipologia", "unit_type", TEXT, aliases=["taglio", "tipo alloggio"]),
    _c("superficie_mq", "floor_area_m2", DECIMAL, min=5, max=2000, aliases=["superficie", "mq", "sup mq"]),
    _c("vani", "rooms", DECIMAL, min=0.5, max=30, aliases=["numero vani", "locali"]),
    _c("canone_mensile", "monthly_rent", MONEY, min=0, aliases=["canone", "canone mese"]),
    _c("stato", "status", ENUM, allowed=STATI_ALLOGGIO, aliases=["stato alloggio"],
       synonyms={"sfitto": "locabile", "libero": "locabile", "ristrutturazione": "in_ristrutturazione",
                 "lavori": "in_ristrutturazione", "occupato_abusivamente": "occupato_senza_titolo", "vendita": "in_vendita"}),
    _c("piano", "floor", INT, min=-3, max=60, aliases=["piano alloggio", "livello"]),
    _c("ascensore", "lift", BOOL, aliases=["presenza ascensore"]),
    _c("accessibile", "step_free", BOOL, aliases=["senza barriere", "accesso senza gradini", "senza barriere architettoniche"]),
    _c("spese_mensili", "monthly_charges", MONEY, min=0, aliases=["spese", "oneri accessori", "spese condominiali"]),
    _c("disponibile_dal", "available_from", DATE, aliases=["disponibile da", "data disponibilita", "libero dal"]),
)))

_register(Kind("nuclei", "household", key=("code",), description="Nuclei familiari", columns=(
    _c("codice_nucleo", "code", CODE, required=True, aliases=["cod nucleo", "id nucleo", "nucleo", "codice famiglia"]),
    _c("codice_fiscale", "tax_code_hash", TEXT, pii=True, aliases=["cf", "cod fiscale", "codice fiscale intestatario"]),
    _c("nominativo", "name_hash", TEXT, pii=True, aliases=["nome", "cognome nome", "intestatario", "inquilino", "assegnatario"]),
    _c("componenti", "members", INT, min=1, max=30, aliases=["numero componenti", "n componenti"]),
    _c("fascia", "income_band", ENUM, allowed=["protezione", "accesso", "permanenza", "decadenza"], aliases=["fascia isee", "area"]),
    _c("isee", "isee", MONEY, min=0, aliases=["valore isee"]),
    _c("reddito_annuo", "annual_income", MONEY, min=0, max=10_000_000,
       aliases=["reddito", "reddito familiare", "reddito complessivo", "reddito annuo del nucleo"]),
    _c("in_carico_servizi_sociali", "social_services", BOOL, aliases=["servizi sociali", "in carico ss", "in carico sst"]),
    _c("occupati", "employed", INT, min=0, max=30),
    _c("disoccupati", "unemployed", INT, min=0, max=30),
)))

_register(Kind("contratti", "lease", key=("code",), date_order=(("start_date", "end_date"),),
               parents=(Parent("unit_code", "alloggi"), Parent("household_code", "nuclei")),
               description="Contratti di locazione", columns=(
    _c("codice_contratto", "code", CODE, required=True, aliases=["cod contratto", "id contratto", "contratto", "numero contratto"]),
    _c("codice_alloggio", "unit_code", CODE, required=True, aliases=["cod alloggio", "alloggio", "unita immobiliare"]),
    _c("codice_nucleo", "household_code", CODE, required=True, aliases=["cod nucleo", "nucleo"]),
    _c("data_inizio", "start_date", DATE, required=True, aliases=["decorrenza", "inizio", "data decorrenza", "data stipula"]),
    _c("data_fine", "end_date", DATE, aliases=["fine", "data cessazione", "cessazione", "scadenza contratto"]),
    _c("canone_mensile", "monthly_rent", MONEY, required=True, min=0, aliases=["canone", "canone mese"]),
    _c("tipo", "lease_type", TEXT, aliases=["tipo contratto", "tipologia contratto"]),
    _c("motivo_cessazione", "end_reason", ENUM,
       allowed=["disdetta", "sfratto_morosita", "decadenza", "decesso", "cambio_alloggio", "altro"],
       synonyms={"sfratto": "sfratto_morosita", "recesso": "disdetta", "mobilita": "cambio_alloggio"}),
)))

_register(Kind("movimenti", "ledger_entry", key_style="entry_code", parents=(Parent("lease_code", "contratti"),),
               key=("lease_code", "entry_date", "entry_type", "item", "accrual_month", "amount"),
               description="Movimenti contabili (partitario inquilini)", columns=(
    _c("codice_movimento", "entry_code", CODE, aliases=["id movimento", "numero movimento", "n movimento"]),
    _c("codice_contratto", "lease_code", CODE, required=True, aliases=["cod contratto", "contratto", "id contratto"]),
    _c("data", "entry_date", EVENT_DATE, required=True, aliases=["data movimento", "data operazione", "data registrazione", "data valuta"]),
    _c("tipo", "entry_type", ENUM, required=True, allowed=["addebito", "incasso", "storno", "abbuono", "stralcio"],
       aliases=["tipo movimento", "causale"],
       synonyms={"emissione": "addebito", "bolletta": "addebito", "pagamento": "incasso", "versamento": "incasso",
                 "nota_di_credito": "storno", "sconto": "abbuono", "cancellazione": "stralcio", "perdita": "stralcio"}),
    _c("importo", "amount", MONEY, required=True, min=0.01, aliases=["importo euro", "ammontare", "valore"]),
    _c("voce", "item", ENUM, allowed=["canone", "spese", "conguaglio", "mora", "altro"], aliases=["voce contabile"],
       synonyms={"affitto": "canone", "oneri_accessori": "spese", "spese_condominiali": "spese", "interessi": "mora",
                 "interessi_di_mora": "mora"}),
    _c("competenza", "accrual_month", MONTH, aliases=["mese competenza", "periodo", "periodo competenza", "mese di competenza"]),
    _c("scadenza", "due_date", DATE, aliases=["data scadenza"]),
)))

_register(Kind("pratiche_morosita", "arrears_case_event", key_style="row_key", key=("case_code", "event_date", "event"),
               parents=(Parent("lease_code", "contratti"),), description="Pratiche di morosità (eventi)", columns=(
    _c("codice_pratica", "case_code", CODE, required=True, aliases=["id pratica", "pratica", "numero pratica"]),
    _c("codice_contratto", "lease_code", CODE, required=True, aliases=["cod contratto", "contratto"]),
    _c("data", "event_date", EVENT_DATE, required=True, aliases=["data evento"]),
    _c("evento", "event", ENUM, required=True, allowed=EVENTI_PRATICA, aliases=["azione", "fase"],
       synonyms={"sollecito": "sollecito_scritto", "lettera": "sollecito_scritto", "telefonata": "sollecito_telefonico",
                 "piano_di_rientro": "piano_rientro", "rateizzazione": "piano_rientro", "fondo_di_solidarieta": "fondo_solidarieta",
                 "fondo_garanzia": "fondo_solidarieta", "morosita_incolpevole": "incolpevole", "morosita_colpevole": "colpevole"}),
    _c("importo", "amount", MONEY, min=0),
    _c("gravita", "severity", ENUM, allowed=["lieve", "grave"], synonyms={"temporaneo": "lieve", "lungo_periodo": "grave"}),
    _c("note", "notes", TEXT),
)))

_register(Kind("segnalazioni", "ticket", key=("code",), date_order=(("opened_on", "closed_on"),),
               parents=(Parent("building_code", "edifici"), Parent("unit_code", "alloggi")),
               description="Segnalazioni di manutenzione", columns=(
    _c("codice_segnalazione", "code", CODE, required=True, aliases=["id segnalazione", "ticket", "numero ticket", "id ticket"]),
    _c("codice_edificio", "building_code", CODE, required=True, aliases=["cod edificio", "edificio", "stabile"]),
    _c("codice_alloggio", "unit_code", CODE, aliases=["cod alloggio", "alloggio"]),
    _c("categoria", "category", ENUM, required=True,
       allowed=["idraulica", "elettrico", "riscaldamento", "ascensore", "infissi", "parti_comuni", "pulizie", "verde", "altro"],
       synonyms={"idraulico": "idraulica", "impianto_elettrico": "elettrico", "elettrica": "elettrico", "caldaia": "riscaldamento",
                 "serramenti": "infissi", "giardinaggio": "verde"}),
    _c("data_apertura", "opened_on", EVENT_DATE, required=True, aliases=["apertura", "data segnalazione"]),
    _c("data_chiusura", "closed_on", EVENT_DATE, aliases=["chiusura", "data risoluzione"]),
    _c("costo", "cost", MONEY, min=0, aliases=["importo", "costo intervento"]),
    _c("fornitore", "supplier", TEXT, aliases=["ditta", "impresa"]),
    _c("urgenza", "urgency", ENUM, allowed=URGENZE, aliases=["priorita"],
       synonyms={"urgente": "alta", "pronto_intervento": "emergenza", "urgentissima": "emergenza",
                 "normale": "media", "ordinaria": "bassa", "programmata": "bassa"}),
)))

_register(Kind("laboratori", "lab", key=("code",), date_order=(("start_date", "end_date"),),
               parents=(Parent("intervention_code", "interventi"),), description="Laboratori Sociali di Quartiere", columns=(
    _c("codice_laboratorio", "code", CODE, required=True, aliases=["id laboratorio", "laboratorio", "cod laboratorio"]),
    _c("titolo", "title", TEXT, required=True, aliases=["titolo progetto", "nome progetto"]),
    _c("ente_capofila", "lead_body", TEXT, aliases=["capofila", "ente proponente"]),
    _c("comune", "municipality", TEXT, required=True),
    _c("quartiere", "district", TEXT),
    _c("codice_intervento", "intervention_code", CODE, aliases=["intervento", "cod intervento"]),
    _c("ambiti", "areas_of_action", AMBITI, aliases=["ambiti di intervento", "ambito"]),
    _c("data_inizio", "start_date", DATE, aliases=["avvio", "inizio"]),
    _c("data_fine", "end_date", DATE, aliases=["fine", "conclusione"]),
    _c("costo_totale", "total_cost", MONEY, min=0, aliases=["costo progetto", "costo complessivo"]),
    _c("contributo_regionale", "regional_contribution", MONEY, min=0, aliases=["contributo", "finanziamento regionale"]),
)))

_register(Kind("attivita_laboratorio", "lab_activity", key_style="row_key",
               key=("lab_code", "activity_date", "activity_type", "title"), parents=(Parent("lab_code", "laboratori"),),
               description="Registro attività dei laboratori", columns=(
    _c("codice_laboratorio", "lab_code", CODE, required=True, aliases=["laboratorio", "id laboratorio"]),
    _c("data", "activity_date", EVENT_DATE, required=True, aliases=["data attivita"]),
    _c("tipo_attivita", "activity_type", ENUM, required=True,
       allowed=["sportello", "evento", "incontro", "corso", "assemblea", "visita_domiciliare", "mediazione", "orientamento_lavoro", "altro"],
       aliases=["tipo", "tipologia attivita"], synonyms={"laboratorio": "corso", "riunione": "incontro", "festa": "evento"}),
    _c("ambito", "area_of_action", ENUM, required=True, allowed=AMBITI_VALUES,
       synonyms={"morosita": "morosita_incolpevole", "disagio": "disagio_sociale"}),
    _c("titolo", "title", TEXT, aliases=["descrizione", "titolo attivita"]),
    _c("partecipanti", "participants", INT, min=0, max=100_000, aliases=["n partecipanti"]),
    _c("nuclei_raggiunti", "households_reached", INT, min=0, max=100_000),
    _c("nuclei_presi_in_carico", "households_taken_in_charge", INT, min=0, max=100_000, aliases=["nuclei in carico", "prese in carico"]),
    _c("ore", "hours", DECIMAL, min=0, max=10_000),
    _c("volontari", "volunteers", INT, min=0, max=10_000),
)))

_register(Kind("indicatori_contesto", "context_indicator", key_style="row_key",
               key=("lab_code", "area", "arm", "indicator", "measured_on"), parents=(Parent("lab_code", "laboratori"),),
               description="Indicatori di contesto (scheda prototipo)", columns=(
    _c("codice_laboratorio", "lab_code", CODE, required=True, aliases=["laboratorio", "id laboratorio"]),
    _c("area", "area", TEXT, required=True, aliases=["area territoriale", "quartiere"]),
    _c("gruppo", "arm", ENUM, required=True, allowed=["trattamento", "controllo"],
       synonyms={"caso": "trattamento", "intervento": "trattamento", "caso_di_controllo": "controllo", "gruppo_di_controllo": "controllo"}),
    _c("indicatore", "indicator", SLUG, required=True, aliases=["codice indicatore"]),
    _c("data_rilevazione", "measured_on", EVENT_DATE, required=True, aliases=["data", "data misura"]),
    _c("valore", "value", VALUE, required=True),
    _c("unita", "unit", ENUM, allowed=["n", "pct", "eur", "si_no"], aliases=["unita di misura", "um"],
       synonyms={"numero": "n", "%": "pct", "percentuale": "pct", "euro": "eur", "€": "eur", "si/no": "si_no"}),
    _c("fonte", "source", TEXT),
    _c("note", "notes", TEXT),
)))

_register(Kind("consuntivi", "actual_cost", key_style="row_key", key=("year", "month", "intervention_code", "category"),
               parents=(Parent("intervention_code", "interventi"),), description="Consuntivi (costi effettivi)", columns=(
    _c("anno", "year", YEAR, required=True, aliases=["esercizio"]),
    _c("mese", "month", INT, min=1, max=12),
    _c("codice_intervento", "intervention_code", CODE, aliases=["intervento", "cod intervento"]),
    _c("categoria", "category", ENUM, required=True, allowed=CATEGORIE_COSTO, aliases=["voce di costo", "voce"],
       synonyms={"manutenzione": "manutenzione_ordinaria", "assicurazione": "assicurazioni", "tasse": "imposte", "imu": "imposte"}),
    _c("importo", "amount", MONEY, required=True, min=0, aliases=["costo", "importo euro"]),
)))

_register(Kind("budget", "budget_line", key_style="row_key", key=("year", "intervention_code", "category"),
               parents=(Parent("intervention_code", "interventi"),), description="Budget (preventivi)", columns=(
    _c("anno", "year", YEAR, required=True, aliases=["esercizio"]),
    _c("codice_intervento", "intervention_code", CODE, aliases=["intervento", "cod intervento"]),
    _c("categoria", "category", ENUM, required=True, allowed=CATEGORIE_COSTO, aliases=["voce di costo", "voce"],
       synonyms={"manutenzione": "manutenzione_ordinaria", "assicurazione": "assicurazioni", "tasse": "imposte", "imu": "imposte"}),
    _c("importo", "amount", MONEY, required=True, min=0, aliases=["preventivo", "importo euro"]),
)))

_register(Kind("sfratti", "eviction_stat", key_style="row_key", key=("municipality", "year"),
               description="Sfratti per Comune e anno", columns=(
    _c("comune", "municipality", TEXT, required=True),
    _c("anno", "year", YEAR, required=True),
    _c("convalidati", "validated", INT, min=0, aliases=["sfratti convalidati"]),
    _c("eseguiti", "executed", INT, min=0, aliases=["sfratti eseguiti"]),
    _c("motivo", "reason", TEXT),
)))

_register(Kind("avvisi", "housing_call", key=("code",), date_order=(("opens_on", "closes_on"),),
               description="Avvisi (bandi di selezione)", columns=(
    _c("codice_avviso", "code", CODE, required=True, aliases=["avviso", "id avviso", "codice bando", "bando"]),
    _c("titolo", "title", TEXT, required=True, aliases=["titolo avviso", "denominazione", "oggetto"]),
    _c("comune", "municipality", TEXT, aliases=["citta"]),
    _c("interventi", "intervention_codes", TEXT, required=True,
       aliases=["codici intervento", "codice intervento", "intervento", "interventi messi a bando"]),
    _c("data_apertura", "opens_on", DATE, aliases=["apertura", "data pubblicazione"]),
    _c("data_chiusura", "closes_on", DATE, aliases=["chiusura", "scadenza", "termine domande"]),
    _c("fine_lavori", "works_end", DATE, aliases=["data fine lavori", "fine cantiere"]),
    _c("regole_punteggio", "rules", TEXT, aliases=["regole", "criteri", "regole graduatoria"]),
    _c("isee_massimo", "isee_max", MONEY, min=0, aliases=["limite isee", "isee max"]),
    _c("reddito_minimo", "income_min", MONEY, min=0, aliases=["reddito minimo annuo"]),
)))

_DOMANDE_PHASES = (("applied_on", "eligible_on"), ("eligible_on", "shortlisted_on"), ("shortlisted_on", "offered_on"),
                   ("offered_on", "answered_on"), ("answered_on", "contract_on"), ("contract_on", "keys_on"))

_register(Kind("domande", "application", key=("code",), date_order=(("applied_on", "outcome_date"), *_DOMANDE_PHASES),
               parents=(Parent("unit_code", "alloggi"),), description="Domande di assegnazione", columns=(
    _c("codice_domanda", "code", CODE, required=True, aliases=["id domanda", "numero domanda", "protocollo"]),
    _c("data_domanda", "applied_on", EVENT_DATE, required=True, aliases=["data presentazione"]),
    _c("comune", "municipality", TEXT),
    _c("avviso", "call", TEXT, aliases=["bando"]),
    _c("componenti", "members", INT, min=1, max=30),
    _c("isee", "isee", MONEY, min=0),
    _c("esito", "outcome", ENUM, allowed=["in_istruttoria", "idonea", "non_idonea", "assegnata", "rinuncia"],
       synonyms={"istruttoria": "in_istruttoria", "ammessa": "idonea", "esclusa": "non_idonea", "assegnato": "assegnata"}),
    _c("data_esito", "outcome_date", EVENT_DATE),
    _c("codice_alloggio", "unit_code", CODE, aliases=["alloggio assegnato"]),
    _c("codice_nucleo", "household_code", CODE, aliases=["nucleo richiedente", "cod nucleo", "codice famiglia"]),
    _c("codice_fiscale", "applicant_hash", TEXT, pii=True, aliases=["cf", "cf richiedente", "codice fiscale richiedente"]),
    _c("nominativo", "applicant_name_hash", TEXT, pii=True, aliases=["richiedente", "cognome nome", "nome"]),
    _c("reddito_annuo", "annual_income", MONEY, min=0, aliases=["reddito", "reddito complessivo", "reddito familiare"]),
    _c("punteggio", "score", DECIMAL, min=0, max=100_000, aliases=["punti", "punteggio graduatoria"]),
    _c("sfratto_in_corso", "eviction", BOOL, aliases=["sfratto", "provvedimento di sfratto"]),
    _c("anziani", "elderly", BOOL, aliases=["over 65", "presenza anziani"]),
    _c("disabilita", "disability", BOOL, aliases=["invalidita", "disabile", "presenza disabili"]),
    _c("monogenitore", "single_parent", BOOL, aliases=["nucleo monogenitoriale", "genitore solo"]),
    _c("giovane_coppia", "young_couple", BOOL, aliases=["giovani coppie"]),
    _c("residenza_lavoro_comune", "local_tie", BOOL, aliases=["residenza o lavoro nel comune", "residenza nel comune"]),
    _c("anni_in_graduatoria", "years_waiting", INT, min=0, max=50, aliases=["anni di attesa", "anzianita domanda"]),
    _c("senza_barriere", "needs_step_free", BOOL, aliases=["necessita accessibilita", "alloggio accessibile", "ascensore necessario"]),
    _c("preferenze", "preferred", TEXT, aliases=["comuni preferiti", "interventi preferiti"]),
    _c("data_idoneita", "eligible_on", EVENT_DATE, aliases=["verifica idoneita", "data verifica idoneita"]),
    _c("data_preselezione", "shortlisted_on", EVENT_DATE, aliases=["preselezione"]),
    _c("data_proposta", "offered_on", EVENT_DATE, aliases=["proposta", "data proposta alloggio"]),
    _c("data_risposta", "answered_on", EVENT_DATE, aliases=["risposta", "data accettazione"]),
    _c("esito_proposta", "offer_answer", ENUM, allowed=["accettata", "rifiutata"],
       synonyms={"accettato": "accettata", "rifiutato": "rifiutata", "rinuncia": "rifiutata", "si": "accettata",
                 "no": "rifiutata"}),
    _c("data_contratto", "contract_on", EVENT_DATE, aliases=["firma contratto", "data firma"]),
    _c("data_consegna", "keys_on", EVENT_DATE, aliases=["consegna chiavi", "data consegna chiavi"]),
)))

_register(Kind("finanziamenti", "funding_project", key=("code",), date_order=(("start_date", "end_date"),),
               parents=(Parent("intervention_code", "interventi"),), description="Progetti finanziati", columns=(
    _c("codice_progetto", "code", CODE, required=True, aliases=["cod progetto", "id progetto", "codice locale progetto"]),
    _c("titolo", "title", TEXT, required=True, aliases=["titolo progetto", "denominazione", "nome progetto"]),
    _c("programma", "programme", TEXT, aliases=["asse", "programma asse", "azione", "programma operativo"]),
    _c("codice_intervento", "intervention_code", CODE, aliases=["intervento", "cod intervento"]),
    _c("data_inizio", "start_date", DATE, aliases=["inizio", "avvio"]),
    _c("data_fine", "end_date", DATE, aliases=["fine", "conclusione"]),
    _c("importo_programmato", "programmed", MONEY, min=0, aliases=["programmato"]),
    _c("importo_ammesso", "admitted", MONEY, min=0, aliases=["ammesso", "importo ammesso a finanziamento"]),
    _c("importo_impegnato", "committed", MONEY, min=0,
       aliases=["impegnato", "importo giuridicamente vincolante", "impegni giuridicamente vincolanti"]),
    _c("importo_pagato", "paid", MONEY, min=0, aliases=["pagato", "importo erogato", "erogato", "pagamenti"]),
    _c("cup", "cup", CODE, aliases=["codice unico progetto", "codice unico di progetto", "codice unico progetto cup"]),
    _c("rup", "rup", TEXT, aliases=["r u p", "responsabile unico del procedimento", "responsabile procedimento"]),
    _c("soggetto_attuatore", "implementing_body", TEXT, aliases=["attuatore", "ente attuatore", "soggetto"]),
)))

# The evaluators' records per lab (the qualitative half of the regional evaluation): objectives and their
# status, partners, co-financing, presidi, target groups, judgements, notes from interviews and visits.
ESITI = ("raggiunto", "parzialmente_raggiunto", "non_raggiunto")
ROLES = ("capofila", "partner_obbligatorio", "partner", "aderente")
BODY_TYPES = ("aler", "comune", "terzo_settore", "ente_pubblico", "associazione", "altro")
PARTNERSHIPS = ("formale", "operativa", "formale_e_operativa")
CONTRIBUTION_TYPES = ("monetario", "personale", "servizi", "spazi", "altro")
SPACE_TYPES = ("alloggio_erp", "sportello_esistente", "spazio_comune", "spazio_recuperato", "altro")
TARGET_GROUPS = ("inquilini_erp", "residenti_quartiere", "nuclei_morosi", "nuovi_assegnatari", "anziani", "stranieri",
                 "giovani_minori", "persone_fragili", "partner_rete", "altro")
ASPECTS = ("continuita", "trasferibilita", "partnership", "autonomia_finanziaria")
JUDGEMENTS = ("positivo", "parziale", "negativo", "non_valutabile")
NOTE_SOURCES = ("intervista", "sopralluogo", "colloquio_telefonico", "relazione_intermedia", "relazione_finale",
                "incontro")
NOTE_TOPICS = ("punto_di_forza", "punto_di_debolezza", "criticita", "effetto_inatteso", "partnership", "continuita",
               "trasferibilita", "osservazione")

_LAB = Parent("lab_code", "laboratori")
_AMBITO_SYNONYMS = {"morosita": "morosita_incolpevole", "disagio": "disagio_sociale"}


def _lab_code():
    return _c("codice_laboratorio", "lab_code", CODE, required=True, aliases=["laboratorio", "id laboratorio"])


_register(Kind("obiettivi_laboratorio", "lab_objective", key_style="row_key", key=("lab_code", "area_of_action",
               "objective"), parents=(_LAB,), description="Obiettivi previsti e raggiunti dei laboratori", columns=(
    _lab_code(),
    _c("ambito", "area_of_action", ENUM, required=True, allowed=AMBITI_VALUES, synonyms=_AMBITO_SYNONYMS,
       aliases=["ambito di intervento"]),
    _c("obiettivo", "objective", TEXT, required=True, aliases=["obiettivo previsto", "descrizione obiettivo"]),
    _c("esito", "status", ENUM, required=True, allowed=ESITI, aliases=["stato", "risultato", "grado di raggiungimento"],
       synonyms={"parzialmente": "parzialmente_raggiunto", "raggiunto_in_parte": "parzialmente_raggiunto",
                 "in_parte": "parzialmente_raggiunto", "parziale": "parzialmente_raggiunto",
                 "raggiunto_parzialmente": "parzialmente_raggiunto", "completamente_raggiunto": "raggiunto",
                 "pienamente_raggiunto": "raggiunto", "si": "raggiunto", "no": "non_raggiunto"}),
    _c("evidenze", "evidence", TEXT, aliases=["evidenza", "motivazione", "riscontri"]),
    _c("data_verifica", "assessed_on", DATE, aliases=["data valutazione", "data"]),
)))

_register(Kind("partner_laboratorio", "lab_partner", key_style="row_key", key=("lab_code", "partner"),
               parents=(_LAB,), description="Partner dei laboratori e loro ruoli", columns=(
    _lab_code(),
    _c("partner", "partner", TEXT, required=True, aliases=["ente", "soggetto", "ente partner"]),
    _c("tipo_soggetto", "body_type", ENUM, allowed=BODY_TYPES, aliases=["tipo ente", "natura"],
       synonyms={"cooperativa": "terzo_settore", "cooperativa_sociale": "terzo_settore", "onlus": "terzo_settore",
                 "fondazione": "terzo_settore", "asl": "ente_pubblico", "ats": "ente_pubblico"}),
    _c("ruolo", "role", ENUM, required=True, allowed=ROLES, aliases=["ruolo nel partenariato"],
       synonyms={"capo_fila": "capofila", "obbligatorio": "partner_obbligatorio", "rete": "aderente",
                 "adesione": "aderente", "partner_operativo": "partner"}),
    _c("partnership", "partnership", ENUM, allowed=PARTNERSHIPS, aliases=["tipo partnership"],
       synonyms={"entrambe": "formale_e_operativa", "formale_operativa": "formale_e_operativa"}),
    _c("attivita", "tasks", TEXT, aliases=["compiti", "ruolo svolto", "attivita svolte"]),
)))

_register(Kind("cofinanziamento_laboratorio", "lab_cofinancing", key_style="row_key",
               key=("lab_code", "body", "contribution_type"), parents=(_LAB,),
               description="Cofinanziamento dei laboratori (quote dei partner)", columns=(
    _lab_code(),
    _c("ente", "body", TEXT, required=True, aliases=["soggetto", "cofinanziatore", "partner"]),
    _c("tipo", "contribution_type", ENUM, required=True, allowed=CONTRIBUTION_TYPES, aliases=["forma", "tipo apporto"],
       synonyms={"denaro": "monetario", "risorse_monetarie": "monetario", "personale_dedicato": "personale",
                 "spazio": "spazi", "servizio": "servizi"}),
    _c("importo", "amount", MONEY, required=True, min=0, aliases=["valore", "importo euro", "quota"]),
    _c("note", "notes", TEXT),
)))

_register(Kind("presidi_laboratorio", "lab_presidio", key_style="row_key", key=("lab_code", "name"),
               parents=(_LAB,), date_order=(("opened_on", "closed_on"),),
               description="Presidi sociali dei laboratori", columns=(
    _lab_code(),
    _c("presidio", "name", TEXT, required=True, aliases=["nome presidio", "sede", "spazio"]),
    _c("indirizzo", "address", TEXT, aliases=["via", "ubicazione"]),
    _c("tipo_spazio", "space_type", ENUM, allowed=SPACE_TYPES, aliases=["tipo"],
       synonyms={"appartamento": "alloggio_erp", "alloggio": "alloggio_erp", "sportello": "sportello_esistente",
                 "spazio_recuperato_o_dismesso": "spazio_recuperato", "sala_comune": "spazio_comune"}),
    _c("nel_quartiere", "in_district", BOOL, aliases=["dentro il quartiere", "nel quartiere di intervento"]),
    _c("ore_settimanali", "weekly_hours", DECIMAL, min=0, max=168, aliases=["ore di apertura settimanali", "ore"]),
    _c("data_apertura", "opened_on", DATE, aliases=["apertura"]),
    _c("data_chiusura", "closed_on", DATE, aliases=["chiusura"]),
)))

_register(Kind("destinatari_laboratorio", "lab_target_group", key_style="row_key", key=("lab_code", "target_group"),
               parents=(_LAB,), description="Destinatari (target) dei laboratori", columns=(
    _lab_code(),
    _c("gruppo", "target_group", ENUM, required=True, allowed=TARGET_GROUPS, aliases=["target", "destinatari"],
       synonyms={"inquilini": "inquilini_erp", "residenti": "residenti_quartiere", "morosi": "nuclei_morosi",
                 "famiglie_morose": "nuclei_morosi", "nuovi_inquilini": "nuovi_assegnatari", "minori": "giovani_minori",
                 "giovani": "giovani_minori", "fragili": "persone_fragili", "rete": "partner_rete"}),
    _c("descrizione", "description", TEXT, aliases=["criterio", "note"]),
    _c("nuclei_previsti", "households_planned", INT, min=0, max=100_000, aliases=["previsti"]),
    _c("nuclei_raggiunti", "households_reached", INT, min=0, max=100_000, aliases=["raggiunti"]),
)))

_register(Kind("giudizi_laboratorio", "lab_judgement", key_style="row_key", key=("lab_code", "aspect"),
               parents=(_LAB,), description="Giudizi dei valutatori (continuità, trasferibilità...)", columns=(
    _lab_code(),
    _c("aspetto", "aspect", ENUM, required=True, allowed=ASPECTS, aliases=["dimensione", "criterio"],
       synonyms={"possibilita_di_continuita": "continuita", "possibilita_di_trasferibilita": "trasferibilita",
                 "sostenibilita": "autonomia_finanziaria", "partnership_aler_comune": "partnership"}),
    _c("giudizio", "judgement", ENUM, required=True, allowed=JUDGEMENTS, aliases=["valutazione"],
       synonyms={"si": "positivo", "alta": "positivo", "in_parte": "parziale", "media": "parziale",
                 "no": "negativo", "bassa": "negativo", "n_v": "non_valutabile", "nd": "non_valutabile"}),
    _c("motivazione", "reason", TEXT, aliases=["motivo", "note"]),
    _c("data", "assessed_on", DATE, aliases=["data valutazione"]),
)))

_register(Kind("note_valutazione", "lab_evaluation_note", key_style="row_key",
               key=("lab_code", "noted_on", "source", "topic", "interlocutor"), parents=(_LAB,),
               description="Note di interviste e sopralluoghi", columns=(
    _lab_code(),
    _c("data", "noted_on", EVENT_DATE, required=True, aliases=["data nota", "data incontro"]),
    _c("fonte", "source", ENUM, required=True, allowed=NOTE_SOURCES, aliases=["strumento", "occasione"],
       synonyms={"colloquio": "intervista", "visita": "sopralluogo", "telefonata": "colloquio_telefonico",
                 "intervista_telefonica": "colloquio_telefonico", "relazione": "relazione_finale"}),
    _c("interlocutore", "interlocutor", TEXT, aliases=["ruolo interlocutore", "soggetto intervistato"]),
    _c("tema", "topic", ENUM, required=True, allowed=NOTE_TOPICS, aliases=["argomento"],
       synonyms={"forza": "punto_di_forza", "punto_forza": "punto_di_forza", "debolezza": "punto_di_debolezza",
                 "punto_debolezza": "punto_di_debolezza", "criticita_emersa": "criticita",
                 "effetto_imprevisto": "effetto_inatteso"}),
    _c("nota", "note", TEXT, required=True, aliases=["testo", "osservazione", "contenuto"]),
)))

LAB_RECORD_KINDS = (  # the evaluators' records per lab (qualitative half of the evaluation)
   "obiettivi_laboratorio", "partner_laboratorio", "cofinanziamento_laboratorio",
                    "presidi_laboratorio", "destinatari_laboratorio", "giudizi_laboratorio", "note_valutazione")

_register(Kind("attivita_comunita", "community_activity", key_style="row_key",
               key=("intervention_code", "building_code", "activity_date", "activity_type", "title"),
               parents=(Parent("intervention_code", "interventi"), Parent("building_code", "edifici")),
               description="Registro delle attività di comunità del gestore sociale", columns=(
    _c("codice_intervento", "intervention_code", CODE, required=True, aliases=["intervento", "cod intervento"]),
    _c("codice_edificio", "building_code", CODE, aliases=["edificio", "cod edificio", "stabile", "civico"]),
    _c("data", "activity_date", EVENT_DATE, required=True, aliases=["data attivita", "giorno"]),
    _c("tipo_attivita", "activity_type", ENUM, required=True, allowed=TIPI_ATTIVITA_COMUNITA,
       aliases=["tipo", "tipologia attivita", "attivita"],
       synonyms={"accoglienza": "accoglienza_ingresso", "ingresso": "accoglienza_ingresso",
                 "accoglienza_ingresso_nuovi_inquilini": "accoglienza_ingresso",
                 "accompagnamento_all_ingresso": "accoglienza_ingresso", "spazi_comuni_e_sale": "spazi_comuni",
                 "utilizzo_spazi_comuni": "spazi_comuni", "rappresentanze": "rappresentanze_assemblee",
                 "rappresentanze_e_assemblee": "rappresentanze_assemblee", "assemblea": "rappresentanze_assemblee",
                 "assemblee": "rappresentanze_assemblee", "mediazione": "mediazione_conflitti",
                 "mediazione_dei_conflitti": "mediazione_conflitti", "festa": "socializzazione",
                 "momenti_di_socializzazione": "socializzazione", "regolamenti": "regolamenti_condivisi",
                 "regolamento": "regolamenti_condivisi", "regolamenti_interni_condivisi": "regolamenti_condivisi",
                 "accompagnamento": "accompagnamento_individuale", "colloquio": "accompagnamento_individuale",
                 "portierato": "portierato_sociale", "portineria_sociale": "portierato_sociale",
                 "custode_sociale": "portierato_sociale", "altra": "altro"}),
    _c("titolo", "title", TEXT, aliases=["descrizione", "titolo attivita"]),
    _c("partecipanti", "participants", INT, min=0, max=100_000, aliases=["n partecipanti", "presenze"]),
    _c("nuclei_raggiunti", "households_reached", INT, min=0, max=100_000, aliases=["nuclei", "famiglie raggiunte"]),
    _c("ore", "hours", DECIMAL, min=0, max=10_000, aliases=["durata ore", "ore di attivita"]),
    _c("partner", "partners", TEXT, aliases=["partners", "enti partner", "con chi", "in collaborazione con"]),
)))

# Order in which a folder of files is loaded: parents before children.
LOAD_ORDER = (
    "interventi", "edifici", "alloggi", "nuclei", "contratti", "movimenti", "pratiche_morosita", "segnalazioni",
    "laboratori", "attivita_laboratorio", "indicatori_contesto", "consuntivi", "budget", "sfratti", "avvisi",
    "domande", "finanziamenti", "attivita_comunita", *LAB_RECORD_KINDS,
)
assert set(LOAD_ORDER) == set(KINDS)


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"Tipo di file sconosciuto: «{name}». Tipi ammessi: {', '.join(LOAD_ORDER)}.") from None
