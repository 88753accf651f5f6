"""The Laboratori page headless: the figures of a tiny warehouse worked out by hand (tiles, tables, the Regione's
panel), and on the loaded sample every control changed, the panel's warnings and the HTML report."""

from __future__ import annotations

import base64
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from factories import BASE_FILES, load_text
from indicators import store
from osservatorio.reports.labs import labs_report
from osservatorio.settings import Settings
from schemas.db import make_engine
from test_labs import ACTIVITIES, INDICATORS, LABS
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGE = "views/labs.py"
GRATOSOGLIO = "milano-gratosoglio-social-lab"


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    eng = make_engine(loaded_warehouse.url)
    yield eng
    eng.dispose()


# The tiny warehouse of test_labs (three labs, three activities, context indicators: the figures are worked out
# there by hand) plus one building of two leases with six months of rent, so that the panel has a building.
MOVES = "codice_contratto;data;tipo;importo;voce;competenza;scadenza\n" + "".join(
    f"C{c};01/0{m}/2024;addebito;500,00;canone;0{m}/2024;\n" for c in (1, 2) for m in range(1, 7))
OUTPUT_HEADINGS = ["Laboratorio", "Attività dei laboratori", "Partecipanti (presenze)", "Nuclei raggiunti (contatti)",
                   "Nuclei presi in carico", "Ore di attività", "Volontari (presenze)", "Costo per nucleo raggiunto"]


@pytest.fixture(scope="module")
def small_labs(tmp_path_factory, sqlite_template) -> str:
    root = tmp_path_factory.mktemp("labs_page")
    path = root / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="chiave-di-test")
    files = {**{k: v for k, v in BASE_FILES.items() if k != "laboratori"}, "movimenti": MOVES, "laboratori": LABS,
             "attivita_laboratorio": ACTIVITIES, "indicatori_contesto": INDICATORS}
    for kind, content in files.items():
        assert load_text(root, kind, content, engine=engine, settings=settings).status == "completato", kind
    store.build(engine)  # as `osservatorio load-dir` does: the pages read the figures of this copy
    engine.dispose()
    return url


def frame_with(at, heading: str, *, last: bool = False) -> pd.DataFrame:
    """The first (or last) table with a column `heading`: dataframes, then static tables, each in page order."""
    found = [t.value for t in [*at.dataframe, *at.table] if heading in t.value.columns]
    return found[-1 if last else 0]


@pytest.mark.parametrize("user", ["admin", "regione"])
def test_labs_page_shows_the_figures_worked_out_by_hand(small_labs, monkeypatch, user):
    at = open_page(small_labs, monkeypatch, PAGE, user=user)
    # activities: LAB1 two (10 + 50 participants, 8 + 20 households, 2 + 0 taken in charge, 3 + 4,5 hours,
    # 1 + 5 volunteers), LAB2 one (30, 12, 0, 2 h, 3); LAB3 none. Cost per household: only LAB1's cost is known,
    # 10.000 € / 28 households = 357,142... €. The labs' own registers of contacts: the Regione sees them too.
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"Attività dei laboratori": "3", "Nuclei raggiunti (contatti)": "40",
                     "Nuclei presi in carico": "2", "Costo per nucleo raggiunto": "357,14\xa0€"}
    outputs = frame_with(at, "Partecipanti (presenze)")
    assert list(outputs.columns) == OUTPUT_HEADINGS
    assert outputs.values.tolist() == [["Sportello morosità", "2", "60", "28", "2", "8", "6", "357,14\xa0€"],
                                       ["Capi scala", "1", "30", "12", "0", "2", "3", "n.d."]]  # 7,5 h in whole hours
    # nuclei morosi: 56% -> 50% in the lab's area (-6 points, -6/56 = -10,7%), 40% -> 42% in the control area
    # (+2 points, +5%); treatment - control -6 - 2 = -8 points and -10,71 - 5 = -15,7 points of relative change
    outcomes = frame_with(at, "Trattamento − controllo").set_index("Gruppo")
    treated = outcomes.loc["Trattamento (area del laboratorio)"]
    control = outcomes.loc["Controllo (area senza laboratorio)"]
    assert (treated["Tempo zero"], treated["Tempo uno"], treated["Variazione assoluta"],
            treated["Variazione relativa (%)"], treated["Trattamento − controllo"],
            treated["Trattamento − controllo (variazioni %, punti)"]) == (
        "56,0%", "50,0%", "-6,0 punti", "-10,7%", "-8,0 punti", "-15,7 punti di variazione %")
    assert (control["Tempo zero"], control["Tempo uno"], control["Variazione assoluta"],
            control["Variazione relativa (%)"], control["Trattamento − controllo"]) == (
        "40,0%", "42,0%", "+2,0 punti", "+5,0%", "")
    # completeness: LAB1 8 of 11 indicators x 2 groups x 2 moments = 8/44 = 18,2%; LAB2 1/44 = 2,3%;
    # LAB3 (disagio sociale adds none to the 8 of every area) 3/32 = 9,4%
    complete = frame_with(at, "Completezza")
    assert complete[["Laboratorio", "Completezza"]].values.tolist() == [
        ["Sportello morosità", "18,2%"], ["Capi scala", "2,3%"], ["Ascolto", "9,4%"]]
    assert complete["Cosa manca"].iloc[2] == "Manca il caso di controllo al tempo uno."
    assert "Costo totale 10.000,00\xa0€ · contributo regionale n.d." in texts(at)  # the sheet opens on LAB1


def test_the_regione_panel_leaves_out_buildings_of_fewer_than_five_households(small_labs, monkeypatch):
    # E1 has two households with a lease (C1, C2), E2 none: the admin may pick E1, the Regione no building
    admin = open_page(small_labs, monkeypatch, PAGE)
    assert admin.multiselect(key="panel_treated").options == ["E1 · Via Cenni 1"]
    assert "Per la riservatezza" not in texts(admin)
    regione = open_page(small_labs, monkeypatch, PAGE, user="regione")
    assert regione.multiselect(key="panel_treated").options == []
    assert (":material/lock: Per la riservatezza entrano nel panel solo gli edifici con almeno 5 nuclei con contratto "
            "attivo all'ultimo mese.") in texts(regione)
    assert "Scegliere almeno un edificio trattato." in texts(regione)


def test_labs_page_states_what_is_missing_per_lab(small_labs, monkeypatch):
    at = open_page(small_labs, monkeypatch, PAGE)
    at.selectbox(key="labs_sheet").set_value("LAB2").run()
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith("Manca")] == [
        "Manca la rilevazione nell'area del laboratorio al tempo uno.",
        "Manca il caso di controllo: nessuna rilevazione in un'area senza laboratorio."]
    at.selectbox(key="labs_sheet").set_value("LAB3").run()
    assert "Manca il caso di controllo al tempo uno." in [w.value for w in at.warning]
    sheet = frame_with(at, "Variazione assoluta", last=True).set_index("Gruppo")  # the sheet's, after the comparison
    # abitanti 1.000 -> 1.050 in the lab's area over 29 months: +50, +5,0%; no control at tempo uno
    treated = sheet.loc["Trattamento (area del laboratorio)"]
    assert (treated["Tempo zero"], treated["Tempo uno"], treated["Variazione assoluta"],
            treated["Variazione relativa (%)"], treated["Trattamento − controllo"]) == (
        "1.000", "1.050", "+50", "+5,0%", "Manca il caso di controllo al tempo uno")


def test_every_control_of_the_labs_page_changes_without_error(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    earlier = (pd.Timestamp(at.selectbox(key="panel_start").value) - pd.offsets.MonthEnd(2)).date()
    for key, value in (("labs_measure", "volunteers"), ("labs_ambito", "disagio_sociale"),
                       ("labs_indicator", "abitanti"), ("labs_sheet", GRATOSOGLIO), ("panel_outcome", "rate_billed"),
                       ("panel_start", earlier)):
        at.selectbox(key=key).set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
    treated = at.multiselect(key="panel_treated")
    treated.set_value(treated.options[:3]).run()
    assert not at.exception
    assert "Controllo sintetico non calcolabile" in texts(at) or list(frame_with(at, "Pesi principali")["Edificio"]) == \
        treated.options[:3]  # one synthetic control each
    at.selectbox(key="panel_lab").set_value(GRATOSOGLIO).run()
    assert not at.exception
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(c.startswith("Area del laboratorio: ") for c in captions), captions  # what links it, and its start
    treated.set_value([]).run()
    assert "Scegliere almeno un edificio trattato." in texts(at)


def test_panel_evaluation_reports_the_estimate_and_its_warnings(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    treated = at.multiselect(key="panel_treated")  # the panel opens on a lab: its buildings are the treated ones
    treated.set_value(treated.value[:1]).run()  # one of them, for the synthetic control
    text = texts(at)
    assert "**Metodo**: Differenza nelle differenze" in text and "**Intervallo al 95%**" in text
    assert "**Metodo**: Controllo sintetico" in text and "**Pesi**" in text
    assert any("Solo 1 unità trattata:" in w.value.replace("\\", "") for w in at.warning)  # singular agreement


def test_report_buttons_offer_a_self_contained_html(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    at.button(key="labs_report_all").click().run()
    assert not at.exception and at.session_state["labs_report_all_bytes"][:15] == b"<!DOCTYPE html>"
    html = labs_report(engine)
    assert html.count('<script type="text/javascript">') == 1  # plotly.js inlined once
    assert "<script src=" not in html and "Completezza dei dati" in html  # nothing fetched when opened
    assert "Manca il caso di controllo: nessuna rilevazione in un&#39;area senza laboratorio." in html
    one = labs_report(engine, lab=GRATOSOGLIO)
    assert "Scheda: Gratosoglio Social Lab" in one and "brescia-gioco-di-squadra" not in one


def test_panel_takes_the_lab_start_from_the_catalogue(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    from dashboard import lab_data
    from indicators.ledger_sql import month_ends
    from indicators.portfolio import ledger_span

    import dataclasses

    month = month_ends(*ledger_span(engine))[10]
    links = lab_data.lab_links

    def started_in_the_ledger(lab):  # the lab's own start, moved into the ledger's months
        found = links(lab)
        return dataclasses.replace(found, start=month.replace(day=3)) if lab == GRATOSOGLIO else found

    monkeypatch.setattr(lab_data, "lab_links", started_in_the_ledger)
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    other = next(c for c in lab_data.lab_outputs.lab_catalogue(engine)["code"] if c != GRATOSOGLIO)
    for code in (other, GRATOSOGLIO):  # a change of lab sets the start
        at.selectbox(key="panel_lab").set_value(code).run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="panel_start").value == month


def test_panel_event_study_states_the_moved_reference_and_its_joint_pre_trend_test(loaded_warehouse, engine,
                                                                                   monkeypatch):  # noqa: F811
    """The rank-deficient panel of `test_event_study` (ten treated buildings not observed the month before the
    start) served as the ledger panel: the page says which reference it used and never shows the +3.7 leads."""
    from dashboard import lab_data
    from indicators.ledger_sql import month_ends
    from indicators.portfolio import ledger_span
    from test_evaluation import synthetic_panel

    start = pd.Timestamp(month_ends(*ledger_span(engine))[12])  # one of the page's start months
    frame = synthetic_panel(34)
    frame = frame[~((frame["unit"] < "u10") & (frame["month"] == 11))]
    fake = frame.assign(period=[start + pd.offsets.MonthEnd(m - 12) for m in frame["month"]])  # month 12 = start
    fake = fake[["unit", "period", "y"]].reset_index(drop=True)
    monkeypatch.setattr(lab_data, "building_arrears_panel", lambda *_, **__: fake.copy())
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    at.multiselect(key="panel_treated").set_value([f"u{u:02d}" for u in range(10)]).run()
    at.selectbox(key="panel_start").set_value(start.date()).run()
    assert not at.exception, [e.value for e in at.exception]
    text = texts(at)
    assert "**Stima**: -1,92" in text  # the DiD is identified (true effect -2)
    assert ("Le unità trattate non sono osservate nel periodo −1 prima dell'avvio: il riferimento dello studio di "
            "evento è il periodo −2.") in [w.value.replace("\\", "") for w in at.warning]
    assert ("Andamento parallelo prima dell'avvio: p-value 0,060 (test congiunto su 10 periodi prima del "
            "riferimento, errore standard per gruppi)") in text
    chart = json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("panel_event")).proto.spec)
    assert chart["layout"]["yaxis"]["title"]["text"] == "Differenza rispetto al periodo −2"
    x = chart["data"][0]["x"]  # plotly sends arrays as base64 with their dtype
    x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]) if isinstance(x, dict) else x
    assert list(x) == [*range(-12, -1), *range(0, 12)]  # no point at −1: the treated buildings lack that month
