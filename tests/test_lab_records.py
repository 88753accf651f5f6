"""The evaluators' records per lab, worked out by hand: loaded (or quarantined with a reason) on SQLite and
PostgreSQL, read back as figures, co-financing checked against the 20% minimum, the synthesis by ambito, the
report's chapter on a lab and the blank scheda that round-trips through the importer."""

from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from factories import load_text, rows
from indicators import store
from indicators.lab_disclosure import protect_counts
from indicators.lab_records import cofinancing, lab_records, objectives_summary, synthesis_by_ambito
from osservatorio.cli.app import app
from osservatorio.reports.labs import labs_report
from osservatorio.settings import get_settings

LABS = """codice_laboratorio;titolo;comune;quartiere;ambiti;data_inizio;data_fine;costo_totale;contributo_regionale
LAB1;Sportello morosità;Cinisello Balsamo;Sant'Eusebio;morosita_incolpevole,disagio_sociale;01/01/2014;31/12/2015;10.000,00;8.500,00
LAB2;Capi scala;Monza;;rappresentanza;01/01/2014;31/12/2015;;
LAB3;Ascolto;Lodi;San Fereolo;disagio_sociale;01/01/2014;30/06/2016;5.000,00;3.500,00
"""
RECORDS = {
    "obiettivi_laboratorio": """codice_laboratorio;ambito;obiettivo;esito;evidenze
LAB1;morosita_incolpevole;Concordare piani di rientro;raggiunto;12 piani firmati
LAB1;morosita;Rimodulare le procedure;parzialmente;Avviato a fine progetto
LAB1;disagio_sociale;Prendere in carico i nuclei fragili;non raggiunto;Servizi sociali assenti
LAB3;disagio_sociale;Mediare i conflitti;Raggiunto;Sopralluogo del 10/05/2016
LAB1;disagio_sociale;Obiettivo dubbio;forse;
""",
    "partner_laboratorio": """codice_laboratorio;partner;tipo_soggetto;ruolo;partnership;attivita
LAB1;Comune di Cinisello Balsamo;comune;capofila;entrambe;Cabina di regia
LAB1;ALER di Milano;aler;obbligatorio;formale;Dati degli inquilini
LAB1;Cooperativa La Rete;cooperativa;partner;operativa;Sportello
""",
    "cofinanziamento_laboratorio": """codice_laboratorio;ente;tipo;importo
LAB1;Comune di Cinisello Balsamo;personale;1.000,00
LAB1;ALER di Milano;spazio;500,00
LAB9;Ente sconosciuto;monetario;100,00
""",
    "presidi_laboratorio": """codice_laboratorio;presidio;indirizzo;tipo_spazio;nel_quartiere;ore_settimanali;data_apertura;data_chiusura
LAB1;Presidio Sant'Eusebio;Via Cilea 5;appartamento;sì;12;01/02/2014;31/12/2015
LAB1;Sportello Mozart;Via Mozart 2;sportello;no;4,5;01/03/2014;
""",
    "destinatari_laboratorio": """codice_laboratorio;gruppo;descrizione;nuclei_previsti;nuclei_raggiunti
LAB1;morosi;Debito sotto 5.000 euro;51;40
LAB1;anziani;Anziani soli;3;2
""",
    "giudizi_laboratorio": """codice_laboratorio;aspetto;giudizio;motivazione
LAB1;continuita;si;Il Comune rifinanzia lo sportello
LAB1;trasferibilita;in parte;Serve una rete già attiva
""",
    "note_valutazione": """codice_laboratorio;data;fonte;interlocutore;tema;nota
LAB1;15/11/2015;intervista;Cabina di regia;punto di forza;Fiducia costruita con i nuclei morosi
""",
}
QUARANTINED = {"obiettivi_laboratorio": ("esito", "forse", "valore non ammesso; valori ammessi: raggiunto, "
                                         "parzialmente_raggiunto, non_raggiunto"),
               "cofinanziamento_laboratorio": ("codice_laboratorio", "LAB9", "codice sconosciuto: non presente tra "
                                               "i dati di «laboratori» già caricati")}


def load_records(folder, engine, settings) -> None:
    assert load_text(folder, "laboratori", LABS, engine=engine, settings=settings).status == "completato"
    for kind, content in RECORDS.items():
        result = load_text(folder, kind, content, engine=engine, settings=settings)
        assert result.quarantined == (1 if kind in QUARANTINED else 0), (kind, result)
    store.build(engine)


@pytest.fixture
def records_engine(engine, settings, tmp_path):
    load_records(tmp_path, engine, settings)
    return engine


def test_each_kind_loads_its_rows_and_quarantines_the_bad_one_with_its_reason(records_engine):
    assert rows(records_engine, "SELECT count(*) FROM lab_objective") == [(4,)]
    quarantined = rows(records_engine, """SELECT b.kind, q.column_name, q.value, q.reason FROM quarantined_row q
                                          JOIN load_batch b ON b.id = q.batch_id ORDER BY b.kind""")
    assert quarantined == [("cofinanziamento_laboratorio", *QUARANTINED["cofinanziamento_laboratorio"]),
                           ("obiettivi_laboratorio", *QUARANTINED["obiettivi_laboratorio"])]
    # synonyms: "parzialmente", "non raggiunto", "obbligatorio", "cooperativa", "spazio", "appartamento", "morosi",
    # "si", "in parte", "punto di forza" become the canonical codes
    assert rows(records_engine, "SELECT status FROM lab_objective ORDER BY objective") == [
        ("raggiunto",), ("raggiunto",), ("non_raggiunto",), ("parzialmente_raggiunto",)]
    partners = lab_records(records_engine, "partners", labs=["LAB1"])
    assert partners[["partner", "body_type", "role", "partnership"]].values.tolist() == [
        ["Comune di Cinisello Balsamo", "comune", "capofila", "formale_e_operativa"],
        ["Cooperativa La Rete", "terzo_settore", "partner", "operativa"],
        ["ALER di Milano", "aler", "partner_obbligatorio", "formale"]]
    presidi = lab_records(records_engine, "presidi")
    assert presidi[["name", "space_type", "in_district", "weekly_hours"]].values.tolist() == [
        ["Presidio Sant'Eusebio", "alloggio_erp", True, 12.0], ["Sportello Mozart", "sportello_esistente", False, 4.5]]
    assert presidi["closed_on"].tolist()[1] is None
    targets = lab_records(records_engine, "targets")
    assert targets[["target_group", "households_planned", "households_reached"]].values.tolist() == [
        ["anziani", 3, 2], ["nuclei_morosi", 51, 40]]
    assert lab_records(records_engine, "judgements")[["aspect", "judgement"]].values.tolist() == [
        ["continuita", "positivo"], ["trasferibilita", "parziale"]]
    assert lab_records(records_engine, "notes")[["source", "topic"]].values.tolist() == [
        ["intervista", "punto_di_forza"]]


def test_reloading_the_same_records_changes_nothing(records_engine, settings, tmp_path):
    again = load_text(tmp_path, "obiettivi_laboratorio", RECORDS["obiettivi_laboratorio"], engine=records_engine,
                      settings=settings)
    assert (again.loaded, again.duplicate, again.quarantined) == (0, 4, 1)


def test_objectives_reached_per_lab_and_per_ambito(records_engine):
    # LAB1: 3 planned, 1 raggiunto, 1 parzialmente, 1 non raggiunto -> 1/3 = 33,3%; LAB3: 1 of 1 -> 100%
    summary = objectives_summary(records_engine).set_index("lab")
    assert summary.loc["LAB1", ["planned", "raggiunto", "parzialmente_raggiunto", "non_raggiunto"]].tolist() == [
        3, 1, 1, 1]
    assert summary.loc["LAB1", "achieved_pct"] == pytest.approx(100 / 3)
    assert summary.loc["LAB3", "achieved_pct"] == 100.0
    by_ambito = objectives_summary(records_engine, by_ambito=True).set_index(["lab", "ambito"])
    assert by_ambito.loc[("LAB1", "morosita_incolpevole"), "achieved_pct"] == 50.0  # 1 of 2 (parzialmente is not)
    assert by_ambito.loc[("LAB1", "disagio_sociale"), "achieved_pct"] == 0.0


def test_cofinancing_below_twenty_percent_is_flagged(records_engine):
    shares = cofinancing(records_engine).set_index("lab")
    # LAB1 declared 1.000 + 500 = 1.500 € of a 10.000 € project: 15% < 20%; the Regione paid 8.500 €, so 15% too
    assert shares.loc["LAB1", "declared"] == 1500.0
    assert shares.loc["LAB1", "share_pct"] == pytest.approx(15.0)
    assert shares.loc["LAB1", ["basis", "below_minimum"]].tolist() == ["dichiarato", True]
    # LAB3 declared nothing: (5.000 − 3.500) / 5.000 = 30% not paid by the Regione, above the minimum
    assert shares.loc["LAB3", "share_pct"] == pytest.approx(30.0)
    assert shares.loc["LAB3", ["basis", "below_minimum"]].tolist() == ["residuo", False]
    # LAB2: no cost, no share and no verdict
    assert shares.loc["LAB2", ["share_pct", "basis", "below_minimum"]].tolist() == [None, None, None]


def test_synthesis_puts_the_labs_side_by_side_within_each_ambito(records_engine):
    table = synthesis_by_ambito(records_engine)
    assert list(zip(table["ambito"], table["lab"])) == [
        ("rappresentanza", "LAB2"), ("morosita_incolpevole", "LAB1"), ("disagio_sociale", "LAB1"),
        ("disagio_sociale", "LAB3")]
    lab1 = table.iloc[1]
    assert (lab1["planned"], lab1["raggiunto"], lab1["achieved_pct"], lab1["presidi"], lab1["partners"],
            lab1["continuita"], lab1["trasferibilita"], lab1["partnership"]) == (
        2, 1, 50.0, 2, 3, "positivo", "parziale", None)
    assert lab1["below_minimum"] is True and lab1["share_pct"] == pytest.approx(15.0)
    assert table.iloc[0]["planned"] == 0 and table.iloc[0]["achieved_pct"] is None  # LAB2: nothing recorded


def test_report_chapter_on_a_lab_follows_the_regional_evaluation(records_engine):
    html = labs_report(records_engine, lab="LAB1")
    order = ["I laboratori: territori, ambiti e risorse", "Scheda: Sportello morosità (Cinisello Balsamo)",
             "Obiettivi previsti e raggiunti", "Attività svolte (output)",
             "Confronto temporale e con il caso di controllo", "Riflessioni: partnership", "Dati mancanti",
             "Confronto per ambito: Contrasto alla morosità incolpevole",
             "Confronto per ambito: Contrasto al disagio sociale", "Completezza dei dati"]
    positions = [html.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "3 obiettivi previsti: 1 raggiunto, 1 parzialmente raggiunto, 1 non raggiunto (33,3% raggiunti)." in html
    assert ("Quota di cofinanziamento 15,0% del costo totale (10.000,00\xa0€; apporti dichiarati dai partner). "
            "Sotto il minimo del 20% richiesto dal bando.") in html
    assert "Fiducia costruita con i nuclei morosi (Intervista, Cabina di regia, 15/11/2015)" in html
    assert "Nessuna attività registrata." in html and "Nessun indicatore di contesto caricato." in html
    assert "Cofinanziamento sotto il 20% del costo totale richiesto dal bando: Sportello morosità." in html
    assert "Ascolto" not in html  # one lab's report


def test_the_regione_report_hides_small_counts_of_households(records_engine):
    targets = lab_records(records_engine, "targets")  # anziani: 3 planned, 2 reached; nuclei morosi 51 and 40
    hidden = protect_counts(targets, ["households_planned", "households_reached"], threshold=5)
    # 3 and 2 are under 5; 51 and 40 are hidden too, or the total (54, 42) would give the small ones away
    assert hidden.frame[["households_planned", "households_reached"]].values.tolist() == [[None, None],
                                                                                          [None, None]]
    assert (hidden.primary, hidden.secondary) == (2, 2)
    html = labs_report(records_engine, lab="LAB1", threshold=5)
    assert "Per tutelare la riservatezza dei nuclei" in html
    assert "<td class=\"\">51</td>" not in html and "<td class=\"\">51</td>" in labs_report(records_engine, lab="LAB1")


def test_report_laboratori_command_writes_the_chapter(records_engine, warehouse_url, tmp_path, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    out = tmp_path / "lab1.html"
    result = CliRunner().invoke(app, ["report", "laboratori", "--lab", "LAB1", "--out", str(out)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"Rapporto scritto in {out}" in result.output
    assert "Obiettivi previsti e raggiunti" in out.read_text(encoding="utf-8")


FILLED = {  # what a lab writes in the blank scheda, one row per sheet (dates as Excel dates, numbers as numbers)
    "laboratori": ["LABX", "Vicini di casa", "Comune di Sondrio", "Sondrio", "La Piastra", None,
                   "disagio_sociale;rappresentanza", "01/03/2014", "31/12/2015", 40000.5, 30000],
    "attivita_laboratorio": ["LABX", "05/03/2014", "sportello", "disagio_sociale", "Sportello casa", 12, 8, 2, 3.5,
                             1],
    "obiettivi_laboratorio": ["LABX", "disagio_sociale", "Mediare i conflitti", "parzialmente_raggiunto",
                              "Due mediazioni concluse", "15/01/2016"],
    "partner_laboratorio": ["LABX", "ALER di Sondrio", "aler", "partner_obbligatorio", "formale", "Spazi"],
    "cofinanziamento_laboratorio": ["LABX", "Comune di Sondrio", "personale", 8000, "Assistente sociale"],
    "presidi_laboratorio": ["LABX", "Presidio La Piastra", "Via Tonale 1", "spazio_comune", "sì", 10, "01/03/2014",
                            None],
    "destinatari_laboratorio": ["LABX", "anziani", "Anziani soli", 30, 25],
    "giudizi_laboratorio": ["LABX", "continuita", "negativo", "Nessuna risorsa dopo il progetto", "20/02/2016"],
    "note_valutazione": ["LABX", "10/12/2015", "sopralluogo", "Valutatori", "osservazione", "Spazio frequentato"],
}


def test_the_blank_scheda_round_trips_through_the_importer(warehouse_url, tmp_path, monkeypatch):
    from datetime import datetime

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("OSSERVATORIO_PSEUDONYM_KEY", "chiave-di-test-lunga-abbastanza-0123456789")
    get_settings.cache_clear()
    runner = CliRunner()
    out = tmp_path / "scheda.xlsx"
    written = runner.invoke(app, ["labs", "template", "--out", str(out), "--lab", "LABX"])
    assert written.exit_code == 0 and f"Scheda scritta in {out}" in written.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Istruzioni" and wb.sheetnames[-1] == "Indicatori"
    esito = next(dv for dv in wb["obiettivi_laboratorio"].data_validations.dataValidation if "D2" in str(dv.sqref))
    assert esito.formula1 == '"raggiunto,parzialmente_raggiunto,non_raggiunto"' and esito.prompt.startswith(
        "Obbligatorio.")
    indicators = [r[0] for r in wb["Indicatori"].iter_rows(min_row=2, values_only=True)]
    assert indicators[:2] == ["abitanti", "famiglie"] and "nuclei_morosi_pct" in indicators
    for sheet, values in FILLED.items():  # the lab fills one row per sheet, as Excel stores it
        ws = wb[sheet]
        assert [c.value for c in ws[1]][:len(values)] == [c.header for c in __import__("etl.kinds").kinds.KINDS[
            sheet].columns][:len(values)]
        for col, value in enumerate(values, start=1):
            if isinstance(value, str) and len(value) == 10 and value[2] == "/" and value[5] == "/":
                value = datetime.strptime(value, "%d/%m/%Y")
            ws.cell(row=2, column=col, value=value)
    context = wb["indicatori_contesto"]
    for r, (arm, day, v) in enumerate((("trattamento", "01/03/2014", 56), ("trattamento", "01/03/2016", 50),
                                      ("controllo", "01/03/2014", 40), ("controllo", "01/03/2016", 42)), start=2):
        for c, value in enumerate(("LABX", "La Piastra" if arm == "trattamento" else "Sassella", arm,
                                   "nuclei_morosi_pct", datetime.strptime(day, "%d/%m/%Y"), v, "pct"), start=1):
            context.cell(row=r, column=c, value=value)
    wb.save(out)
    loaded = runner.invoke(app, ["labs", "load-scheda", str(out)])
    get_settings.cache_clear()
    assert loaded.exit_code == 0, loaded.output
    lines = [line for line in loaded.output.splitlines() if "[" in line]
    assert len(lines) == len(FILLED) + 1 and all("in quarantena 0" in line and "completato" in line for line in lines)
    assert "[indicatori_contesto] completato: letti 4, caricati 4" in loaded.output
    from schemas.db import make_engine

    engine = make_engine(warehouse_url)
    try:
        assert rows(engine, "SELECT total_cost, regional_contribution FROM lab") == [(40000.5, 30000.0)]
        assert rows(engine, "SELECT status, evidence FROM lab_objective") == [
            ("parzialmente_raggiunto", "Due mediazioni concluse")]
        share = cofinancing(engine).iloc[0]  # 8.000 / 40.000,50 = 19,999...%: just under the minimum
        assert math.isclose(share["share_pct"], 8000 / 40000.5 * 100) and share["below_minimum"] is True
    finally:
        engine.dispose()
