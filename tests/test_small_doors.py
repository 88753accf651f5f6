"""Smaller doors: a download is served once to the browser that pressed the button, and errors show no internals
(an Italian message from the app, Streamlit's details turned off for what happens outside it)."""

from __future__ import annotations

import ast
import asyncio
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard import private_downloads
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from osservatorio import audit
from schemas.db import make_engine
from test_browser import browser_context_args, browser_type_launch_args, serve  # noqa: F401  (fixtures)
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)
from tests.factories import run_coroutine

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard"


# --- downloads ------------------------------------------------------------------------------------------------
def guarded():
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    private_downloads.serve_once(storage, manager)
    private_downloads.serve_once(storage, manager)  # idempotent: one guard, not two
    return storage, manager


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(private_downloads.time, "monotonic", lambda: now[0])
    return now


def test_a_file_made_on_press_is_served_to_its_two_fetches_only(clock):
    storage, manager = guarded()
    placeholder = manager.add_deferred(lambda: b"a;b\r\n1;2\r\n", "text/csv", "coords-1", file_name="dati.csv")
    url = manager.execute_deferred(placeholder)  # what the button press does
    name = url.removeprefix("/media/")
    assert name.endswith(".csv")
    assert storage.get_file(name).content == b"a;b\r\n1;2\r\n"  # the page checks the address...
    assert storage.get_file(name).content == b"a;b\r\n1;2\r\n"  # ...and the browser downloads
    with pytest.raises(MediaFileStorageError):
        storage.get_file(name)  # the same address a third time, from anywhere
    again = manager.execute_deferred(placeholder)  # pressing again makes (and audits) it again
    assert again == url and storage.get_file(name).content.startswith(b"a;b")
    clock[0] += private_downloads.GRACE + 0.1  # the second fetch did not come within the grace
    with pytest.raises(MediaFileStorageError):
        storage.get_file(name)


def test_an_unclaimed_file_expires_and_other_media_keep_streamlit_behaviour(clock):
    storage, manager = guarded()
    placeholder = manager.add_deferred(lambda: b"x", "text/csv", "coords-2", file_name="x.csv")
    name = manager.execute_deferred(placeholder).removeprefix("/media/")
    clock[0] += private_downloads.SERVE_WITHIN + 1
    with pytest.raises(MediaFileStorageError):
        storage.get_file(name)
    static = manager.add(b"statico", "text/csv", "coords-3", file_name="s.csv", is_for_static_download=True)
    image = storage.load_and_get_id(b"png", "image/png", MediaFileKind.MEDIA)
    for _ in range(3):
        assert storage.get_file(f"{image}.png").content == b"png"
        assert storage.get_file(static.removeprefix("/media/")).content == b"statico"


def test_every_download_button_goes_through_the_guarded_one():
    """A `st.download_button` elsewhere would be served for the whole session to any client with the address."""
    offenders = []
    for path in DASHBOARD.rglob("*.py"):
        if path.name == "private_downloads.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "download_button":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# --- error details --------------------------------------------------------------------------------------------
def test_streamlit_is_told_to_show_no_error_details():
    settings = tomllib.loads((DASHBOARD / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value == "none"
    assert settings["server"]["enableAgentApi"] is False


@pytest.fixture
def details(request):
    """Set client.showErrorDetails for one test (AppTest does not read the app's config.toml)."""
    before = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", request.param)
    yield request.param
    st_config.set_option("client.showErrorDetails", before)


@pytest.mark.parametrize("details", ["none", "full"], indirect=True)
def test_a_failing_page_shows_an_italian_message_without_paths(loaded_warehouse, monkeypatch, details):  # noqa: F811
    from dashboard import filters

    def broken(*args, **kwargs):
        raise RuntimeError(f"errore interno in {ROOT / 'indicators' / 'arrears.py'}")

    monkeypatch.setattr(filters, "monitoring_page", broken)
    at = open_page(loaded_warehouse.url, monkeypatch, None, user="admin")
    at.switch_page("views/arrears.py").run()
    shown = texts(at)
    assert "Si è verificato un errore imprevisto e la pagina non è stata completata" in shown
    assert "codice " in at.error[0].value
    if details == "none":
        assert not at.exception and str(ROOT) not in shown and "RuntimeError" not in shown
    else:  # development: the developer still sees the exception
        assert at.exception and "errore interno" in at.exception[0].message


# --- live server: a forged websocket message and a copied download address -----------------------------------
async def _receive(ws, seconds: float = 4) -> list:
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    received = []
    try:
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=seconds))
            if forward.WhichOneof("type") == "delta":
                received.append(forward.delta.new_element)
    except (TimeoutError, websockets.ConnectionClosed):
        pass
    return received


def _forge(port: int, fill) -> list[str]:
    """As an anonymous websocket client: run the app once, then send the BackMsg `fill(msg, widget_ids)` makes;
    the texts of the exceptions and alerts that come back."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    async def run() -> list[str]:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=f"http://localhost:{port}") as ws:
            first = BackMsg()
            first.rerun_script.query_string = ""
            await ws.send(first.SerializeToString())
            ids = [getattr(e, e.WhichOneof("type")).id for e in await _receive(ws)
                   if e.WhichOneof("type") in ("text_input", "button")]
            forged = BackMsg()
            forged.rerun_script.query_string = ""
            fill(forged, ids)
            await ws.send(forged.SerializeToString())
            return [str(getattr(e, e.WhichOneof("type"))) for e in await _receive(ws)
                    if e.WhichOneof("type") in ("exception", "alert")]

    return run_coroutine(run())


@pytest.mark.browser
def test_a_forged_widget_id_gets_no_trace_or_path(serve, loaded_warehouse):  # noqa: F811
    base = serve(loaded_warehouse.url)
    port = int(base.rsplit(":", 1)[1])

    def unknown_widget(msg, ids):
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id, widget.trigger_value = "widget-che-non-esiste", True

    def bad_value(msg, ids):  # a real widget of the login form with a value of the wrong kind
        assert any(i.endswith("-login_user") for i in ids), ids
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id, widget.json_value = next(i for i in ids if i.endswith("-login_user")), "{non json"

    unknown, bad = _forge(port, unknown_widget), _forge(port, bad_value)
    assert any("Si è verificato un errore imprevisto" in text for text in unknown), unknown
    for text in unknown + bad:
        assert "Traceback" not in text and ".py" not in text and "/work" not in text and str(ROOT) not in text


@pytest.mark.browser
def test_a_copied_download_address_returns_nothing(page, serve, loaded_warehouse, tmp_path):  # noqa: F811
    import shutil

    from test_browser import open_page as open_in_browser

    path = tmp_path / "copy.db"  # this test writes the audit
    shutil.copy(loaded_warehouse.url.removeprefix("sqlite:///"), path)
    base = serve(f"sqlite:///{path}")
    open_in_browser(page, base, "Morosità", user="sgr")
    button = page.get_by_test_id("stDownloadButton").first
    button.wait_for(state="visible", timeout=30_000)
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    assert Path(download.path()).read_bytes(), "the browser that pressed got the file"
    with pytest.raises(urllib.error.HTTPError) as refused:  # the same address from another client
        urllib.request.urlopen(download.url, timeout=10)
    assert refused.value.code == 404
    engine = make_engine(f"sqlite:///{path}")
    exports = audit.recent(engine, action=audit.EXPORT)
    assert exports["username"].tolist() == ["sgr"] and exports["detail"].iloc[0] == download.suggested_filename
    engine.dispose()
