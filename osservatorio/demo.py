"""`osservatorio demo`: a realistic sample warehouse, created once, then the dashboard."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from osservatorio.roles import ADMIN, DIREZIONE, GESTORE, REGIONE, SGR
from osservatorio.settings import Settings
from schemas.db import make_engine
from schemas.loads import LoadBatch
from schemas.migrate import upgrade


# One user per role over the sample portfolio (etl/sample/places.py): name, role, scope, password.
DEMO_USERS: tuple[tuple[str, str, dict[str, list[str]], str], ...] = (
    ("regione", REGIONE, {}, "regione-demo-2026"),
    ("sgr", SGR, {"sgrs": ["Lombarda Abitare SGR S.p.A."]}, "sgr-demo-2026"),
    ("gestore", GESTORE, {"interventions": ["INT001", "INT002"]}, "gestore-demo-2026"),
    ("direzione", DIREZIONE, {"funds": ["FIA Housing Sociale Lombardia"]}, "direzione-demo-2026"),
    ("admin", ADMIN, {}, "admin-demo-2026"),
)


def ensure_demo_users(engine, *, echo: Callable[[str], None] = print) -> None:
    """Create the demo users when the warehouse has none, and print how to sign in."""
    from osservatorio.accounts import add_user, list_users

    if not list_users(engine):
        for name, role, scope, password in DEMO_USERS:
            add_user(engine, name, password, role, sgrs=scope.get("sgrs"), funds=scope.get("funds"),
                     interventions=scope.get("interventions"))
    present = {u["username"] for u in list_users(engine)}
    shown = [u for u in DEMO_USERS if u[0] in present]
    if shown:
        echo("Utenti dimostrativi per accedere al cruscotto (nome / password):")
    for name, role, _, password in shown:
        echo(f"  {name:<10} {password:<22} ruolo {role}")


def warehouse_is_empty(settings: Settings) -> bool:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(LoadBatch)).scalar_one() == 0
    finally:
        engine.dispose()


def prepare_demo(settings: Settings, *, echo: Callable[[str], None] = print) -> None:
    """Migrate the warehouse; if nothing was ever loaded, write the sample files and load them (the demo's
    invented households may be pseudonymised with the public demo key)."""
    from etl.loader import load_dir
    from etl.sample import generate
    from osservatorio.formatting import fmt_int

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        ensure_demo_users(engine, echo=echo)
    finally:
        engine.dispose()
    if not warehouse_is_empty(settings):
        echo("Warehouse già popolato: uso i dati presenti.")
        return
    folder = settings.demo_dir
    if not any(folder.glob("*.csv")):
        echo(f"Genero i dati di esempio in {folder} ...")
        folder.mkdir(parents=True, exist_ok=True)
        generate(folder)
    echo("Carico i dati di esempio nel warehouse ...")
    for r in load_dir(folder, settings=settings.model_copy(update={"demo": True})):
        echo(f"  {r.kind}: {fmt_int(r.loaded)} righe caricate ({r.status})")
    _refresh_aggregates(settings, echo)


def _refresh_aggregates(settings: Settings, echo: Callable[[str], None]) -> None:
    from indicators import store
    from osservatorio.formatting import fmt_seconds
    from schemas.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        if (built := store.build(engine)) is not None:
            echo(f"  figure aggiornate ({fmt_seconds(built.seconds)})")
    finally:
        engine.dispose()
