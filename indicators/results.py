"""Result objects of the indicators: a value with the numerator and denominator it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from indicators.registry import KPI, get_kpi


@dataclass
class KpiValue:
    """One figure of a registry KPI; `value` is None when it cannot be computed honestly (see `warnings`)."""

    code: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    as_of: date | None = None
    start: date | None = None
    end: date | None = None
    breakdown: dict[str, float | None] = field(default_factory=dict)  # None: not computable, or hidden
    warnings: list[str] = field(default_factory=list)
    no_data: bool = False  # asked outside the dates its data covers (`indicators.coverage`): say so, show no number
    hidden_fields: frozenset[str] = frozenset()  # fields set to None by small-cell suppression (`disclosure`)

    @property
    def kpi(self) -> KPI:
        return get_kpi(self.code)


def ratio(numerator: float | None, denominator: float | None, *, scale: float = 100.0) -> float | None:
    """numerator / denominator × scale, or None when the denominator is zero or missing."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale


class AttrDict(dict):
    """A mapping kept in a frame's `attrs` and never changed (the counts behind each figure): pandas deep-copies a
    frame's attrs at every step (each column read, each copy), and the deep copy of this one is itself."""

    def __deepcopy__(self, memo) -> AttrDict:
        return self

    def __copy__(self) -> AttrDict:
        return self


class AttrList(list):
    """A list kept in a frame's `attrs` and never changed: see `AttrDict`."""

    def __deepcopy__(self, memo) -> AttrList:
        return self

    def __copy__(self) -> AttrList:
        return self
