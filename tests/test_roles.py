"""Who sees what, page by page: anonymous visitors, the five roles, contract rows, suppression, identifiers."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from osservatorio.pages import PAGES
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.portfolio import ledger_span, portfolio_tree
from indicators.scope import Scope
from indicators.suppression import households_by
from osservatorio import audit
from osservatorio.demo import DEMO_USERS
from schemas.db import make_engine
from test_pages import APP, fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

MONITORING = ("views/overview.py", "views/arrears.py", "views/vacancy.py")
SOCIAL = ("views/impact.py", "views/allocations.py", "views/projects.py")  # the gestore sociale's pages
ECONOMICS = "views/economics.py"  # margins, cost per unit, performance index and targets
SELECTION = "views/selection.py"  # every role but the direzione; the Regione and SGRs see aggregates only
PREVENTION = "views/prevention.py"  # every role; the Regione sees counts by band and severity only
VISIBLE = {  # role -> pages in its navigation
    "regione": {"views/home.py", *MONITORING, PREVENTION, *SOCIAL, "views/labs.py", SELECTION},
    "sgr": {"views/home.py", *MONITORING, PREVENTION, "views/impact.py", ECONOMICS, SELECTION},
    "gestore": {"views/home.py", *MONITORING, PREVENTION, *SOCIAL, ECONOMICS, SELECTION},
    "direzione": {"views/home.py", *MONITORING, PREVENTION, "views/impact.py", "views/budget.py", ECONOMICS},
    "admin": {spec.path for spec in PAGES},
}
SCOPES = {name: scope for name, _, scope, _ in DEMO_USERS}
CONTRACT_COLUMNS = {"Contratto", "Alloggio", "Pratica", "Nuovo contratto"}


@pytest.fixture(scope="module")
def tree(loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    yield portfolio_tree(engine)
    engine.dispose()


def shown_tables(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


def test_anonymous_visitors_get_only_the_login_form(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, user=None)
    assert [t.value for t in at.text_input] == ["", ""] and at.text_input[1].proto.type == 1  # password
    assert not at.metric and not at.dataframe and "Accesso" in texts(at)
    for spec in PAGES:
        with pytest.raises(ValueError, match="Could not find"):
            at.switch_page(spec.path).run()


def test_login_form_signs_in_and_logs_failures(loaded_warehouse, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OSSERVATORIO_LOGIN_BACKOFF_SECONDS", "0")  # the retry comes at once (see test_account_pages)
    at = open_page(loaded_warehouse.url, monkeypatch, user=None)
    at.text_input(key="login_user").input("sgr")
    at.text_input(key="login_password").input("password-sbagliata")
    at.button[0].click().run()
    assert "Nome utente o password non validi." in texts(at) and not at.metric
    at.text_input(key="login_password").input("sgr-demo-2026")
    at.button[0].click().run()
    assert not at.exception and "Il proprio perimetro" in texts(at)
    log = audit.recent(make_engine(loaded_warehouse.url), limit=2)
    assert log["action"].tolist() == ["login", "login_fallito"] and set(log["username"]) == {"sgr"}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_reaches_only_its_pages(role, loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, user=role)
    for spec in PAGES:
        if spec.path in VISIBLE[role]:
            at.switch_page(spec.path).run()
            assert not at.exception, (role, spec.path, [e.value for e in at.exception])
            assert at.title
        else:
            with pytest.raises(ValueError, match="Could not find"):
                at.switch_page(spec.path).run()


@pytest.mark.parametrize("user", ["sgr", "gestore", "direzione"])
@pytest.mark.parametrize("page", MONITORING)
def test_scoped_roles_see_only_their_portfolio(user, page, loaded_warehouse, tree, monkeypatch):  # noqa: F811
    scope = Scope(**{k: tuple(v) for k, v in SCOPES[user].items()})
    mine = portfolio_tree(make_engine(loaded_warehouse.url), scope=scope)
    assert 0 < len(mine) < len(tree), "the demo scope is a strict part of the sample"
    at = open_page(loaded_warehouse.url, monkeypatch, page, user=user)
    offered = {o.split(" · ")[0] for o in at.multiselect(key="flt_intervention").options}
    assert offered == set(mine["intervention_code"])
    assert set(at.multiselect(key="flt_sgr").options) == set(mine["sgr"])
    others = set(tree["intervention_code"]) - set(mine["intervention_code"])
    for table in shown_tables(at):
        for column in ("Intervento", "Edificio"):
            if column in table:
                codes = {str(v).split(" · ")[0] for v in table[column]}
                assert not codes & (others | set(tree.loc[~tree["intervention_code"].isin(
                    mine["intervention_code"]), "building_code"])), (page, column)


def test_scoped_drill_down_lists_only_own_contracts(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py", user="gestore")
    offered = {o.split(" · ")[0] for o in at.selectbox(key="arr_int").options}
    assert offered == {"INT001", "INT002"}


@pytest.mark.parametrize("page", MONITORING)
def test_regione_sees_no_contract_rows_nor_buildings(page, loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, page, user="regione")
    assert "flt_building" not in [m.key for m in at.multiselect]
    for table in shown_tables(at):
        assert not CONTRACT_COLUMNS & set(table.columns), (page, list(table.columns))
    if page == "views/arrears.py":
        assert "Edificio" not in at.selectbox(key="arr_by").options
        assert "Dall'intervento al contratto" not in texts(at)
        for by in ("intervention", "fund", "tenure", "income_band", "sgr"):
            at.selectbox(key="arr_by").set_value(by).run()
            assert not at.exception


def test_regione_tables_are_suppressed_with_an_explanation(loaded_warehouse, monkeypatch):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    _, last = ledger_span(engine)
    counts = households_by(engine, as_of=last, by="intervention").sort_values("households")
    smallest, second = counts["group"].iloc[0], counts["group"].iloc[1]
    threshold = int(counts["households"].iloc[0]) + 1  # only the smallest intervention is a small cell
    assert counts["households"].iloc[1] >= threshold
    monkeypatch.setenv("OSSERVATORIO_SMALL_CELL_THRESHOLD", str(threshold))
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py", user="regione")
    table = next(t for t in shown_tables(at) if "Intervento" in t).set_index("Intervento")
    hidden = {g.split(" · ")[0] for g, row in table.iterrows() if row["Tasso di sfitto"] == "nascosto"}
    assert hidden == {smallest, second}, "the small cell and its complement (next smallest) are hidden"
    assert f"meno di {threshold} nuclei" in texts(at) and "per differenza" in texts(at)
    # the same warehouse and threshold for an SGR: nothing hidden
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py", user="direzione")
    assert "nuclei o contratti non sono mostrati" not in texts(at)
    engine.dispose()


def test_no_clear_identifier_on_any_page(loaded_warehouse, monkeypatch, tmp_path):  # noqa: F811
    from etl.sample import generate
    from dashboard_fixtures import SAMPLE_SEED, SAMPLE_UNITS, SAMPLE_YEARS

    generate(tmp_path, units=SAMPLE_UNITS, years=SAMPLE_YEARS, seed=SAMPLE_SEED)
    people = pd.read_csv(tmp_path / "nuclei.csv", sep=";", dtype=str)
    clear = {v for col in people.columns if col.lower() in ("codice_fiscale", "nominativo") for v in people[col].dropna()}
    assert clear, "the sample has clear identifiers to look for"
    for page in MONITORING:
        at = open_page(loaded_warehouse.url, monkeypatch, page, user="admin")
        on_screen = texts(at) + "".join(t.to_csv() for t in shown_tables(at))
        assert not any(v in on_screen for v in clear), page
