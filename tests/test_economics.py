"""Economics per intervention (margin, cost per unit) and the combined performance index, worked by hand.

The portfolio: INT1 (Fondo Uno) with A1 and A2 let at 500 € a month plus 50 € of charges; INT2 (Fondo Due) with
A3 let at 400 € and A4 (600 €) empty and lettable all the time. First quarter of 2025:
- INT1 billed 3 × (500 + 50) × 2 = 3,300 € (rent 3,000, charges 300); C1 pays everything, C2 only January and
  February, so 550 € due in the quarter is unpaid at 31/03 (expected loss) and 2,750 € is collected;
- INT2 billed 3 × 400 = 1,200 €; C3 pays 400 € once: 800 € unpaid, 400 € collected; void loss on A4
  600 € × 90 days / 30.4375 = 1,774.02 €;
- costs: INT1 manutenzione 600 (Jan) + 300 (Mar), utenze 3 × 100 = 1,200 € (April's 1,000 € is outside);
  INT2 imposte 2,400 € for the year (200 € a month: 600 € in the quarter) + manutenzione 150 € = 750 €.
Margin INT1 = 3,300 − 550 − 1,200 = 1,550 € (46.97% of billed), cost per unit 1,200 / 2 = 600 €;
margin INT2 = 1,200 − 800 − 750 = −350 € (−29.17%), cost per unit 750 / 2 = 375 €;
portfolio: 4,500 − 1,350 − 1,950 = 1,200 €, cost per unit 1,950 / 4 = 487.50 €.
"""

from __future__ import annotations

from datetime import date

import pytest

from indicators import store
from indicators.scope import Scope
from tests.factories import load_text

Q1 = dict(start=date(2025, 1, 1), end=date(2025, 3, 31))
FILES = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo\nINT1;Cenni di Cambiamento;Milano;Polaris;Fondo Uno\n"
                  "INT2;Vivi Voltri;Genova;Polaris;Fondo Due\n",
    "edifici": "codice_edificio;codice_intervento;indirizzo\nE1;INT1;Via Cenni 1\nE2;INT2;Via Voltri 3\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile;stato\n"
               "A1;E1;locazione_permanente;500,00;\nA2;E1;locazione_permanente;500,00;\n"
               "A3;E2;locazione_termine;400,00;\nA4;E2;locazione_termine;600,00;locabile\n",
    "nuclei": "codice_nucleo;codice_fiscale;nominativo\nN1;RSSMRA80A01F205X;Mario Rossi\n"
              "N2;VRDLGU75B12F205Z;Luigi Verdi\nN3;BNCGNN60C41F205K;Anna Bianchi\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                 "C1;A1;N1;01/01/2024;;500,00\nC2;A2;N2;01/01/2024;;500,00\nC3;A3;N3;01/01/2024;;400,00\n",
}


def _ledger() -> str:
    rows = ["codice_contratto;data;tipo;importo;voce;competenza;scadenza"]
    for m in (1, 2, 3):
        day = f"05/{m:02d}/2025"
        due = f"10/{m:02d}/2025"
        for lease, rent, charges in (("C1", "500,00", "50,00"), ("C2", "500,00", "50,00"), ("C3", "400,00", None)):
            rows.append(f"{lease};{day};addebito;{rent};canone;{m:02d}/2025;{due}")
            if charges:
                rows.append(f"{lease};{day};addebito;{charges};spese;{m:02d}/2025;{due}")
        rows.append(f"C1;15/{m:02d}/2025;incasso;550,00;canone;{m:02d}/2025;")
        if m < 3:
            rows.append(f"C2;15/{m:02d}/2025;incasso;550,00;canone;{m:02d}/2025;")
    rows.append("C3;15/01/2025;incasso;400,00;canone;01/2025;")
    return "\n".join(rows) + "\n"


COSTS = ("anno;mese;codice_intervento;categoria;importo\n2025;1;INT1;manutenzione_ordinaria;600,00\n"
         "2025;3;INT1;manutenzione_ordinaria;300,00\n2025;1;INT1;utenze;100,00\n2025;2;INT1;utenze;100,00\n"
         "2025;3;INT1;utenze;100,00\n2025;4;INT1;utenze;1000,00\n2025;;INT2;imposte;2400,00\n"
         "2025;2;INT2;manutenzione_ordinaria;150,00\n")


@pytest.fixture
def portfolio(tmp_path, engine, settings):
    for kind, content in FILES.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    load_text(tmp_path, "movimenti", _ledger(), engine=engine, settings=settings)
    load_text(tmp_path, "consuntivi", COSTS, engine=engine, settings=settings)
    store.build(engine)
    return engine


def test_margin_and_cost_per_unit_per_intervention_and_fund(portfolio):
    from indicators.economics import economics

    rows = economics(portfolio, **Q1, by="intervention").set_index("group")
    assert rows.loc["INT1", ["rent_billed", "charges_billed", "billed", "collected", "arrears_loss", "costs",
                             "margin", "units", "cost_per_unit"]].tolist() == pytest.approx(
        [3000, 300, 3300, 2750, 550, 1200, 1550, 2, 600])
    assert rows.loc["INT1", "margin_pct"] == pytest.approx(1550 / 3300 * 100)
    assert rows.loc["INT1", ["cost_manutenzione_ordinaria", "cost_utenze"]].tolist() == pytest.approx([900, 300])
    assert rows.loc["INT2", ["billed", "collected", "arrears_loss", "costs", "margin", "cost_per_unit"]].tolist() == \
        pytest.approx([1200, 400, 800, 750, -350, 375])
    assert rows.loc["INT2", "cost_imposte"] == pytest.approx(600)  # a yearly 2,400 € in twelfths: three months
    assert rows.loc["INT2", "void_loss"] == pytest.approx(600 * 90 / 30.4375)
    assert rows.loc["INT1", "void_loss"] == pytest.approx(0)
    funds = economics(portfolio, **Q1, by="fund").set_index("group")
    assert funds.loc["Fondo Uno", "margin"] == pytest.approx(1550) and funds.loc["Fondo Due", "margin"] == \
        pytest.approx(-350)


def test_margin_kpis_for_the_portfolio_and_year_to_date(portfolio):
    from indicators.catalog import compute

    margin = compute(portfolio, "operating_margin_eur", as_of=Q1["end"], **Q1)
    assert (margin.value, margin.numerator, margin.denominator) == pytest.approx((1200, 1200, 4500))
    assert margin.breakdown["arrears_loss"] == pytest.approx(1350) and margin.breakdown["costs"] == pytest.approx(1950)
    per_unit = compute(portfolio, "cost_per_unit_eur", as_of=Q1["end"], **Q1)
    assert (per_unit.value, per_unit.numerator, per_unit.denominator) == pytest.approx((487.5, 1950, 4))
    # year to date at 28/02: January and February only (INT1 1,100 + 100 €, INT2 400 + 150 € of costs)
    feb = compute(portfolio, "cost_per_unit_eur", as_of=date(2025, 2, 28), start=date(2025, 1, 1),
                  end=date(2025, 2, 28), by="intervention").set_index("group")
    assert feb["numerator"].tolist() == pytest.approx([800, 550]) and feb["value"].tolist() == pytest.approx([400, 275])
    scoped = compute(portfolio, "operating_margin_eur", as_of=Q1["end"], **Q1, scope=Scope(interventions=("INT2",)))
    assert scoped.value == pytest.approx(-350)


def test_performance_index_combines_arrears_and_vacancy(portfolio):
    """INT1: arrears 550 / 3,300 = 16.67%, vacancy 0 -> 16.67; INT2: 800 / 1,200 = 66.67%, vacancy 1 of 2 = 50%
    -> 100 × (1 − 0.5 × 0.3333) = 83.33; portfolio: 30% and 25% -> 100 × (1 − 0.75 × 0.7) = 47.5."""
    from indicators.performance import combined, performance_index, references

    rows = performance_index(portfolio, **Q1, by="intervention").set_index("group")
    assert rows.loc["INT1", ["arrears_rate_billed", "vacancy_rate", "value"]].tolist() == pytest.approx(
        [550 / 3300 * 100, 0, 550 / 3300 * 100])
    assert rows.loc["INT2", ["arrears_rate_billed", "vacancy_rate", "value"]].tolist() == pytest.approx(
        [200 / 3, 50, 250 / 3])
    total = performance_index(portfolio, **Q1)
    assert total.value == pytest.approx(47.5) and total.breakdown == pytest.approx(
        {"arrears_rate_billed": 30.0, "vacancy_rate": 25.0})
    refs = references(portfolio).set_index("label")["value"]
    assert refs["Cooperative gestori sociali (media)"] == pytest.approx(11.73)  # 1 − 0.97 × 0.91
    assert refs["Cooperative a proprietà indivisa (media)"] == pytest.approx(5.9116)  # 1 − 0.966 × 0.974
    assert combined(None, 3.0) is None


def _history_ledger(years: range) -> str:
    """Every month of `years`: C1 and C2 billed 500 €, C3 400 €, each paid in full on the 15th."""
    rows = ["codice_contratto;data;tipo;importo;voce;competenza;scadenza"]
    for y in years:
        for m in range(1, 13):
            for lease, rent in (("C1", "500,00"), ("C2", "500,00"), ("C3", "400,00")):
                rows.append(f"{lease};05/{m:02d}/{y};addebito;{rent};canone;{m:02d}/{y};10/{m:02d}/{y}")
                rows.append(f"{lease};15/{m:02d}/{y};incasso;{rent};canone;{m:02d}/{y};")
    return "\n".join(rows) + "\n"


def test_budget_proposal_with_revenue_and_maintenance_by_ticket(tmp_path, engine, settings, warehouse_url,
                                                                monkeypatch):
    """2022-2024: rent 1,400 € a month all paid (no expected loss), utenze 1,000 € and manutenzione 500 € a month;
    tickets 2023-2024: idraulica 300 €, elettrico 100 € -> 75% and 25% of the maintenance forecast (~6,000 €)."""
    from typer.testing import CliRunner

    from indicators.budget import propose
    from indicators.budget_revenue import maintenance_from_tickets, projected_margin
    from osservatorio.cli import app

    for kind, content in FILES.items():
        load_text(tmp_path, kind, content, engine=engine, settings=settings)
    load_text(tmp_path, "movimenti", _history_ledger(range(2022, 2025)), engine=engine, settings=settings)
    costs = "".join(f"{y};{m};INT1;utenze;1000,00\n{y};{m};INT1;manutenzione_ordinaria;500,00\n"
                    for y in (2022, 2023, 2024) for m in range(1, 13))
    load_text(tmp_path, "consuntivi", "anno;mese;codice_intervento;categoria;importo\n" + costs, engine=engine,
              settings=settings)
    load_text(tmp_path, "segnalazioni", "codice_segnalazione;codice_edificio;categoria;data_apertura;data_chiusura;"
              "costo\nT1;E1;idraulica;02/03/2023;10/03/2023;200,00\nT2;E2;idraulica;01/06/2024;03/06/2024;100,00\n"
              "T3;E1;elettrico;01/09/2024;05/09/2024;100,00\n", engine=engine, settings=settings)
    store.build(engine)
    proposal = propose(engine, year=2025, include_revenue=True, n_sims=200)
    lines = proposal.lines.set_index("category")
    assert lines.loc["canoni_emessi", "forecast"] == pytest.approx(16_800, rel=0.03)
    assert lines.loc["perdita_attesa_morosita", "forecast"] == pytest.approx(0, abs=1)
    assert lines.loc["mancato_canone_sfitto", "forecast"] == pytest.approx(600 * 365 / 30.4375, rel=0.03)
    margin = projected_margin(proposal.lines)
    assert margin is not None and margin["margin"] == pytest.approx(
        margin["billed"] - margin["arrears_loss"] - margin["costs"])
    assert margin["costs"] == pytest.approx(lines.loc[["utenze", "manutenzione_ordinaria"], "forecast"].sum())
    split = maintenance_from_tickets(engine, year=2025, lines=proposal.lines).set_index("category")
    assert split["share"].to_dict() == pytest.approx({"idraulica": 75.0, "elettrico": 25.0})
    assert split.loc["idraulica", ["2022", "2023", "2024"]].tolist() == [0.0, 200.0, 100.0]
    assert split["forecast"].sum() == pytest.approx(lines.loc["manutenzione_ordinaria", "forecast"])
    assert propose(engine, year=2025, n_sims=200).lines["side"].unique().tolist() == ["costi"]  # costs only
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    from osservatorio.settings import get_settings

    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["budget", "propose", "--year", "2025", "--include-revenue"])
    get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "Canoni emessi" in out.output and "Margine previsto" in out.output
    assert "Idraulica" in out.output and "75,0%" in out.output
