"""`osservatorio report`: the shareable reports as HTML or PDF files, run as a user within their scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from osservatorio.cli.dates import data_span, parse_day, warn
from osservatorio.formatting import fmt_date
from osservatorio.cli.kpi import known_user

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
    start: Annotated[str | None,
                     typer.Option("--from", help="Inizio del periodo (gg/mm/aaaa); 12 mesi se assente")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Fine del periodo e data di riferimento; se assente "
                                               "l'ultima fine mese coperta dai dati")] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="Restringe il perimetro: livello=valore "
                                                       "(sgr, fondo, intervento, edificio); ripetibile")] = None,
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)] = None,
) -> None:
    """Rapporto sull'impatto del gestore sociale: cifre chiave, grafici, tabelle e nota metodologica."""
    from indicators.scope import Scope
    from osservatorio.reports.impact import ReportScope, impact_html, impact_pdf, scope_label
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kind, levels = _format(out), _narrowing(scope or [])
    since, to = parse_day(start, "--from"), parse_day(end, "--to")
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        who = _who(engine, user)
        narrowed = _portfolio((who.scope if who else Scope()), levels, engine)
        since, to = _period(engine, since, to)
        rs = ReportScope(narrowed, since, to, to, label=scope_label(narrowed),
                         suppress=settings.small_cell_threshold if who and who.suppressed(
                             always=settings.suppress_for_all) else None)
        _write(engine, who, out, impact_pdf(engine, rs) if kind == "pdf" else impact_html(engine, rs))
    finally:
        engine.dispose()


def _period(engine, since: date | None, to: date | None) -> tuple[date, date]:
    """The report's period: up to the last month end the data covers unless chosen; twelve months by default."""
    from indicators.catalog import default_period

    span = data_span(engine)
    if to is None:
        to = span.default_day
        warn(f"Periodo fino al {fmt_date(to)}" + (", l'ultima fine mese coperta dai dati (--to per sceglierne "
                                                 "un'altra)." if span.last_day else "."))
    warn(span.note(to, "la fine del periodo"))
    since = since or default_period(to)[0]
    if since > to:
        raise typer.BadParameter(f"l'inizio del periodo ({fmt_date(since)}) è dopo la fine ({fmt_date(to)}).",
                                 param_hint="--from/--to")
    return since, to


def _portfolio(allowed, levels: dict[str, list[str]], engine):
    """The scope narrowed by --scope; exit 2 on a value that is not in the portfolio the caller sees, exit 1 when
    there is nothing to report on."""
    from indicators.portfolio import portfolio_tree

    tree = portfolio_tree(engine, scope=allowed)
    if tree.empty:
        typer.echo("Errore: nessun alloggio nel warehouse (o nel perimetro dell'utente): caricare interventi, edifici "
                   "e alloggi con `osservatorio load`, oppure `osservatorio demo` per i dati di esempio.", err=True)
        raise typer.Exit(1)
    columns = {"sgrs": "sgr", "funds": "fund", "interventions": "intervention_code", "buildings": "building_code"}
    for level, values in levels.items():
        known = set(tree[columns[level]].dropna())
        if unknown := [v for v in values if v not in known]:
            examples = ", ".join(sorted(known)[:8]) + (", …" if len(known) > 8 else "")
            raise typer.BadParameter(f"«{', '.join(unknown)}» non è nel portafoglio visibile; valori presenti: "
                                     f"{examples}.", param_hint="--scope")
    return allowed.narrowed(**levels)


@report_app.command("laboratori")
def laboratori(
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    lab: Annotated[str | None,
                   typer.Option("--lab", help="Codice di un laboratorio (la sua scheda); tutti se assente")] = None,
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)] = None,
) -> None:
    """Rapporto di valutazione dei Laboratori Sociali di Quartiere: per laboratorio obiettivi e risultati, output,
    esiti rispetto al controllo con la lettura delle stime e dati mancanti; poi il confronto per ambito."""
    from osservatorio.pages import LABS
    from osservatorio.reports.labs import labs_pdf, labs_report
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kind, settings = _format(out), get_settings()
    engine = make_engine(settings.database_url)
    try:
        who = _who(engine, user, LABS)
        _known_lab(engine, lab)
        threshold = settings.small_cell_threshold if who and who.suppressed(always=settings.suppress_for_all) else None
        _write(engine, who, out, labs_pdf(engine, lab=lab, threshold=threshold) if kind == "pdf" else
               labs_report(engine, lab=lab, threshold=threshold))
    finally:
        engine.dispose()


def _known_lab(engine, lab: str | None) -> None:
    """Exit 1 when no lab is loaded, 2 when `--lab` names none of them."""
    from indicators.lab_outputs import lab_catalogue

    codes = list(lab_catalogue(engine)["code"])
    if not codes:
        typer.echo("Errore: nessun laboratorio nel warehouse: caricare i file «laboratori» e "
                   "«attivita_laboratorio» con `osservatorio load`.", err=True)
        raise typer.Exit(1)
    if lab is not None and lab not in codes:
        examples = ", ".join(codes[:5]) + (", …" if len(codes) > 5 else "")
        raise typer.BadParameter(f"laboratorio «{lab}» sconosciuto; codici presenti: {examples}.", param_hint="--lab")
