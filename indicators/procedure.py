"""The arrears procedure of domain.md (seed 000) as data: its steps, their deadlines, suspensions and closures.

`indicators.case_sql` renders these constants into the SQL of the case figures (as VALUES tables), so changing
the procedure here changes every figure; a settings page may replace this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of the procedure: the events that accomplish it and its deadline from the opening."""

    code: str
    label: str  # what is due, as the user reads it
    stage: str  # the case's stage once the step is done
    events: tuple[str, ...]
    due_days: int
    when_culpable: tuple[str, ...] = ()  # events that count only for a case assessed colpevole
    suspended_by: tuple[str, ...] = ()  # instruments that hold the deadline while they run
    running_days: int = 0  # how long such an instrument runs


PROCEDURE: tuple[Step, ...] = (
    Step("reminder", "sollecito", "sollecitata", ("sollecito_telefonico", "sollecito_scritto"), 30),
    Step("assessment", "incontro e valutazione", "valutata",
         ("incontro", "valutazione_disagio", "incolpevole", "colpevole"), 60),
    Step("instrument", "strumento", "strumento attivo",
         ("microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio", "programma_supporto",
          "assicurazione", "riduzione_canone"), 90, when_culpable=("diffida",)),
    Step("eviction", "avvio sfratto", "sfratto in corso",
         ("sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito"), 730,
         suspended_by=("piano_rientro", "microcredito", "fondo_solidarieta"), running_days=548),
)
INSTRUMENT_STEP = "instrument"
OPEN_STAGE = "aperta"
# Closing events, in precedence when two fall on one day: (stage, outcome).
CLOSURES = {"sfratto_eseguito": ("chiusa - sfratto eseguito", "sfratto"),
            "chiusura_saldo": ("chiusa - saldata", "risolta"), "chiusura_altro": ("chiusa - altro", "chiusa altro")}
RUNNING, IN_PROGRESS = "piano in corso", "in corso"
OUTCOMES = ("risolta", RUNNING, "sfratto", IN_PROGRESS, "chiusa altro")
NO_FAULT, CULPABLE = "incolpevole", "colpevole"  # the assessment events


def instrument_step() -> tuple[int, Step]:
    """The instrument step and its index in `PROCEDURE`."""
    return next((i, s) for i, s in enumerate(PROCEDURE) if s.code == INSTRUMENT_STEP)


def instruments() -> tuple[str, ...]:
    """Every instrument event, in the order the tables list them (those counting only for a colpevole case last)."""
    _, step = instrument_step()
    return step.events + step.when_culpable
