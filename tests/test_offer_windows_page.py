"""The Selezione page shows the units coming free in the next 3, 6 and 12 months per intervention next to the
households waiting, as `indicators.offer_windows` computes them (worked out by hand in `test_offer_windows`);
unit by unit only for the roles that see units and contracts."""

from __future__ import annotations

from datetime import date

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.offer_windows import offer_units, offer_windows
from indicators.registry import get_kpi
from osservatorio.accounts import get_user
from osservatorio.formatting import fmt_int
from schemas.db import make_engine
from test_pages import fresh_caches, open_page  # noqa: F401  (autouse fixture)

PAGE = "views/selection.py"
AS_OF = date(2026, 9, 30)  # the pages' default date on the sample


def frame(at, column: str):
    return next(t.value for t in at.dataframe if column in t.value.columns)


def test_the_gestore_sees_the_offer_by_window_and_the_units(loaded_warehouse, monkeypatch):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    scope = get_user(engine, "gestore").scope
    expected = offer_windows(engine, as_of=AS_OF, scope=scope)
    units = offer_units(engine, as_of=AS_OF, scope=scope)
    engine.dispose()
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE, user="gestore")
    shown = frame(at, "Alloggi per nuclei di")
    assert len(shown) == len(expected) > 0
    assert shown["Entro 12 mesi"].tolist() == [fmt_int(v) for v in expected["free_12"]]
    assert shown["Nuclei in attesa"].tolist() == [fmt_int(v) for v in expected["households"]]
    assert expected["free_12"].sum() > expected["free_now"].sum()  # leases a termine ending feed the offer
    listed = frame(at, "Libero dal")
    assert len(listed) == len(units) and set(listed["Quando"]) <= {"ora", "entro 3 mesi", "entro 6 mesi",
                                                                   "entro 12 mesi"}
    tile = next(m for m in at.metric if m.label == get_kpi("units_coming_free").label)
    assert tile.value == fmt_int(expected["free_12"].sum())


def test_the_regione_sees_no_unit_list(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE, user="regione")
    assert not at.exception
    assert not [t for t in at.dataframe if "Libero dal" in t.value.columns]
