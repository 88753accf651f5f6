"""Nothing internal reaches a user: no file of ours (domain.md, docs/...), no "seme 001", no command-line
option offered to a web user. Scans the KPI registry, every page as every role sees it, and the reports."""

from __future__ import annotations

import re
from datetime import date

import pytest

from osservatorio.pages import PAGES, pages_for
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from etl.headers import HeaderError, match_headers
from etl.kinds import get_kind
from indicators.registry import REGISTRY
from indicators.scope import Scope
from osservatorio.reports.impact import ReportScope, impact_html
from osservatorio.reports.labs import labs_report
from schemas.db import make_engine
from test_pages import fresh_caches, open_page  # noqa: F401  (autouse fixture)

INTERNAL = re.compile(r"\bsem[ei]\b|domain\.md|docs/|\.md\b|--mapping", re.IGNORECASE)
ROLES = ("regione", "sgr", "gestore", "direzione", "admin")


def internal(text: str) -> list[str]:
    return [text[max(0, m.start() - 40):m.end() + 40] for m in INTERNAL.finditer(text)]


def test_the_pattern_catches_what_users_once_saw():
    for seen in ("Riferimento (seme 001): 1.463 alloggi", "Fonte: domain.md, definizioni KPI.",
                 "registro degli indicatori (docs/indicatori.md)", "indicare quale usare con --mapping."):
        assert internal(seen), seen
    assert not internal("Dati semestrali, 5 semestri; i nuclei seminati nel quartiere")


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_registry_texts_cite_sources_by_their_titles(code):
    kpi = REGISTRY[code]
    assert internal(" ".join((kpi.label, kpi.formula, kpi.source, kpi.help))) == []


def everything_shown(at) -> str:
    """The words of a page: texts, alerts, tiles (with their help), widgets (labels, help, options), tables."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error",
                 "code", "metric", "selectbox", "multiselect", "radio", "button", "date_input", "text_input",
                 "checkbox", "toggle", "tabs", "expander", "dataframe", "table"):
        for el in getattr(at, kind, []):
            for attr in ("value", "label", "help", "options"):
                try:
                    parts.append(str(getattr(el, attr)))
                except Exception:  # an element without that attribute  # noqa: BLE001
                    continue
    return "\n".join(parts)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_internal_references(loaded_warehouse, monkeypatch, role):  # noqa: F811
    found = {}
    for spec in pages_for(role, PAGES):
        at = open_page(loaded_warehouse.url, monkeypatch, spec.path, user=role)
        if hits := internal(everything_shown(at)):
            found[spec.path] = hits
    assert found == {}


def test_shared_reports_show_no_internal_references(loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    try:
        impact = impact_html(engine, ReportScope(Scope(), date(2025, 10, 1), date(2026, 9, 30), date(2026, 9, 30)))
        labs = labs_report(engine)
    finally:
        engine.dispose()
    for html in (impact, labs):
        text = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)  # plotly.js's own code is not read
        assert internal(text) == []
    assert "Legacoop Abitanti, «Gestore sociale: il track record cooperativo»" in impact


@pytest.mark.parametrize("headers", [["codice_intervento", "Codice Intervento", "nome"], ["xyz"]])
def test_header_errors_speak_to_web_users_too(headers):
    with pytest.raises(HeaderError) as error:
        match_headers(headers, get_kind("interventi"))
    assert internal(str(error.value)) == []
