"""Dates on the command line: Italian parsing, and defaults taken from the data rather than from today.

Like the pages, a command with no date works at the last month end the ledger covers
(`indicators.catalog.default_as_of` over `indicators.portfolio.ledger_span`), and a date chosen past the end
of the data gets a warning: the figures after it are missing, not zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import typer

from osservatorio.formatting import fmt_date


def parse_day(text: str | None, option: str = "--as-of") -> date | None:
    if text is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"data non valida: «{text}» (usare gg/mm/aaaa o aaaa-mm-gg)", param_hint=option)


@dataclass(frozen=True)
class DataSpan:
    """First and last day of the ledger (None when no movement is loaded)."""

    first_day: date | None
    last_day: date | None

    @property
    def default_day(self) -> date:
        """The last month end the data covers; today when there is no data."""
        from indicators.catalog import default_as_of

        if self.first_day is None or self.last_day is None:
            return date.today()
        return default_as_of(self.first_day, self.last_day)

    def note(self, day: date, what: str) -> str | None:
        """A warning when `day` lies outside the data, else None."""
        if self.last_day is not None and day > self.last_day:
            return (f"Attenzione: {what} {fmt_date(day)} è dopo la fine dei dati (ultimo movimento contabile: "
                    f"{fmt_date(self.last_day)}); i movimenti successivi mancano, e le cifre che ne dipendono non "
                    f"sono confrontabili. Senza data si usa il {fmt_date(self.default_day)}, l'ultima fine mese "
                    "coperta.")
        return None


def data_span(engine) -> DataSpan:
    from indicators.portfolio import ledger_span

    return DataSpan(*ledger_span(engine))


def period(start: date | None, end: date | None, default_end: date) -> tuple[date | None, date | None]:
    """--from/--to completed: a missing end is `default_end`, a missing start twelve months before the end;
    exit 2 when the start comes after the end."""
    from indicators.catalog import default_period

    if start is None and end is None:
        return None, None
    end = end or default_end
    start = start or default_period(end)[0]
    if start > end:
        raise typer.BadParameter(f"l'inizio del periodo ({fmt_date(start)}) è dopo la fine ({fmt_date(end)}).",
                                 param_hint="--from/--to")
    return start, end


def warn(message: str | None) -> None:
    if message:
        typer.echo(message, err=True)
