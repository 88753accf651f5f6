"""`osservatorio kpi`: any registry KPI for the warehouse in use, as a table, CSV or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from typing import Annotated, Optional

import pandas as pd
import typer

from indicators.disclosure import HIDDEN, without_flags
from indicators.registry import REGISTRY, as_markdown, get_kpi
from osservatorio.formatting import fmt_date, fmt_kpi

FORMATS = ("table", "csv", "json", "markdown")


def parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"data non valida: «{text}» (usare gg/mm/aaaa o aaaa-mm-gg)")


def kpi(
    code: Annotated[Optional[str], typer.Argument(help="Codice dell'indicatore (vedi --list)")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Data di riferimento (gg/mm/aaaa); oggi se assente")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="Inizio del periodo (indicatori di periodo)")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Fine del periodo")] = None,
    by: Annotated[Optional[str], typer.Option(help="Raggruppamento: sgr, fund, intervention, building, unit, tenure, income_band")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json (markdown per --list)")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="Elenca gli indicatori del registro")] = False,
    user: Annotated[Optional[str], typer.Option("--user", envvar="OSSERVATORIO_USER",
                                                help="Esegui come questo utente: solo il suo perimetro")] = None,
) -> None:
    """Calcola un indicatore del registro sul warehouse in uso."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato non previsto: {fmt}")
    if list_ or code is None:
        _print_registry(fmt)
        return
    from indicators.catalog import CATALOG, compute
    from indicators.scope import GROUPINGS, Scope
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kpi_def = _known(code, CATALOG)
    if by is not None and by not in GROUPINGS:
        raise typer.BadParameter(f"raggruppamento non previsto: {by}. Ammessi: {', '.join(GROUPINGS)}")
    settings = get_settings()
    engine = make_engine(settings.database_url)
    who = _as_user(engine, user, code, by)
    day = parse_day(as_of) or date.today()
    scope = who.scope if who else Scope()
    result = compute(engine, code, as_of=day, start=parse_day(start), end=parse_day(end), by=by, scope=scope)
    note = ""
    if who and who.suppressed(always=settings.suppress_for_all):
        from indicators.disclosure import protect_indicator

        result, note = protect_indicator(engine, code, result, threshold=settings.small_cell_threshold, as_of=day,
                                         scope=scope, by=by)
    typer.echo(render(result, kpi_def.unit, fmt))
    if note:
        typer.echo(note, err=True)


def known_user(engine, username: str):
    """The account `username`, or exit 2 with the reason (unknown, disabled...)."""
    from osservatorio.accounts import AccountError, get_user

    try:
        return get_user(engine, username)
    except AccountError as exc:
        typer.echo(f"Errore: {exc}", err=True)
        raise typer.Exit(2) from None


def _as_user(engine, username: str | None, code: str, by: str | None):
    """The user the command runs as (None: the operator, who holds the database URL anyway)."""
    if not username:
        return None
    from osservatorio import audit

    who = known_user(engine, username)
    if not who.contract_rows and by in ("unit", "building"):  # the dashboard hides these levels from the role too
        what = "singoli alloggi o contratti" if by == "unit" else "singoli edifici"
        typer.echo(f"Errore: il ruolo «{who.role}» non vede dati di {what}.", err=True)
        raise typer.Exit(2)
    audit.record(engine, "kpi", user=who, detail=f"{code} by={by or '-'}")
    return who


def _known(code: str, catalog):
    try:
        kpi_def = get_kpi(code)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if code not in catalog:
        raise typer.BadParameter(f"«{code}» si calcola con `{kpi_def.computed_by}`")
    return kpi_def


def _print_registry(fmt: str) -> None:
    if fmt == "markdown":
        typer.echo(as_markdown())
    elif fmt == "json":
        typer.echo(json.dumps([asdict(k) for k in REGISTRY.values()], ensure_ascii=False, indent=2))
    else:
        for k in REGISTRY.values():
            typer.echo(f"{k.code:<30} {k.label} [{k.unit}]")


def render(result, unit: str, fmt: str) -> str:
    """A KpiValue or a frame as an Italian table, CSV (`;`, decimal comma) or JSON (plain numbers)."""
    if isinstance(result, pd.DataFrame):
        result, hidden = without_flags(result)
        if fmt == "json":
            return result.to_json(orient="records", date_format="iso", force_ascii=False)
        if fmt == "csv":
            return result.to_csv(sep=";", decimal=",", index=False).rstrip("\n")
        return _italian_frame(result, unit, hidden).to_string(index=False)
    if fmt == "json":
        return json.dumps(_jsonable(asdict(result)), ensure_ascii=False)
    if fmt == "csv":
        rows = [("codice", "valore", "numeratore", "denominatore"),
                (result.code, *(("" if v is None else str(v).replace(".", ",")) for v in
                                (result.value, result.numerator, result.denominator)))]
        return "\n".join(";".join(r) for r in rows)
    return _table(result, unit)


def _italian_frame(frame: pd.DataFrame, unit: str, hidden: pd.DataFrame) -> pd.DataFrame:
    """A display copy: the KPI value in its unit, other numbers with Italian separators, no NaN."""

    shown = frame.copy()
    for col in shown.columns:
        if col == "value":
            shown[col] = [fmt_kpi(unit, None if pd.isna(v) else v) for v in shown[col]]
        elif pd.api.types.is_numeric_dtype(shown[col]) and not pd.api.types.is_bool_dtype(shown[col]):
            shown[col] = [_num(None if pd.isna(v) else float(v)) for v in shown[col]]
    shown = shown.astype(object).where(shown.notna(), "n.d.")
    return shown.mask(hidden, HIDDEN)  # cells hidden by small-cell suppression say so, rather than "n.d."


def _table(result, unit: str) -> str:
    k = result.kpi
    when = (f"al {fmt_date(result.as_of)}" if result.as_of else
            f"dal {fmt_date(result.start)} al {fmt_date(result.end)}" if result.start else "")
    shown = partial(_shown, result)
    lines = [f"{k.label} ({k.code}) {when}".rstrip(), f"  valore: {shown('value', fmt_kpi(unit, result.value))}"]
    if result.numerator is not None or result.denominator is not None or result.hidden_fields:
        lines.append(f"  numeratore: {shown('numerator', _num(result.numerator))}; "
                     f"denominatore: {shown('denominator', _num(result.denominator))}")
    lines += [f"  {name}: {shown(name, _num(v))}" for name, v in result.breakdown.items()]
    lines += [f"  attenzione: {w}" for w in result.warnings]
    lines.append(f"  definizione: {k.formula}")
    return "\n".join(lines)


def _shown(result, name: str, text: str) -> str:
    return HIDDEN if name in result.hidden_fields else text


def _num(v) -> str:
    from osservatorio.formatting import fmt_num

    if v is None:
        return "n.d."
    return fmt_num(v, 2) if isinstance(v, float) and not float(v).is_integer() else fmt_num(v, 0)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, set, frozenset)):
        return [_jsonable(v) for v in (sorted(obj) if isinstance(obj, (set, frozenset)) else obj)]
    return obj.isoformat() if isinstance(obj, date) else obj
