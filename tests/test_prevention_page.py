"""The Prevenzione page headless: per role on the loaded sample; the hand-made ledgers of test_prevention with every
figure worked out there; the risk verdict on the synthetic histories of test_risk (better, and not better)."""

from __future__ import annotations

import shutil

import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators import store
from osservatorio.settings import Settings
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)
from tests.factories import load_text
from tests.test_arrears import HEADER, PORTFOLIO
from tests.test_prevention import CASES, CASES_HEADER, MOVES
from tests.test_risk import load_history, synthetic_files

PAGE = "views/prevention.py"


@pytest.mark.parametrize("role", ["admin", "gestore", "sgr", "direzione", "regione"])
def test_every_role_opens_the_page(loaded_warehouse, monkeypatch, role):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE, user=role)
    shown = texts(at)
    assert "Prevenzione" in [t.value for t in at.title]
    if role == "regione":  # counts by band and severity only, no contract rows
        assert "Contratti morosi per fascia di debito e gravità" in shown
        assert "Campanello d'allarme" not in shown and "Storico del contratto" not in shown
        assert all("Contratto" not in df.value.columns for df in at.dataframe)
    else:
        for heading in ("Campanello d'allarme: chi chiamare questa settimana", "Incolpevoli gravi verso lo sfratto",
                        "Morosità per voce, fascia di debito e gravità", "Punteggio di rischio: quanto fidarsi"):
            assert heading in shown, heading


@pytest.fixture(scope="module")
def small(tmp_path_factory, sqlite_template) -> str:
    root = tmp_path_factory.mktemp("prevention_page")
    path = root / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="chiave-di-test")
    # a charge entered on 31/03/2024 (due in April) so that the page opens on 31/03/2024, the date of the hand sums
    files = {**PORTFOLIO, "movimenti": HEADER + MOVES + "C4;31/03/2024;addebito;10,00;altro;04/2024;10/04/2024\n",
             "pratiche_morosita": CASES_HEADER + CASES}
    for kind, content in files.items():
        assert load_text(root, kind, content, engine=engine, settings=settings).status == "completato", kind
    store.build(engine)
    engine.dispose()
    return url


def _table(at, heading: str):
    return next(df.value for df in at.dataframe if heading in df.value.columns)


def test_the_list_and_tiles_show_the_figures_worked_out_by_hand(small, monkeypatch):
    at = open_page(small, monkeypatch, PAGE, user="admin")
    tiles = {m.label: m.value for m in at.metric}
    # C2 (1.200), C7 (500), C5 (500): 2.200 €; no incolpevole grave case.
    assert tiles == {"Contratti da chiamare (campanello d'allarme)": "3", "Debito dei contratti da chiamare":
                     "2.200,00\xa0€", "Incolpevoli gravi verso lo sfratto": "0"}
    listed = _table(at, "Prima rata non pagata")
    assert listed["Contratto"].tolist() == ["C2", "C7", "C5"]
    assert listed["Giorni"].tolist() == ["59", "50", "45"]
    assert listed["Prima rata non pagata"].tolist() == ["01/02/2024", "10/02/2024", "15/02/2024"]
    assert set(listed["Passo dovuto"]) == {"Telefonata e sollecito scritto (interessi di mora)"}
    # the rule (protezione or accesso, up to 5.000 €, no legal action): N2 accesso, N7 accesso, N5 protezione
    assert listed["Probabile incolpevole"].tolist() == ["sì", "sì", "sì"]
    items = _table(at, "Voce").set_index("Voce")["Debito"].to_dict()
    assert items["Canone"] == "2.850,00\xa0€" and items["Conguaglio"] == "6.000,00\xa0€"
    # the clock from the first unpaid charge: P6's instrument due 15/05/2024 rather than 20/05
    at.radio(key="prev_anchor").set_value("opening").run()
    assert "Scadenze contate dall'apertura della pratica." in texts(at)
    # a contract's history, opened from the list
    at.selectbox(key="prev_contract").set_value("C7").run()
    timeline = _table(at, "Movimento o evento")
    assert timeline["Movimento o evento"].tolist() == ["Addebito", "Addebito", "Addebito", "Incasso"]


def test_the_history_opens_from_a_link(small, monkeypatch):
    at = open_page(small, monkeypatch, user="admin")
    at.query_params["contratto"] = "C6"
    at.switch_page(PAGE).run()
    assert at.selectbox(key="prev_contract").value == "C6"
    assert _table(at, "Movimento o evento")["Movimento o evento"].tolist() == [
        "Addebito", "Apertura pratica", "Valutazione del disagio"]


@pytest.mark.parametrize("signal", [True, False])
def test_the_page_says_whether_the_model_beats_the_balance(tmp_path, sqlite_template, monkeypatch, signal):
    path = tmp_path / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    load_history(url, tmp_path, synthetic_files(signal=signal))
    at = open_page(url, monkeypatch, PAGE, user="admin")
    verdicts = [el.value for el in (*at.success, *at.warning)]
    if signal:
        assert any(v.startswith("Il modello ordina meglio del semplice saldo") for v in verdicts), verdicts
    else:
        assert any(v.startswith("Il modello NON fa meglio del semplice ordinamento per saldo") for v in verdicts)
    assert len(_table(at, "AUC modello")) == 4


def test_the_arrears_page_lists_lead_to_the_history(small, monkeypatch):
    at = open_page(small, monkeypatch, "views/arrears.py", user="admin")
    picker = at.selectbox(key="arr_balances_history")
    # the contracts with a balance of the first intervention (INT1): C1, C2, C3
    assert picker.options == ["C1", "C2", "C3"]
