"""Panel evaluation: the panel a method reads and the result every method returns.

A `Panel` is a long frame (unit, period, outcome) with the treated units and the first treated
period; `Effect` is what an estimator says about it, with named fields (estimate, interval, p-value,
sizes, weights, warnings), so that pages, the CLI and the report read the same object.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from osservatorio.formatting import fmt_count

MIN_CLUSTERS = 30  # below this, cluster-robust standard errors are unreliable (Cameron-Miller 2015)
MIN_TREATED_CLUSTERS = 5  # the wild cluster bootstrap over-rejects with very few treated clusters (MacKinnon-Webb)
MIN_PRE_PERIODS = 3
METHOD_LABELS = {"did": "Differenza nelle differenze (effetti fissi unità e periodo)",
                 "sc": "Controllo sintetico", "sdid": "Differenza nelle differenze sintetica",
                 "staggered": "Avvii scaglionati: Callaway e Sant'Anna",
                 "imputation": "Avvii scaglionati: imputazione (Borusyak, Jaravel e Spiess)",
                 "did_placebo_time": "Placebo nel tempo: differenza nelle differenze",
                 "sc_placebo_time": "Placebo nel tempo: controllo sintetico"}


@dataclass
class Effect:
    """The estimated effect of the treatment on the treated, or None with the reason in `warnings`."""

    method: str
    estimate: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    se: float | None = None
    n_treated: int = 0
    n_control: int = 0
    n_pre: int = 0
    n_post: int = 0
    weights: dict[str, float] = field(default_factory=dict)
    pre_rmspe: float | None = None
    inference: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    def as_dict(self) -> dict:
        """Plain JSON-ready values (NaN becomes None)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float) and math.isnan(value):
                out[key] = None
        return out


@dataclass(frozen=True)
class Panel:
    """A long panel: `frame` has columns unit (str), period (sortable), y (float), treated (bool), post (bool)."""

    frame: pd.DataFrame
    treated_units: tuple[str, ...]
    start: object  # the first treated period (with staggered starts: the earliest)
    starts: tuple[tuple[str, object], ...] = ()  # (unit, its first treated period) when starts differ by unit

    @property
    def start_of(self) -> dict:
        """Each treated unit's first treated period."""
        return dict(self.starts) if self.starts else {u: self.start for u in self.treated_units}

    @property
    def is_staggered(self) -> bool:
        return len(set(self.start_of.values())) > 1

    def long_with_starts(self) -> pd.DataFrame:
        """Columns unit, period, y and start (the unit's first treated period, NaN if never treated)."""
        out = self.frame[["unit", "period", "y"]].copy()
        out["start"] = out["unit"].map(self.start_of)
        return out

    @property
    def periods(self) -> list:
        return sorted(self.frame["period"].unique())

    @property
    def units(self) -> list[str]:
        return sorted(self.frame["unit"].unique())

    @property
    def control_units(self) -> list[str]:
        return [u for u in self.units if u not in self.treated_units]

    @property
    def n_pre(self) -> int:
        return int(sum(p < self.start for p in self.periods))

    @property
    def n_post(self) -> int:
        return int(sum(p >= self.start for p in self.periods))

    def wide(self) -> pd.DataFrame:
        """Periods as rows, units as columns."""
        return self.frame.pivot_table(index="period", columns="unit", values="y", aggfunc="mean").sort_index()


def make_panel(frame: pd.DataFrame, *, unit: str, time: str, outcome: str, treated, start) -> Panel:
    """A `Panel` from any long frame; rows without an outcome are dropped (statsmodels needs no NaN).

    Raises ValueError (in Italian) when a column or a treated unit is missing, or nothing is before/after `start`.
    """
    missing = [c for c in (unit, time, outcome) if c not in frame.columns]
    if missing:
        raise ValueError(f"Colonne mancanti nel panel: {', '.join(missing)}. Colonne presenti: "
                         f"{', '.join(map(str, frame.columns))}.")
    out = pd.DataFrame({"unit": frame[unit].astype(str), "period": frame[time],
                        "y": pd.to_numeric(frame[outcome], errors="coerce")}).dropna(subset=["y", "period"])
    treated = tuple(str(t) for t in treated)
    present = set(out["unit"])
    unknown = [t for t in treated if t not in present]
    if unknown:
        raise ValueError(f"Unità trattate non presenti nel panel: {', '.join(unknown)}.")
    out["treated"] = out["unit"].isin(treated)
    out["post"] = out["period"] >= start
    if not out["post"].any() or out["post"].all():
        raise ValueError("Il periodo di avvio deve lasciare almeno un periodo prima e uno dopo.")
    out = out.groupby(["unit", "period"], as_index=False).agg(y=("y", "mean"), treated=("treated", "first"),
                                                              post=("post", "first"))
    return Panel(out.sort_values(["unit", "period"]).reset_index(drop=True), treated, start)


def make_staggered_panel(frame: pd.DataFrame, *, unit: str, time: str, outcome: str, start_column: str) -> Panel:
    """A `Panel` whose units start at their own period: column `start_column` holds each unit's first treated
    period (empty for the never treated); a unit with two different starts is refused."""
    if start_column not in frame.columns:
        raise ValueError(f"Colonna dell'avvio mancante nel panel: {start_column}. Colonne presenti: "
                         f"{', '.join(map(str, frame.columns))}.")
    starts = frame[[unit, start_column]].dropna().assign(**{unit: lambda d: d[unit].astype(str)})
    several = starts.groupby(unit)[start_column].nunique()
    if (several > 1).any():
        raise ValueError(f"Unità con più di un periodo di avvio nella colonna «{start_column}»: "
                         f"{', '.join(several.index[several > 1][:5])}.")
    first = starts.groupby(unit)[start_column].first()
    if first.empty:
        raise ValueError(f"La colonna «{start_column}» non indica alcuna unità trattata.")
    panel = make_panel(frame, unit=unit, time=time, outcome=outcome, treated=list(first.index), start=first.min())
    out = panel.frame.assign(post=panel.frame["unit"].map(first).le(panel.frame["period"]).fillna(False)
                             .astype(bool))
    return Panel(out, panel.treated_units, first.min(), tuple((u, first[u]) for u in panel.treated_units))


def size_warnings(panel: Panel) -> list[str]:
    """Plain statements about what makes the inference fragile: few units, few treated, few periods."""
    out = []
    n_units, n_treated = len(panel.units), len(panel.treated_units)
    if n_units < MIN_CLUSTERS:
        out.append(f"Solo {n_units} unità (gruppi per l'errore standard): sotto {MIN_CLUSTERS} l'errore standard "
                   "robusto per gruppi è poco affidabile; il p-value viene dal wild cluster bootstrap.")
    if n_treated < MIN_TREATED_CLUSTERS:
        out.append(f"Solo {fmt_count(n_treated, 'unità trattata', 'unità trattate')}: anche il wild cluster "
                   "bootstrap è poco affidabile con meno di "
                   f"{MIN_TREATED_CLUSTERS} unità trattate; leggere l'intervallo con prudenza.")
    if panel.n_pre < MIN_PRE_PERIODS:
        out.append(f"Solo {fmt_count(panel.n_pre, 'periodo', 'periodi')} prima dell'avvio: non si può controllare "
                   "l'andamento parallelo.")
    return out


def period_index(panel: Panel) -> pd.Series:
    """Position of each row's period in the sorted periods (0, 1, ...)."""
    order = {p: i for i, p in enumerate(panel.periods)}
    return panel.frame["period"].map(order).astype(int)


def rademacher_or_webb(n_clusters: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap weights (clusters x reps): Webb's six-point weights below 12 clusters, Rademacher above."""
    if n_clusters < 12:
        points = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
        return rng.choice(points, size=(n_clusters, reps))
    return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, reps))
