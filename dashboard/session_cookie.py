"""Keep a dashboard session across reloads (F5): its token in a signed, http-only cookie.

A Streamlit script talks to the browser over a websocket and cannot set a cookie, let alone an http-only
one (streamlit#861, #14730). Streamlit's own sign-in (`st.login`) sets its cookie from an HTTP route of
the server; we do the same with the route that `dashboard/server.py` adds to the app (`st.App(routes=...)`):

1. after sign-in the script asks for a one-time code (random, valid 60 seconds, usable once, kept in
   this process's memory) and the page loads the route with it as an invisible image;
2. the route swaps the code for the session token and answers with `Set-Cookie`: the token signed with
   Streamlit's `server.cookieSecret` (itsdangerous, with the time of signing), `HttpOnly` (no script can
   read it), `SameSite=Strict`, `Secure` over https, `Max-Age` = the session's length;
3. on a reload the browser sends the cookie with the websocket's handshake: `st.context.cookies` reads it,
   the signature and age are checked here, and the token is checked against the warehouse like any other
   (expired, signed out, user disabled: no access).

The address never carries the token, only the one-time code; signing out ends the session server-side and
deletes the cookie through the route's `/fine` address.
"""

from __future__ import annotations

import secrets
import threading
import time

import streamlit as st
from itsdangerous import BadSignature, TimestampSigner

COOKIE = "osservatorio_sessione"
ROUTE = "/_osservatorio/sessione"
HANDOFF_SECONDS = 60
_HANDOFF = "session_cookie_handoff"  # session_state: the one-time address the page must load
_FORGOTTEN = "session_cookie_forgotten"  # session_state: signed out, ignore the cookie this connection sent
# A transparent 1×1 GIF: what the invisible image receives.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")

_pending: dict[str, tuple[str, float, float]] = {}  # one-time code -> (token, hours, expiry)
_lock = threading.Lock()


def _signer() -> TimestampSigner:
    return TimestampSigner(st.get_option("server.cookieSecret"), salt="osservatorio-sessione")


def sign(token: str) -> str:
    return _signer().sign(token).decode()


def unsign(value: str | None, *, max_age: float) -> str | None:
    """The token in a cookie value, or None when the value is forged, altered or older than `max_age` seconds."""
    if not value:
        return None
    try:
        return _signer().unsign(value, max_age=round(max_age)).decode()
    except BadSignature:  # includes SignatureExpired
        return None


def hand_over(token: str, *, hours: float) -> str:
    """A one-time code for `token`, to be swapped for the cookie by the route within HANDOFF_SECONDS."""
    code = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for old in [c for c, (_, _, expiry) in _pending.items() if expiry < now]:
            del _pending[old]
        _pending[code] = (token, hours, now + HANDOFF_SECONDS)
    return code


def claim(code: str | None) -> tuple[str, float] | None:
    """The token and session length of a live one-time code, which is spent; None otherwise."""
    with _lock:
        entry = _pending.pop(code or "", None)
    if entry is None or entry[2] < time.monotonic():
        return None
    return entry[0], entry[1]


# --- in the script (called from dashboard/auth.py) ----------------------------------------------------------
def remember(token: str, *, hours: float) -> None:
    """After sign-in: have the next run load the route that sets the cookie."""
    st.session_state[_HANDOFF] = hand_over(token, hours=hours)
    st.session_state.pop(_FORGOTTEN, None)


def forget() -> None:
    """After sign-out (with session_state cleared): ignore the cookie this tab sent, and have the sign-in
    page delete it."""
    st.session_state[_FORGOTTEN] = True


def browser_cookie() -> str | None:
    """The session cookie this browser sent when it connected (None in tests without a browser)."""
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (bare or test runs)  # noqa: BLE001
        return None


def restored_token(*, hours: float) -> str | None:
    """The session token of the cookie sent with this connection, if it is ours and not too old."""
    if st.session_state.get(_FORGOTTEN):
        return None
    return unsign(browser_cookie(), max_age=hours * 3600)


def pending(code: str) -> bool:
    with _lock:
        return code in _pending


def draw_pending() -> None:
    """Load the route as an invisible image: with the one-time code until it is spent (after sign-in), or
    to delete the cookie (after sign-out)."""
    code = st.session_state.get(_HANDOFF)
    if code and pending(code):
        _load(f"{ROUTE}?codice={code}")
    elif code:
        del st.session_state[_HANDOFF]
    if st.session_state.get(_FORGOTTEN):
        _load(f"{ROUTE}/fine")


def _load(path: str) -> None:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    url = f"/{base}{path}" if base else path
    with st.sidebar:
        st.html(f'<img src="{url}" alt="" width="1" height="1" style="position:absolute;opacity:0">')


# --- the HTTP route (dashboard/server.py) --------------------------------------------------------------------
async def _set_cookie(request):
    from starlette.responses import Response

    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    claimed = claim(request.query_params.get("codice"))
    if claimed is not None:
        token, hours = claimed
        response.set_cookie(COOKIE, sign(token), max_age=int(hours * 3600), path="/", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
    return response


async def _clear_cookie(request):
    from starlette.responses import Response

    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def routes() -> list:
    """The routes `st.App` serves next to the dashboard."""
    from starlette.routing import Route

    return [Route(ROUTE, _set_cookie, methods=["GET"]), Route(f"{ROUTE}/fine", _clear_cookie, methods=["GET"])]
