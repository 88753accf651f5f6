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


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def pair_reasons(proposal: Proposal, h: int, u: int) -> list[str]:
    """Why household `h` in unit `u`: rank, size fit, burden, accessibility."""
    p = proposal.pairs
    hh, unit = p.households.iloc[h], p.units.iloc[u]
    low, high = p.bounds[h]
    out = [f"posizione {int(hh['rank'])} in graduatoria",
           f"{_members(int(hh['members']))} in {fmt_num(unit['floor_area_m2'], 0)} m² (adeguato: "
           f"{_range(low, high)})",
           f"canone più spese {fmt_pct(p.burden[h, u])} del reddito (soglia {fmt_pct(p.rules.max_burden * 100, 0)})"]
    if _flag(p.households, "needs_step_free")[h]:
        out.append("alloggio senza barriere per un nucleo che ne ha bisogno")
    elif _flag(p.units, "step_free")[u]:
        out.append("alloggio senza barriere: nessun nucleo che ne ha bisogno poteva prenderlo")
    return out


def pairs_frame(proposal: Proposal) -> pd.DataFrame:
    """One row per proposed pair, in rank order."""
    p = proposal.pairs
    rows = []
    for h, u in sorted(proposal.assignment.items()):
        hh, unit = p.households.iloc[h], p.units.iloc[u]
        rows.append((unit["code"], hh["household"], hh["code"], int(hh["rank"]), int(hh["members"]),
                     float(unit["floor_area_m2"]), round(float(p.burden[h, u]), 1), bool(_flag(p.units, "step_free")[u]),
                     bool(_flag(p.households, "needs_step_free")[h]), unit["available_on"],
                     pair_reasons(proposal, h, u)))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def unit_reason(proposal: Proposal, u: int) -> str:
    """Why unit `u` has no household in this proposal."""
    p = proposal.pairs
    unit = p.units.iloc[u]
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
    hh = p.households.iloc[h]
    low, high = p.bounds[h]
    if not p.adequate[h].any():
        return f"nessun alloggio disponibile adeguato a {_members(int(hh['members']))} ({_range(low, high)})"
    if not (p.adequate[h] & p.affordable[h]).any():
        cheapest = float(np.nanmin(np.where(p.adequate[h], p.burden[h], np.inf)))
        return (f"nessun alloggio adeguato sostenibile: il meno caro costerebbe il {fmt_pct(cheapest)} del reddito "
                f"(soglia {fmt_pct(p.rules.max_burden * 100, 0)})")
    if not p.feasible[h].any():
        return "nessun alloggio adeguato e sostenibile senza barriere, di cui il nucleo ha bisogno"
    taken_by_lower = any(g > h for g, u in proposal.assignment.items() if p.feasible[h, u])
    if not taken_by_lower:
        return "gli alloggi adatti vanno a nuclei con posizione migliore in graduatoria"
    return departure_reason(proposal, h)


def departure_reason(proposal: Proposal, h: int) -> str:
    """Where the units that suited household `h` went, and why: a step-free unit kept for a household that needs
    it, or (optimal) more households placed."""
    p = proposal.pairs
    holder = {u: g for g, u in proposal.assignment.items()}
    parts, reserved = [], []
    for u in np.flatnonzero(p.feasible[h]).tolist():
        g = holder.get(u)
        if g is None:
            continue
        other = p.households.iloc[g]
        choices = int(p.feasible[g].sum())
        kept = bool(_flag(p.households, "needs_step_free")[g] and _flag(p.units, "step_free")[u])
        why = ("ne ha bisogno senza barriere" if kept else f"ha {choices} alloggi adatti" if choices > 1 else
               "non ha altri alloggi adatti")
        reserved.append(kept)
        parts.append(f"{p.units.iloc[u]['code']} al nucleo {other['household']} (posizione {int(other['rank'])}, "
                     f"{why})")
    if not parts:
        return "gli alloggi adatti vanno a nuclei con posizione migliore in graduatoria"
    if all(reserved):
        return "alloggio senza barriere riservato a chi ne ha bisogno: " + "; ".join(parts)
    return "gli alloggi adatti vanno ad altri perché così si collocano più nuclei: " + "; ".join(parts)


def unmatched_units(proposal: Proposal) -> pd.DataFrame:
    taken = set(proposal.assignment.values())
    rows = [(proposal.pairs.units.iloc[u]["code"], unit_reason(proposal, u))
            for u in range(len(proposal.pairs.units)) if u not in taken]
    return pd.DataFrame(rows, columns=["unit", "reason"])


def unmatched_households(proposal: Proposal) -> pd.DataFrame:
    p = proposal.pairs
    rows = [(p.households.iloc[h]["household"], p.households.iloc[h]["code"], int(p.households.iloc[h]["rank"]),
             household_reason(proposal, h)) for h in range(len(p.households)) if h not in proposal.assignment]
    return pd.DataFrame(rows, columns=["household", "application", "rank", "reason"])


DEPARTURE_COLUMNS = ["unit", "household", "rank", "passed_over", "passed_over_rank", "reason"]


def departures(proposal: Proposal) -> pd.DataFrame:
    """Every departure from the ranking: a unit (in order of availability) given to a household while a
    better-ranked one it suits was still without a unit, with what happened to that one and why."""
    p = proposal.pairs
    holder = {u: g for g, u in proposal.assignment.items()}
    given: set[int] = set()
    needs, step_free = _flag(p.households, "needs_step_free"), _flag(p.units, "step_free")
    rows = []
    for u in sorted(holder):
        g = holder[u]
        better = [h for h in np.flatnonzero(p.feasible[:, u]).tolist() if h < g and h not in given]
        given.add(g)
        if not better:
            continue
        h = better[0]
        code, other = p.households.iloc[g]["household"], p.households.iloc[h]["household"]
        if step_free[u] and needs[g] and not needs[h]:
            why = f"alloggio senza barriere, riservato al nucleo {code} che ne ha bisogno"
        elif h in proposal.assignment:
            why = f"così si colloca anche il nucleo {code}"
        else:
            why = "così si collocano più nuclei"
        fate = (f"riceve invece {p.units.iloc[proposal.assignment[h]]['code']}" if h in proposal.assignment
                else "resta senza alloggio")
        rows.append((p.units.iloc[u]["code"], code, int(p.households.iloc[g]["rank"]), other,
                     int(p.households.iloc[h]["rank"]), f"il nucleo {other} {fate}: {why}"))
    return pd.DataFrame(rows, columns=DEPARTURE_COLUMNS)
