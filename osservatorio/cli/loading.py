"""What the loading commands share: the settings, the build of the analytics copy after a load, and the line
printed per loaded file (`osservatorio load`, `load-dir`, `labs load-scheda`, `db refresh`)."""

from __future__ import annotations

import typer


def _settings():
    from osservatorio.settings import get_settings

    return get_settings()


def _build(engine, *, force: bool = False, carry: bool = True) -> bool:
    """Rebuild the analytics copy (`indicators.store`) and say so; False (with the reason in Italian) if it failed."""
    from indicators import store
    from osservatorio.formatting import fmt_int, fmt_num, fmt_seconds

    try:
        result = store.build(engine, force=force, carry=carry)
    except store.BuildError as exc:
        typer.echo(f"Figure non aggiornate: {exc}. I dati caricati restano nel warehouse: riprovare con "
                   "`osservatorio db refresh`.", err=True)
        return False
    if result is None:
        typer.echo(f"Figure già aggiornate al caricamento n. {store.status(engine).batch_id}.")
    else:
        typer.echo(f"Figure aggiornate al caricamento n. {result.batch_id}: {fmt_int(result.rows)} righe lette dal "
                   f"warehouse, {fmt_seconds(result.seconds)}, {fmt_num(result.size_bytes / 1e6)} MB")
    return True


def _refresh_after_load(settings, results, wanted: bool) -> bool:
    """After a load that wrote rows, rebuild the analytics copy the figures are computed on; False if that failed."""
    if not wanted or not any(r.status in ("completato", "con_scarti") for r in results):
        return True
    from schemas.db import make_engine

    return _build(make_engine(settings.database_url))


def _print_result(r) -> None:
    from osservatorio.formatting import fmt_int, fmt_seconds

    typer.echo(
        f"{r.file_name} [{r.kind}] {r.status}: letti {fmt_int(r.read)}, caricati {fmt_int(r.loaded)}, "
        f"in quarantena {fmt_int(r.quarantined)}, duplicati {fmt_int(r.duplicate)}, {fmt_seconds(r.seconds)}"
    )
    if r.message:
        typer.echo(f"  {r.message}", err=r.status in ("rifiutato", "fallito"))
    if r.ignored_columns:
        typer.echo(f"  Colonne ignorate: {', '.join(r.ignored_columns)}")
    if r.quarantined:
        typer.echo(f"  Righe scartate: vedere la pagina Caricamenti o `osservatorio quarantine {r.batch_id}`.")
