"""A call's selection end to end: its graduatoria and the matching proposals of its lettable units, with the
figures the page and `osservatorio match` show (households placed, mean burden, departures from the ranking)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import matching_reasons as reasons
from indicators.graduatoria import Graduatoria, graduatoria
from indicators.matching import MODES, Pairs, Proposal, possible_pairs, propose
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.selection_data import HORIZON_DAYS, Call, call_applications, call_units, find_call
from indicators.selection_rules import SelectionRules, load_rules


@dataclass
class Match:
    """One proposal of a call, as frames: `pairs`, `unmatched_units`, `unmatched_households`, `departures`."""

    call: Call
    as_of: date
    mode: str
    graduatoria: Graduatoria
    proposal: Proposal
    pairs: pd.DataFrame
    unmatched_units: pd.DataFrame
    unmatched_households: pd.DataFrame
    departures: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return self.proposal.placed


def proposal_frames(proposal: Proposal) -> dict[str, pd.DataFrame]:
    return {"pairs": reasons.pairs_frame(proposal), "unmatched_units": reasons.unmatched_units(proposal),
            "unmatched_households": reasons.unmatched_households(proposal), "departures": reasons.departures(proposal)}


def call_pairs(conn: Connection | Engine, call: Call, *, as_of: date, scope: Scope = Scope(),
               rules: SelectionRules | None = None, horizon_days: int = HORIZON_DAYS) -> tuple[Graduatoria, Pairs]:
    """The call's graduatoria at `as_of` and the possible pairs of its ranked households and lettable units."""
    rules = rules or load_rules()
    ranking = graduatoria(call_applications(conn, call, as_of=as_of), rules.scoring(call.rules),
                          isee_max=call.isee_max, income_min=call.income_min)
    units = call_units(conn, call, as_of=as_of, scope=scope, horizon_days=horizon_days)
    return ranking, possible_pairs(ranking.ranked, units, rules)


def match_call(conn: Connection | Engine, code: str, *, as_of: date, mode: str, scope: Scope = Scope(),
               rules: SelectionRules | None = None, horizon_days: int = HORIZON_DAYS) -> Match:
    """The proposal of `mode` (graduatoria or ottimale) for call `code` at `as_of`; ValueError (Italian) for a
    call unknown or outside the scope."""
    if mode not in MODES:
        raise ValueError(f"modalità non prevista: «{mode}» (ammesse: {', '.join(MODES)})")
    call = find_call(conn, code, scope=scope)
    if call is None:
        raise ValueError(f"avviso «{code}» non trovato fra gli avvisi visibili (file «avvisi»)")
    ranking, pairs = call_pairs(conn, call, as_of=as_of, scope=scope, rules=rules, horizon_days=horizon_days)
    proposal = propose(pairs, mode)
    match = Match(call, as_of, mode, ranking, proposal, **proposal_frames(proposal))
    if ranking.ranked.empty:
        match.warnings.append("nessuna domanda idonea in attesa per l'avviso alla data")
    if pairs.units.empty:
        match.warnings.append(f"nessun alloggio degli interventi dell'avviso locabile entro {horizon_days} giorni")
    return match


def placed_kpi(match: Match) -> KpiValue:
    """Households placed by the proposal over households eligible and waiting (`selection_placed`); breakdown:
    units lettable, mean burden of the pairs (points), departures from the ranking."""
    eligible = len(match.graduatoria.ranked)
    burden = float(match.pairs["burden_pct"].mean()) if len(match.pairs) else None
    value = KpiValue("selection_placed", float(match.placed), numerator=float(match.placed),
                     denominator=float(eligible), as_of=match.as_of,
                     breakdown={"eligible": eligible, "units": len(match.proposal.pairs.units),
                                "departures": len(match.departures)})
    if burden is not None:
        value.breakdown["mean_burden_pct"] = burden
    value.warnings.extend(match.warnings)
    return value


def burden_kpi(match: Match) -> KpiValue:
    """Mean share of income going to rent and charges over the proposed pairs (`selection_burden_pct`)."""
    value = KpiValue("selection_burden_pct", None, denominator=float(len(match.pairs)), as_of=match.as_of)
    if match.pairs.empty:
        value.warnings.append("nessuna coppia proposta")
    else:
        value.value = float(match.pairs["burden_pct"].mean())
    return value
