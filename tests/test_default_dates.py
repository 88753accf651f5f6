"""The date the pages open on."""

from datetime import date

import pytest


@pytest.mark.parametrize("first, last, expected", [
    (date(2024, 11, 1), date(2026, 10, 28), date(2026, 9, 30)),  # the ledger stops before the month end
    (date(2024, 11, 1), date(2026, 10, 31), date(2026, 10, 31)),
    (date(2024, 1, 5), date(2024, 3, 1), date(2024, 2, 29)),  # leap year
    (date(2026, 10, 5), date(2026, 10, 20), date(2026, 10, 20)),  # no month end covered
])
def test_pages_open_on_the_last_month_end(first, last, expected):
    from indicators.catalog import default_as_of

    assert default_as_of(first, last) == expected
