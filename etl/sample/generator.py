"""Orchestration of the sample: the plan first, then the stock chunk by chunk, then the small kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from etl.sample.applications import applications_for_chunk
from etl.sample.cases import build_cases
from etl.sample.community import community_rows
from etl.sample.dates import Window, months_of
from etl.sample.episodes import assign_episodes
from etl.sample.evictions import eviction_rows
from etl.sample.funding import funding_rows
from etl.sample.finance import CostBook, actual_costs, write_actuals, write_budget
from etl.sample.households import households_for_leases, write_households
from etl.sample.lab_indicators import write_indicators
from etl.sample.lab_records import write_lab_records
from etl.sample.labs import plan_labs, write_activities, write_labs
from etl.sample.ledger import Movements, build_ledger, lease_months, within_history, write_movements, write_offs
from etl.sample.portfolio import Portfolio, plan_portfolio, write_plan
from etl.sample.selection import call_rows, unit_extras
from etl.sample.tenancies import Leases, leases_for_chunk, write_contracts
from etl.sample.tickets import closed_costs, tickets_for_chunk, write_tickets
from etl.sample.units import UnitBatch, units_for_chunk, write_units
from etl.sample.writer import SampleWriter

SAMPLE_END = date(2026, 10, 31)
# Independent random streams, so that a change in one kind does not reshuffle the others.
PLAN, STOCK, LEDGER, CASES, TICKETS, APPLICATIONS, FINANCE, LABS, EVICTIONS, FUNDING, SELECTION, COMMUNITY = range(12)
EMERGENCIES = 12


@dataclass
class Run:
    """What the chunks share: where to write, the plan, and the next codes to hand out."""

    writer: SampleWriter
    portfolio: Portfolio
    window: Window
    seed: int
    costs: CostBook
    next_case: int = 1
    next_ticket: int = 1
    next_application: int = 1
    call_spans: dict = field(default_factory=dict)  # (intervention, year) -> first and last application day

    def rng(self, stream: int, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream, *key])


def _ledger_and_cases(run: Run, chunk: int, units: UnitBatch, leases: Leases, households) -> None:
    rng = run.rng(LEDGER, chunk)
    episodes = assign_episodes(leases, households, run.window, rng)
    moves, episode_money = build_ledger(lease_months(leases, units, run.window), leases, episodes, rng)
    rows, case_payments = build_cases(episodes, episode_money, leases, run.window, run.rng(CASES, chunk),
                                      run.next_case)
    run.next_case += len(episodes)
    run.writer.rows("pratiche_morosita", rows)
    moves = within_history(Movements.concat([moves, case_payments]), run.window)
    stralci = write_offs(moves, leases, run.window, rng)
    write_movements(run.writer, Movements.concat([moves, stralci]), leases)
    run.costs.add(run.costs.write_offs, units.intervention[leases.unit[stralci.lease]], months_of(stralci.day),
                  stralci.cents)


def _tickets_and_applications(run: Run, chunk: int, units: UnitBatch, leases: Leases, households) -> None:
    tickets = tickets_for_chunk(units, leases, run.portfolio, run.window, run.rng(TICKETS, chunk),
                                run.rng(EMERGENCIES, chunk))
    write_tickets(run.writer, tickets, units, run.portfolio, run.next_ticket)
    run.next_ticket += len(tickets.opened)
    building, month, cents = closed_costs(tickets, run.window)
    run.costs.add(run.costs.tickets, np.array([run.portfolio.buildings[b].intervention for b in building.tolist()],
                                              dtype=np.int64), month, cents)
    rows = applications_for_chunk(leases, households, units, run.portfolio, run.window, run.rng(APPLICATIONS, chunk),
                                  run.next_application, run.rng(SELECTION, chunk), run.call_spans)
    run.writer.rows("domande", rows)
    run.next_application += len(rows)


def _chunk(run: Run, chunk: int) -> None:
    rng = run.rng(STOCK, chunk)
    units = units_for_chunk(run.portfolio, chunk, rng)
    leases = leases_for_chunk(units, run.window, rng)
    households = households_for_leases(leases, units, rng)
    write_units(run.writer, units, run.portfolio, unit_extras(units, run.rng(SELECTION, chunk, 1)))
    write_households(run.writer, households, leases, rng)
    write_contracts(run.writer, leases, units, run.window)
    _ledger_and_cases(run, chunk, units, leases, households)
    _tickets_and_applications(run, chunk, units, leases, households)


def _small_kinds(run: Run) -> None:
    costs, managed = actual_costs(run.portfolio, run.costs, run.rng(FINANCE))
    write_actuals(run.writer, run.portfolio, costs, managed, run.window)
    write_budget(run.writer, run.portfolio, costs, managed, run.window, run.rng(FINANCE, 1))
    labs = plan_labs(run.rng(LABS))
    write_labs(run.writer, labs)
    write_activities(run.writer, labs, run.rng(LABS, 1))
    write_indicators(run.writer, labs, run.rng(LABS, 2))
    write_lab_records(run.writer, labs, run.rng(LABS, 3))
    run.writer.rows("sfratti", eviction_rows(run.portfolio.comuni, run.window.last_year, run.rng(EVICTIONS)))
    run.writer.rows("finanziamenti", funding_rows(run.portfolio, run.window, run.rng(FUNDING)))
    run.writer.rows("avvisi", call_rows(run.portfolio, run.call_spans))
    run.writer.rows("attivita_comunita", community_rows(run.portfolio, run.window, run.rng(COMMUNITY)))


def generate(out_dir: Path, *, units: int = 1500, years: int = 8, seed: int = 42,
             end: date = SAMPLE_END) -> dict[str, int]:
    """Write one `<kind>.csv` per kind of the data contract in `out_dir`; return the rows written per kind.

    The same arguments always give byte-identical files; memory stays flat as `units` grows.
    """
    if units < 1 or years < 1:
        raise ValueError("units e years devono essere positivi")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = Window(end, years)
    portfolio = plan_portfolio(units, window, np.random.default_rng([seed, PLAN]))
    with SampleWriter(out_dir) as writer:
        run = Run(writer, portfolio, window, seed, CostBook(len(portfolio.interventions), window))
        write_plan(writer, portfolio)
        for chunk in range(len(portfolio.chunks)):
            _chunk(run, chunk)
        _small_kinds(run)
    return dict(writer.counts)
