"""`osservatorio match`: the candidate–unit proposal of a call, as a table, JSON or an Excel workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from osservatorio.exports import DATE, INT, PCT, TEXT
from osservatorio.formatting import fmt_date, fmt_pct

FORMATS = ("table", "json", "xlsx")
MODES = ("graduatoria", "ottimale")
SHEETS = {  # frame -> (sheet, {column: (heading, kind)})
    "pairs": ("Abbinamenti", {"rank": ("Posizione", INT), "household": ("Nucleo", TEXT), "unit": ("Alloggio", TEXT),
                              "members": ("Componenti", INT), "burden_pct": ("Canone e spese sul reddito", PCT),
                              "available_on": ("Libero dal", DATE), "reasons": ("Motivi", TEXT)}),
    "unmatched_units": ("Alloggi senza nucleo", {"unit": ("Alloggio", TEXT), "reason": ("Motivo", TEXT)}),
    "unmatched_households": ("Nuclei senza alloggio", {"rank": ("Posizione", INT), "household": ("Nucleo", TEXT),
                                                       "reason": ("Motivo", TEXT)}),
    "departures": ("Scostamenti dalla graduatoria", {
        "unit": ("Alloggio", TEXT), "household": ("Nucleo", TEXT), "rank": ("Posizione", INT),
        "passed_over": ("Nucleo superato", TEXT), "passed_over_rank": ("Posizione superata", INT),
        "reason": ("Motivo", TEXT)}),
}


def match(
    avviso: Annotated[str, typer.Option("--avviso", help="Codice dell'avviso (file «avvisi»)")],
    mode: Annotated[str, typer.Option("--mode", help="graduatoria (in ordine di graduatoria) o ottimale (più nuclei "
                                      "collocati, rispettando la graduatoria per quanto possibile)")] = "graduatoria",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Data della proposta (gg/mm/aaaa); se assente "
                                              "l'ultima fine mese coperta dai dati")] = None,
    days: Annotated[int, typer.Option("--giorni", min=0, max=3650, help="Alloggi locabili ora o entro questi "
                                      "giorni (fine contratto, fine lavori)")] = 90,
    fmt: Annotated[str, typer.Option("--format", help="table, json, xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File di uscita (xlsx)")] = None,
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER",
                                             help="Esegui come questo utente: solo il suo perimetro")] = None,
) -> None:
    """Propone l'abbinamento tra i nuclei in graduatoria di un avviso e gli alloggi locabili dei suoi interventi."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato non previsto: «{fmt}» (ammessi: {', '.join(FORMATS)})",
                                 param_hint="--format")
    if mode not in MODES:
        raise typer.BadParameter(f"modalità non prevista: «{mode}» (ammesse: {', '.join(MODES)})", param_hint="--mode")
    if fmt == "xlsx" and out is None:
        raise typer.BadParameter("--format xlsx richiede --out FILE", param_hint="--out")
    from indicators.scope import Scope
    from indicators.selection import match_call
    from osservatorio.cli.dates import data_span, parse_day
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    engine = make_engine(get_settings().database_url)  # announced and checked by the command group
    day = parse_day(as_of, "--as-of") or data_span(engine).default_day
    who = _as_user(engine, user, avviso)
    try:
        result = match_call(engine, avviso, as_of=day, mode=mode, scope=who.scope if who else Scope(),
                            horizon_days=days)
    except ValueError as exc:
        typer.echo(f"Errore: {exc}.", err=True)
        raise typer.Exit(1) from None
    if fmt == "json":
        typer.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    elif fmt == "xlsx" and out is not None:  # checked above
        out.write_bytes(workbook(result))
        typer.echo(f"Proposta scritta in {out.name}.")
    else:
        typer.echo(as_table(result))
    for warning in result.warnings:
        typer.echo(f"Attenzione: {warning}.", err=True)


def _as_user(engine, username: str | None, avviso: str):
    """The user the command runs as; households by code are for the gestore and the administrator only."""
    if not username:
        return None
    from osservatorio import audit
    from osservatorio.cli.kpi import known_user
    from osservatorio.pages import SELECTION_DETAIL

    who = known_user(engine, username)
    if who.role not in SELECTION_DETAIL:
        typer.echo(f"Errore: il ruolo «{who.role}» vede della selezione solo i dati aggregati (cruscotto).", err=True)
        raise typer.Exit(2)
    audit.record(engine, "match", user=who, detail=avviso)
    return who


def as_json(result) -> dict:
    """One object per proposed pair (unit, household, rank, burden_pct, reasons), then the unmatched units and
    households and the departures from the ranking."""
    def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
        return [{c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in row.items()}
                for row in frame[columns].to_dict("records")]

    return {"avviso": result.call.code, "modalita": result.mode, "data": result.as_of.isoformat(),
            "nuclei_idonei": len(result.graduatoria.ranked), "alloggi": len(result.proposal.pairs.units),
            "collocati": result.placed,
            "pairs": records(result.pairs, ["unit", "household", "rank", "burden_pct", "reasons"]),
            "unmatched_units": records(result.unmatched_units, ["unit", "reason"]),
            "unmatched_households": records(result.unmatched_households, ["household", "rank", "reason"]),
            "departures": records(result.departures, ["unit", "household", "rank", "passed_over", "passed_over_rank",
                                                      "reason"])}


def as_table(result) -> str:
    mode = "in ordine di graduatoria" if result.mode == "graduatoria" else "ottimale"
    lines = [f"Avviso {result.call.code} ({result.call.title}), proposta {mode} al {fmt_date(result.as_of)}: "
             f"{result.placed} nuclei collocati su {len(result.graduatoria.ranked)} idonei in attesa, "
             f"{len(result.proposal.pairs.units)} alloggi locabili."]
    for row in result.pairs.to_dict("records"):
        lines.append(f"  {row['rank']:>4}. nucleo {row['household']} -> alloggio {row['unit']} "
                     f"({fmt_pct(row['burden_pct'])} del reddito): {'; '.join(row['reasons'][1:])}")
    sections = (("Alloggi senza nucleo", result.unmatched_units, "unit"),
                ("Nuclei senza alloggio", result.unmatched_households, "household"),
                ("Scostamenti dalla graduatoria", result.departures, "unit"))
    for title, frame, key in sections:
        if len(frame):
            lines.append(f"{title}:")
            lines += [f"  {row[key]}: {row['reason']}" for row in frame.to_dict("records")]
    return "\n".join(lines)


def workbook(result) -> bytes:
    from osservatorio.exports import to_excel_sheets

    sheets = {}
    for name, (sheet, columns) in SHEETS.items():
        frame = getattr(result, name)
        frame = frame.assign(reasons=frame["reasons"].map("; ".join)) if "reasons" in frame else frame
        sheets[sheet] = (frame[list(columns)].rename(columns={c: h for c, (h, _) in columns.items()}),
                         {h: k for h, k in columns.values()})
    return to_excel_sheets(sheets)
