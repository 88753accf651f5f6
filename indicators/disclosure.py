"""What a suppressed reader (the Regione) may see of any result: one rule for tiles, tables, charts, CLI and reports.

Every figure rests on a count base: the households, contracts, cases, applications or events it was computed
from. `COUNT_BASES` says, per registry KPI, which fields of its result are such counts (`value`, `numerator`,
`denominator`, breakdown keys, or columns of its tables) and which of them the figure is derived from. The rule:
- a count of 1 .. threshold − 1 is hidden (zero is not sensitive);
- a value derived from a hidden count (a rate, a mean, a money amount) is hidden with it;
- when a published total would give a hidden count back by subtraction, the next smallest count is hidden too
  (secondary suppression, `indicators.suppression.secondary_mask`).
Figures about dwellings (vacancy, units managed), budgets and the Comuni's public statistics count no household
and are not suppressed; money rates over the whole ledger rest on the households in scope; maintenance tickets,
reported by households, are counted like events.
Hidden fields become None; `hidden_fields` lists them so a page can say "nascosto" rather than "n.d." or zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from indicators.results import KpiValue
from indicators.suppression import Suppressed, primary_mask, secondary_mask

HIDDEN = "nascosto"  # how a suppressed figure is written in Italian
HIDDEN_FLAG = "__nascosto"  # suffix of the boolean column that marks a column's hidden cells (kept through sorts)
HIDDEN_NOTE = "nascosto per riservatezza: calcolato su meno di {t} nuclei, contratti, pratiche o eventi"
TABLE_NOTE = ("Per tutelare la riservatezza dei nuclei, i valori «nascosto» sono calcolati su meno di {t} nuclei, "
              "contratti, pratiche o eventi, oppure permetterebbero di ricavarli per differenza dai totali.")


@dataclass(frozen=True)
class CountBase:
    """The count fields of one KPI's result (`counts`), those its value is derived from (`base`), and those that
    add up to a published total (`parts`: a lone hidden part would follow by subtraction)."""

    counts: tuple[str, ...]
    base: tuple[str, ...]
    parts: tuple[str, ...] = ()


HOUSEHOLD_BANDS = ("protezione", "accesso", "permanenza", "decadenza", "band_unknown")  # `tenant_mix` columns
_RATE = CountBase(("numerator", "denominator"), ("numerator", "denominator"))
COUNT_BASES: dict[str, CountBase] = {
    "arrears_stock_eur": CountBase(("contratti",), ("contratti",)),
    "households_in_arrears_pct": _RATE,
    "arrears_aging": CountBase(("contracts",), ("contracts",)),
    "arrears_aging_by_charge": CountBase(("contracts",), ("contracts",)),
    "late_cases": CountBase(("value", "numerator", "denominator", "late", "open", "closed", "resolved"),
                            ("value", "denominator")),
    "no_fault_share": CountBase(("numerator", "denominator", "no_fault", "culpable", "not_assessed"),
                                ("numerator", "denominator", "no_fault", "culpable"), ("no_fault", "culpable")),
    "plan_recovery_eur": CountBase(("plans",), ("plans",)),
    "relet_days": CountBase(("denominator", "rilocazioni", "escluse_prime_locazioni", "escluse_dopo_lavori",
                             "escluse_date_incoerenti"), ("denominator", "rilocazioni")),
    "turnover_rate": CountBase(("numerator", "contratti_cessati"), ("numerator", "contratti_cessati")),
    "evictions_per_1000": CountBase(("numerator", "sfratti", "da_pratiche", "da_cessazioni"),
                                    ("numerator", "sfratti"), ("da_pratiche", "da_cessazioni")),
    "applications_received": CountBase(("value", "numerator", "received", "eligible", "allocated", "renounced",
                                        "rejected", "pending"), ("received", "allocated"),
                                       ("eligible", "rejected", "pending")),
    "allocation_days": CountBase(("denominator", "allocations"), ("denominator", "allocations")),
    "waiting_list": CountBase(("value", "numerator", "idonee_in_attesa", "in_istruttoria"), (),
                              ("idonee_in_attesa", "in_istruttoria")),
    # maintenance tickets are reported by the households of a building: few tickets are theirs
    "ticket_backlog": CountBase(("value", "numerator", "backlog"), ("value",)),
    "ticket_days_to_close": CountBase(("denominator", "opened", "closed", "backlog"), ("denominator", "closed")),
    "ticket_cost_per_unit_eur": CountBase(("opened", "closed", "backlog"), ("closed",)),
    # facility quality, tenancy pipeline, tenant mix (`service_levels`, `lease_pipeline`, `tenant_mix`)
    **dict.fromkeys(("ticket_within_target_pct", "ticket_repeat_pct", "ticket_reopened_pct"), CountBase(
        ("numerator", "denominator", "closed", "with_target", "within_target", "repeats", "reopened"),
        ("numerator", "denominator"))),
    "ticket_cost_mean_eur": CountBase(("denominator", "closed", "with_target", "within_target", "repeats",
                                       "reopened"), ("denominator",)),
    "ticket_backlog_over_target": CountBase(("value", "numerator", "denominator", "backlog"), ("value",)),
    "ticket_backlog_age": CountBase(("tickets", "over_target"), ("tickets",)),
    "leases_ending": CountBase(("value", "ending_3", "ending_6", "ending_12", "expected_relets"), ("value",)),
    # units coming free are mostly leases ending (households leaving); beside them, the households waiting
    "units_coming_free": CountBase(("value", "free_now", "free_3", "free_6", "households"), ("value",)),
    "void_loss_risk_eur": CountBase(("ending_3", "ending_6", "ending_12", "expected_relets"), ("expected_relets",)),
    "tenant_households": CountBase(("value", "numerator", "households", "income_known", *HOUSEHOLD_BANDS),
                                   ("value",), HOUSEHOLD_BANDS),
    **dict.fromkeys(("households_social_services_pct", "households_with_employed_pct", "households_over_burden_pct"),
                    _RATE),
    **dict.fromkeys(("household_members_mean", "rent_burden_median_pct", "rent_per_m2_eur"),
                    CountBase(("denominator", "households", "income_known"), ("denominator",))),
}
TICKET_COUNTS = ("opened", "closed", "backlog")  # the count columns of `facilities.ticket_summary`
# Money rates of the ledger: their numerator is the debt of the leases in arrears (a lease with a charge of the period
# unpaid at its end has a positive balance then), so they rest on those leases, counted by `arrears_stock`.
DEBT_BASED = {"arrears_rate_billed", "arrears_rate_rent_roll", "collection_rate", "collection_rate_with_arrears",
              "performance_index_pct", "operating_margin_eur"}
# Fields of a result that are never derived from its counts (descriptive, not figures).
NOT_DERIVED = {"group", "bucket", "month", "year", "label", "stage", "as_of", "start", "end"}


def is_small(count, threshold: int) -> bool:
    """0 < count < threshold (None and NaN are not counts)."""
    if count is None or isinstance(count, bool):
        return False
    try:
        value = float(count)
    except (TypeError, ValueError):
        return False
    return not np.isnan(value) and 0 < value < threshold


def _hidden_counts(counts: dict[str, float], threshold: int, parts: tuple[str, ...]) -> set[str]:
    """Small counts plus complements: among the `parts` of a published total, a lone hidden part takes the next
    smallest with it."""
    hidden = {k for k, v in counts.items() if is_small(v, threshold)}
    line = [k for k in parts if k in counts]
    if len(line) >= 2:
        grid = pd.DataFrame({"n": [float(counts[k] or 0) for k in line]}, index=line)
        full = secondary_mask(grid, primary_mask(grid, threshold), rows=False, columns=True)["n"]
        hidden |= {k for k in line if full[k]}
    return hidden


def _value_counts(value: KpiValue, spec: CountBase) -> dict[str, float]:
    fields = {"value": value.value, "numerator": value.numerator, "denominator": value.denominator}
    found = {k: fields[k] if k in fields else value.breakdown.get(k) for k in spec.counts}
    return {k: v for k, v in found.items() if v is not None}


def protect_value(value: KpiValue, *, threshold: int | None, households: int | None = None,
                  debtors: int | None = None) -> KpiValue:
    """`value` as a suppressed reader may see it (unchanged when `threshold` is None).

    `households`: the households in the figure's scope; a scope of 1 .. threshold − 1 households hides it all.
    `debtors`: the leases in arrears of the scope, on which the `DEBT_BASED` rates rest."""
    if threshold is None:
        return value
    if is_small(households, threshold) or (value.code in DEBT_BASED and is_small(debtors, threshold)):
        return _hide(value, {"value", "numerator", "denominator", *value.breakdown}, threshold)
    spec = COUNT_BASES.get(value.code)
    if spec is None:
        return value
    hidden = _hidden_counts(_value_counts(value, spec), threshold, spec.parts)
    if hidden & set(spec.base):  # what is derived from a hidden count (rates, means, money) goes with it
        hidden |= {k for k in ("value", "numerator", "denominator", *value.breakdown) if k not in spec.counts}
    return _hide(value, hidden, threshold) if hidden else value


def hide_value(value: KpiValue, *, threshold: int) -> KpiValue:
    """The whole figure hidden (e.g. a money amount derived from a count published elsewhere as small)."""
    return _hide(value, {"value", "numerator", "denominator", *value.breakdown}, threshold)


def _hide(value: KpiValue, names: set[str], threshold: int) -> KpiValue:
    breakdown = {k: (None if k in names else v) for k, v in value.breakdown.items()}
    note = HIDDEN_NOTE.format(t=threshold) + "."
    warnings = [*value.warnings, note] if "value" in names and note not in value.warnings else value.warnings
    hidden = replace(value, breakdown=breakdown, warnings=warnings, hidden_fields=frozenset(names))
    for name in ("value", "numerator", "denominator"):
        if name in names:
            setattr(hidden, name, None)
    return hidden


def is_hidden(value: KpiValue, name: str = "value") -> bool:
    """Whether field `name` of `value` was hidden by suppression (rather than not computable)."""
    return name in value.hidden_fields


@dataclass
class Protected(Suppressed):
    """A suppressed table, and which cells of it were hidden (same shape, True = hidden)."""

    mask: pd.DataFrame = field(default_factory=pd.DataFrame)


def _is_figure(values: pd.Series) -> bool:
    """Whether a column holds figures (numbers, lists of numbers for sparklines), not labels or flags."""
    if str(values.name).endswith(HIDDEN_FLAG) or pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = values.dropna()
    return not present.empty and all(isinstance(v, (int, float, list, np.number)) and not isinstance(v, bool)
                                      for v in present)


def _count_grid(frame: pd.DataFrame, columns: list[str], households: pd.Series | None) -> pd.DataFrame:
    """Per row, its counts: the given columns of `frame`, and the households of its group."""
    grid = frame[columns].apply(pd.to_numeric, errors="coerce") if columns else pd.DataFrame(index=frame.index)
    if households is not None:
        grid = grid.assign(__households=households.to_numpy())
    return grid.fillna(0)


def protect_frame(frame: pd.DataFrame, *, threshold: int | None, code: str | None = None,
                  households: pd.Series | None = None, count_columns: tuple[str, ...] = (),
                  debtors: pd.Series | None = None) -> Protected:
    """A table (one row per group, or per bucket) as a suppressed reader may see it.

    Each count column (`COUNT_BASES[code]`, or `count_columns`) loses its small cells, and complements so that
    the column's total (a headline figure) gives none back; a row whose base counts (or its group's
    `households`, aligned on the frame's rows) have a hidden one loses every figure."""
    nothing = Protected(frame, threshold=threshold or 0, mask=pd.DataFrame(False, frame.index, frame.columns))
    if threshold is None or frame.empty:
        return nothing
    spec = CountBase(count_columns, count_columns) if count_columns else COUNT_BASES.get(code) if code else None
    base = [c for c in (spec.base if spec else ()) if c in frame.columns]
    counts = [c for c in (spec.counts if spec else ()) if c in frame.columns and c not in base]
    grid = _count_grid(frame, base + counts, households)
    if debtors is not None and code in DEBT_BASED:
        grid = grid.assign(__debtors=debtors.fillna(0).to_numpy())
    if grid.shape[1] == 0:
        return nothing
    first = primary_mask(grid, threshold)
    full = secondary_mask(grid, first, rows=False, columns=True)
    deciding = [c for c in full.columns if c not in counts]
    row_hide = full[deciding].any(axis=1).to_numpy()
    figures = [c for c in frame.columns if _is_figure(frame[c]) and c not in NOT_DERIVED]
    mask = pd.DataFrame({c: (row_hide | full[c].to_numpy()) if c in counts else
                         row_hide if c in figures else np.zeros(len(frame), bool) for c in frame.columns},
                        index=frame.index)
    out = frame.copy()
    for column in figures:
        out[column] = _blank(out[column], mask[column].to_numpy())
    n_first = int(first.to_numpy().sum())
    return Protected(flagged(out, mask), primary=n_first, secondary=int(full.to_numpy().sum()) - n_first,
                     threshold=threshold, hidden_rows=list(frame.index[row_hide]), mask=mask)


def protect_grouped_buckets(frame: pd.DataFrame, *, threshold: int | None) -> Protected:
    """An aging table per group (group × bucket, with `contracts`): a two-way table whose row totals (each
    group's stock) and column totals (each bucket's) are published, so hidden cells get complements both ways."""
    if threshold is None or frame.empty:
        return Protected(frame, threshold=threshold or 0, mask=pd.DataFrame(False, frame.index, frame.columns))
    grid = frame.pivot_table(index="group", columns="bucket", values="contracts", aggfunc="sum", dropna=False,
                             sort=False).fillna(0)
    full = secondary_mask(grid, primary_mask(grid, threshold))
    hide = np.array([bool(full.at[g, b]) for g, b in zip(frame["group"], frame["bucket"])])
    out = frame.copy()
    for column in ("amount", "contracts"):
        out[column] = _blank(out[column], hide)
    mask = pd.DataFrame({c: hide if c in ("amount", "contracts") else np.zeros(len(frame), bool)
                         for c in frame.columns}, index=frame.index)
    out = flagged(out, mask)
    n_first = int(primary_mask(grid, threshold).to_numpy().sum())
    return Protected(out, primary=n_first, secondary=int(hide.sum()) - n_first, threshold=threshold,
                     hidden_rows=list(frame.index[hide]), mask=mask)


def _blank(values: pd.Series, hide: np.ndarray) -> pd.Series:
    """Hidden cells emptied: NaN in a float column (so it stays numeric), None elsewhere."""
    if pd.api.types.is_float_dtype(values):
        return values.where(~hide)
    return values.astype(object).where(~hide, None)


def flagged(frame: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a `<column>__nascosto` boolean column beside each column that has hidden cells."""
    flags = {f"{c}{HIDDEN_FLAG}": mask[c].to_numpy(dtype=bool) | hidden_cells(frame, c).to_numpy()
             for c in mask.columns if c in frame.columns and not str(c).endswith(HIDDEN_FLAG) and mask[c].any()}
    return frame.assign(**flags) if flags else frame


def hidden_cells(frame: pd.DataFrame, column: str) -> pd.Series:
    """Which cells of `column` were hidden by suppression (False everywhere when none was)."""
    flag = f"{column}{HIDDEN_FLAG}"
    if flag in frame.columns:
        return frame[flag].fillna(False).astype(bool)
    return pd.Series(False, index=frame.index)


def without_flags(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the frame without its `__nascosto` columns, the mask of hidden cells over the remaining columns)."""
    data = frame[[c for c in frame.columns if not str(c).endswith(HIDDEN_FLAG)]]
    return data, pd.DataFrame({c: hidden_cells(frame, c) for c in data.columns}, index=frame.index)


def any_hidden(frame: pd.DataFrame) -> bool:
    """Whether any cell of `frame` is flagged as hidden."""
    return any(str(c).endswith(HIDDEN_FLAG) and frame[c].fillna(False).astype(bool).any() for c in frame.columns)


def households_for(frame: pd.DataFrame, households: pd.DataFrame | None) -> pd.Series | None:
    """The households of each row's group (`households_by`'s frame), aligned on `frame`'s rows."""
    if households is None or "group" not in frame.columns:
        return None
    base = dict(zip(households["group"], households["households"]))
    return pd.Series([base.get(g, 0) for g in frame["group"]], index=frame.index, dtype=float)


def protect_indicator(conn, code: str, result, *, threshold: int | None, as_of, scope, by: str | None = None):
    """`catalog.compute`'s result for a suppressed reader, with the households it rests on counted in `scope` at
    `as_of`; returns (result, note). A table's hidden cells are flagged in `<column>__nascosto` columns."""
    from indicators.arrears import arrears_stock
    from indicators.scope import GROUPINGS
    from indicators.suppression import households_by

    if threshold is None:
        return result, ""
    stock = arrears_stock(conn, as_of=as_of, scope=scope, by=by) if code in DEBT_BASED else None
    if isinstance(result, KpiValue):
        base = households_by(conn, as_of=as_of, scope=scope)
        debtors = stock.breakdown.get("contratti") if stock is not None else None
        return protect_value(result, threshold=threshold, households=int(base["households"].sum()),
                             debtors=None if debtors is None else int(debtors)), ""
    if result.empty:
        return result, ""
    if "group" in result.columns and "bucket" in result.columns:
        done = protect_grouped_buckets(result, threshold=threshold)
    else:
        # households per group where the grouping is one of the portfolio's; else (ticket category...) the
        # table's own counts decide
        groups = households_by(conn, as_of=as_of, scope=scope, by=by) if by in GROUPINGS else None
        done = protect_frame(result, threshold=threshold, code=code, households=households_for(result, groups),
                             debtors=debtors_for(result, stock))
    return done.frame, done.note


def debtors_for(frame: pd.DataFrame, stock: pd.DataFrame | None) -> pd.Series | None:
    """The leases in arrears of each row's group (`arrears_stock`'s `contratti` by group), aligned on `frame`."""
    if stock is None or "group" not in frame.columns or "contratti" not in stock.columns:
        return None
    base = dict(zip(stock["group"], stock["contratti"]))
    return pd.Series([base.get(g, 0) for g in frame["group"]], index=frame.index, dtype=float)


def blank_small(frame: pd.DataFrame, columns: tuple[str, ...], *, threshold: int | None) -> pd.DataFrame:
    """Counts of 1 .. threshold − 1 in `columns` blanked, row by row (a series over time, with no total)."""
    if threshold is None or frame.empty:
        return frame
    out = frame.copy()
    for column in columns:
        out[column] = _blank(out[column], out[column].map(lambda v: is_small(v, threshold)).to_numpy(dtype=bool))
    return out


def protect_series(series: pd.DataFrame, *, threshold: int | None) -> pd.DataFrame:
    """A monthly series as a suppressed reader may see it: each month's figure whose counts (the
    `attrs["counts"]` the indicator left: column -> one tuple of counts per row) include a small one is blanked.
    A month is not a cell of a table with a published total, so no complement is needed."""
    counts = series.attrs.get("counts")
    if threshold is None or series.empty or not counts:
        return series
    out = series.copy()
    for column, rows in counts.items():
        if column in out.columns:
            hide = np.array([any(is_small(c, threshold) for c in row) for row in rows], dtype=bool)
            out[column] = _blank(out[column], hide)
    return out


def small_periods(panel: pd.DataFrame, units, *, threshold: int | None) -> set:
    """Periods of a building panel (`indicators.panels`, with `attrs["counts"]`) where the figure of `units` taken
    together rests on a small count: any count summed over those units is 1 .. threshold − 1."""
    counts = panel.attrs.get("counts")
    if threshold is None or not counts or panel.empty:
        return set()
    rows = pd.DataFrame([tuple(c) for c in counts], index=panel.index).fillna(0)
    chosen = rows[panel["unit"].isin(set(units)).to_numpy()]
    sums = chosen.groupby(panel.loc[chosen.index, "period"]).sum()
    return {period for period, row in sums.iterrows() if any(is_small(v, threshold) for v in row)}
