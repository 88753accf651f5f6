"""`osservatorio evaluate` (panel evaluation of any long CSV) and `osservatorio labs compare` (lab outcomes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

METHODS = ("did", "es", "sc", "sdid", "staggered", "placebo", "all")
CONTROLS = ("never", "notyet")
labs_app = typer.Typer(help="Valutazione dei Laboratori Sociali di Quartiere.", no_args_is_help=True)


def run_methods(panel, method: str, *, control: str = "never", fit_from=None) -> list:
    """The results of the chosen methods: `Effect` objects (synthetic control: its `effect`), the event study and
    the staggered-adoption results (Callaway-Sant'Anna and imputation)."""
    from indicators.did import twfe_did
    from indicators.event_study import event_study
    from indicators.imputation import imputation_estimator
    from indicators.placebo_time import placebo_in_time
    from indicators.sdid import synthetic_did
    from indicators.staggered import callaway_santanna
    from indicators.synthetic_control import synthetic_control

    chosen = set(METHODS[:-1]) if method == "all" else {method}
    results: list = []
    if "did" in chosen:
        results.append(twfe_did(panel))
    if "es" in chosen:
        results.append(event_study(panel))
    if "sc" in chosen:
        sc = synthetic_control(panel, fit_from=fit_from)
        results.append(sc if hasattr(sc, "units") else getattr(sc, "effect", sc))
    if "sdid" in chosen:
        results.append(synthetic_did(panel))
    if "staggered" in chosen:
        results += [callaway_santanna(panel.long_with_starts(), control=control),
                    imputation_estimator(panel.long_with_starts())]
    if "placebo" in chosen:
        results += placebo_in_time(panel)
    return results


def _panel(panel_file: Path, unit: str, time: str, outcome: str, treated: str | None, start: str | None,
           start_column: str | None, exclude: str | None):
    from indicators.evaluation import make_panel, make_staggered_panel
    from indicators.panels import parse_period, read_panel_csv

    frame = read_panel_csv(panel_file, unit=unit, time=time, outcome=outcome, start_column=start_column)
    dropped = [u.strip() for u in (exclude or "").split(",") if u.strip()]
    unknown = sorted(set(dropped) - set(frame[unit]))
    if unknown:
        raise ValueError(f"Unità da escludere non presenti nel panel: {', '.join(unknown)}.")
    frame = frame[~frame[unit].isin(dropped)]
    if start_column is not None:
        return make_staggered_panel(frame, unit=unit, time=time, outcome=outcome, start_column=start_column), frame
    if treated is None or start is None:
        raise ValueError("Indicare --treated e --start (un solo avvio) oppure --start-column (avvio per unità).")
    return make_panel(frame, unit=unit, time=time, outcome=outcome,
                      treated=[t.strip() for t in treated.split(",") if t.strip()],
                      start=parse_period(start, frame[time])), frame


def evaluate(
    panel_file: Annotated[Path, typer.Option("--panel", exists=True, dir_okay=False, help="CSV in formato lungo")],
    unit: Annotated[str, typer.Option(help="Colonna dell'unità (edificio, quartiere...)")],
    time: Annotated[str, typer.Option(help="Colonna del periodo (numero, mm/aaaa, gg/mm/aaaa)")],
    outcome: Annotated[str, typer.Option(help="Colonna dell'esito (numeri all'italiana o col punto)")],
    treated: Annotated[str | None, typer.Option(help="Unità trattate, separate da virgola")] = None,
    start: Annotated[str | None, typer.Option(help="Primo periodo trattato (uguale per tutte le trattate)")] = None,
    start_column: Annotated[str | None, typer.Option(
        help="Colonna con il primo periodo trattato di ciascuna unità (vuota se mai trattata): avvii "
             "scaglionati")] = None,
    method: Annotated[str, typer.Option(
        help="did (differenza nelle differenze), es (studio di evento), sc (controllo sintetico), sdid (differenza "
             "nelle differenze sintetica), staggered (avvii scaglionati), placebo (placebo nel tempo) o all")] = "all",
    control: Annotated[str, typer.Option(help="Controlli per gli avvii scaglionati: never (mai trattate) o notyet "
                                             "(anche non ancora trattate)")] = "never",
    exclude: Annotated[str | None, typer.Option(help="Unità da escludere (donatori o controlli), separate da "
                                                     "virgola")] = None,
    fit_from: Annotated[str | None, typer.Option(
        help="Primo periodo della finestra su cui si adatta il controllo sintetico (predefinito: tutti i periodi "
             "prima dell'avvio)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table o json")] = "table",
) -> None:
    """Valuta l'effetto di un intervento su un panel: differenza nelle differenze, studio di evento, controllo
    sintetico, differenza nelle differenze sintetica, avvii scaglionati e placebo nel tempo."""
    from indicators.evaluation_checks import limits, sign_disagreement
    from indicators.panels import parse_period

    if method not in METHODS or fmt not in ("table", "json") or control not in CONTROLS:
        raise typer.BadParameter(f"metodo, controlli o formato non previsti: {method}, {control}, {fmt}")
    try:
        panel, frame = _panel(panel_file, unit, time, outcome, treated, start, start_column, exclude)
        fit_start = parse_period(fit_from, frame[time]) if fit_from else None
    except ValueError as exc:
        typer.echo(f"Errore: {exc}", err=True)
        raise typer.Exit(2) from None
    results = run_methods(panel, method, control=control, fit_from=fit_start)
    disagreement = sign_disagreement([getattr(r, "effect", r) for r in results])
    told: list[str] = [disagreement] if disagreement else []
    checks = {"method": "checks", "warnings": told, "limits": limits(panel)}
    if fmt == "json":
        out = [r.as_dict() if hasattr(r, "as_dict") else _several_dict(r) for r in results] + [checks]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(effects_table(results))
    typer.echo("\nCosa non si può concludere:\n" + "\n".join(f"  - {t}" for t in told + limits(panel)))


def _several_dict(result) -> dict:
    out = result.effect.as_dict()
    out["units"] = result.units.astype(object).where(result.units.notna(), None).to_dict("records")
    return out


def effects_table(effects) -> str:
    from indicators.event_study import EventStudy
    from indicators.staggered import StaggeredResult
    from osservatorio.evaluation_text import effect_lines, study_lines
    from osservatorio.staggered_text import several_sc_lines, staggered_lines

    blocks, told = [], set()
    for result in effects:
        if isinstance(result, EventStudy):
            described = study_lines(result)
        elif isinstance(result, StaggeredResult):
            described = staggered_lines(result)
        elif hasattr(result, "units"):
            described = effect_lines(result.effect) + [("Per unità trattata", "")] + several_sc_lines(result)
            result = result.effect
        else:
            described = effect_lines(result)
        lines = [f"{label}: {text}" if text else f"{label}:" for label, text in described]
        lines += [f"  attenzione: {w}" for w in result.warnings if w not in told]  # the panel's sizes: once
        told.update(result.warnings)
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
