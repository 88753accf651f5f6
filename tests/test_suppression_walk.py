"""The suppression walk outside the pages: every `kpi` code × grouping, every report, as the Regione.

The sample warehouse (150 units, 3 interventions of 49, 28 and 58 households) has small counts once split by
intervention (1 and 3 evictions, aging buckets of 2 and 3 contracts, 2 late cases...), and buildings of 3
households: leaks would show. The counts each figure rests on are listed here by hand from the KPI
definitions, not taken from `indicators.disclosure`, so the walk checks the rule rather than repeats it.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.catalog import CATALOG, NO_GROUPING, compute, default_period
from indicators.results import KpiValue
from osservatorio.cli import app
from osservatorio.settings import get_settings
from schemas.db import make_engine

THRESHOLD = 5
AS_OF = date(2026, 9, 30)
GROUPINGS = (None, "sgr", "fund", "intervention", "tenure", "income_band", "category", "contract_type")
STAGES = ("received", "eligible", "allocated", "renounced", "rejected", "pending")
# KPI -> (the fields of its result -- value, numerator, denominator, breakdown keys, table columns -- that count
# households, contracts, cases, applications or events; those its figures are computed from; those figures).
COUNTS = {
    "arrears_stock_eur": ({"contratti"}, {"contratti"}, {"value", "numerator", "in_essere", "cessati"}),
    "households_in_arrears_pct": ({"numerator", "denominator"}, {"numerator", "denominator"}, {"value"}),
    "arrears_aging": ({"contracts"}, {"contracts"}, {"amount"}),
    "arrears_aging_by_charge": ({"contracts"}, {"contracts"}, {"amount"}),
    "late_cases": ({"value", "numerator", "late", "open", "closed", "resolved"}, set(), set()),
    "no_fault_share": ({"numerator", "denominator", "no_fault", "culpable", "not_assessed"},
                       {"numerator", "denominator"}, {"value"}),
    "plan_recovery_eur": ({"plans"}, {"plans"}, {"value", "numerator", "planned"}),
    "relet_days": ({"denominator", "rilocazioni"}, {"denominator", "rilocazioni"},
                   {"value", "numerator", "median", "mediana"}),
    "turnover_rate": ({"numerator", "contratti_cessati"}, {"numerator"}, {"value"}),
    "evictions_per_1000": ({"numerator", "sfratti", "da_pratiche", "da_cessazioni"}, {"numerator", "sfratti"},
                           {"value", "morosita"}),
    "applications_received": ({"value", "numerator", *STAGES}, {"received", "allocated"}, {"allocated_pct"}),
    "allocation_days": ({"denominator", "allocations"}, {"denominator", "allocations"},
                        {"value", "numerator", "median"}),
    "waiting_list": ({"value", "numerator", "idonee_in_attesa", "in_istruttoria"}, set(), set()),
    # maintenance tickets are reported by households: a building's few tickets are theirs
    "ticket_backlog": ({"value", "numerator", "backlog"}, {"value"}, set()),
    "ticket_days_to_close": ({"denominator", "opened", "closed", "backlog"}, {"denominator", "closed"},
                             {"value", "numerator", "days_mean", "days_median", "cost", "cost_per_unit"}),
    "ticket_cost_per_unit_eur": ({"opened", "closed", "backlog"}, {"closed"}, {"value", "numerator", "cost",
                                                                             "cost_per_unit"}),
}


def small(v) -> bool:
    return v is not None and not isinstance(v, str) and v == v and 0 < float(v) < THRESHOLD


@pytest.fixture(scope="module")
def cli(loaded_warehouse, monkeypatch_module):  # noqa: F811
    monkeypatch_module.setenv("OSSERVATORIO_DATABASE_URL", loaded_warehouse.url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, [str(a) for a in args])
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    yield engine
    engine.dispose()


def records(result) -> list[dict]:
    """A KpiValue's fields as one record (breakdown flattened), or a table's rows."""
    if isinstance(result, KpiValue):
        return [{"value": result.value, "numerator": result.numerator, "denominator": result.denominator,
                 **result.breakdown}]
    return result.to_dict("records")


def printed(output: str) -> list[dict]:
    data = json.loads(output[output.index("[") if output.lstrip().startswith("[") else output.index("{"):])
    if isinstance(data, dict):
        return [{"value": data["value"], "numerator": data["numerator"], "denominator": data["denominator"],
                 **data["breakdown"]}]
    return data


def leaks(code: str, raw: list[dict], shown: list[dict]) -> list[str]:
    """What the Regione was shown that it must not see: a small count, or a figure derived from one."""
    counts, base, derived = COUNTS.get(code, (set(), set(), set()))
    found = []
    for before, after in zip(raw, shown):
        found += [f"{k}={after[k]}" for k in counts if small(after.get(k))]
        if any(small(before.get(k)) for k in base):
            found += [f"{k}={after[k]} (da un conteggio piccolo)" for k in derived if after.get(k) is not None]
    return found


@pytest.mark.parametrize("by", GROUPINGS)
def test_every_kpi_and_grouping_as_the_regione_shows_no_small_count(cli, engine, by):
    start, end = default_period(AS_OF)
    walked, hidden = [], 0
    codes = [c for c in CATALOG if by is None or c not in NO_GROUPING]  # the others ignore --by
    for code in codes:
        args = ["kpi", code, "--as-of", "30/09/2026", "--user", "regione", "--format", "json"]
        out = cli(*args, *(["--by", by] if by else []))
        try:
            raw = records(compute(engine, code, as_of=AS_OF, start=start, end=end, by=by))
        except Exception:  # a grouping this indicator does not offer (or fails on): nothing printed
            assert out.exit_code != 0 and not out.stdout.strip(), (code, by, out.stdout)
            continue
        assert out.exit_code == 0, (code, out.output)
        shown = printed(out.stdout)
        assert len(shown) == len(raw), code
        assert not leaks(code, raw, shown), (code, by, leaks(code, raw, shown))
        hidden += sum(v is None for row in shown for v in row.values()) - sum(
            v is None or v != v for row in raw for v in row.values())
        walked.append(code)
    assert len(walked) >= (len(CATALOG) if by is None else 1)
    assert set(walked) >= {c for c in CATALOG if by in CATALOG[c].groupings}, "a grouping the catalog offers fails"
    if by in (None, "intervention"):
        assert hidden > 0, "the sample has small cells at this level: something must be hidden"


def test_the_walk_would_catch_a_leak(cli, engine):
    # What the operator (no --user) is printed has small counts: the check above is not vacuous.
    out = cli("kpi", "evictions_per_1000", "--as-of", "30/09/2026", "--by", "intervention", "--format", "json")
    raw = records(compute(engine, "evictions_per_1000", as_of=AS_OF, start=default_period(AS_OF)[0], end=AS_OF,
                          by="intervention"))
    assert leaks("evictions_per_1000", raw, printed(out.stdout))


def test_a_count_of_five_or_more_is_shown(cli, engine):
    # Whole portfolio at 30/09/2026: more than 5 households in arrears over 134: the share and its parts print.
    raw = compute(engine, "households_in_arrears_pct", as_of=AS_OF)
    assert raw.numerator >= THRESHOLD
    out = cli("kpi", "households_in_arrears_pct", "--as-of", "30/09/2026", "--user", "regione", "--format", "json")
    shown = printed(out.stdout)[0]
    assert (shown["numerator"], shown["denominator"]) == (raw.numerator, raw.denominator)
    assert shown["value"] == pytest.approx(raw.value)


@pytest.mark.parametrize("by, what", [("building", "singoli edifici"), ("unit", "singoli alloggi")])
def test_levels_the_dashboard_hides_are_refused_to_the_regione(cli, by, what):
    out = cli("kpi", "households_in_arrears_pct", "--as-of", "31/10/2026", "--user", "regione", "--by", by)
    assert out.exit_code == 2 and f"il ruolo «regione» non vede dati di {what}" in out.output
    assert "%" not in out.stdout


def test_table_output_writes_nascosto_not_the_count(cli):
    out = cli("kpi", "evictions_per_1000", "--as-of", "30/09/2026", "--user", "regione", "--by", "intervention")
    assert out.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()[1:]}
    assert rows["INT001"] == ["nascosto"] * 3 and rows["INT003"] == ["nascosto"] * 3
    assert rows["INT002"] == ["0,00", "0", "28"] or rows["INT002"][1] == "0"
    assert "soppressione" in out.stderr


def test_aging_buckets_of_few_contracts_are_hidden_with_a_complement(cli, engine):
    raw = compute(engine, "arrears_aging", as_of=AS_OF)
    out = cli("kpi", "arrears_aging", "--as-of", "30/09/2026", "--user", "regione", "--format", "json")
    shown = {r["bucket"]: r for r in printed(out.stdout)}
    small_buckets = [r["bucket"] for r in raw.to_dict("records") if small(r["contracts"])]
    assert small_buckets and all(shown[b]["amount"] is None for b in small_buckets)
    hidden = [b for b, r in shown.items() if r["amount"] is None]
    assert len(hidden) >= 2, "a lone hidden bucket would follow from the published stock"
    big = [r for r in raw.to_dict("records") if r["contracts"] >= THRESHOLD]
    assert big and any(shown[r["bucket"]]["amount"] == pytest.approx(r["amount"]) for r in big)


def report_text(path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))).replace("\xa0", " ")


def test_impact_report_on_a_three_household_scope_hides_every_household_figure(cli, engine, tmp_path):
    # Building INT002-E02 has 3 households at 30/09/2026.
    out = cli("report", "impatto", "--out", tmp_path / "r.html", "--to", "30/09/2026", "--user", "regione",
              "--scope", "edificio=INT002-E02")
    assert out.exit_code == 0, out.output
    text = report_text(tmp_path / "r.html")
    for label in ("Tasso di morosità sull'emesso", "Nuclei morosi"):
        assert re.search(re.escape(label) + r" nascosto", text), label
    assert not re.search(r"Nuclei morosi \d", text)
    assert not re.search(r"(Pratiche aperte nel periodo|Risolte \(debito saldato\)|firmati|completati"
                         r" \(pratica risolta\)) [1-4]\b", text)


def test_impact_report_per_intervention_hides_what_the_kpi_hides(cli, engine, tmp_path):
    start, _ = default_period(AS_OF)
    out = cli("report", "impatto", "--out", tmp_path / "r.html", "--from", "01/10/2025", "--to", "30/09/2026",
              "--user", "regione")
    assert out.exit_code == 0, out.output
    text = report_text(tmp_path / "r.html")
    share = compute(engine, "households_in_arrears_pct", as_of=AS_OF, start=start, end=AS_OF, by="intervention")
    for row in share.itertuples():
        line = re.search(rf"{row.group} · .*? (\S+%|nascosto) (\S+%|nascosto) (\S+%|nascosto)", text)
        assert line, row.group
        assert (line.group(2) == "nascosto") == small(row.numerator), (row.group, line.group(0))
    assert "Nuclei morosi 7,5%" in text or re.search(r"Nuclei morosi \d", text), "the whole portfolio's share shows"


def test_impact_pdf_as_the_regione(cli, tmp_path):
    from pypdf import PdfReader

    out = cli("report", "impatto", "--out", tmp_path / "r.pdf", "--to", "30/09/2026", "--user", "regione",
              "--scope", "edificio=INT002-E02")
    assert out.exit_code == 0, out.output
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages).replace("\xa0", " ")
    assert "nascosto" in text and not re.search(r"Nuclei morosi\s+\d", text)


@pytest.mark.parametrize("code", ["arrears_rate_billed", "arrears_rate_rent_roll", "collection_rate"])
def test_money_rates_of_a_group_with_few_leases_in_arrears_are_hidden(cli, engine, code):
    # Their unpaid part is the debt of the group's leases in arrears: INT002 has 3, its rate would be theirs.
    stock = compute(engine, "arrears_stock_eur", as_of=AS_OF, by="intervention").set_index("group")["contratti"]
    out = cli("kpi", code, "--as-of", "30/09/2026", "--user", "regione", "--by", "intervention", "--format", "json")
    shown = {r["group"]: r for r in printed(out.stdout)}
    assert small(stock["INT002"]) and shown["INT002"]["value"] is None and shown["INT002"]["numerator"] is None
    assert stock["INT003"] >= THRESHOLD and shown["INT003"]["value"] is not None, "15 leases in arrears: shown"


def test_labs_report_as_the_regione_has_no_figure_of_the_warehouse_households(cli, tmp_path):
    # The labs' report holds their own registers (contacts summed over activities) and the areas' context
    # indicators; nothing per building or per household of the portfolio, whose monthly figures stay on the page.
    out = cli("report", "laboratori", "--out", tmp_path / "l.html", "--user", "regione")
    assert out.exit_code == 0, out.output
    text = report_text(tmp_path / "l.html")
    assert "Nuclei presi in carico" in text
    assert not re.search(r"INT\d{3}-E\d{2}", text), "no building of the portfolio"
    taken = re.search(r"Nuclei presi in carico Volontari Ore Costo per nucleo raggiunto (.*?) Completezza", text)
    counts = [int(v.replace(".", "")) for v in re.findall(r" (\d[\d.]*) \d[\d.]* \d[\d.]* [\d.,]+ €", taken.group(1))]
    assert counts and not any(0 < c < THRESHOLD for c in counts)
