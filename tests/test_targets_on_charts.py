"""A target set with `osservatorio obiettivi set` is drawn on every chart of its KPI: the facility charts (days to
close per category, share closed within the service level per urgency), the labs' charts (outputs per lab, changes
in points), the budget proposal's margin; on the pages (headless, the figure's plotly spec) and in the reports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard_fixtures import loaded_warehouse, private_copy  # noqa: F401  (fixture)
from indicators.registry import get_kpi
from osservatorio.charts.budget import margin_bars
from osservatorio.charts.evaluation import bars_by, points_changes
from osservatorio.charts.impact import ticket_days, within_target
from osservatorio.cli import app
from test_pages import fresh_caches, open_page  # noqa: F401  (autouse fixture)

GREEN = "#2e8b57"
TARGETS = {"ticket_days_to_close": ("6,5", 6.5, "Obiettivo: 6,5 giorni"),
           "ticket_within_target_pct": ("85", 85.0, "Obiettivo: 85,0%"),
           "lab_activities": ("150", 150.0, "Obiettivo: 150"),
           "lab_outcome_points": ("-5", -5.0, "Obiettivo: -5,00"),
           "operating_margin_eur": ("250.000,00", 250000.0, "Obiettivo: 250.000\u00a0€")}


def goal(value: float, label: str = "Obiettivo") -> pd.DataFrame:
    return pd.DataFrame({"label": [label], "value": [value], "intervention_code": [None]})


def lines(spec: dict, axis: str = "y") -> list[float]:
    """The target lines of a figure: green shapes, horizontal (their y) or vertical (their x)."""
    return [s[f"{axis}0"] for s in spec["layout"].get("shapes", []) if s["line"].get("color") == GREEN]


def notes(spec: dict) -> list[str]:
    return [a["text"] for a in spec["layout"].get("annotations", [])]


def test_every_targeted_kpi_is_in_the_registry():
    for code in TARGETS:
        assert get_kpi(code).code == code


def test_the_charts_draw_the_target_with_its_value():
    summary = pd.DataFrame({"group": ["idraulica", "verde"], "days_mean": [4.0, 9.5]})
    days = ticket_days(summary, {}, targets=goal(6.5)).to_plotly_json()
    assert lines(days) == [6.5] and notes(days) == ["Obiettivo: 6,5 giorni"]
    quality = pd.DataFrame({"group": ["emergenza", "alta", None], "within_target_pct": [90.0, 70.0, None]})
    shares = within_target(quality, {"emergenza": "Emergenza", "alta": "Alta"}, targets=goal(85.0)).to_plotly_json()
    assert list(shares["data"][0]["x"]) == ["Emergenza", "Alta"] and list(shares["data"][0]["y"]) == [90.0, 70.0]
    assert lines(shares) == [85.0] and notes(shares) == ["Obiettivo: 85,0%"]
    per_lab = bars_by(pd.DataFrame({"title": ["A", "B"], "activities": [100, 200]}), "title", "activities",
                      "Attività", targets=goal(150.0)).to_plotly_json()
    assert lines(per_lab, "x") == [150.0] and notes(per_lab) == ["Obiettivo: 150"]  # vertical: the bars lie flat
    points = pd.DataFrame({"arm": ["trattamento", "controllo"], "indicator": ["x", "x"], "points_change": [-6.0, -1.0]})
    change = points_changes(points, {}, targets=goal(-5.0)).to_plotly_json()
    assert lines(change) == [-5.0] and notes(change) == ["Obiettivo: -5,00"]
    margin = {"billed": 1000.0, "arrears_loss": 50.0, "costs": 800.0, "margin": 150.0}
    bars = margin_bars(margin, targets=goal(200.0)).to_plotly_json()
    # a dash over the margin's bar (the fourth, x 3) only, with its value
    assert [(s["x0"], s["x1"], s["y0"], s["line"]["color"]) for s in bars["layout"]["shapes"]] == [
        (2.55, 3.45, 200.0, "#ffffff"), (2.55, 3.45, 200.0, GREEN)]  # a white halo under the green dash
    assert notes(bars) == ["Obiettivo: 200\u00a0€"] and list(bars["data"][0]["y"]) == [1000.0, 50.0, 800.0, 150.0]
    assert lines(ticket_days(summary, {}).to_plotly_json()) == []  # no target, no line


@pytest.fixture(scope="module")
def targeted(loaded_warehouse, tmp_path_factory):  # noqa: F811
    """A copy of the sample warehouse with a portfolio target on each KPI, set through the CLI by the direzione's
    administrator."""
    from osservatorio.settings import get_settings

    url = private_copy(loaded_warehouse, tmp_path_factory.mktemp("targets"))
    patch = pytest.MonkeyPatch()
    patch.setenv("OSSERVATORIO_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        for code, (text, _, _) in TARGETS.items():
            # "--": a value may be negative
            done = CliRunner().invoke(app, ["obiettivi", "set", "--user", "admin", "--", code, text])
            assert done.exit_code == 0 and "fissato a" in done.output, done.output
    finally:
        patch.undo()
        get_settings.cache_clear()
    return url


def chart(at, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key))


def test_the_impact_page_draws_the_facility_targets(targeted, monkeypatch):
    at = open_page(targeted, monkeypatch, "views/impact.py")
    for key, code in (("imp_ticket_chart", "ticket_days_to_close"), ("imp_sla_chart", "ticket_within_target_pct")):
        spec = chart(at, key)
        assert lines(spec) == [TARGETS[code][1]] and TARGETS[code][2] in notes(spec), key


def test_the_labs_page_draws_the_output_target(targeted, monkeypatch):
    at = open_page(targeted, monkeypatch, "views/labs.py")
    spec = chart(at, "labs_bars")  # the first output: activities per lab
    assert lines(spec, "x") == [150.0] and "Obiettivo: 150" in notes(spec)


def test_the_budget_proposal_draws_the_margin_target(targeted, monkeypatch):
    at = open_page(targeted, monkeypatch, "views/budget.py")
    assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith("bud_margin_chart")]  # costs only
    at.toggle(key="bud_revenue").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = chart(at, "bud_margin_chart")
    assert lines(spec) == [250000.0] and "Obiettivo: 250.000\u00a0€" in notes(spec)


def test_the_impact_report_draws_the_facility_targets(targeted):
    from datetime import date

    from indicators.scope import Scope
    from osservatorio.reports.impact import ReportScope, impact_sections
    from schemas.db import make_engine

    engine = make_engine(targeted)
    try:
        sections = impact_sections(engine, ReportScope(Scope(), date(2025, 10, 1), date(2026, 9, 30),
                                                       date(2026, 9, 30)))
    finally:
        engine.dispose()
    figures = [block.to_plotly_json() for s in sections for block in s.blocks if hasattr(block, "to_plotly_json")]
    drawn = {n for f in figures for n in notes(f)}
    assert {"Obiettivo: 6,5 giorni", "Obiettivo: 85,0%"} <= drawn


def test_the_lab_report_draws_the_points_target(targeted):
    from indicators.lab_outcomes import lab_outcomes
    from osservatorio.reports.labs import labs_sections
    from schemas.db import make_engine

    engine = make_engine(targeted)
    try:
        outcomes = lab_outcomes(engine)
        lab = sorted(outcomes.loc[outcomes["unit"].eq("pct") & outcomes["points_change"].notna(), "lab"])[0]
        _, sections, _ = labs_sections(engine, lab=lab)
    finally:
        engine.dispose()
    charts = [b.to_plotly_json() for s in sections for b in s.blocks if hasattr(b, "to_plotly_json")]
    changes = [c for c in charts if any(t.get("name") == "Area del laboratorio" for t in c["data"])]
    assert len(changes) == 1 and lines(changes[0]) == [-5.0] and "Obiettivo: -5,00" in notes(changes[0])
