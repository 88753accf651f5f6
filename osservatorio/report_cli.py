"""`osservatorio report`: the shareable reports as HTML or PDF files, run as a user within their scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from osservatorio.kpi_cli import known_user, parse_day

report_app = typer.Typer(help="Rapporti da condividere (HTML autonomo o PDF).", no_args_is_help=True)
LEVELS = {"sgr": "sgrs", "fondo": "funds", "fund": "funds", "intervento": "interventions",
          "intervention": "interventions", "edificio": "buildings", "building": "buildings"}
USER_HELP = "Esegui come questo utente: solo il suo perimetro, celle piccole nascoste se il ruolo lo prevede"
OUT_HELP = "File da scrivere: .html (autonomo, funziona senza rete) o .pdf"


def _format(out: Path) -> str:
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("html", "pdf"):
        raise typer.BadParameter(f"estensione non prevista: «{out.suffix}» (usare .html o .pdf)")
    return kind


def _narrowing(items: list[str]) -> dict[str, list[str]]:
    """`["intervento=INT001", "fondo=Fondo A"]` -> {"interventions": ["INT001"], "funds": ["Fondo A"]}."""
    levels: dict[str, list[str]] = {}
    for item in items:
        level, _, value = item.partition("=")
        if level.strip().lower() not in LEVELS or not value.strip():
            raise typer.BadParameter(f"perimetro non valido: «{item}» (usare livello=valore; livelli: sgr, fondo, "
                                     "intervento, edificio)")
        levels.setdefault(LEVELS[level.strip().lower()], []).append(value.strip())
    return levels


def _who(engine, username: str | None, roles: frozenset[str] | None = None):
    if not username:
        return None
    who = known_user(engine, username)
    if roles is not None and who.role not in roles:
        typer.echo(f"Errore: il ruolo «{who.role}» non vede questo rapporto.", err=True)
        raise typer.Exit(2)
    return who


def _write(engine, who, out: Path, content: bytes | str) -> None:
    from osservatorio import audit

    out.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    audit.record(engine, audit.REPORT, user=who, detail=out.name)
    typer.echo(f"Rapporto scritto in {out}")


@report_app.command("impatto")
def impatto(
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    start: Annotated[Optional[str], typer.Option("--from", help="Inizio del periodo (gg/mm/aaaa); 12 mesi se assente")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Fine del periodo e data di riferimento; oggi se assente")] = None,
    scope: Annotated[Optional[list[str]], typer.Option("--scope", help="Restringe il perimetro: livello=valore "
                                                       "(sgr, fondo, intervento, edificio); ripetibile")] = None,
    user: Annotated[Optional[str], typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)] = None,
) -> None:
    """Rapporto sull'impatto del gestore sociale: cifre chiave, grafici, tabelle e nota metodologica."""
    from indicators.catalog import default_period
    from indicators.scope import Scope
    from osservatorio.reports.impact import ReportScope, impact_html, impact_pdf, scope_label
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kind, levels = _format(out), _narrowing(scope or [])
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        who = _who(engine, user)
        to = parse_day(end) or date.today()
        since = parse_day(start) or default_period(to)[0]
        if since > to:
            raise typer.BadParameter(f"periodo non valido: {start} è dopo {end}")
        narrowed = (who.scope if who else Scope()).narrowed(**levels)
        rs = ReportScope(narrowed, since, to, to, label=scope_label(narrowed),
                         suppress=settings.small_cell_threshold if who and who.suppressed(
                             always=settings.suppress_for_all) else None)
        _write(engine, who, out, impact_pdf(engine, rs) if kind == "pdf" else impact_html(engine, rs))
    finally:
        engine.dispose()


@report_app.command("laboratori")
def laboratori(
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    lab: Annotated[Optional[str], typer.Option("--lab", help="Codice di un laboratorio (la sua scheda); tutti se assente")] = None,
    user: Annotated[Optional[str], typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)] = None,
) -> None:
    """Rapporto di valutazione dei Laboratori Sociali di Quartiere: output, esiti, controlli e completezza."""
    from dashboard.navigation import LABS
    from osservatorio.reports.labs import labs_pdf, labs_report
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kind = _format(out)
    engine = make_engine(get_settings().database_url)
    try:
        who = _who(engine, user, LABS)
        _write(engine, who, out, labs_pdf(engine, lab=lab) if kind == "pdf" else labs_report(engine, lab=lab))
    finally:
        engine.dispose()
