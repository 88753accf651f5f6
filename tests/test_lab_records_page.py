"""The Laboratori page with the evaluators' records worked out by hand (`test_lab_records`), as the Regione sees it:
the sheet of a lab beside its outputs and outcomes, the synthesis by ambito, and the panel tab opening on a lab."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from factories import load_text
from indicators import store
from osservatorio.settings import Settings
from schemas.db import make_engine
from test_lab_records import load_records
from test_labs_page import frame_with, small_labs  # noqa: F401  (fixture)
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGE = "views/labs.py"


@pytest.fixture(scope="module")
def records_url(tmp_path_factory, sqlite_template) -> str:
    root = tmp_path_factory.mktemp("lab_records_page")
    path = root / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    load_records(root, engine, Settings(database_url=url, pseudonym_key="chiave-di-test"))
    engine.dispose()
    return url


def test_the_regione_sees_a_labs_records_beside_its_outputs(records_url, monkeypatch):
    at = open_page(records_url, monkeypatch, PAGE, user="regione")
    assert at.selectbox(key="labs_sheet").value == "LAB1"  # listed with its Comune
    assert at.selectbox(key="labs_sheet").format_func("LAB1") == "Sportello morosità (Cinisello Balsamo)"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Obiettivi raggiunti"] == "33,3%"  # 1 of 3
    text = texts(at)
    assert "3 obiettivi previsti: 1 raggiunto, 1 parzialmente raggiunto, 1 non raggiunto (33,3% raggiunti)." in text
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Quota di cofinanziamento 15,0% del costo totale (10.000,00\xa0€; apporti dichiarati dai partner). Sotto il "
        "minimo del 20% richiesto dal bando."]
    objectives = frame_with(at, "Obiettivo previsto")
    assert objectives[["Ambito", "Obiettivo previsto", "Esito", "Evidenze"]].values.tolist() == [
        ["Contrasto al disagio sociale", "Prendere in carico i nuclei fragili", "Non raggiunto",
         "Servizi sociali assenti"],
        ["Contrasto alla morosità incolpevole", "Concordare piani di rientro", "Raggiunto", "12 piani firmati"],
        ["Contrasto alla morosità incolpevole", "Rimodulare le procedure", "Parzialmente raggiunto",
         "Avviato a fine progetto"]]
    partners = frame_with(at, "Tipo di soggetto")
    assert partners[["Partner", "Ruolo"]].values.tolist() == [
        ["Comune di Cinisello Balsamo", "Capofila"], ["Cooperativa La Rete", "Partner"],
        ["ALER di Milano", "Partner obbligatorio"]]
    # anziani 3 and 2 households are under 5: hidden, and 51 and 40 with them (or the totals would give them away)
    assert frame_with(at, "Nuclei previsti")[["Destinatari", "Nuclei previsti", "Nuclei raggiunti"]].values.tolist() \
        == [["Anziani", "nascosto", "nascosto"], ["Nuclei morosi", "nascosto", "nascosto"]]
    assert frame_with(at, "Forma dell'apporto")[["Ente", "Importo"]].values.tolist() == [
        ["ALER di Milano", "500,00\xa0€"], ["Comune di Cinisello Balsamo", "1.000,00\xa0€"]]
    assert frame_with(at, "Ore settimanali")[["Presidio", "Nel quartiere", "Ore settimanali"]].values.tolist() == [
        ["Presidio Sant'Eusebio", "sì", "12"], ["Sportello Mozart", "no", "4,5"]]
    assert frame_with(at, "Motivazione")[["Aspetto", "Giudizio"]].values.tolist() == [
        ["Continuità", "Positivo"], ["Trasferibilità", "Parziale"]]
    assert frame_with(at, "Interlocutore")[["Data", "Fonte", "Tema", "Nota"]].values.tolist() == [
        ["15/11/2015", "Intervista", "Punto di forza", "Fiducia costruita con i nuclei morosi"]]
    assert "Output ed esiti" in text  # the outputs and outcomes follow on the same sheet
    at.selectbox(key="labs_sheet").set_value("LAB3").run()
    assert "Quota di cofinanziamento 30,0% del costo totale (5.000,00\xa0€; costo non coperto dal contributo " \
           "regionale: nessun apporto dichiarato). Rispetta il minimo del 20% richiesto dal bando." in [
               s.value.replace("\\", "") for s in at.success]


def test_the_admin_sees_the_target_groups_counts(records_url, monkeypatch):
    at = open_page(records_url, monkeypatch, PAGE, user="admin")
    assert frame_with(at, "Nuclei previsti")[["Destinatari", "Nuclei previsti", "Nuclei raggiunti"]].values.tolist() \
        == [["Anziani", "3", "2"], ["Nuclei morosi", "51", "40"]]


def test_the_synthesis_by_ambito_puts_the_labs_side_by_side(records_url, monkeypatch):
    at = open_page(records_url, monkeypatch, PAGE, user="regione")
    table = frame_with(at, "Obiettivi raggiunti (%)")
    assert table[["Ambito", "Laboratorio", "Comune", "Obiettivi previsti", "Raggiunti", "Obiettivi raggiunti (%)",
                  "Cofinanziamento (%)", "Presidi", "Continuità"]].values.tolist() == [
        ["Promozione della rappresentanza", "Capi scala", "Monza", "0", "0", "n.d.", "n.d.", "0", "n.d."],
        ["Contrasto alla morosità incolpevole", "Sportello morosità", "Cinisello Balsamo", "2", "1", "50,0%",
         "15,0% (sotto il 20%)", "2", "Positivo"],
        ["Contrasto al disagio sociale", "Sportello morosità", "Cinisello Balsamo", "1", "0", "0,0%",
         "15,0% (sotto il 20%)", "2", "Positivo"],
        ["Contrasto al disagio sociale", "Ascolto", "Lodi", "1", "1", "100,0%", "30,0%", "0", "n.d."]]
    assert "Cofinanziamento sotto il 20% richiesto dal bando: Sportello morosità." in [w.value.replace("\\", "") for w in at.warning]
    at.selectbox(key="labs_synthesis_ambito").set_value("disagio_sociale").run()
    assert frame_with(at, "Obiettivi raggiunti (%)")["Laboratorio"].tolist() == ["Sportello morosità", "Ascolto"]


# Three interventions in three quartieri of Milano, four buildings with two leases each and twelve months of rent; a
# lab in Barona and one in Figino. The panel opens on the first lab and its building; choosing the other lab moves
# both choices.
BUILDINGS = {"E1": "INT1", "E2": "INT3", "E3": "INT2", "E4": "INT3"}
PANEL_FILES = {
    "interventi": "codice_intervento;nome;comune;quartiere\nINT1;Figino uno;Milano;Figino\n"
                  "INT2;Barona due;Milano;Barona\nINT3;Baggio tre;Milano;Baggio\n",
    "edifici": "codice_edificio;codice_intervento;indirizzo\n" + "".join(
        f"{b};{i};Via Prova {n}\n" for n, (b, i) in enumerate(BUILDINGS.items(), start=1)),
    "alloggi": "codice_alloggio;codice_edificio;regime\n" + "".join(
        f"A{b}{k};{b};locazione_permanente\n" for b in BUILDINGS for k in (1, 2)),
    "nuclei": "codice_nucleo;componenti\n" + "".join(f"N{b}{k};1\n" for b in BUILDINGS for k in (1, 2)),
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n" + "".join(
        f"C{b}{k};A{b}{k};N{b}{k};01/01/2020;400,00\n" for b in BUILDINGS for k in (1, 2)),
    "movimenti": "codice_contratto;data;tipo;importo;voce;competenza\n" + "".join(
        f"C{b}{k};01/{m:02d}/2024;addebito;400,00;canone;{m:02d}/2024\n"
        + (f"C{b}{k};05/{m:02d}/2024;incasso;400,00;canone;{m:02d}/2024\n" if (m + k + int(b[1])) % 3 else "")
        for b in BUILDINGS for k in (1, 2) for m in range(1, 13)),
    "laboratori": "codice_laboratorio;titolo;comune;quartiere;ambiti;data_inizio\n"
                  "LABB;Barona insieme;Milano;Barona;rappresentanza;01/06/2024\n"
                  "LABF;Figino solidale;Milano;Figino;rappresentanza;01/01/2014\n",
}


@pytest.fixture(scope="module")
def panel_url(tmp_path_factory, sqlite_template) -> str:
    root = tmp_path_factory.mktemp("lab_panel")
    path = root / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="chiave-di-test")
    for kind, content in PANEL_FILES.items():
        assert load_text(root, kind, content, engine=engine, settings=settings).status == "completato", kind
    store.build(engine)
    engine.dispose()
    return url


def test_the_panel_tab_opens_on_the_lab_not_on_a_default_building(panel_url, monkeypatch):
    at = open_page(panel_url, monkeypatch, PAGE)
    # the sheet opens on LABB (first code), which has a building: the panel opens on it, with its start (06/2024)
    assert at.selectbox(key="panel_lab").value == "LABB"
    assert at.selectbox(key="panel_lab").format_func("LABB") == "Barona insieme (Milano)"
    assert at.multiselect(key="panel_treated").value == ["E3"]  # not E1, the first building
    assert at.selectbox(key="panel_start").value == pd.Timestamp("2024-06-30").date()
    assert "Area del laboratorio: Barona, Milano. Trattati: 1 edificio dell'area; gli altri edifici fanno da " \
           "controllo." in texts(at)
    at.selectbox(key="panel_lab").set_value("LABF").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="panel_treated").value == ["E1"]
    assert "L'avvio del laboratorio (01/2014) è fuori dai mesi del panel" in texts(at)  # start chosen by hand
    assert "**Lettura**: L'effetto stimato è" in texts(at)  # every estimate with its reading


def test_each_comparison_with_the_control_area_has_its_reading(small_labs, monkeypatch):  # noqa: F811
    # LAB1 (test_labs): nuclei morosi 56% -> 50% in the lab's area, 40% -> 42% in the control area: -8 points
    at = open_page(small_labs, monkeypatch, PAGE, user="regione")
    assert ("Nuclei morosi (%): nell'area del laboratorio 56,0% → 50,0% (-6,0 punti), nell'area di controllo "
            "+2,0 punti; la differenza è -8,0 punti. Con una sola area di controllo e due rilevazioni non c'è un "
            "errore standard: non si può escludere che la differenza sia nulla o dovuta ad altro.") in texts(at)
    assert ("Morosità accumulata (€): nell'area del laboratorio 100.000,00\xa0€ → 80.000,00\xa0€ (-20.000,00\xa0€), "
            "nell'area di controllo +5.000,00\xa0€; la differenza è -25.000,00\xa0€.") in texts(at)
