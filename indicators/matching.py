"""Candidate–unit matching (abbinamento): which pairs are possible, and the two proposals.

A pair (household, unit) is possible when the unit is *adequate* (floor area within the bounds of the rules'
table for the household's size), *affordable* (rent plus service charges, a year, at most the rules' share of
the household's income: 30% by default) and, for a household that needs it, *step-free*.

- **graduatoria order**: each unit, in order of availability, goes to the highest-ranked household still waiting
  for which it is possible; a step-free unit goes first to the households that need one (when the rules reserve
  step-free units).
- **optimal**: the assignment placing the most households, then keeping the ranking as far as it can (least sum
  of rank positions), with step-free units kept for those who need them: a min-cost assignment
  (`scipy.optimize.linear_sum_assignment`, Crouse 2016) whose cost is −B + rank (+ H for a step-free unit to a
  household that does not need it), B larger than any sum of the other terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from indicators.selection_rules import SelectionRules

GRADUATORIA, OTTIMALE = "graduatoria", "ottimale"
MODES = (GRADUATORIA, OTTIMALE)
MODE_LABELS = {GRADUATORIA: "In ordine di graduatoria", OTTIMALE: "Ottimale (più nuclei collocati)"}


@dataclass
class Pairs:
    """What can go where: `feasible[h, u]` and its parts, over households (rank order) and units (availability
    order), with the burden of each pair (rent plus charges over income, in points)."""

    households: pd.DataFrame
    units: pd.DataFrame
    adequate: np.ndarray
    affordable: np.ndarray
    access: np.ndarray
    burden: np.ndarray
    bounds: np.ndarray  # (H, 2): adequate m² of each household
    rules: SelectionRules

    @cached_property
    def feasible(self) -> np.ndarray:
        return self.adequate & self.affordable & self.access

    @cached_property
    def needs(self) -> np.ndarray:
        """Households that need a step-free unit."""
        return self.households["needs_step_free"].astype("boolean").fillna(False).to_numpy(dtype=bool)

    @cached_property
    def step_free(self) -> np.ndarray:
        return self.units["step_free"].astype("boolean").fillna(False).to_numpy(dtype=bool)

    @cached_property
    def household_rows(self) -> list[dict]:
        """The households as plain rows (a reason per household reads them thousands of times)."""
        return self.households.to_dict("records")

    @cached_property
    def unit_rows(self) -> list[dict]:
        return self.units.to_dict("records")


@dataclass
class Proposal:
    """One proposal: `assignment` maps household position -> unit position; the frames are built from it."""

    mode: str
    pairs: Pairs
    assignment: dict[int, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return len(self.assignment)

    @cached_property
    def holder(self) -> np.ndarray:
        """For each unit position, the household position it goes to (-1: none)."""
        out = np.full(len(self.pairs.units), -1, dtype=np.int64)
        for h, u in self.assignment.items():
            out[u] = h
        return out


def ordered_units(units: pd.DataFrame) -> pd.DataFrame:
    """Units in order of availability (date the unit is free, then code)."""
    return units.sort_values(["available_on", "code"], kind="stable").reset_index(drop=True)


def possible_pairs(households: pd.DataFrame, units: pd.DataFrame, rules: SelectionRules) -> Pairs:
    """The feasibility matrices of ranked `households` (rank order) and `units` (any order: sorted here)."""
    units = ordered_units(units)
    members = households["members"].to_numpy(dtype=float)
    bounds = np.array([rules.area_for(int(m)) for m in members], dtype=float).reshape(len(households), 2)
    area = units["floor_area_m2"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        adequate = (area[None, :] >= bounds[:, :1]) & (area[None, :] <= bounds[:, 1:])
    yearly = (units["monthly_rent"].to_numpy(dtype=float) + np.nan_to_num(
        units["monthly_charges"].to_numpy(dtype=float))) * 12
    income = households["income"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        burden = np.where(income[:, None] > 0, yearly[None, :] / income[:, None] * 100, np.inf)
    affordable = np.nan_to_num(burden, nan=np.inf) <= rules.max_burden * 100 + 1e-9
    needs = households["needs_step_free"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    step_free = units["step_free"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    access = ~needs[:, None] | step_free[None, :]
    return Pairs(households.reset_index(drop=True), units, adequate, affordable, access, burden, bounds, rules)


def graduatoria_order(pairs: Pairs) -> Proposal:
    """Each unit in order of availability to the best-ranked waiting household it suits (step-free units first to
    households that need one, when the rules reserve them)."""
    feasible, needs, step_free = pairs.feasible, pairs.needs, pairs.step_free
    free = np.ones(len(pairs.households), dtype=bool)
    assignment: dict[int, int] = {}
    for u in range(len(pairs.units)):
        candidates = feasible[:, u] & free
        if pairs.rules.reserve_step_free and step_free[u] and (candidates & needs).any():
            candidates &= needs
        if candidates.any():
            h = int(np.argmax(candidates))  # households are in rank order: the first True is the best placed
            assignment[h] = u
            free[h] = False
    return Proposal(GRADUATORIA, pairs, assignment)


def _candidates(feasible: np.ndarray, needs: np.ndarray, n_units: int) -> np.ndarray:
    """Households that can be in an optimal assignment: for each unit, the first `n_units` (in rank order) it suits
    among those needing a step-free unit and among the others. A unit given to a household beyond them leaves one
    of them, better ranked and of the same kind, without a unit: swapping them keeps the count and lowers the
    cost, so the others never matter (and the problem shrinks from thousands of rows to about the units')."""
    keep = np.zeros(feasible.shape[0], dtype=bool)
    for kind in (needs, ~needs):
        suits = feasible & kind[:, None]
        keep |= ((np.cumsum(suits, axis=0) <= n_units) & suits).any(axis=1)
    return np.flatnonzero(keep)


def optimal(pairs: Pairs) -> Proposal:
    """The most households placed, then the least sum of rank positions (a min-cost assignment)."""
    feasible = pairs.feasible
    cols = np.flatnonzero(feasible.any(axis=0))
    rows = _candidates(feasible, pairs.needs, len(cols))
    if not len(rows) or not len(cols):
        return Proposal(OTTIMALE, pairs, {})
    sub = feasible[np.ix_(rows, cols)]
    n_households = len(pairs.households)
    secondary = rows[:, None].astype(float) + 0.0 * cols[None, :]
    if pairs.rules.reserve_step_free:
        wasted = pairs.step_free[cols][None, :] & ~pairs.needs[rows][:, None]
        secondary = secondary + np.where(wasted, n_households, 0.0)
    big = 2.0 * n_households * min(len(rows), len(cols)) + 1.0
    cost = np.where(sub, secondary - big, 0.0)
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    assignment = {int(rows[r]): int(cols[c]) for r, c in zip(chosen_rows, chosen_cols) if sub[r, c]}
    return Proposal(OTTIMALE, pairs, dict(sorted(assignment.items())))


def propose(pairs: Pairs, mode: str) -> Proposal:
    if mode not in MODES:
        raise ValueError(f"modalità non prevista: «{mode}» (ammesse: {', '.join(MODES)})")
    return graduatoria_order(pairs) if mode == GRADUATORIA else optimal(pairs)
