"""`osservatorio kpi`: any registry KPI for the warehouse in use, as a table, CSV or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date
from functools import partial
from typing import Annotated

import pandas as pd
import typer

from indicators.disclosure import HIDDEN, without_flags
from indicators.registry import COUNT, REGISTRY, as_markdown, get_kpi
from osservatorio.cli.dates import data_span, parse_day, period, warn
from osservatorio.formatting import MISSING, fmt_date, fmt_kpi, fmt_num
from osservatorio.kpi_labels import code_name, name
from osservatorio.exports import KPI_UNIT_KINDS, MEASURE, TEXT, csv_text

FORMATS = ("table", "csv", "json", "markdown")


BY_HELP = "Raggruppamento; quelli ammessi da ciascun indicatore sono elencati in fondo a questo aiuto"


def kpi(
    code: Annotated[str | None, typer.Argument(metavar="CODICE",
                                                  help="Codice dell'indicatore (vedi --list)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Data di riferimento (gg/mm/aaaa); se assente "
                                                 "l'ultima fine mese coperta dai dati")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Inizio del periodo (indicatori di periodo; per "
                                                 "quelli annuali, primo anno della serie)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Fine del periodo (per gli indicatori annuali, "
                                               "ultimo anno della serie)")] = None,
    by: Annotated[str | None, typer.Option(help=BY_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json (markdown per --list)")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="Elenca gli indicatori del registro")] = False,
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER",
                                                help="Esegui come questo utente: solo il suo perimetro")] = None,
    sql: Annotated[bool, typer.Option("--sql", help="Stampa le query SQL eseguite per l'indicatore (sulla copia "
                                      "analitica, DuckDB), con i valori dei parametri, invece del risultato")] = False,
) -> None:
    """Calcola un indicatore del registro sul warehouse in uso."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato non previsto: «{fmt}» (ammessi: {', '.join(FORMATS)})",
                                 param_hint="--format")
    if list_ or code is None:
        _print_registry(fmt)
        return
    from indicators.catalog import CATALOG
    from indicators.scope import Scope
    from osservatorio.cli.root import checked_url
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    kpi_def = _known(code, CATALOG)
    _check_by(code, by)
    chosen = parse_day(as_of, "--as-of"), parse_day(start, "--from"), parse_day(end, "--to")
    settings = get_settings()
    engine = make_engine(checked_url())
    who = _as_user(engine, user, code, by)
    day, first, last = _dates(engine, code, *chosen)
    scope = who.scope if who else Scope()
    if sql:
        typer.echo(_statements(engine, code, day, first, last, by, scope))
        return
    result = _compute(engine, code, day, first, last, by, scope)
    note = ""
    if who and who.suppressed(always=settings.suppress_for_all):
        from indicators.disclosure import protect_indicator

        result, note = protect_indicator(engine, code, result, threshold=settings.small_cell_threshold, as_of=day,
                                         scope=scope, by=by)
    typer.echo(render(integral_counts(result, kpi_def.unit), kpi_def.unit, fmt))
    if note:
        typer.echo(note, err=True)
    for warning in getattr(result, "attrs", {}).get("warnings", []):
        typer.echo(f"Attenzione: {warning}", err=True)


def grouping_help() -> str:
    """The groupings each KPI accepts, from the catalog (the epilog of `kpi --help`)."""
    from indicators.catalog import CATALOG

    lines = [f"{code}: {', '.join(spec.groupings)}" for code, spec in CATALOG.items() if spec.groupings]
    return "\b\nRaggruppamenti (--by) ammessi:\n" + "\n".join(f"  {line}" for line in lines) + \
        "\nGli altri indicatori non hanno raggruppamenti."


def _check_by(code: str, by: str | None) -> None:
    from indicators.catalog import check_grouping

    try:
        check_grouping(code, by)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from None


def _dates(engine, code: str, as_of: date | None, start: date | None, end: date | None):
    """(date, period start, period end) of the command: defaults on the data, warnings on stderr."""
    from indicators.catalog import AS_OF, CATALOG

    span = data_span(engine)
    day = as_of or span.default_day
    first, last = period(start, end, day)
    style = CATALOG[code].style
    if style == AS_OF and first is not None:
        warn(f"Attenzione: «{code}» è un indicatore alla data: --from e --to non si applicano (usare --as-of).")
    if as_of is None and (style == AS_OF or first is None):
        warn(f"Data di riferimento: {fmt_date(day)}" + (", l'ultima fine mese coperta dai dati." if span.last_day
                                                        else " (oggi: nessun movimento contabile nel warehouse)."))
    warn(span.note(day, "la data") if as_of else None)
    warn(span.note(end, "la fine del periodo") if end and style != AS_OF else None)
    return day, first, last


def _compute(engine, code: str, day: date, first: date | None, last: date | None, by: str | None, scope):
    """The KPI; a yearly one over --from/--to spanning several years is a series, one row per year."""
    from indicators.catalog import CATALOG, YEAR, compute, compute_years

    try:
        if CATALOG[code].style == YEAR and first is not None and last is not None and first.year != last.year:
            return compute_years(engine, code, first_year=first.year, last_year=last.year, scope=scope, by=by)
        return compute(engine, code, as_of=day, start=first, end=last, by=by, scope=scope)
    except ValueError as exc:  # a value the indicator refuses (period, grouping): a usage error
        raise typer.BadParameter(str(exc)) from None


def _statements(engine, code: str, day: date, first: date | None, last: date | None, by: str | None, scope) -> str:
    """The SQL the KPI runs with these options, as `kpi CODE --sql` prints it."""
    from indicators.sql import recording
    from indicators.sql_text import render

    with recording() as statements:
        _compute(engine, code, day, first, last, by, scope)
    if not statements:
        return "-- Nessuna query: per queste date l'indicatore non ha dati da calcolare."
    return render(statements)


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
        raise typer.BadParameter(str(exc), param_hint="CODICE") from None
    if code not in catalog:
        raise typer.BadParameter(f"«{code}» si calcola con `{kpi_def.computed_by}`", param_hint="CODICE")
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
            return csv_text(*csv_table(result, unit))
        return _italian_frame(result, unit, hidden).to_string(index=False)
    if fmt == "json":
        return json.dumps(_jsonable(asdict(result)), ensure_ascii=False)
    if fmt == "csv":
        return csv_text(*csv_table(result, unit))
    return _table(result, unit)


CSV_HEADINGS = {"group": "gruppo", "value": "valore", "numerator": "numeratore", "denominator": "denominatore"}


def csv_table(result, unit: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A KpiValue or a `by=` frame as the CSV export's table: Italian headings, the value in the KPI's unit
    (other numbers keep up to two decimals, counts none: see `osservatorio.exports`)."""
    if isinstance(result, pd.DataFrame):
        frame = result.rename(columns=CSV_HEADINGS)
    else:
        frame = pd.DataFrame({"codice": [result.code], "valore": [result.value], "numeratore": [result.numerator],
                              "denominatore": [result.denominator]})
    return frame, {"gruppo": TEXT, "codice": TEXT, "valore": KPI_UNIT_KINDS.get(unit, MEASURE)}


def _italian_frame(frame: pd.DataFrame, unit: str, hidden: pd.DataFrame) -> pd.DataFrame:
    """A display copy: Italian column names and codes, the KPI value in its unit, a count as an integer, other
    numbers with Italian separators and the same decimals down a column, years as years, no NaN."""
    shown = frame.copy()
    for col in shown.columns:
        if col == "value":
            shown[col] = [fmt_kpi(unit, None if pd.isna(v) else v) for v in shown[col]]
        elif col == "year":
            shown[col] = shown[col].astype(str)
        elif col in ("group", "bucket"):
            shown[col] = [code_name(v) for v in shown[col]]
        elif pd.api.types.is_numeric_dtype(shown[col]) and not pd.api.types.is_bool_dtype(shown[col]):
            values = [None if pd.isna(v) else float(v) for v in shown[col]]
            digits = 0 if all(v is None or v.is_integer() for v in values) else 2
            shown[col] = [MISSING if v is None else fmt_num(v, digits) for v in values]
    shown = shown.astype(object).where(shown.notna(), MISSING)
    shown = shown.mask(hidden, HIDDEN)  # cells hidden by small-cell suppression say so, rather than "n.d."
    return shown.rename(columns=name)


def _table(result, unit: str) -> str:
    k = result.kpi
    when = (f"al {fmt_date(result.as_of)}" if result.as_of else
            f"dal {fmt_date(result.start)} al {fmt_date(result.end)}" if result.start else "")
    shown = partial(_shown, result)
    lines = [f"{k.label} ({k.code}) {when}".rstrip(), f"  valore: {shown('value', fmt_kpi(unit, result.value))}"]
    if result.numerator is not None or result.denominator is not None or result.hidden_fields:
        lines.append(f"  numeratore: {shown('numerator', _num(result.numerator))}; "
                     f"denominatore: {shown('denominator', _num(result.denominator))}")
    lines += [f"  {name(key)}: {shown(key, _num(v))}" for key, v in result.breakdown.items()]
    lines += [f"  attenzione: {w}" for w in result.warnings]
    lines.append(f"  definizione: {k.formula}")
    return "\n".join(lines)


def integral_counts(result, unit: str):
    """A count KPI's figures as integers (70, not 70.0) in every format."""
    if unit != COUNT:
        return result
    as_int = lambda v: int(v) if isinstance(v, float) and v.is_integer() else v  # noqa: E731
    if isinstance(result, pd.DataFrame):
        out = result.copy()
        for col in ("value", "numerator", "denominator"):
            if col in out and pd.api.types.is_numeric_dtype(out[col]) and (out[col].dropna() % 1 == 0).all():
                out[col] = out[col].astype("Int64")
        return out
    return replace(result, value=as_int(result.value), numerator=as_int(result.numerator),
                   denominator=as_int(result.denominator),
                   breakdown={k: as_int(v) for k, v in result.breakdown.items()})


def _shown(result, field: str, text: str) -> str:
    return HIDDEN if field in result.hidden_fields else text


def _num(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "n.d."
    return fmt_num(v, 2) if isinstance(v, float) and not float(v).is_integer() else fmt_num(v, 0)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, set, frozenset)):
        return [_jsonable(v) for v in (sorted(obj) if isinstance(obj, (set, frozenset)) else obj)]
    return obj.isoformat() if isinstance(obj, date) else obj
