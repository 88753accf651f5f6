"""The arrears risk score on synthetic histories whose answer is known, and its guard against future information.

Every lease pays its 500 € rent (due on the 10th) on the 12th, except in its arrears episodes: in the month of an
episode nothing is paid; a tenant who *recovers* pays both months the next month; a *sticky* one pays nothing for
five months (so is more than 90 days behind three month ends later) and then everything. At the month end of the
missed payment both look the same to the ledger: 500 € owed, due 20-odd days before. So the balance cannot tell
them apart there, and

- when stickiness goes with the household's fascia (protezione sticky, permanenza not), the model, which sees the
  fascia, must rank better than the balance;
- when it is a coin toss and every household is in one fascia, nothing the model sees tells them apart either:
  it must not come out better, and the page must say so.
"""

from __future__ import annotations

import random
import shutil
from datetime import date

import pandas as pd

from indicators import store
from indicators.ledger_sql import month_ends
from indicators.risk import auc, backtest, features, outcomes, precision_at, risk_scores
from indicators.risk_panel import monthly_panel
from osservatorio.settings import Settings
from schemas.db import make_engine
from tests.factories import load_text
from tests.test_prevention import CASES_HEADER
from tests.test_arrears import HEADER

LEASES, FIRST, LAST = 100, date(2021, 1, 31), date(2023, 12, 31)
MONTHS = 36  # January 2021 to December 2023


def _month(k: int) -> tuple[int, int]:
    return 2021 + k // 12, k % 12 + 1


def _episodes(rng: random.Random) -> list[int]:
    first = rng.randrange(1, 10)
    second = first + rng.randrange(9, 13)
    return [first, second, second + rng.randrange(9, 13)]


def synthetic_files(*, signal: bool, seed: int = 7) -> dict[str, str]:
    """The portfolio, the ledger and (with a signal) the arrears cases of a synthetic history."""
    rng = random.Random(seed)
    units = "".join(f"U{i:02d};E1;locazione_permanente;500,00\n" for i in range(LEASES))
    households, leases, moves, cases = [], [], [], []
    for i in range(LEASES):
        sticky = (i % 2 == 0) if signal else rng.random() < 0.5
        band = ("protezione" if sticky else "permanenza") if signal else "accesso"
        households.append(f"H{i:02d};2;{band}\n")
        leases.append(f"L{i:02d};U{i:02d};H{i:02d};01/01/2021;;500,00\n")
        episodes = _episodes(rng)
        moves += _ledger(i, sticky, episodes)
        cases += _cases(i, sticky, episodes[0])
    files = {
        "interventi": "codice_intervento;nome;comune;sgr;fondo\nINT1;Corte Uno;Milano;SGR Alfa;Fondo Uno\n",
        "edifici": "codice_edificio;codice_intervento;indirizzo\nE1;INT1;Via Uno 1\n",
        "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile\n" + units,
        "nuclei": "codice_nucleo;componenti;fascia\n" + "".join(households),
        "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                     + "".join(leases),
        "movimenti": HEADER + "".join(moves),
    }
    # with a signal, each lease has a case on its first episode (so the case features count something); none in the
    # null history, where a case would tell the sticky tenants apart
    return {**files, "pratiche_morosita": CASES_HEADER + "".join(cases)} if signal else files


def _cases(i: int, sticky: bool, first: int) -> list[str]:
    """A case on the lease's first episode: opened on the 20th of the missed month, a repayment plan on the 25th of
    the next for a sticky tenant, closed on the 15th of the month everything is paid."""
    length = 5 if sticky else 1
    rows = [f"K{i:02d};L{i:02d};20/{_month(first)[1]:02d}/{_month(first)[0]};apertura;500,00;;\n"]
    if sticky:
        rows.append(f"K{i:02d};L{i:02d};25/{_month(first + 1)[1]:02d}/{_month(first + 1)[0]};piano_rientro;;;\n")
    y, m = _month(first + length)
    return [*rows, f"K{i:02d};L{i:02d};15/{m:02d}/{y};chiusura_saldo;;;\n"]


def _ledger(i: int, sticky: bool, episodes: list[int]) -> list[str]:
    unpaid: dict[int, int] = {}  # month -> months paid that month (0: nothing)
    for e in episodes:
        length = 5 if sticky else 1
        for k in range(e, min(e + length, MONTHS)):
            unpaid[k] = 0
        if e + length < MONTHS:
            unpaid[e + length] = length + 1
    rows = []
    for k in range(MONTHS):
        y, m = _month(k)
        rows.append(f"L{i:02d};01/{m:02d}/{y};addebito;500,00;canone;{m:02d}/{y};\n")
        paid = unpaid.get(k, 1)
        if paid:
            rows.append(f"L{i:02d};12/{m:02d}/{y};incasso;{500 * paid},00;;;\n")
    return rows


def load_history(url: str, tmp_path, files: dict[str, str], *, until: date | None = None) -> None:
    """Load the files; with `until`, only the movements and case events dated up to that day (the warehouse as it
    was then)."""
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="chiave-di-test")
    try:
        for kind, content in files.items():
            if until is not None and kind in ("movimenti", "pratiche_morosita"):
                content = _until(content, until, column=2 if kind == "pratiche_morosita" else 1)
            assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato", kind
        store.build(engine)
    finally:
        engine.dispose()


def _until(content: str, day: date, *, column: int) -> str:
    """The lines of a CSV whose date (gg/mm/aaaa, in `column`) is on or before `day`."""
    header, *lines = content.splitlines(keepends=True)
    dated = [(line, line.split(";")[column].split("/")) for line in lines]
    return header + "".join(line for line, (d, m, y) in dated if date(int(y), int(m), int(d)) <= day)


def test_auc_and_precision_on_known_rankings():
    assert auc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]) == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]) == 0.0
    assert auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]) == 0.5  # ties count one half
    assert auc([0.5, 0.4], [1, 1]) is None
    assert precision_at([0.9, 0.8, 0.7], [1, 0, 1], ["a", "b", "c"], k=2) == 0.5


def test_the_model_beats_the_balance_when_risk_follows_a_known_feature(engine, warehouse_url, tmp_path):
    load_history(warehouse_url, tmp_path, synthetic_files(signal=True))
    result = backtest(engine, first=date(2021, 1, 1), last=LAST)
    assert result.cutoffs["cutoff"].tolist() == [date(2022, 9, 30), date(2022, 12, 31), date(2023, 3, 31),
                                                 date(2023, 6, 30)]
    assert (result.cutoffs["auc_model"] == 1.0).all()  # the fascia separates sticky from recovering tenants
    assert (result.cutoffs["auc_model"] > result.cutoffs["auc_baseline"]).all()
    assert result.model_better is True and result.verdict.startswith("Il modello ordina meglio")
    assert result.calibration["contracts"].sum() == result.cutoffs["test_rows"].sum()


def test_the_model_is_not_better_when_nothing_it_sees_predicts_the_risk(engine, warehouse_url, tmp_path):
    load_history(warehouse_url, tmp_path, synthetic_files(signal=False))
    result = backtest(engine, first=date(2021, 1, 1), last=LAST)
    both = result.cutoffs.dropna(subset=["auc_model", "auc_baseline"])
    assert len(both) == 4
    # the month after a missed payment is the same for everyone; later months rank alike by balance and by model
    assert (both["auc_model"] - both["auc_baseline"]).abs().max() < 1e-9
    assert result.model_better is False and "NON fa meglio" in result.verdict


def test_features_at_a_cutoff_equal_those_of_the_warehouse_truncated_there(engine, warehouse_url, tmp_path,
                                                                           sqlite_template):
    files = synthetic_files(signal=True)
    load_history(warehouse_url, tmp_path, files)
    cut = date(2022, 6, 30)
    short = tmp_path / "short.db"
    shutil.copy(sqlite_template, short)
    (tmp_path / "short").mkdir()
    load_history(f"sqlite:///{short}", tmp_path / "short", files, until=cut)
    truncated = make_engine(f"sqlite:///{short}")
    months = month_ends(date(2021, 1, 1), cut)
    try:
        full = features(monthly_panel(engine, months=month_ends(date(2021, 1, 1), LAST)), [cut])
        then = features(monthly_panel(truncated, months=months), [cut])
    finally:
        truncated.dispose()
    assert len(full) > 5 and full["cases_before"].sum() >= 1 and full["trend"].abs().sum() > 0
    pd.testing.assert_frame_equal(full.reset_index(drop=True), then.reset_index(drop=True))
    # and the outcome, which does look ahead, is only ever read for training cut-offs 6 months old
    panel = monthly_panel(engine, months=month_ends(date(2021, 1, 1), LAST))
    assert outcomes(panel, full).sum() == (full["lease_code"].map(lambda c: int(c[1:]) % 2 == 0)).sum()


def test_scores_today_rank_the_sticky_tenants_first(engine, warehouse_url, tmp_path):
    load_history(warehouse_url, tmp_path, synthetic_files(signal=True))
    scores, fitted = risk_scores(engine, as_of=date(2022, 6, 30), first=date(2021, 1, 1))
    assert fitted and len(scores)
    low = scores.set_index("lease_code")["risk"]
    sticky = low[[int(c[1:]) % 2 == 0 for c in low.index]]
    other = low[[int(c[1:]) % 2 == 1 for c in low.index]]
    assert sticky.min() > 50 > other.max()
