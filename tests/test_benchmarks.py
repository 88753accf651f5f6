"""Reference values: the seed's figures are built in on every warehouse; users can add their own."""

import pytest

from indicators.benchmarks import add_benchmark, benchmarks


def test_seed_track_record_is_built_in(engine):
    got = benchmarks(engine, kpi_code="vacancy_rate")
    coop = dict(zip(got.label, got.value))
    assert coop["Cooperative gestori sociali (media)"] == 9.0
    assert coop["Cooperative a proprietà indivisa (media)"] == 2.6
    assert coop["Di Vittorio Torino"] == 4.7
    arrears = benchmarks(engine, kpi_code="arrears_rate_billed")
    assert dict(zip(arrears.label, arrears.value))["Cooperative gestori sociali (media)"] == 3.0
    assert arrears.built_in.all()


def test_user_adds_and_replaces_a_reference(engine):
    add_benchmark(engine, kpi_code="vacancy_rate", label="Obiettivo CdA 2027", value=5.0, source="delibera")
    add_benchmark(engine, kpi_code="vacancy_rate", label="Obiettivo CdA 2027", value=4.5, source="delibera")
    got = benchmarks(engine, kpi_code="vacancy_rate")
    assert got[got.label == "Obiettivo CdA 2027"].value.tolist() == [4.5]
    with pytest.raises(ValueError, match="predefinito"):
        add_benchmark(engine, kpi_code="vacancy_rate", label="Di Vittorio Torino", value=1, source="x")
    with pytest.raises(ValueError, match="Indicatore sconosciuto"):
        add_benchmark(engine, kpi_code="non_esiste", label="x", value=1, source="x")
