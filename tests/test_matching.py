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
          6: (76.0, float("inf"))}
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
                                          "2 componenti in 50 m² (adeguato: da 38 m² a 70 m²)",
                                          "canone più spese 29,3% del reddito (soglia 30%)"]
    assert unmatched_units(best).empty
    # the one departure from the ranking: A1, first free, goes to N2 although N1 (first) suited it
    assert departures(best).values.tolist() == [
        ["A1", "N2", 2, "N1", 1, "il nucleo N1 riceve invece A2: così si colloca anche il nucleo N2"]]
    assert departures(greedy).empty
    reasons = unmatched_households(best).set_index("household")["reason"].to_dict()
    assert reasons == {"N4": "nessun alloggio disponibile adeguato a 6 componenti (almeno 76 m²)",
                       "N6": "nessun alloggio adeguato sostenibile: il meno caro costerebbe il 66,0% del reddito "
                             "(soglia 30%)"}  # adequate for two: A1 5.280 / 8.000 = 66%, A4 7.200 / 8.000 = 90%


def test_an_unaffordable_unit_is_never_proposed():
    # A1 60 m² at 700 + 50 = 9.000 €/yr: 36% of 25.000 €, 30,0% of 30.000 € (exactly at the threshold: allowed)
    pairs = possible_pairs(households((2, 25_000)), units((60, 700, 50)), RULES)
    for proposal in (graduatoria_order(pairs), optimal(pairs)):
        assert pairs_frame(proposal).empty
        assert unmatched_units(proposal).values.tolist() == [[
            "A1", "troppo caro per i nuclei per cui è adeguato: canone e spese 9.000,00\xa0€ l'anno chiedono un "
                  "reddito di almeno 30.000,00\xa0€"]]
    at_limit = possible_pairs(households((2, 30_000)), units((60, 700, 50)), RULES)
    assert placed(optimal(at_limit)) == {"N1": "A1"}


def test_a_step_free_unit_goes_to_the_household_that_needs_it():
    # both units suit both households; N2 needs a step-free unit, A1 (first free) is the only one: in ranking
    # order A1 would go to N1, but the rules keep it for N2; N1 takes A2
    pairs = possible_pairs(households((2, 20_000), (2, 20_000, True)), units((50, 400, 0, True), (55, 400, 0)), RULES)
    for proposal in (graduatoria_order(pairs), optimal(pairs)):
        assert placed(proposal) == {"N1": "A2", "N2": "A1"}, proposal.mode
    reasons = pairs_frame(graduatoria_order(pairs)).set_index("household").loc["N2", "reasons"]
    assert reasons[-1] == "alloggio senza barriere per un nucleo che ne ha bisogno"
    # a household needing a step-free unit never gets one with stairs
    only_stairs = possible_pairs(households((2, 20_000, True)), units((50, 400, 0)), RULES)
    assert placed(graduatoria_order(only_stairs)) == {} and placed(optimal(only_stairs)) == {}
    assert unmatched_households(optimal(only_stairs))["reason"].tolist() == [
        "nessun alloggio adeguato e sostenibile senza barriere, di cui il nucleo ha bisogno"]


def test_among_the_largest_proposals_optimal_keeps_the_ranking():
    # A1 40 m² suits N1 (1 person: 28-55) and N2, N3 (2 persons: 38-70); A2 60 m² suits N2 and N3 only.
    # Two households are placed either way: {N1-A1, N2-A2} (rank sum 3) beats {N2-A1, N3-A2} (5) or {N3-A1, N2-A2}
    best = optimal(possible_pairs(households((1, 20_000), (2, 20_000), (2, 20_000)), units((40, 400, 0),
                                                                                          (60, 450, 0)), RULES))
    assert placed(best) == {"N1": "A1", "N2": "A2"}
    assert departures(best).empty  # N3 is out, but ranked below everyone placed


def test_a_household_passed_over_for_a_reserved_step_free_unit_is_a_listed_departure():
    # A1 (step-free, 50 m²) suits N1 and N2, who needs a step-free unit; A2 (30 m², stairs) suits N3 only (1 person).
    # Reserved, A1 goes to N2 in both modes; N1 (ranked first) is left out although A1 suited it: a departure.
    hh = households((2, 20_000), (2, 20_000, True), (1, 20_000))
    pairs = possible_pairs(hh, units((50, 400, 0, True), (30, 300, 0)), RULES)
    best = optimal(pairs)
    assert placed(best) == {"N2": "A1", "N3": "A2"}
    expected = [["A1", "N2", 2, "N1", 1, "il nucleo N1 resta senza alloggio: alloggio senza barriere, riservato al "
                                         "nucleo N2 che ne ha bisogno"]]
    assert departures(best).values.tolist() == expected
    assert departures(graduatoria_order(pairs)).values.tolist() == expected


@st.composite
def calls(draw):
    n_h, n_u = draw(st.integers(0, 12)), draw(st.integers(0, 8))
    hh = households(*[(draw(st.integers(1, 6)), draw(st.integers(5_000, 40_000)), draw(st.booleans()))
                      for _ in range(n_h)])
    un = units(*[(draw(st.integers(25, 120)), draw(st.integers(200, 900)), draw(st.integers(0, 120)),
                  draw(st.booleans())) for _ in range(n_u)])
    return hh, un


@settings(max_examples=150, deadline=None)
@given(calls())
def test_every_proposal_is_a_matching_of_adequate_affordable_pairs_and_optimal_places_at_least_as_many(call):
    hh, un = call
    pairs = possible_pairs(hh, un, RULES)
    greedy, best = graduatoria_order(pairs), optimal(pairs)
    for proposal in (greedy, best):
        frame = pairs_frame(proposal)
        assert frame["unit"].is_unique and frame["household"].is_unique
        for h, u in proposal.assignment.items():
            members = int(pairs.households.iloc[h]["members"])
            low, high = BOUNDS[min(members, 6)]
            unit = pairs.units.iloc[u]
            assert low <= unit["floor_area_m2"] <= high
            yearly = (unit["monthly_rent"] + unit["monthly_charges"]) * 12
            assert yearly <= 0.30 * pairs.households.iloc[h]["income"] + 1e-6
            assert unit["step_free"] or not pairs.households.iloc[h]["needs_step_free"]
    assert best.placed >= greedy.placed
    # and no bigger matching exists: the optimal count equals a maximum bipartite matching's
    assert best.placed == _max_matching(pairs.feasible)


def _max_matching(feasible: np.ndarray) -> int:
    """Kuhn's augmenting paths, independent of scipy: the size of a maximum matching."""
    owner = [-1] * feasible.shape[1]

    def augment(h, seen):
        for u in np.flatnonzero(feasible[h]):
            if not seen[u]:
                seen[u] = True
                if owner[u] == -1 or augment(owner[u], seen):
                    owner[u] = h
                    return True
        return False

    return sum(augment(h, [False] * feasible.shape[1]) for h in range(feasible.shape[0]))


def test_modes_are_named_in_italian():
    assert (GRADUATORIA, OTTIMALE) == ("graduatoria", "ottimale")
