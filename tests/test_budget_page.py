"""The Budget page headless (AppTest) on the small sample: every control changed, figures equal the indicators'."""

from __future__ import annotations


import pytest

from dashboard_fixtures import loaded_warehouse, private_copy  # noqa: F401  (fixture)
from indicators.budget import Adjustments, adjusted, propose
from indicators.budget_versions import list_versions
from indicators.variance import budget_vs_actual
from osservatorio import accounts, audit
from osservatorio.formatting import fmt_eur
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGE = "views/budget.py"


@pytest.fixture
def warehouse_copy(loaded_warehouse, tmp_path):  # noqa: F811
    """The sample warehouse copied, for the test that saves a version (the shared one must stay unchanged)."""
    return private_copy(loaded_warehouse, tmp_path)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_budget_page_figures_and_controls(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    # Yearly figures: the sidebar offers the portfolio levels, not the monitoring pages' date and period.
    assert not [w for w in at.sidebar.date_input if w.key == "flt_as_of"]
    assert "flt_period" not in [w.key for w in at.sidebar.selectbox]
    assert "flt_fund" in [w.key for w in at.sidebar.multiselect]
    engine = make_engine(loaded_warehouse.url)
    year = at.selectbox(key="bud_year").value
    proposal = propose(engine, year=year)
    assert metric(at, "Previsione costi") == fmt_eur(proposal.total, cents=False)
    variance = budget_vs_actual(engine, year=year - 1).by_category.set_index("category")
    assert metric(at, "Scostamento a oggi") == fmt_eur(variance.at["totale", "variance"], cents=False)
    at.number_input(key="bud_inflation").set_value(10.0).run()
    lines, _ = adjusted(proposal, Adjustments(10.0))
    assert metric(at, "Budget proposto") == fmt_eur(lines["amount"].sum(), cents=False)
    at.selectbox(key="bud_category").set_value("utenze").run()
    assert "Metodo:" in texts(at)
    at.selectbox(key="bud_year").set_value(year - 1).run()
    assert not at.exception and "Proposta di budget" in texts(at)
    engine.dispose()


def test_each_tab_names_its_year_and_methods_are_in_plain_italian(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    proposal_year = at.selectbox(key="bud_year")
    checked = at.selectbox(key="bud_variance_year")
    # the proposal is for the year after the last actual; the check is on the last year with actuals
    assert (proposal_year.label, checked.label) == ("Anno della proposta di budget",
                                                    "Anno del confronto budget–consuntivo")
    assert checked.value == proposal_year.value - 1 and checked.options[-1] == str(checked.value)
    shown = [s.value for s in at.subheader]
    assert f"Proposta di budget {proposal_year.value}" in shown and f"Budget {checked.value} e consuntivo" in shown
    checked.set_value(checked.value - 1).run()
    assert f"Budget {checked.value} e consuntivo" in [s.value for s in at.subheader]
    assert f"Proposta di budget {proposal_year.value}" in [s.value for s in at.subheader]  # the other tab stays
    words = texts(at)
    assert "Metodo:" in words and "Affidabilità:" in words and "Budget annuale ripartito" in words
    for jargon in ("MASE", "ETS", "Stagionale ingenuo", "backtest"):
        assert jargon not in words, jargon


@pytest.mark.parametrize("user, role_label", [("direzione", "Direzione"), ("admin", "Amministratore")])
def test_saving_a_version_makes_it_the_reference(warehouse_copy, monkeypatch, user, role_label):
    """The approver is whoever is signed in: there is no field to name somebody else, and the saving is audited."""
    at = open_page(warehouse_copy, monkeypatch, PAGE, user=user)
    year = at.selectbox(key="bud_year").value
    at.selectbox(key="bud_year").set_value(year - 1).run()  # the budget of the year with actuals
    assert "bud_author" not in [w.key for w in at.text_input], "no free-text approver"
    assert f"Approvato da **{user}** ({role_label})" in texts(at)
    next(b for b in at.button if "Salva" in str(b.label)).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "salvata" in texts(at)
    engine = make_engine(warehouse_copy)
    saved = list_versions(engine, year=year - 1)
    assert saved["author"].tolist() == [user]
    scope = accounts.get_user(engine, user).scope  # the version is the budget of the approver's scope
    assert budget_vs_actual(engine, year=year - 1, scope=scope).source.startswith(
        f"versione {saved.at[0, 'id']} approvata da {user}")
    event = audit.recent(engine, action=audit.BUDGET_APPROVED).iloc[0]
    assert (event["username"], event["detail"]) == (user, f"versione {saved.at[0, 'id']}, budget {year - 1}")
    engine.dispose()
