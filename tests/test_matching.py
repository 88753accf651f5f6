"""Candidate–unit matching on hand-made calls: the two proposals worked out by hand, affordability, step-free
units, and the properties every proposal keeps (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.matching import GRADUATORIA, OTTIMALE, graduatoria_order, optimal, possible_pairs
from indicators.matching_reasons import departures, pairs_frame, unmatched_households, unmatched_units
from indicators.selection_rules import SelectionRules, ScoringRules

BOUNDS = {1: (28.0, 55.0), 2: (38.0, 70.0), 3: (42.0, 90.0), 4: (56.0, 110.0), 5: (66.0, 130.0),
          6: (76.0, 2000.0)}
RULES = SelectionRules({"standard": ScoringRules("standard")}, BOUNDS, "test", 0.30, True)
DAY = date(2026, 1, 1)


def households(*rows) -> pd.DataFrame:
    """(members, annual income, needs step-free) in rank order; codes N1, N2..."""
    return pd.DataFrame({"code": [f"D{i}" for i in range(1, len(rows) + 1)],
                         "household": [f"N{i}" for i in range(1, len(rows) + 1)],
                         "rank": range(1, len(rows) + 1), "members": [r[0] for r in rows],
                         "income": [float(r[1]) for r in rows], "isee": [float(r[1]) for r in rows],
                         "needs_step_free": [r[2] if len(r) > 2 else False for r in rows]})


def units(*rows) -> pd.DataFrame:
    """(m², rent, charges, step-free) in order of availability (one day apart); codes A1, A2..."""
    return pd.DataFrame({"code": [f"A{i}" for i in range(1, len(rows) + 1)], "intervention_code": "INT1",
                         "floor_area_m2": [float(r[0]) for r in rows], "rooms": 2.0,
                         "monthly_rent": [float(r[1]) for r in rows], "monthly_charges": [float(r[2]) for r in rows],
                         "step_free": [r[3] if len(r) > 3 else False for r in rows],
                         "available_on": [DAY + timedelta(days=i) for i in range(len(rows))]})


def placed(proposal) -> dict[str, str]:
    frame = pairs_frame(proposal)
    return dict(zip(frame["household"], frame["unit"]))


# Four units, six households. Adequate m²: 1 person 28-55, 2 persons 38-70, 3 persons 42-90, 6 persons 76+.
# Affordable: (rent + charges) × 12 ≤ 30% of income.
#   A1 50 m², 400 + 40 = 5.280 €/yr: adequate for 1, 2, 3 persons; affordable for N1 (22,0%), N2 (29,3%), N3, N5
#   A2 30 m², 300 = 3.600 €/yr: adequate for 1 person only -> N1 (15,0%)
#   A3 75 m², 700 = 8.400 €/yr: adequate for 3 -> N3 (28,0%); N5 32,3% > 30% no
#   A4 65 m², 600 = 7.200 €/yr: adequate for 2, 3 -> N2 40% no, N3 (24,0%), N5 (27,7%)
#   N4 (6 persons) has no adequate unit; N6 (8.000 €) can afford none.
CALL_HOUSEHOLDS = households((1, 24_000), (2, 18_000), (3, 30_000), (6, 40_000), (3, 26_000), (2, 8_000))
CALL_UNITS = units((50, 400, 40), (30, 300, 0), (75, 700, 0), (65, 600, 0))


def test_graduatoria_order_and_optimal_differ_as_worked_out_by_hand():
    pairs = possible_pairs(CALL_HOUSEHOLDS, CALL_UNITS, RULES)
    # graduatoria order: A1 (first free) to the best ranked it suits, N1; A2 suits only N1, already placed: empty;
    # A3 to N3; A4 to N5 (N3 placed). Three households.
    greedy = graduatoria_order(pairs)
    assert placed(greedy) == {"N1": "A1", "N3": "A3", "N5": "A4"}
    assert unmatched_units(greedy).values.tolist() == [["A2", "i nuclei per cui è adatto sono collocati in altri "
                                                              "alloggi"]]
    # optimal: N1 takes the only unit for one person (A2) and leaves A1 to N2: four households placed
    best = optimal(pairs)
    assert placed(best) == {"N1": "A2", "N2": "A1", "N3": "A3", "N5": "A4"}
    frame = pairs_frame(best).set_index("household")
    assert frame["burden_pct"].to_dict() == {"N1": 15.0, "N2": 29.3, "N3": 28.0, "N5": 27.7}
    assert frame.loc["N2", "reasons"] == ["posizione 2 in graduatoria",
                                          "2 componenti in 50 m² (adeguato da 38 m² a 70 m²)",
                                          "canone più spese 29,3% del reddito (soglia 30%)"]
    assert unmatched_units(best).empty and departures(best).empty
    reasons = unmatched_households(best).set_index("household")["reason"].to_dict()
    assert reasons == {"N4": "nessun alloggio disponibile adeguato a 6 componenti (da 76 m² a 2.000 m²)",
                       "N6": "nessun alloggio adeguato sostenibile: il meno caro costerebbe il 66,0% del reddito "
                             "(soglia 30%)"}  # adequate for two: A1 5.280 / 8.000 = 66%, A4 7.200 / 8.000 = 90%
