"""The dashboard as a user meets it across reloads and pages: the session cookie, the filters kept when
moving between pages, and the filters read from the address (a reload or a shared link).

The cookie's route is called as the server calls it (a Starlette request); the pages run in AppTest.
"""

from __future__ import annotations

from datetime import date

import pytest
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from dashboard import session_cookie
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.catalog import compute
from indicators.registry import get_kpi
from indicators.scope import Scope
from osservatorio import accounts
from osservatorio.formatting import fmt_headline
from osservatorio.settings import get_settings
from schemas.db import make_engine
from test_pages import APP, fresh_caches, open_page, sign_in  # noqa: F401  (autouse fixture)
from tests.factories import run_coroutine

DAY = date(2026, 3, 31)
YTD = "Da inizio anno alla data"  # what the period selector shows, and the address carries


# --- the cookie ------------------------------------------------------------------------------------------------
def call(endpoint, query: str = "", scheme: str = "http"):
    scope = {"type": "http", "method": "GET", "path": session_cookie.ROUTE, "query_string": query.encode(),
             "headers": [], "scheme": scheme, "server": ("osservatorio.example", 443 if scheme == "https" else 80)}
    return run_coroutine(endpoint(Request(scope)))


def cookie_header(response) -> str:
    return response.headers.get("set-cookie", "")


def test_the_route_swaps_a_one_time_code_for_a_signed_http_only_cookie():
    code = session_cookie.hand_over("token-di-prova", hours=8)
    header = cookie_header(call(session_cookie._set_cookie, f"codice={code}", scheme="https"))
    value = header.split(";")[0].removeprefix(f"{session_cookie.COOKIE}=")
    assert value != "token-di-prova" and session_cookie.unsign(value, max_age=60) == "token-di-prova"
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in header.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "max-age", "path"} <= set(attributes)
    assert attributes["max-age"] == "Max-Age=28800" and attributes["samesite"].lower() == "samesite=strict"
    assert cookie_header(call(session_cookie._set_cookie, f"codice={code}")) == "", "a code is good once"
    assert cookie_header(call(session_cookie._set_cookie, "codice=inventato")) == ""


def test_a_code_expires_and_a_forged_or_old_cookie_is_refused(monkeypatch):
    code = session_cookie.hand_over("t", hours=1)
    clock = session_cookie.time.monotonic() + session_cookie.HANDOFF_SECONDS + 1
    monkeypatch.setattr(session_cookie.time, "monotonic", lambda: clock)
    assert session_cookie.claim(code) is None
    signed = session_cookie.sign("t")
    # A character inside the signature (the last one may carry only padding bits that decoding ignores).
    forged = signed[:-5] + ("A" if signed[-5] != "A" else "B") + signed[-4:]
    assert session_cookie.unsign(forged, max_age=60) is None
    assert session_cookie.unsign("t", max_age=60) is None
    assert session_cookie.unsign(signed, max_age=-1) is None, "older than the session: refused"


def test_signing_out_deletes_the_cookie():
    header = cookie_header(call(session_cookie._clear_cookie))
    assert header.startswith(f"{session_cookie.COOKIE}=") and "Max-Age=0" in header and "HttpOnly" in header


def reloaded(url: str, monkeypatch, cookie: str | None) -> AppTest:
    """A new browser connection (F5) that sends `cookie`, with nothing in the session."""
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(session_cookie, "browser_cookie", lambda: cookie)
    at = AppTest.from_file(str(APP), default_timeout=60)
    return at.run()


def test_a_reload_with_the_cookie_keeps_the_user_signed_in(loaded_warehouse, monkeypatch):  # noqa: F811
    at = reloaded(loaded_warehouse.url, monkeypatch, session_cookie.sign(sign_in(loaded_warehouse.url, "sgr")))
    assert not at.exception
    login = [w for w in at.text_input if w.key in ("login_user", "login_password")]
    assert at.title[0].value == "Osservatorio dell'abitare sociale" and not login, "no login form"
    assert any("sgr" in c.value for c in at.sidebar.caption)


def test_a_reload_with_an_ended_session_asks_to_sign_in_again(loaded_warehouse, monkeypatch):  # noqa: F811
    token = sign_in(loaded_warehouse.url, "sgr")
    engine = make_engine(loaded_warehouse.url)
    accounts.end_session(engine, token)  # signed out in another tab, or expired
    engine.dispose()
    at = reloaded(loaded_warehouse.url, monkeypatch, session_cookie.sign(token))
    assert [t.label for t in at.text_input] == ["Nome utente", "Password"]
    assert "La sessione è scaduta: accedere di nuovo." in [w.value for w in at.warning]
    forged = reloaded(loaded_warehouse.url, monkeypatch, token)  # the bare token, not signed by the server
    assert [t.label for t in forged.text_input] == ["Nome utente", "Password"]


# --- filters kept between pages ---------------------------------------------------------------------------------
def test_the_period_survives_moving_between_pages(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py")
    at.date_input(key="flt_as_of").set_value(DAY).run()
    at.selectbox(key="flt_period").set_value("ytd").run()
    at.multiselect(key="flt_intervention").set_value(["INT002"]).run()
    for page in ("views/arrears.py", "views/home.py", "views/vacancy.py", "views/impact.py", "views/arrears.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        if page == "views/home.py":
            continue  # no filters on the home page: they wait for the next monitoring page
        assert at.selectbox(key="flt_period").value == "ytd", page
        assert at.date_input(key="flt_as_of").value == DAY, page
        assert at.multiselect(key="flt_intervention").value == ["INT002"], page
    engine = make_engine(loaded_warehouse.url)
    value = compute(engine, "arrears_rate_billed", as_of=DAY, start=date(2026, 1, 1), end=DAY,
                    scope=Scope(interventions=("INT002",)))
    engine.dispose()
    label = get_kpi("arrears_rate_billed").label
    assert next(m for m in at.metric if m.label == label).value == fmt_headline("pct", value.value)


def test_the_custom_period_survives_too(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py")
    at.selectbox(key="flt_period").set_value("custom").run()  # the last change before the click: once lost
    at.switch_page("views/vacancy.py").run()
    assert at.selectbox(key="flt_period").value == "custom"
    at.date_input(key="flt_range").set_value((date(2025, 6, 1), date(2025, 12, 31))).run()
    at.switch_page("views/overview.py").run()
    assert at.date_input(key="flt_range").value == (date(2025, 6, 1), date(2025, 12, 31))
    assert "Periodo: 01/06/2025 – 31/12/2025" in [c.value for c in at.sidebar.caption]


# --- filters in the address --------------------------------------------------------------------------------------
def from_address(url: str, monkeypatch, params: dict, *, user: str = "admin", page: str = "views/arrears.py"):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["auth_token"] = sign_in(url, user)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_shared_link_opens_the_same_filters(loaded_warehouse, monkeypatch):  # noqa: F811
    at = from_address(loaded_warehouse.url, monkeypatch, {
        "flt_as_of": DAY.isoformat(), "flt_period": YTD, "flt_intervention": ["INT002 · Villaggio Parpagliona"]})
    assert at.date_input(key="flt_as_of").value == DAY
    assert at.selectbox(key="flt_period").value == "ytd"
    assert at.multiselect(key="flt_intervention").value == ["INT002"]
    assert "Periodo: 01/01/2026 – 31/03/2026" in [c.value for c in at.sidebar.caption]
    assert at.query_params["flt_period"] == YTD, "the address keeps saying what is shown"


def test_the_address_cannot_widen_a_users_scope_or_break_the_page(loaded_warehouse, monkeypatch):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    mine = accounts.get_user(engine, "sgr").scope
    engine.dispose()
    at = from_address(loaded_warehouse.url, monkeypatch, {
        "flt_as_of": "31/13/2026", "flt_period": "sempre", "flt_sgr": ["SGR che non è sua", *(mine.sgrs or ())]},
        user="sgr")
    assert at.selectbox(key="flt_period").value == "12m", "an unknown period falls back to the default"
    assert set(at.multiselect(key="flt_sgr").options) <= set(mine.sgrs or at.multiselect(key="flt_sgr").options)
    assert "SGR che non è sua" not in at.multiselect(key="flt_sgr").value


@pytest.mark.parametrize("page", ["views/overview.py", "views/vacancy.py"])
def test_a_date_past_the_data_is_brought_back_within_it(loaded_warehouse, monkeypatch, page):  # noqa: F811
    at = from_address(loaded_warehouse.url, monkeypatch, {"flt_as_of": "2031-12-31"}, page=page)
    assert at.date_input(key="flt_as_of").value <= date(2026, 10, 31)
