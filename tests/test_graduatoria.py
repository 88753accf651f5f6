"""The graduatoria of hand-made applications: one test per eligibility rule and per scoring rule, the tie rule,
and the rules file itself."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators.graduatoria import graduatoria
from indicators.selection_rules import TIE_RULE, ScoringRules, load_rules, parse_rules

WEIGHTS = {"eviction": 30.0, "disability": 20.0, "elderly": 15.0, "single_parent": 15.0, "young_couple": 10.0,
           "local_tie": 10.0}
RULES = ScoringRules("standard", weights=WEIGHTS, points_per_year=2.0, max_years=10, isee_max=40_000.0)
CRITERIA = ("eviction", "disability", "elderly", "single_parent", "young_couple", "local_tie")


def application(code: str, **values) -> dict:
    row = {"code": code, "household": f"N-{code}", "applied_on": date(2026, 1, 10), "members": 2, "isee": 12_000.0,
           "annual_income": None, "score": None, "years_waiting": None, "needs_step_free": None, "outcome": "idonea",
           "outcome_date": None, **{c: None for c in CRITERIA}}
    row.update(values)
    return row


def ranked(*rows, **kw):
    return graduatoria(pd.DataFrame(list(rows)), RULES, **kw)


@pytest.mark.parametrize(("values", "reason"), [
    ({"outcome": "non_idonea"}, "dichiarata non idonea nell'istruttoria del gestore"),
    ({"members": None}, "dati del nucleo incompleti: manca il numero di componenti"),
    ({"isee": None}, "dati del nucleo incompleti: mancano reddito e ISEE"),
    ({"isee": 40_000.01}, "ISEE 40.000,01\xa0€ oltre il limite dell'avviso (40.000,00\xa0€)"),
])
def test_each_eligibility_rule_excludes_with_its_reason(values, reason):
    result = ranked(application("D1", **values), application("D2"))
    assert result.excluded[["code", "reason"]].values.tolist() == [["D1", reason]]
    assert result.ranked["code"].tolist() == ["D2"]


def test_the_isee_limit_is_inclusive_and_the_call_can_set_its_own():
    assert ranked(application("D1", isee=40_000.0)).excluded.empty  # at the limit: eligible
    own = ranked(application("D1", isee=30_000.0), isee_max=25_000.0)
    assert own.excluded["reason"].tolist() == ["ISEE 30.000,00\xa0€ oltre il limite dell'avviso (25.000,00\xa0€)"]


def test_the_calls_minimum_income_excludes_who_cannot_pay_the_rent():
    result = ranked(application("D1", annual_income=14_000.0), application("D2", annual_income=18_000.0),
                    income_min=15_000.0)
    assert result.excluded["reason"].tolist() == [
        "reddito 14.000,00\xa0€ sotto il reddito minimo dell'avviso (15.000,00\xa0€)"]
    assert result.ranked["income"].tolist() == [18_000.0]  # the annual income, not the ISEE, when given


@pytest.mark.parametrize("criterion", CRITERIA)
def test_each_criterion_adds_its_weight(criterion):
    result = ranked(application("D1", **{criterion: True}), application("D2", **{criterion: False}))
    points = dict(zip(result.ranked["code"], result.ranked["points"]))
    assert points == {"D1": WEIGHTS[criterion], "D2": 0.0}


def test_years_on_the_list_count_two_points_each_up_to_ten_years():
    result = ranked(application("D1", years_waiting=3), application("D2", years_waiting=14))
    assert dict(zip(result.ranked["code"], result.ranked["points"])) == {"D2": 20.0, "D1": 6.0}


def test_criteria_add_up_and_a_score_in_the_file_wins():
    # D1: eviction 30 + elderly 15 + 4 years × 2 = 53; D2: the gestore's own score 60 (its criteria ignored)
    result = ranked(application("D1", eviction=True, elderly=True, years_waiting=4),
                    application("D2", score=60.0, disability=True))
    assert result.ranked[["code", "points", "score_source", "rank"]].values.tolist() == [
        ["D2", 60.0, "punteggio del file", 1], ["D1", 53.0, "dai criteri", 2]]


def test_ties_follow_the_stated_rule():
    # all 10 points: D3 lowest ISEE first; D1 and D4 same ISEE, D4 applied earlier; D2 and D5 same ISEE and day:
    # code order
    result = ranked(application("D1", local_tie=True, isee=9_000.0, applied_on=date(2026, 2, 1)),
                    application("D5", young_couple=True, isee=11_000.0),
                    application("D2", local_tie=True, isee=11_000.0),
                    application("D3", young_couple=True, isee=5_000.0),
                    application("D4", young_couple=True, isee=9_000.0, applied_on=date(2026, 1, 5)))
    assert result.ranked["code"].tolist() == ["D3", "D4", "D1", "D2", "D5"]
    assert result.ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert result.tie_rule == TIE_RULE and "ISEE più basso" in TIE_RULE


def test_the_rules_file_shipped_is_readable_and_complete():
    rules = load_rules()
    standard = rules.scoring(None)
    assert standard.weights["eviction"] == 30.0 and standard.isee_max == 40_000.0
    assert rules.max_burden == 0.30 and rules.reserve_step_free
    assert rules.area_for(1) == (28.0, 55.0) and rules.area_for(9) == (76.0, float("inf"))
    assert "5 luglio 1975" in rules.area_source
    with pytest.raises(ValueError, match="regole di punteggio «speciali» non presenti"):
        rules.scoring("speciali")


def test_a_broken_rules_file_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="servono \\[adeguatezza\\]"):
        parse_rules({"adeguatezza": {}, "regole": {}})
    path = tmp_path / "regole.toml"
    path.write_text("[adeguatezza\n", encoding="utf-8")
    with pytest.raises(ValueError, match="regole.toml illeggibile"):
        load_rules(path)
