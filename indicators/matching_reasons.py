"""The reasons of a matching proposal, in Italian: why each pair (size fit, burden, accessibility, rank), why a
unit or a household is left without a match, and every departure from the ranking explained."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.matching import Proposal
from osservatorio.formatting import fmt_eur, fmt_num, fmt_pct

PAIR_COLUMNS = ["unit", "household", "application", "rank", "members", "floor_area_m2", "burden_pct",
                "step_free", "needs_step_free", "available_on", "reasons"]


def _members(n: int) -> str:
    return f"{n} componente" if n == 1 else f"{n} componenti"


def _range(low: float, high: float) -> str:
    """The adequate floor area in words: "da 38 m² a 70 m²", or "almeno 76 m²" without an upper bound."""
    if not np.isfinite(high):
        return f"almeno {fmt_num(low, 0)} m²"
    return f"da {fmt_num(low, 0)} m² a {fmt_num(high, 0)} m²"


def pair_reasons(proposal: Proposal, h: int, u: int) -> list[str]:
    """Why household `h` in unit `u`: rank, size fit, burden, accessibility."""
    p = proposal.pairs
    hh, unit = p.household_rows[h], p.unit_rows[u]
    low, high = p.bounds[h]
    out = [f"posizione {int(hh['rank'])} in graduatoria",
           f"{_members(int(hh['members']))} in {fmt_num(unit['floor_area_m2'], 0)} m² (adeguato: "
           f"{_range(low, high)})",
           f"canone più spese {fmt_pct(p.burden[h, u])} del reddito (soglia {fmt_pct(p.rules.max_burden * 100, 0)})"]
    if p.needs[h]:
        out.append("alloggio senza barriere per un nucleo che ne ha bisogno")
    elif p.step_free[u]:
        out.append("alloggio senza barriere: nessun nucleo che ne ha bisogno poteva prenderlo")
    return out


def pairs_frame(proposal: Proposal) -> pd.DataFrame:
    """One row per proposed pair, in rank order."""
    p = proposal.pairs
    rows = []
    for h, u in sorted(proposal.assignment.items()):
        hh, unit = p.household_rows[h], p.unit_rows[u]
        rows.append((unit["code"], hh["household"], hh["code"], int(hh["rank"]), int(hh["members"]),
                     float(unit["floor_area_m2"]), round(float(p.burden[h, u]), 1), bool(p.step_free[u]),
                     bool(p.needs[h]), unit["available_on"], pair_reasons(proposal, h, u)))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def unit_reason(proposal: Proposal, u: int) -> str:
    """Why unit `u` has no household in this proposal."""
    p = proposal.pairs
    unit = p.unit_rows[u]
    if pd.isna(unit["floor_area_m2"]):
        return "superficie non indicata: l'adeguatezza non si può verificare"
    if pd.isna(unit["monthly_rent"]):
        return "canone non indicato: la sostenibilità non si può verificare"
    if not p.adequate[:, u].any():
        return f"{fmt_num(unit['floor_area_m2'], 0)} m²: non adeguato alla dimensione di alcun nucleo idoneo"
    if not (p.adequate[:, u] & p.affordable[:, u]).any():
        yearly = (unit["monthly_rent"] + (0 if pd.isna(unit["monthly_charges"]) else unit["monthly_charges"])) * 12
        return (f"troppo caro per i nuclei per cui è adeguato: canone e spese {fmt_eur(yearly)} l'anno chiedono un "
                f"reddito di almeno {fmt_eur(yearly / p.rules.max_burden)}")
    if not p.feasible[:, u].any():
        return "i nuclei per cui è adeguato e sostenibile hanno bisogno di un alloggio senza barriere"
    return "i nuclei per cui è adatto sono collocati in altri alloggi"


def household_reason(proposal: Proposal, h: int) -> str:
    """Why household `h` has no unit in this proposal."""
    p = proposal.pairs
    low, high = p.bounds[h]
    if not p.adequate[h].any():
        return f"nessun alloggio disponibile adeguato a {_members(int(p.household_rows[h]['members']))} " \
               f"({_range(low, high)})"
    if not (p.adequate[h] & p.affordable[h]).any():
        cheapest = float(np.nanmin(np.where(p.adequate[h], p.burden[h], np.inf)))
        return (f"nessun alloggio adeguato sostenibile: il meno caro costerebbe il {fmt_pct(cheapest)} del reddito "
                f"(soglia {fmt_pct(p.rules.max_burden * 100, 0)})")
    if not p.feasible[h].any():
        return "nessun alloggio adeguato e sostenibile senza barriere, di cui il nucleo ha bisogno"
    if not (proposal.holder[p.feasible[h]] > h).any():
        return "gli alloggi adatti vanno a nuclei con posizione migliore in graduatoria"
    return departure_reason(proposal, h)


SHOWN_UNITS = 3  # units named in a departure's reason; the others are counted


def departure_reason(proposal: Proposal, h: int) -> str:
    """Where the units that suited household `h` went to lower-ranked households, and why: a step-free unit kept
    for a household that needs it, or more households placed."""
    p = proposal.pairs
    parts: list[str] = []
    reserved: list[bool] = []
    units = [u for u in np.flatnonzero(p.feasible[h]).tolist() if proposal.holder[u] > h]
    for u in units:
        g = int(proposal.holder[u])
        kept = bool(p.needs[g] and p.step_free[u])
        reserved.append(kept)
        if len(parts) < SHOWN_UNITS:
            choices = int(p.feasible[g].sum())
            why = ("ne ha bisogno senza barriere" if kept else f"ha {choices} alloggi adatti" if choices > 1 else
                   "non ha altri alloggi adatti")
            other = p.household_rows[g]
            parts.append(f"{p.unit_rows[u]['code']} al nucleo {other['household']} (posizione {int(other['rank'])}, "
                         f"{why})")
    if len(units) > SHOWN_UNITS:
        parts.append(f"e altri {len(units) - SHOWN_UNITS} alloggi")
    if not parts:
        return "gli alloggi adatti vanno a nuclei con posizione migliore in graduatoria"
    if all(reserved):
        return "alloggio senza barriere riservato a chi ne ha bisogno: " + "; ".join(parts)
    return "gli alloggi adatti vanno ad altri perché così si collocano più nuclei: " + "; ".join(parts)


def unmatched_units(proposal: Proposal) -> pd.DataFrame:
    rows = [(proposal.pairs.unit_rows[u]["code"], unit_reason(proposal, u))
            for u in np.flatnonzero(proposal.holder < 0).tolist()]
    return pd.DataFrame(rows, columns=["unit", "reason"])


def unmatched_households(proposal: Proposal) -> pd.DataFrame:
    p = proposal.pairs
    rows = [(p.household_rows[h]["household"], p.household_rows[h]["code"], int(p.household_rows[h]["rank"]),
             household_reason(proposal, h)) for h in range(len(p.households)) if h not in proposal.assignment]
    return pd.DataFrame(rows, columns=["household", "application", "rank", "reason"])


DEPARTURE_COLUMNS = ["unit", "household", "rank", "passed_over", "passed_over_rank", "reason"]


def departures(proposal: Proposal) -> pd.DataFrame:
    """Every departure from the ranking: a unit (in order of availability) given to a household while a
    better-ranked one it suits was still without a unit, with what happened to that one and why."""
    p = proposal.pairs
    waiting = np.ones(len(p.households), dtype=bool)  # not yet given a unit, walking the units in order
    rows = []
    for u in np.flatnonzero(proposal.holder >= 0).tolist():
        g = int(proposal.holder[u])
        better = np.flatnonzero(p.feasible[:g, u] & waiting[:g])
        waiting[g] = False
        if not len(better):
            continue
        h = int(better[0])
        code, other = p.household_rows[g]["household"], p.household_rows[h]["household"]
        if p.step_free[u] and p.needs[g] and not p.needs[h]:
            why = f"alloggio senza barriere, riservato al nucleo {code} che ne ha bisogno"
        elif h in proposal.assignment:
            why = f"così si colloca anche il nucleo {code}"
        else:
            why = "così si collocano più nuclei"
        fate = (f"riceve invece {p.unit_rows[proposal.assignment[h]]['code']}" if h in proposal.assignment
                else "resta senza alloggio")
        rows.append((p.unit_rows[u]["code"], code, int(p.household_rows[g]["rank"]), other,
                     int(p.household_rows[h]["rank"]), f"il nucleo {other} {fate}: {why}"))
    return pd.DataFrame(rows, columns=DEPARTURE_COLUMNS)
