"""The deterministic sample generator: identical bytes per seed, resolvable keys, believable figures."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.sample import SAMPLE_END, generate
from etl.sample.people import check_character

ENCODINGS = {
    "interventi": "cp1252", "edifici": "cp1252", "laboratori": "cp1252", "attivita_laboratorio": "cp1252",
    "contratti": "utf-8-sig", "alloggi": "utf-8", "nuclei": "utf-8", "movimenti": "utf-8",
    "pratiche_morosita": "utf-8", "segnalazioni": "utf-8", "indicatori_contesto": "utf-8", "consuntivi": "utf-8",
    "budget": "utf-8", "sfratti": "utf-8", "domande": "utf-8", "finanziamenti": "cp1252",
    "obiettivi_laboratorio": "cp1252", "partner_laboratorio": "cp1252", "cofinanziamento_laboratorio": "cp1252",
    "presidi_laboratorio": "cp1252", "destinatari_laboratorio": "cp1252", "giudizi_laboratorio": "cp1252",
    "note_valutazione": "cp1252",
    "avvisi": "cp1252",
    "attivita_comunita": "cp1252",
}
KEYS = {
    "interventi": ["codice_intervento"], "edifici": ["codice_edificio"], "alloggi": ["codice_alloggio"],
    "nuclei": ["codice_nucleo"], "contratti": ["codice_contratto"],
    "pratiche_morosita": ["codice_pratica", "data", "evento"], "segnalazioni": ["codice_segnalazione"],
    "laboratori": ["codice_laboratorio"],
    "attivita_laboratorio": ["codice_laboratorio", "data", "tipo_attivita", "titolo"],
    "indicatori_contesto": ["codice_laboratorio", "area", "gruppo", "indicatore", "data_rilevazione"],
    "consuntivi": ["anno", "mese", "codice_intervento", "categoria"],
    "budget": ["anno", "codice_intervento", "categoria"],
    "sfratti": ["comune", "anno"], "domande": ["codice_domanda"],
    "finanziamenti": ["codice_progetto"], "avvisi": ["codice_avviso"],
    "attivita_comunita": ["codice_intervento", "codice_edificio", "data", "tipo_attivita", "titolo"],
    "obiettivi_laboratorio": ["codice_laboratorio", "ambito", "obiettivo"],
    "partner_laboratorio": ["codice_laboratorio", "partner"],
    "cofinanziamento_laboratorio": ["codice_laboratorio", "ente", "tipo"],
    "presidi_laboratorio": ["codice_laboratorio", "presidio"],
    "destinatari_laboratorio": ["codice_laboratorio", "gruppo"],
    "giudizi_laboratorio": ["codice_laboratorio", "aspetto"],
    "note_valutazione": ["codice_laboratorio", "data", "fonte", "tema", "interlocutore"],
}
PARENTS = [  # (child kind, column, parent kind, parent key)
    ("edifici", "codice_intervento", "interventi", "codice_intervento"),
    ("alloggi", "codice_edificio", "edifici", "codice_edificio"),
    ("contratti", "codice_alloggio", "alloggi", "codice_alloggio"),
    ("contratti", "codice_nucleo", "nuclei", "codice_nucleo"),
    ("movimenti", "codice_contratto", "contratti", "codice_contratto"),
    ("pratiche_morosita", "codice_contratto", "contratti", "codice_contratto"),
    ("segnalazioni", "codice_edificio", "edifici", "codice_edificio"),
    ("segnalazioni", "codice_alloggio", "alloggi", "codice_alloggio"),
    ("attivita_laboratorio", "codice_laboratorio", "laboratori", "codice_laboratorio"),
    ("indicatori_contesto", "codice_laboratorio", "laboratori", "codice_laboratorio"),
    ("consuntivi", "codice_intervento", "interventi", "codice_intervento"),
    ("budget", "codice_intervento", "interventi", "codice_intervento"),
    ("domande", "codice_alloggio", "alloggi", "codice_alloggio"),
    ("finanziamenti", "codice_intervento", "interventi", "codice_intervento"),
    *[(kind, "codice_laboratorio", "laboratori", "codice_laboratorio") for kind in (
        "obiettivi_laboratorio", "partner_laboratorio", "cofinanziamento_laboratorio", "presidi_laboratorio",
        "destinatari_laboratorio", "giudizi_laboratorio", "note_valutazione")],
    ("domande", "avviso", "avvisi", "codice_avviso"),
    ("avvisi", "interventi", "interventi", "codice_intervento"),
    ("attivita_comunita", "codice_intervento", "interventi", "codice_intervento"),
    ("attivita_comunita", "codice_edificio", "edifici", "codice_edificio"),
]


def read_kind(folder: Path, kind: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(folder / f"{kind}.csv", sep=";", decimal=",", encoding=ENCODINGS[kind], **kwargs)


def read_text(folder: Path, kind: str) -> pd.DataFrame:
    """A kind with every cell as text and empty cells as ''."""
    return read_kind(folder, kind, dtype=str, keep_default_na=False)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def default_sample(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("default")
    return folder, generate(folder)


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("small")
    return folder, generate(folder, units=300, years=3)


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path, small_sample):
    folder, _ = small_sample
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, units=300, years=3)
    generate(other, units=300, years=3, seed=7)
    assert digest(again) == digest(folder)
    assert len(digest(folder)) == 25
    changed = {name for name, h in digest(other).items() if h != digest(folder)[name]}
    assert {"alloggi.csv", "contratti.csv", "movimenti.csv", "pratiche_morosita.csv"} <= changed


def test_end_date_is_fixed_not_today():
    assert SAMPLE_END == date(2026, 10, 31)


def test_summary_counts_the_rows_of_every_file(small_sample):
    folder, summary = small_sample
    assert set(summary) == set(ENCODINGS)
    for kind in ENCODINGS:
        assert len(read_text(folder, kind)) == summary[kind], kind


def test_row_counts_per_kind(default_sample):
    _, summary = default_sample
    assert summary["interventi"] == 10
    assert summary["alloggi"] == 1500
    assert 30 <= summary["edifici"] <= 80
    assert summary["nuclei"] == summary["contratti"]
    assert 1800 <= summary["contratti"] <= 2800
    assert 300_000 <= summary["movimenti"] <= 400_000
    assert summary["laboratori"] == 15
    assert summary["sfratti"] >= 6
    for kind in ("pratiche_morosita", "segnalazioni", "attivita_laboratorio", "indicatori_contesto", "consuntivi",
                 "budget", "domande"):
        assert summary[kind] > 100, kind


def test_small_sample_row_counts_are_pinned(small_sample):
    """A golden record of seed 42 at 300 units and 3 years: any change to the generator shows up here."""
    assert small_sample[1] == {
        "interventi": 3, "edifici": 19, "alloggi": 300, "nuclei": 349, "contratti": 349, "movimenti": 24147,
        "pratiche_morosita": 451, "segnalazioni": 487, "laboratori": 15, "attivita_laboratorio": 2840,
        "indicatori_contesto": 261, "consuntivi": 783, "budget": 117, "sfratti": 21, "domande": 563,
        "finanziamenti": 4, "avvisi": 11, "attivita_comunita": 144, "obiettivi_laboratorio": 92, "partner_laboratorio": 64,
        "cofinanziamento_laboratorio": 30, "presidi_laboratorio": 18, "destinatari_laboratorio": 35,
        "giudizi_laboratorio": 60, "note_valutazione": 56,
    }


def test_interventions_scale_with_units(small_sample, tmp_path):
    assert small_sample[1]["interventi"] == 3  # at least 3, even for 300 units
    assert generate(tmp_path, units=20, years=1)["alloggi"] == 20


def test_files_parse_as_italian_csv_in_their_encoding(default_sample):
    folder, summary = default_sample
    for kind in ENCODINGS:
        frame = read_kind(folder, kind)
        assert len(frame) == summary[kind]
    for kind in ("interventi", "edifici", "laboratori", "attivita_laboratorio"):
        raw = (folder / f"{kind}.csv").read_bytes()
        if kind != "edifici" or max(raw) > 127:  # addresses may happen to have no accent
            assert re.search("[àèéìòù]", raw.decode("cp1252"))
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")  # accented text in Windows-1252
    assert (folder / "contratti.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    moves = read_kind(folder, "movimenti", nrows=2000)
    assert moves.importo.dtype == float and (moves.importo > 0).all()
    assert "codice_movimento" not in moves.columns
    text = (folder / "movimenti.csv").read_text(encoding="utf-8").splitlines()[1]
    assert re.fullmatch(r"C\d{8};\d\d/\d\d/\d{4};addebito;\d+,\d\d;canone;\d\d/\d{4}", text)


def test_every_foreign_key_resolves(default_sample):
    folder, _ = default_sample
    frames = {kind: read_text(folder, kind) for kind in ENCODINGS}
    for child, column, parent, key in PARENTS:
        values = set(frames[child][column]) - {""}
        assert values, (child, column)
        assert values <= set(frames[parent][key]), (child, column)
    tickets = frames["segnalazioni"].query("codice_alloggio != ''")
    building_of = frames["alloggi"].set_index("codice_alloggio").codice_edificio
    assert (building_of[tickets.codice_alloggio].to_numpy() == tickets.codice_edificio.to_numpy()).all()


def test_natural_keys_are_unique(default_sample):
    folder, _ = default_sample
    for kind, key in KEYS.items():
        frame = read_text(folder, kind)
        assert not frame.duplicated(key).any(), kind


def test_tenure_shares_match_the_cooperative_track_record(default_sample):
    units = read_text(default_sample[0], "alloggi")
    shares = units.regime.value_counts(normalize=True) * 100
    assert shares["proprieta_futura_vendita"] == pytest.approx(23, abs=4)
    assert shares["locazione_termine"] == pytest.approx(40, abs=4)
    assert shares["locazione_permanente"] == pytest.approx(37, abs=4)
    assert units.stato.value_counts().index[0] == "locabile"
    assert {"in_ristrutturazione", "non_locabile", "occupato_senza_titolo", "in_vendita"} <= set(units.stato)


def test_gestore_contract_types_weighted_by_units(default_sample):
    folder, _ = default_sample
    projects = read_text(folder, "interventi").set_index("codice_intervento")
    units = read_text(folder, "alloggi")
    per_project = units.codice_edificio.str[:6].value_counts()
    shares = per_project.groupby(projects.tipo_contratto_gestore[per_project.index]).sum() / len(units) * 100
    assert shares["standard_full"] == pytest.approx(76, abs=8)
    assert shares.get("vuoto_per_pieno", 0) == pytest.approx(12, abs=8)
    assert shares.get("altro", 0) == pytest.approx(12, abs=8)
    assert projects.sgr.nunique() == 2 and 3 <= projects.fondo.nunique() <= 4


def test_arrears_over_the_history_are_near_three_percent(default_sample):
    moves = read_kind(default_sample[0], "movimenti", usecols=["tipo", "importo"])
    totals = moves.groupby("tipo").importo.sum()
    assert set(totals.index) == {"addebito", "incasso", "storno", "abbuono", "stralcio"}
    billed = totals["addebito"]
    share = (billed - totals["incasso"] - totals["storno"] - totals["abbuono"] - totals["stralcio"]) / billed
    assert 0.02 <= share <= 0.04


def test_vacancy_at_the_end_is_near_nine_percent(default_sample):
    folder, _ = default_sample
    leases = read_kind(folder, "contratti", parse_dates=["data_inizio", "data_fine"], dayfirst=True)
    end = pd.Timestamp(SAMPLE_END)
    running = leases[(leases.data_inizio <= end) & (leases.data_fine.isna() | (leases.data_fine >= end))]
    assert running.codice_alloggio.is_unique
    vacancy = 1 - running.codice_alloggio.nunique() / 1500
    assert 0.07 <= vacancy <= 0.11


def test_turnover_is_eight_to_ten_percent_a_year(default_sample):
    folder, _ = default_sample
    leases = read_kind(folder, "contratti", parse_dates=["data_fine"], dayfirst=True)
    opened = read_kind(folder, "interventi", parse_dates=["data_inizio_gestione"], dayfirst=True).set_index(
        "codice_intervento").data_inizio_gestione
    units_opened = opened[read_text(folder, "alloggi").codice_edificio.str[:6]].to_numpy()
    years = range(2019, 2026)
    rates = [(leases.data_fine.dt.year == y).sum() / (units_opened <= pd.Timestamp(y, 7, 1)).sum() for y in years]
    assert all(0.06 <= rate <= 0.12 for rate in rates)
    assert 0.08 <= sum(rates) / len(rates) <= 0.10
    assert set(leases.motivo_cessazione.dropna()) == {"disdetta", "sfratto_morosita", "decadenza", "decesso",
                                                      "cambio_alloggio", "altro"}


def test_leases_do_not_overlap_on_a_unit(default_sample):
    leases = read_kind(default_sample[0], "contratti", parse_dates=["data_inizio", "data_fine"], dayfirst=True)
    leases = leases.sort_values(["codice_alloggio", "data_inizio"])
    same_unit = leases.codice_alloggio.eq(leases.codice_alloggio.shift())
    previous_end = leases.data_fine.shift()
    assert (leases.data_inizio[same_unit] > previous_end[same_unit]).all()


def test_cinisello_evictions_are_the_reported_ones(default_sample):
    evictions = read_kind(default_sample[0], "sfratti")
    cinisello = evictions[evictions.comune == "Cinisello Balsamo"].sort_values("anno")
    assert cinisello.anno.tolist() == [2012, 2013, 2014, 2015, 2016, 2017]
    assert cinisello.convalidati.tolist() == [58, 75, 84, 66, 59, 14]
    assert cinisello.eseguiti.tolist() == [15, 20, 25, 46, 66, 19]
    others = evictions[evictions.comune != "Cinisello Balsamo"]
    assert len(others) > 0 and set(others.motivo) == {"morosita"}
    assert (others.eseguiti <= others.convalidati).all()


def test_labs_follow_the_catalogue_and_the_programme_budget(default_sample):
    labs = read_kind(default_sample[0], "laboratori", parse_dates=["data_inizio", "data_fine"], dayfirst=True)
    assert len(labs) == 15 and labs.comune.nunique() == 12
    assert round(labs.costo_totale.sum(), 2) == 733_322.26
    share = labs.contributo_regionale / labs.costo_totale
    assert (share > 0.70).sum() >= 12 and (share <= 0.80).all()
    assert labs.data_inizio.dt.year.between(2014, 2016).all() and labs.data_fine.dt.year.between(2014, 2016).all()
    assert (labs.data_fine > labs.data_inizio).all()
    assert labs.ambiti.str.contains(",").any() and not labs.ambiti.str.contains(";").any()


def test_lab_activities_stay_in_period_and_ambiti(default_sample):
    folder, _ = default_sample
    labs = read_kind(folder, "laboratori", parse_dates=["data_inizio", "data_fine"], dayfirst=True)
    acts = read_kind(folder, "attivita_laboratorio", parse_dates=["data"], dayfirst=True)
    merged = acts.merge(labs, on="codice_laboratorio")
    assert merged.data.between(merged.data_inizio, merged.data_fine).all()
    assert all(a in lab_ambiti.split(",") for a, lab_ambiti in zip(merged.ambito, merged.ambiti))
    assert acts.codice_laboratorio.nunique() == 15 and "sportello" in set(acts.tipo_attivita)
    assert (acts.nuclei_presi_in_carico <= acts.nuclei_raggiunti).all()


def test_context_indicators_are_as_patchy_as_in_the_evaluation(default_sample):
    folder, _ = default_sample
    labs = read_kind(folder, "laboratori", parse_dates=["data_inizio"], dayfirst=True).set_index("codice_laboratorio")
    ind = read_kind(folder, "indicatori_contesto", parse_dates=["data_rilevazione"], dayfirst=True)
    rounds = ind.groupby(["codice_laboratorio", "gruppo"]).data_rilevazione.agg(["min", "max", "nunique"])
    treated, control = rounds.xs("trattamento", level="gruppo"), rounds.xs("controllo", level="gruppo")
    assert len(treated) == 15 and (treated["min"] == labs.data_inizio[treated.index]).all()
    assert (treated["nunique"] == 2).sum() == 10
    assert len(control) == 3 and (control["nunique"] == 2).sum() == 2
    spans = (control["max"] - control["min"]).dt.days[control["nunique"] == 2]
    assert (spans < 730).sum() == 1
    assert set(ind.unita) == {"n", "pct", "eur", "si_no"}
    assert set(ind.loc[ind.unita == "si_no", "valore"]) <= {"si", "no"}
    pct = pd.to_numeric(ind.loc[ind.unita == "pct", "valore"].str.replace(",", "."))
    assert pct.between(0, 100).all() and pct.max() > 20  # points, not fractions


def test_codici_fiscali_are_syntactically_valid(default_sample):
    households = read_text(default_sample[0], "nuclei")
    pattern = re.compile(r"[A-Z]{6}\d\d[ABCDEHLMPRST]\d\d[A-Z]\d{3}[A-Z]")
    assert households.codice_fiscale.map(lambda cf: bool(pattern.fullmatch(cf))).all()
    assert all(cf[15] == check_character(cf[:15]) for cf in households.codice_fiscale)
    assert households.nominativo.str.fullmatch(r"[A-Z][A-Za-z' ]+ [A-Z][a-z]+").all()
    assert households.in_carico_servizi_sociali.isin(["si", "no"]).all()


@pytest.fixture(scope="module")
def ledger(default_sample) -> pd.DataFrame:
    moves = read_kind(default_sample[0], "movimenti", dtype={"competenza": str, "voce": str},
                      keep_default_na=False, na_values={"importo": []})
    moves["data"] = pd.to_datetime(moves.data, format="%d/%m/%Y")
    return moves


def test_every_running_lease_is_billed_rent_and_charges_every_month(default_sample, ledger):
    leases = read_kind(default_sample[0], "contratti", parse_dates=["data_inizio"], dayfirst=True)
    old_and_running = leases[leases.data_fine.isna() & (leases.data_inizio < pd.Timestamp(2018, 11, 1))]
    charges = ledger[ledger.tipo == "addebito"]
    per_lease = charges.groupby(["codice_contratto", "voce"]).size().unstack()
    assert (per_lease.loc[old_and_running.codice_contratto, ["canone", "spese"]] == 96).all().all()
    assert charges.competenza.str.fullmatch(r"(0[1-9]|1[0-2])/20\d\d").all()
    assert set(charges.voce) == {"canone", "spese", "conguaglio", "mora"}
    assert set(charges.loc[charges.voce == "conguaglio", "competenza"].str[:2]) == {"05"}


def test_ledger_has_the_movements_of_real_life(default_sample, ledger):
    payments = ledger[ledger.tipo == "incasso"]
    assert payments.duplicated(["codice_contratto", "data", "importo"]).sum() > 20  # equal payments on one day
    assert 0.2 < (ledger.tipo == "incasso").sum() / (ledger.tipo == "addebito").sum() < 0.6
    leases = read_kind(default_sample[0], "contratti", parse_dates=["data_fine"], dayfirst=True).set_index(
        "codice_contratto")
    write_offs = ledger[ledger.tipo == "stralcio"]
    assert len(write_offs) > 5
    assert (write_offs.data.to_numpy() > leases.data_fine[write_offs.codice_contratto].to_numpy()).all()
    assert ledger.data.max() <= pd.Timestamp(SAMPLE_END)


def test_a_tail_of_old_debts(default_sample, ledger):
    leases = read_kind(default_sample[0], "contratti").set_index("codice_contratto")
    signed = ledger.importo.where(ledger.tipo == "addebito", -ledger.importo)
    balance = signed.groupby(ledger.codice_contratto).sum()
    running = leases.index[leases.data_fine.isna()]
    owed_months = balance[running] / leases.canone_mensile[running]
    assert (owed_months > 12).sum() >= 5  # more than a year of rent owed
    assert 0.03 < (owed_months > 1).mean() < 0.25


# The deadline of the step after each one, in days from the case's opening (domain.md procedure).
NEXT_STEP_WITHIN = {"apertura": 45, "sollecito_telefonico": 75, "sollecito_scritto": 75, "incontro": 100,
                    "valutazione_disagio": 100, "incolpevole": 100, "colpevole": 100, "diffida": 730,
                    "fondo_solidarieta": 730}


def _late_on_the_clock(case: pd.DataFrame, end: pd.Timestamp) -> bool:
    last = case.evento.iloc[-1]
    return last in NEXT_STEP_WITHIN and end > case.data.iloc[0] + pd.Timedelta(days=NEXT_STEP_WITHIN[last])


def test_arrears_cases_follow_the_procedure(default_sample):
    folder, _ = default_sample
    cases = read_kind(folder, "pratiche_morosita", parse_dates=["data"], dayfirst=True)
    grouped = cases.groupby("codice_pratica", sort=False)
    assert (grouped.evento.first() == "apertura").all()
    assert grouped.data.apply(lambda d: d.is_monotonic_increasing).all()
    opened = grouped.data.first()
    reminders = cases[cases.evento == "sollecito_telefonico"]
    days = (reminders.data.to_numpy() - opened[reminders.codice_pratica].to_numpy()).astype("timedelta64[D]")
    assert (days.astype(int) >= 15).all() and (days.astype(int) <= 32).all()
    assert set(cases.gravita.dropna()) == {"lieve", "grave"}
    assert set(cases.loc[cases.gravita.notna(), "evento"]) == {"valutazione_disagio"}
    instruments = {"piano_rientro", "microcredito", "fondo_solidarieta", "riduzione_canone", "programma_supporto"}
    assert instruments <= set(cases.evento)
    assert cases.loc[cases.evento.isin(["piano_rientro", "microcredito", "apertura"]), "importo"].gt(0).all()


def test_evictions_in_cases_match_the_leases(default_sample):
    folder, _ = default_sample
    cases = read_kind(folder, "pratiche_morosita", parse_dates=["data"], dayfirst=True)
    leases = read_kind(folder, "contratti", parse_dates=["data_fine"], dayfirst=True).set_index("codice_contratto")
    executed = cases[cases.evento == "sfratto_eseguito"]
    assert len(executed) > 10
    assert (leases.motivo_cessazione[executed.codice_contratto] == "sfratto_morosita").all()
    assert (leases.data_fine[executed.codice_contratto].to_numpy() == executed.data.to_numpy()).all()


def test_some_open_cases_are_late_on_the_clock(default_sample):
    cases = read_kind(default_sample[0], "pratiche_morosita", parse_dates=["data"], dayfirst=True)
    closed = cases.groupby("codice_pratica").evento.agg(lambda e: e.str.startswith("chiusura").any())
    still_open = cases[cases.codice_pratica.isin(closed.index[~closed])]
    late = still_open.groupby("codice_pratica").apply(_late_on_the_clock, end=pd.Timestamp(SAMPLE_END))
    assert len(late) > 50
    assert 0.12 <= late.mean() <= 0.28


def test_tickets_have_seasons_and_most_close_in_days_to_weeks(default_sample):
    tickets = read_kind(default_sample[0], "segnalazioni", parse_dates=["data_apertura", "data_chiusura"],
                        dayfirst=True)
    month = tickets.data_apertura.dt.month
    heating = tickets.categoria == "riscaldamento"
    assert month[heating].isin([10, 11, 12, 1, 2, 3]).mean() > 0.8
    assert month[tickets.categoria == "verde"].isin(range(4, 10)).mean() > 0.7
    days = (tickets.data_chiusura - tickets.data_apertura).dt.days
    assert 3 <= days.median() <= 21 and (days.dropna() >= 0).all()
    still_open = tickets.data_chiusura.isna()
    assert 0 < still_open.sum() < 0.1 * len(tickets) and tickets.costo[still_open].isna().all()
    assert tickets.costo.dropna().gt(0).all() and tickets.fornitore.notna().all()
    assert set(tickets.urgenza) == {"bassa", "media", "alta", "emergenza"} and tickets.categoria.nunique() == 9


def test_one_ticket_in_twenty_is_an_emergency_mostly_closed_within_a_day(default_sample):
    tickets = read_kind(default_sample[0], "segnalazioni", parse_dates=["data_apertura", "data_chiusura"],
                        dayfirst=True)
    emergencies = tickets[tickets.urgenza == "emergenza"]
    days = (emergencies.data_chiusura - emergencies.data_apertura).dt.days
    # seed 42, 1,500 units: 334 of 6,703 tickets (5.0%); 293 closed within a day (87.7%), 41 in 2 to 5 days
    assert (len(emergencies), len(tickets)) == (334, 6703)
    assert ((days <= 1).sum(), days.between(2, 5).sum(), days.isna().sum()) == (293, 41, 0)


def test_running_fixed_term_leases_end_after_the_sample_some_within_a_year(default_sample):
    folder, _ = default_sample
    leases = read_kind(folder, "contratti", parse_dates=["data_inizio", "data_fine"], dayfirst=True)
    end = pd.Timestamp(SAMPLE_END)
    running = leases[leases.motivo_cessazione.isna()]
    fixed = running.tipo == "canone convenzionato 3+2"
    # every running lease a termine (3+2) carries the end of its five-year term, the others none
    assert running.data_fine[fixed].gt(end).all() and running.data_fine[~fixed].isna().all()
    assert running.data_fine[fixed].le(end + pd.DateOffset(years=5)).all()
    assert (fixed.sum(), len(running)) == (542, 1352)  # 40.1% of the running leases
    ending = [running.data_fine.le(end + pd.DateOffset(months=m)).sum() for m in (3, 6, 12)]
    assert ending == [16, 41, 63]


def test_actual_costs_cover_history_and_agree_with_the_ledger(default_sample, ledger):
    folder, _ = default_sample
    actuals = read_kind(folder, "consuntivi")
    assert actuals.categoria.nunique() == 9 and actuals.codice_intervento.nunique() == 10
    per_project = actuals.groupby("codice_intervento").size()
    assert (per_project % 9 == 0).all() and per_project.max() == 96 * 9
    losses = actuals.loc[actuals.categoria == "perdite_su_crediti", "importo"].sum()
    assert round(losses, 2) == round(ledger.loc[ledger.tipo == "stralcio", "importo"].sum(), 2)
    utilities = actuals[actuals.categoria == "utenze"].groupby("mese").importo.sum()
    assert utilities[[1, 2, 12]].sum() > 2 * utilities[[6, 7, 8]].sum()
    yearly = actuals[actuals.categoria == "amministrazione"].groupby("anno").importo.sum()
    assert yearly[2025] > yearly[2020]
    works = actuals.loc[actuals.categoria == "manutenzione_straordinaria", "importo"]
    assert (works == 0).mean() > 0.5 and works.max() > 10 * works[works > 0].min()  # lumpy


def test_budget_covers_every_year_of_history_and_the_next(default_sample):
    budget = read_kind(default_sample[0], "budget")
    assert budget.anno.min() == 2018 and budget.anno.max() == 2027
    assert budget.categoria.nunique() == 9 and (budget.importo > 0).all()
    assert (budget.groupby(["anno", "codice_intervento"]).size() == 9).all()


def test_applications_lead_to_the_lets(default_sample):
    folder, _ = default_sample
    apps = read_kind(folder, "domande", parse_dates=["data_domanda", "data_esito"], dayfirst=True)
    assigned = apps.esito == "assegnata"
    assert apps.codice_alloggio.notna().eq(assigned).all()
    assert (apps.data_esito.dropna() >= apps.data_domanda[apps.data_esito.notna()]).all()
    assert apps.data_esito[apps.esito == "in_istruttoria"].isna().all()
    assert set(apps.esito) == {"in_istruttoria", "idonea", "non_idonea", "assegnata", "rinuncia"}
    leases = read_kind(folder, "contratti", parse_dates=["data_inizio"], dayfirst=True)
    let_in_history = leases[leases.data_inizio >= pd.Timestamp(2018, 11, 1)]
    assert assigned.sum() == len(let_in_history)


def test_funding_has_abitare_in_borgo_as_reported_and_a_project_per_intervention(default_sample):
    folder, summary = default_sample
    projects = read_kind(folder, "finanziamenti", dtype={"codice_intervento": str}).set_index("codice_progetto")
    borgo = projects.loc["MI3.1.1.a"]  # seed 004
    assert borgo["titolo"] == "Abitare in borgo"
    assert (borgo["data_inizio"], borgo["data_fine"]) == ("01/10/2017", "31/12/2020")
    assert (borgo["importo_programmato"], borgo["importo_ammesso"]) == (281_250.0, 281_250.0)
    assert (borgo["importo_impegnato"], borgo["importo_pagato"]) == (0.0, 0.0)
    others = projects.drop(index="MI3.1.1.a")
    assert len(others) == summary["interventi"]
    assert (others["importo_ammesso"] <= others["importo_programmato"]).all()
    assert (others["importo_pagato"] <= others["importo_impegnato"]).all()
    assert (others["importo_impegnato"] <= others["importo_ammesso"]).all()
