"""The panel evaluation of building arrears keeps small buildings out for users whose aggregates are suppressed."""

from __future__ import annotations

from datetime import date

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.panels import building_arrears_panel
from indicators.suppression import households_by
from schemas.db import make_engine


def test_only_buildings_with_enough_households_enter_the_panel(loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    start, end = date(2025, 11, 30), date(2026, 10, 31)
    counts = households_by(engine, as_of=end, by="building").set_index("group")["households"]
    threshold = int(counts.median()) + 1  # some buildings fall below it, some do not
    small, large = set(counts.index[counts < threshold]), set(counts.index[counts >= threshold])
    assert small and large
    everyone = building_arrears_panel(engine, start=start, end=end)
    suppressed = building_arrears_panel(engine, start=start, end=end, min_households=threshold)
    assert small <= set(everyone["unit"]) and set(suppressed["unit"]) == large
    # The buildings kept have the same figures as without the threshold.
    kept = everyone[everyone["unit"].isin(large)].reset_index(drop=True)
    assert kept.equals(suppressed.reset_index(drop=True))
    engine.dispose()
