"""`osservatorio evaluate` (panel evaluation of any long CSV) and `osservatorio labs compare` (lab outcomes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

METHODS = ("did", "es", "sc", "all")
labs_app = typer.Typer(help="Valutazione dei Laboratori Sociali di Quartiere.", no_args_is_help=True)


def run_methods(panel, method: str) -> list:
    """The results of the chosen methods: `Effect` objects (synthetic control: its `effect`) and the event study."""
    from indicators.did import twfe_did
    from indicators.event_study import event_study
    from indicators.synthetic_control import SyntheticControl, synthetic_control

    effects: list = []
    if method in ("did", "all"):
        effects.append(twfe_did(panel))
    if method in ("es", "all"):
        effects.append(event_study(panel))
    if method in ("sc", "all"):
        result = synthetic_control(panel)
        effects.append(result.effect if isinstance(result, SyntheticControl) else result)
    return effects


def evaluate(
    panel_file: Annotated[Path, typer.Option("--panel", exists=True, dir_okay=False, help="CSV in formato lungo")],
    unit: Annotated[str, typer.Option(help="Colonna dell'unità (edificio, quartiere...)")],
    time: Annotated[str, typer.Option(help="Colonna del periodo (numero, mm/aaaa, gg/mm/aaaa)")],
    outcome: Annotated[str, typer.Option(help="Colonna dell'esito (numeri all'italiana o col punto)")],
    treated: Annotated[str, typer.Option(help="Unità trattate, separate da virgola")],
    start: Annotated[str, typer.Option(help="Primo periodo trattato")],
    method: Annotated[str, typer.Option(help="did (differenza nelle differenze), es (studio di evento), "
                                            "sc (controllo sintetico) o all")] = "all",
    fmt: Annotated[str, typer.Option("--format", help="table o json")] = "table",
) -> None:
    """Valuta l'effetto di un intervento su un panel: differenza nelle differenze, studio di evento e controllo
    sintetico."""
    from indicators.evaluation import make_panel
    from indicators.panels import parse_period, read_panel_csv

    if method not in METHODS or fmt not in ("table", "json"):
        raise typer.BadParameter(f"metodo o formato non previsto: {method}, {fmt}")
    try:
        frame = read_panel_csv(panel_file, unit=unit, time=time, outcome=outcome)
        panel = make_panel(frame, unit=unit, time=time, outcome=outcome,
                           treated=[t.strip() for t in treated.split(",") if t.strip()],
                           start=parse_period(start, frame[time]))
    except ValueError as exc:
        typer.echo(f"Errore: {exc}", err=True)
        raise typer.Exit(2) from None
    effects = run_methods(panel, method)
    if fmt == "json":
        typer.echo(json.dumps([e.as_dict() for e in effects], ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(effects_table(effects))


def effects_table(effects) -> str:
    from indicators.event_study import EventStudy
    from osservatorio.evaluation_text import effect_lines, study_lines

    blocks, told = [], set()
    for effect in effects:
        described = study_lines(effect) if isinstance(effect, EventStudy) else effect_lines(effect)
        lines = [f"{label}: {text}" for label, text in described]
        lines += [f"  attenzione: {w}" for w in effect.warnings if w not in told]  # the panel's sizes: once
        told.update(effect.warnings)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@labs_app.command("compare")
def compare(
    indicator: Annotated[str | None,
                         typer.Option(help="Codice dell'indicatore di contesto (es. nuclei_morosi_pct)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv o json")] = "table",
) -> None:
    """Tabella degli esiti: tempo zero, tempo uno, variazioni e trattamento − controllo per laboratorio."""
    from indicators.lab_outcomes import lab_outcomes
    from osservatorio.evaluation_text import outcome_text_table
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(f"formato non previsto: {fmt}")
    engine = make_engine(get_settings().database_url)
    try:
        table = lab_outcomes(engine, indicator=indicator)
    finally:
        engine.dispose()
    if table.empty:
        typer.echo("Nessun indicatore di contesto nel warehouse" + (f" per «{indicator}»." if indicator else "."))
        return
    if fmt == "json":
        typer.echo(table.to_json(orient="records", date_format="iso", force_ascii=False))
    elif fmt == "csv":
        from osservatorio.evaluation_text import outcome_export
        from osservatorio.exports import csv_text

        typer.echo(csv_text(*outcome_export(table)))
    else:
        typer.echo(outcome_text_table(table).to_string(index=False))
