"""The KPI registry: one entry per KPI definition of the project, read by the dashboard, the CLI and the docs.

Every figure on screen names the registry code it shows, so a reader can always find its formula.
"""

from __future__ import annotations

from indicators.kpi_model import (  # noqa: F401  (re-exported: the registry's vocabulary)
    _ALLOC, _BUDGET, _DAR_CASA, _DOMAIN, _EUPOLIS, _FACILITY, _FUNDING, _LABS, _PANEL, _PROC, _TRACK, COUNT, DAYS,
    EUR, EVALUATE_COMMAND, KPI, KPI_COMMAND, LABS_COMMAND, PCT, PER_1000, POINTS, RATIO, REPORT_COMMAND,
    TRACK_RECORD, TRACK_RECORD_SHARES)
from indicators.lab_record_kpis import lab_record_kpis
from indicators.prevention_registry import PREVENTION_KPIS
from indicators.registry_economics import KPIS as _ECONOMICS_KPIS
from indicators.registry_gestore import GESTORE_KPIS
from indicators.selection_kpis import selection_kpis

REGISTRY: dict[str, KPI] = {k.code: k for k in (
    KPI("arrears_stock_eur", "Morosità accumulata",
        "addebiti scaduti entro la data D meno incassi, storni, abbuoni e stralci registrati entro D, sommati sui "
        "contratti con saldo positivo; separata tra inquilini in essere e cessati.", EUR, _DOMAIN),
    KPI("arrears_rate_billed", "Tasso di morosità sull'emesso",
        "nel periodo: (addebiti scaduti nel periodo − quanto incassato a fronte di essi) / addebiti scaduti nel "
        "periodo; incassi imputati ai debiti più vecchi (FIFO).", PCT, _DOMAIN),
    KPI("arrears_rate_rent_roll", "Morosità su monte canoni annuo",
        "morosità degli inquilini in essere alla data D / canone annuo dei contratti attivi a D "
        "(il «current tenant arrears %» britannico).", PCT, _DOMAIN),
    KPI("households_in_arrears_pct", "Nuclei morosi",
        "contratti attivi a D con un debito scaduto da più di N giorni (predefinito 30) / contratti attivi a D.",
        PCT, _DOMAIN),
    KPI("collection_rate", "Tasso di riscossione (competenza)",
        "incassato nel periodo a fronte degli addebiti scaduti nel periodo / addebiti scaduti nel periodo; "
        "esclude gli arretrati degli anni precedenti.", PCT, _DOMAIN, higher_is_better=True),
    KPI("collection_rate_with_arrears", "Tasso di riscossione (cassa, con arretrati)",
        "tutto l'incassato nel periodo (anche su arretrati) / addebiti scaduti nel periodo; può superare il 100%.",
        PCT, _DOMAIN, higher_is_better=True),
    KPI("arrears_aging", "Anzianità della morosità",
        "debito scaduto a D per fasce di anzianità del più vecchio addebito non pagato (0-30, 31-60, 61-90, 91-365 "
        "giorni, 1-2 anni, oltre 2 anni), incassi imputati FIFO.", EUR, _DOMAIN),
    KPI("arrears_aging_by_charge", "Anzianità della morosità per addebito",
        "parte non pagata di ciascun addebito scaduto a D, per fasce di anzianità dell'addebito stesso (0-30, "
        "31-60, 61-90, 91-365 giorni, 1-2 anni, oltre 2 anni), incassi imputati FIFO.", EUR, _DOMAIN),
    KPI("late_cases", "Pratiche in ritardo",
        "pratiche di morosità aperte con un passo della procedura scaduto (+30 sollecito, +60 incontro e "
        "valutazione, +90 strumento, 18-24 mesi sfratto).", COUNT, _PROC),
    KPI("no_fault_share", "Quota di morosità incolpevole",
        "pratiche valutate incolpevoli / pratiche valutate (incolpevoli + colpevoli).", PCT, _PROC),
    KPI("plan_recovery_eur", "Recuperato con piani di rientro",
        "incassi nel periodo sui contratti con piano di rientro, dopo la firma del piano, che eccedono i canoni "
        "scaduti nel frattempo: ripagano il debito per cui il piano è stato firmato (fino all'importo dei piani).",
        EUR, _PROC, higher_is_better=True, version=2),
    KPI("vacancy_rate", "Tasso di sfitto",
        "alloggi vuoti alla data D / alloggi in gestione a D; diviso tra locabili e non disponibili (lavori, "
        "vendita, non locabili, occupati senza titolo).", PCT, _DOMAIN),
    KPI("vacancy_days_pct", "Giorni di sfitto",
        "giorni-alloggio vuoti nel periodo / giorni-alloggio nel periodo.", PCT, _DOMAIN),
    KPI("void_loss_eur", "Mancato canone per sfitto",
        "canone mensile non percepito sugli alloggi locabili vuoti, pro rata per i giorni vuoti nel periodo.",
        EUR, _DOMAIN),
    KPI("relet_days", "Tempo di rilocazione",
        "giorni di calendario dalla fine di un contratto all'inizio del successivo, nell'anno della nuova locazione; "
        "esclusi prime locazioni e rilocazioni dopo lavori importanti.", DAYS, _DOMAIN),
    KPI("turnover_rate", "Turnover",
        "contratti cessati nell'anno / alloggi medi dell'anno.", PCT, _DOMAIN),
    KPI("evictions_per_1000", "Sfratti eseguiti ogni 1.000 alloggi",
        "sfratti eseguiti nel periodo / alloggi × 1.000, per motivo.", PER_1000, _DOMAIN),
    KPI("units_managed", "Alloggi in gestione",
        "alloggi del perimetro negli interventi con inizio gestione entro la data D (o senza data); per regime e per "
        "tipo di contratto del gestore con la quota sul totale.", COUNT, _TRACK, higher_is_better=True),
    KPI("ticket_days_to_close", "Tempo medio di chiusura delle segnalazioni",
        "media dei giorni di calendario dall'apertura alla chiusura delle segnalazioni chiuse nel periodo; "
        "mediana a parte; per categoria.", DAYS, _FACILITY),
    KPI("ticket_backlog", "Segnalazioni aperte",
        "segnalazioni aperte entro la data D e non chiuse a D (arretrato), negli edifici del perimetro.", COUNT,
        _FACILITY),
    KPI("ticket_cost_per_unit_eur", "Costo delle segnalazioni per alloggio",
        "costo delle segnalazioni chiuse nel periodo / alloggi in gestione alla fine del periodo.", EUR, _FACILITY),
    KPI("applications_received", "Domande di assegnazione ricevute",
        "domande presentate nel periodo nei Comuni degli interventi del perimetro, con l'esito che hanno nei dati: "
        "idonee (idonea, assegnata o rinuncia), assegnate, rinunce, non idonee, in istruttoria.", COUNT, _ALLOC),
    KPI("allocation_days", "Tempo dalla domanda all'assegnazione",
        "media dei giorni di calendario dalla data della domanda alla data dell'assegnazione, sulle assegnazioni "
        "decise nel periodo; mediana a parte.", DAYS, _ALLOC),
    KPI("waiting_list", "Domande in attesa (graduatoria)",
        "domande presentate entro la data D non ancora assegnate, respinte o rinunciate a D (idonee in attesa di un "
        "alloggio e in istruttoria).", COUNT, _ALLOC),
    KPI("evictions_executed", "Sfratti eseguiti nell'anno (statistiche comunali)",
        "somma degli sfratti eseguiti nell'anno nelle statistiche dei Comuni (file «sfratti»), accanto ai "
        "convalidati; per 1.000 alloggi solo quando il parco di riferimento è noto.", COUNT, _ALLOC),
    KPI("funding_committed_pct", "Quota impegnata dei finanziamenti",
        "Σ importi giuridicamente vincolanti / Σ importi ammessi a finanziamento dei progetti del perimetro.", PCT,
        _FUNDING, higher_is_better=True, computed_by=REPORT_COMMAND),
    KPI("funding_paid_pct", "Quota erogata dei finanziamenti",
        "Σ importi erogati (pagati) / Σ importi ammessi a finanziamento dei progetti del perimetro.", PCT, _FUNDING,
        higher_is_better=True, computed_by=REPORT_COMMAND),
    KPI("budget_forecast_eur", "Previsione di costo dell'anno",
        "somma sulle voci di costo della previsione annuale dallo storico dei consuntivi mensili prima dell'anno: "
        "per ogni voce il metodo che nelle prove sugli anni passati ha sbagliato meno (tendenza e stagionalità, come "
        "l'anno scorso mese per mese, totale dell'anno scorso, media degli ultimi tre anni, anno scorso più "
        "inflazione); intervalli 80% e 95% per simulazione dei percorsi dell'anno intero con gli errori passati "
        "del metodo, allargati dove serve perché contengano sempre la previsione.", EUR, _BUDGET, version=2),
    KPI("budget_variance_eur", "Scostamento dal budget a oggi",
        "consuntivo dei mesi trascorsi dell'anno − budget degli stessi mesi (ultima versione approvata, altrimenti "
        "budget importato), con il budget annuale ripartito sui mesi come i consuntivi della voce negli ultimi anni "
        "completi (in dodicesimi senza storico); positivo = spesa oltre il budget; segnalato oltre il 10% e "
        "5.000 € (soglie configurabili).", EUR, _BUDGET, version=2),
    KPI("budget_projection_eur", "Proiezione di costo a fine anno",
        "consuntivo a oggi × budget dell'anno / budget a oggi (ritmo di spesa sull'andamento mensile della voce "
        "negli anni passati); senza budget a oggi: consuntivo a oggi + budget dei mesi restanti.", EUR, _BUDGET,
        version=2),
    *(KPI(code, label, formula, unit, _LABS, higher_is_better=True, computed_by=LABS_COMMAND)
      for code, label, formula, unit in (
        ("lab_activities", "Attività dei laboratori", "righe del registro attività (sportelli, eventi, corsi...) "
         "nel periodo, per laboratorio, ambito o mese.", COUNT),
        ("lab_participants", "Partecipanti (presenze)", "somma dei partecipanti delle attività: una persona che "
         "partecipa a tre attività conta tre volte.", COUNT),
        ("lab_households_reached", "Nuclei raggiunti (contatti)", "somma dei nuclei raggiunti dalle attività: "
         "contatti, non nuclei distinti (i registri non identificano i nuclei).", COUNT),
        ("lab_households_taken_in_charge", "Nuclei presi in carico", "somma dei nuclei presi in carico dalle "
         "attività (sportello, visite domiciliari, mediazione, orientamento al lavoro).", COUNT),
        ("lab_hours", "Ore di attività", "somma delle ore delle attività registrate.", COUNT),
        ("lab_volunteers", "Volontari (presenze)", "somma dei volontari presenti alle attività.", COUNT),
    )),
    KPI("lab_cost_per_household_eur", "Costo per nucleo raggiunto",
        "costo totale del progetto / nuclei raggiunti (contatti) nel registro; solo laboratori con costo noto.",
        EUR, _LABS, computed_by=LABS_COMMAND),
    KPI("lab_outcome_change", "Variazione assoluta dell'indicatore di contesto",
        "valore al tempo uno − valore al tempo zero, nell'unità dell'indicatore; per gli indicatori in percentuale "
        "è una differenza in punti percentuali.", RATIO, _LABS, computed_by=LABS_COMMAND),
    KPI("lab_outcome_change_pct", "Variazione relativa dell'indicatore di contesto",
        "(valore al tempo uno − valore al tempo zero) / valore al tempo zero × 100; non definita per indicatori "
        "sì/no o da un valore zero.", PCT, _LABS, computed_by=LABS_COMMAND),
    KPI("lab_outcome_points", "Variazione in punti percentuali",
        "per gli indicatori che sono percentuali: valore al tempo uno − valore al tempo zero, in punti "
        "(56% → 50% è −6 punti e −10,7%).", POINTS, _LABS, computed_by=LABS_COMMAND),
    KPI("lab_outcome_did", "Differenza trattamento − controllo",
        "(t1 − t0) nell'area del laboratorio − (t1 − t0) nell'area di controllo (differenza nelle differenze a due "
        "periodi), nell'unità dell'indicatore; al suo posto una frase quando manca un dato.", RATIO, _LABS,
        computed_by=LABS_COMMAND),
    KPI("lab_data_completeness_pct", "Completezza dei dati di valutazione",
        "celle presenti / celle attese della matrice indicatore (scheda prototipo per gli ambiti del laboratorio) × "
        "gruppo (trattamento, controllo) × momento (tempo zero, tempo uno).", PCT, _LABS, higher_is_better=True,
        computed_by=LABS_COMMAND),
    KPI("panel_did_effect", "Effetto stimato (differenza nelle differenze su panel)",
        "coefficiente d di y_it = a_i + l_t + d·D_it + e_it (effetti fissi di unità e periodo), errore standard per "
        "unità, p-value e intervallo dal wild cluster bootstrap.", RATIO, _PANEL, computed_by=EVALUATE_COMMAND),
    KPI("synthetic_control_gap", "Scarto medio dal controllo sintetico",
        "media dopo l'avvio di (unità trattata − combinazione convessa delle unità di controllo stimata sui periodi "
        "precedenti); p-value dai placebo nello spazio.", RATIO, _PANEL, computed_by=EVALUATE_COMMAND),
    *PREVENTION_KPIS,
    *selection_kpis(KPI, {"COUNT": COUNT, "PCT": PCT, "DAYS": DAYS, "EUR": EUR}),
)}

REGISTRY.update({k.code: k for k in GESTORE_KPIS})
REGISTRY.update({k.code: k for k in _ECONOMICS_KPIS})
REGISTRY |= {k.code: k for k in lab_record_kpis(KPI, pct=PCT, count=COUNT, command=LABS_COMMAND)}


def get_kpi(code: str) -> KPI:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ValueError(f"Indicatore sconosciuto: «{code}». Elenco: osservatorio kpi --list") from None


def as_markdown() -> str:
    """The registry as a Markdown table, for docs/indicatori.md (generated, never edited by hand)."""
    lines = ["| codice | indicatore | formula | unità | fonte | versione |", "|---|---|---|---|---|---|"]
    for k in REGISTRY.values():
        lines.append(f"| `{k.code}` | {k.label} | {k.formula} | {k.unit} | {k.source} | {k.version} |")
    return "\n".join(lines) + "\n"
