"""The page Selezione e abbinamento headless on the loaded sample: each role sees its scope, households appear by
code only, and only the gestore and the administrator see graduatorie and proposals."""

from __future__ import annotations

import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGE = "views/selection.py"


def frames(at, heading: str) -> list:
    return [t.value for t in at.dataframe if heading in t.value.columns]


@pytest.mark.parametrize("user", ["admin", "gestore"])
def test_gestore_and_admin_see_the_graduatoria_and_both_proposals(loaded_warehouse, monkeypatch, user):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE, user=user)
    page = texts(at)
    assert "Graduatoria e abbinamento" in page and "In ordine di graduatoria" in page
    labels = [m.label for m in at.metric]
    assert labels.count("Nuclei collocati dalla proposta di abbinamento") == 2
    ranking = frames(at, "Punti")[0]
    assert ranking["Posizione"].tolist() == [str(i) for i in range(1, len(ranking) + 1)]
    # households by code only: sample codes (N... for tenants, R... for applicants), never a name
    assert ranking["Nucleo"].str.fullmatch(r"[NR]\d{7,8}").all(), ranking["Nucleo"].tolist()
    calls = frames(at, "Avviso")[0]["Avviso"].tolist()
    if user == "gestore":  # the demo gestore manages INT001 and INT002: their calls only
        assert calls and all(c.startswith(("AVV-INT001-", "AVV-INT002-")) for c in calls), calls
    else:
        assert any(c.startswith("AVV-INT003-") for c in calls)


@pytest.mark.parametrize("user", ["regione", "sgr"])
def test_regione_and_sgr_see_aggregates_only(loaded_warehouse, monkeypatch, user):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE, user=user)
    page = texts(at)
    assert "Avvisi: dalla domanda alle chiavi" in page and "Domanda e offerta" in page
    # the only tile is the aggregate of the units coming free; none of the proposals'
    assert "Graduatoria e abbinamento" not in page
    assert [m.label for m in at.metric] == ["Alloggi in arrivo per l'assegnazione nei prossimi 12 mesi"]
    assert not frames(at, "Nucleo") and not frames(at, "Punti")
    assert "visibili al gestore sociale" in page


def test_the_page_is_not_for_the_direzione(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, user="direzione")
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page(PAGE).run()
