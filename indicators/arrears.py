"""Arrears (morosità) KPIs of domain.md, each a small aggregation of the FIFO positions of `indicators.ledger`.

Conventions shared by every function (domain.md, "KPI definitions"):

- a charge (addebito) counts from its due date, `COALESCE(due_date, entry_date)`; charges not yet due
  at D are not arrears; credits count from their entry date;
- payments (incasso), reversals (storno), allowances (abbuono) and write-offs (stralcio) all reduce the
  balance, allocated first in, first out to the oldest charges (by due date, then id); a credit balance
  (prepayment, overpayment) is not arrears and is consumed by the charges as they fall due;
- only payments are *collected*: reversals, allowances and write-offs settle debt without cash, so the
  collection rates leave them out (the share they settle is neither collected nor in arrears);
- a lease is active at D when start_date <= D and (end_date is null or end_date >= D); it is a former
  tenancy (cessato) when end_date < D.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import coverage
from indicators.ledger import TOTALS, totals, unpaid_charges_ctes
from indicators.scope import Scope
from indicators.ledger_sql import AGING_BUCKETS, aging_bucket, date_param, day_diff, month_ends, month_key
from indicators.results import AttrDict, KpiValue, ratio
from indicators.sql import connected, query

Conn = Connection | Engine
NO_LEASES = "nessun contratto nel perimetro"
NO_MOVES = "nessun movimento contabile nel perimetro fino alla data"
BALANCE_COLUMNS = ["lease_code", "household_code", "unit_code", "building_code", "intervention_code", "fund", "tenure",
                   "active", "balance", "oldest_unpaid_due", "days_overdue", "bucket"]


@dataclass(frozen=True)
class _Spec:
    """How a registry KPI reads the `totals`: numerator / denominator × 100 (or the numerator alone)."""

    numerator: str
    denominator: str | None
    on_period: bool  # a period KPI (start, end) rather than a date KPI (as_of)
    empty: str = ""  # the reason when the denominator is zero


_NO_CHARGES, _NO_ACTIVE = "nessun addebito con scadenza nel periodo", "nessun contratto attivo alla data"
SPECS = {
    "arrears_stock_eur": _Spec("stock", None, False),
    "arrears_rate_billed": _Spec("period_unpaid", "period_charged", True, _NO_CHARGES),
    "arrears_rate_rent_roll": _Spec("stock_active", "annual_rent", False, _NO_ACTIVE),
    "households_in_arrears_pct": _Spec("households_overdue", "active_leases", False, _NO_ACTIVE),
    "collection_rate": _Spec("period_collected", "period_charged", True, _NO_CHARGES),
    "collection_rate_with_arrears": _Spec("period_cash", "period_charged", True, _NO_CHARGES),
}
_STOCK_EXTRA = {"in_essere": "stock_current", "cessati": "stock_former", "contratti": "contracts_in_arrears"}


def _result(code: str, frame: pd.DataFrame, by: str | None, start: date | None, end: date) -> KpiValue | pd.DataFrame:
    """KPI `code` from an unbucketed `totals`: a KpiValue, or with `by` one row per group."""
    if by:
        return _by_frame(code, frame, SPECS[code])
    return _value(code, frame.iloc[0].to_dict() if len(frame) else dict.fromkeys([*TOTALS, "stock_current"], 0.0),
                  start, end)


def _value(code: str, row: dict, start: date | None, end: date) -> KpiValue:
    """KPI `code` of a whole scope from its `TOTALS` (and stock_current)."""
    spec = SPECS[code]
    warnings = [NO_LEASES] if row["leases"] == 0 else [NO_MOVES] if row["moves"] == 0 else []
    numerator = float(row[spec.numerator])
    denominator = None if spec.denominator is None else float(row[spec.denominator])
    if spec.denominator and not denominator and not warnings:
        warnings = [spec.empty]
    value = None if warnings else numerator if spec.denominator is None else ratio(numerator, denominator)
    dates = {"start": start, "end": end} if spec.on_period else {"as_of": end}
    result = KpiValue(code=code, value=value, numerator=numerator, denominator=denominator, warnings=warnings, **dates)
    if code == "arrears_stock_eur":
        result.breakdown = {k: float(row[v]) for k, v in _STOCK_EXTRA.items()}
        result.breakdown["contratti"] = int(row["contracts_in_arrears"])
    return result


def _by_frame(code: str, frame: pd.DataFrame, spec: _Spec) -> pd.DataFrame:
    """One row per group: group, value, numerator, denominator (+ in_essere, cessati, contratti for the stock)."""
    valid = (frame["leases"] > 0) & (frame["moves"] > 0)
    num = frame[spec.numerator]
    if spec.denominator is None:
        value, denominator = num.where(valid), pd.Series(None, index=frame.index, dtype=object)
    else:
        denominator = frame[spec.denominator]
        value = (num / denominator.where(denominator != 0) * 100).where(valid)
    out = pd.DataFrame({"group": frame["grp"], "value": value.astype(object).where(value.notna(), None),
                        "numerator": num, "denominator": denominator})
    if code == "arrears_stock_eur":
        for target, source in _STOCK_EXTRA.items():
            out[target] = frame[source]
    out.attrs["kpi"] = code
    return out


def arrears_kpis(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None,
                 days: int = 30) -> dict[str, KpiValue | pd.DataFrame]:
    """Every lease-level arrears KPI from one read of the ledger, keyed by registry code (see `SPECS`).

    The date KPIs are taken at `end`, the period ones over [start, end]; each value is what its own
    function returns (`arrears_stock`, `arrears_rate_billed`, ...), for a page that shows them together.

    Parameters
    ----------
    conn : Engine or Connection
    start, end : date, the period (end is also the date D)
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`
    days : int, the `households_in_arrears_pct` threshold

    Returns
    -------
    dict
        registry code -> KpiValue (or, with `by`, a frame as the single functions return).
    """
    _check_period(start, end)
    with connected(conn) as conn:
        frame = totals(conn, scope=scope, by=by, as_of=end, start=start, days=days)
        return _covered(conn, {code: _result(code, frame, by, start, end) for code in SPECS}, start, end)


def _covered(conn: Conn, results: dict, start: date, end: date) -> dict:
    """The bundle's figures as "no data" outside the ledger's dates (`coverage.checked`), as each function's are."""
    return {code: coverage.checked(conn, r, **({"start": start, "end": end} if SPECS[code].on_period
                                               else {"as_of": end})) for code, r in results.items()}


def arrears_stock(conn: Conn, *, as_of: date, scope: Scope = Scope(), by: str | None = None) -> KpiValue | pd.DataFrame:
    """Accumulated arrears at D (`arrears_stock_eur`, domain.md).

    stock = Σ over leases of max(0, charges due <= D − credits entered <= D); credits are payments,
    reversals, allowances and write-offs alike. Breakdown: ``in_essere`` (leases not ended at D),
    ``cessati`` (former tenancies, end_date < D), ``contratti`` (leases with a positive balance).

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`

    Returns
    -------
    KpiValue
        value = numerator = the stock in euro, denominator None. With `by`, a frame: group, value,
        numerator, denominator, in_essere, cessati, contratti.
    """
    return _result("arrears_stock_eur", totals(conn, scope=scope, by=by, as_of=as_of), by, None, as_of)


def arrears_rate_billed(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None
                        ) -> KpiValue | pd.DataFrame:
    """Arrears rate on billing (`arrears_rate_billed`, domain.md), in points.

    (charges due in [start, end] − the part of them settled by end) / charges due in [start, end] × 100,
    credits allocated FIFO as of `end`. Write-offs, reversals and allowances settle charges as payments do,
    so a written-off charge is not arrears here (it is not collected either: see `collection_rate`).

    Parameters
    ----------
    conn : Engine or Connection
    start, end : date, the period of the due dates (both included)
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`

    Returns
    -------
    KpiValue
        value in points, None when nothing falls due in the period. With `by`, a frame: group, value,
        numerator, denominator.
    """
    _check_period(start, end)
    return _result("arrears_rate_billed", totals(conn, scope=scope, by=by, as_of=end, start=start), by, start, end)


def arrears_rate_rent_roll(conn: Conn, *, as_of: date, scope: Scope = Scope(), by: str | None = None
                           ) -> KpiValue | pd.DataFrame:
    """Current tenants' arrears on the annual rent roll (`arrears_rate_rent_roll`, domain.md), in points.

    Σ positive balances at D of leases active at D / (12 × Σ monthly_rent of leases active at D) × 100
    (the UK "current tenant arrears %"); former tenancies are left out of both terms.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`

    Returns
    -------
    KpiValue
        value in points. With `by`, a frame: group, value, numerator, denominator.
    """
    return _result("arrears_rate_rent_roll", totals(conn, scope=scope, by=by, as_of=as_of), by, None, as_of)


def households_in_arrears(conn: Conn, *, as_of: date, days: int = 30, scope: Scope = Scope(), by: str | None = None
                          ) -> KpiValue | pd.DataFrame:
    """Households in arrears (`households_in_arrears_pct`, domain.md), in points.

    leases active at D whose oldest unpaid charge (FIFO) is overdue by more than `days` days
    (D − due date > days) / leases active at D × 100. A charge due exactly `days` days before D does not count.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    days : int, the threshold N of domain.md (30: the procedure's first reminder)
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`

    Returns
    -------
    KpiValue
        value in points, numerator and denominator in leases. With `by`, a frame: group, value, numerator,
        denominator.
    """
    frame = totals(conn, scope=scope, by=by, as_of=as_of, days=days)
    return _result("households_in_arrears_pct", frame, by, None, as_of)


def collection_rate(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None,
                    include_arrears: bool = False) -> KpiValue | pd.DataFrame:
    """Collection rate over [start, end] (domain.md), in points; only payments (incasso) are collections.

    Default (`collection_rate`): the part of the charges due in the period settled by payments by `end`
    / charges due in the period × 100. Credits are allocated FIFO; within the settled part, reversals,
    allowances and write-offs (storno, abbuono, stralcio) are taken to settle the oldest debt before the
    payments do, and are not collections, so rate + `arrears_rate_billed` + their share = 100.
    `include_arrears=True` (`collection_rate_with_arrears`): every payment entered in the period, also on
    arrears brought forward or in advance / charges due in the period × 100; it can exceed 100.

    Parameters
    ----------
    conn : Engine or Connection
    start, end : date, the period (both included)
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`
    include_arrears : bool, the cash variant

    Returns
    -------
    KpiValue
        value in points. With `by`, a frame: group, value, numerator, denominator.
    """
    _check_period(start, end)
    code = "collection_rate_with_arrears" if include_arrears else "collection_rate"
    return _result(code, totals(conn, scope=scope, by=by, as_of=end, start=start), by, start, end)


def arrears_aging(conn: Conn, *, as_of: date, scope: Scope = Scope(), by: str | None = None) -> pd.DataFrame:
    """Unpaid amount at D by the age of each unpaid charge (`arrears_aging_by_charge`).

    age = D − due date of the charge, credits allocated FIFO; buckets 0-30, 31-60, 61-90, 91-365 days,
    "1-2 anni" (366-730), "oltre 2 anni" (over 730).

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`

    Returns
    -------
    DataFrame
        [group,] bucket, amount (euro), contracts (leases with an unpaid charge in the bucket); every
        bucket is present, in order, for every group.
    """
    sql = """aged AS (SELECT u.lease_code, sl.grp, u.bucket, u.unpaid FROM unpaid u
                      JOIN sl ON sl.lease_code = u.lease_code)"""
    return _aging(conn, as_of=as_of, scope=scope, by=by, aged=sql, code="arrears_aging_by_charge")


def arrears_aging_by_contract(conn: Conn, *, as_of: date, scope: Scope = Scope(), by: str | None = None
                              ) -> pd.DataFrame:
    """Arrears at D by the age of each lease's oldest unpaid charge (`arrears_aging`, domain.md).

    Each lease's whole positive balance goes in the bucket of its oldest unpaid charge (FIFO); same
    buckets and columns as `arrears_aging`, contracts being the leases in the bucket.
    """
    sql = f"""aged AS (SELECT o.lease_code, sl.grp, {aging_bucket('o.age')} AS bucket, o.debt AS unpaid
                       FROM (SELECT lease_code, MAX(age) AS age, SUM(unpaid) AS debt FROM unpaid
                             GROUP BY lease_code) o
                       JOIN sl ON sl.lease_code = o.lease_code)"""
    return _aging(conn, as_of=as_of, scope=scope, by=by, aged=sql, code="arrears_aging")


def _aging(conn: Conn, *, as_of: date, scope: Scope, by: str | None, aged: str, code: str) -> pd.DataFrame:
    ctes, params = unpaid_charges_ctes(conn, scope=scope, by=by, as_of=as_of)
    frame = query(conn, f"""WITH {ctes}, {aged}
        SELECT grp, bucket, SUM(unpaid) AS amount, COUNT(DISTINCT lease_code) AS contracts
        FROM aged GROUP BY grp, bucket
        UNION ALL SELECT grp, NULL, 0, 0 FROM sl GROUP BY grp""", params)
    return _aging_frame(frame, by, code)


def _aging_frame(frame: pd.DataFrame, by: str | None, code: str) -> pd.DataFrame:
    """Rows (grp, bucket, amount, contracts; a NULL bucket lists a group) as one row per group and bucket."""
    rows = frame.dropna(subset=["bucket"]).rename(columns={"grp": "group"})
    if by:
        groups = sorted(frame["grp"].dropna().unique()) + ([None] if frame["grp"].isna().any() else [])
        grid = pd.DataFrame([(g, b) for g in groups for b in AGING_BUCKETS], columns=["group", "bucket"])
        out = grid.merge(rows, on=["group", "bucket"], how="left")
        out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
    else:
        out = pd.DataFrame({"bucket": AGING_BUCKETS}).merge(rows.drop(columns="group"), on="bucket", how="left")
    out["amount"] = out["amount"].fillna(0).astype(float).round(2)
    out["contracts"] = out["contracts"].fillna(0).astype(int)
    out.attrs["kpi"] = code
    return out


def contract_balances(conn: Conn, *, as_of: date, scope: Scope = Scope(), limit: int | None = None,
                      intervention: str | None = None, building: str | None = None) -> pd.DataFrame:
    """Leases with a positive balance at D, largest first, for the drill-down (`arrears_stock_eur`).

    No personal data: codes only.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    limit : int, optional, the largest balances only
    intervention, building : str, optional, narrow `scope` (never widen it)

    Returns
    -------
    DataFrame
        lease_code, household_code, unit_code, building_code, intervention_code, fund, tenure, active (bool),
        balance, oldest_unpaid_due (FIFO), days_overdue (D − oldest_unpaid_due), bucket.
    """
    scope = scope.narrowed(interventions=[intervention] if intervention else None,
                           buildings=[building] if building else None)
    ctes, params = unpaid_charges_ctes(conn, scope=scope, as_of=as_of)
    days = day_diff(date_param("as_of"), "o.oldest_due")
    sql = f"""WITH {ctes},
        oldest AS (SELECT lease_code, MIN(due_date) AS oldest_due FROM unpaid GROUP BY lease_code)
        SELECT f.lease_code, f.household_code, f.unit_code, f.building_code, f.intervention_code, f.fund, f.tenure,
            f.active, f.balance, o.oldest_due AS oldest_unpaid_due, {days} AS days_overdue,
            {aging_bucket(days)} AS bucket
        FROM fifo f JOIN oldest o ON o.lease_code = f.lease_code
        ORDER BY f.balance DESC, f.lease_code"""
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = int(limit)
    frame = query(conn, sql, params).reindex(columns=BALANCE_COLUMNS)
    frame["active"] = frame["active"].astype(bool)
    frame["balance"] = frame["balance"].astype(float).round(2)
    frame["oldest_unpaid_due"] = pd.to_datetime(frame["oldest_unpaid_due"]).dt.date
    frame["days_overdue"] = frame["days_overdue"].astype(int)
    frame.attrs["kpi"] = "arrears_stock_eur"
    return frame


def arrears_series(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None,
                   days: int = 30) -> pd.DataFrame:
    """Month-end series of the arrears KPIs, one row per month end m with start <= m <= end.

    One query: the history before the range is summed per lease, the movements since per month, and
    running sums over a calendar of month ends give each month's FIFO position.

    Parameters
    ----------
    conn : Engine or Connection
    start, end : date, the range of the month ends
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS`
    days : int, the `households_in_arrears_pct` threshold

    Returns
    -------
    DataFrame
        [group,] month (the month end m), stock (`arrears_stock_eur` at m, euro), rate_billed
        (`arrears_rate_billed` of the charges due in m's calendar month), households_in_arrears_pct (at m),
        collection_rate (`collection_rate` of m's calendar month), in points; None where undefined.
    """
    _check_period(start, end)
    months = month_ends(start, end)
    columns = ["month", "stock", "rate_billed", "households_in_arrears_pct", "collection_rate"]
    if not months:
        return pd.DataFrame(columns=(["group"] if by else []) + columns)
    frame = totals(conn, scope=scope, by=by, as_of=months[-1], days=days, months=months)
    by_key = {month_key(m): m for m in months}
    pct = lambda num, den: frame[num] / frame[den].where(frame[den] != 0) * 100  # noqa: E731
    out = pd.DataFrame({"group": frame["grp"], "month": frame["bucket"].map(by_key),
                        "stock": frame["stock"].where(frame["moves"] > 0),
                        "rate_billed": pct("period_unpaid", "period_charged"),
                        "households_in_arrears_pct": pct("households_overdue", "active_leases"),
                        "collection_rate": pct("period_collected", "period_charged")})
    out = out.astype({c: object for c in columns[1:]})
    out[columns[1:]] = out[columns[1:]].where(out[columns[1:]].notna(), None)
    out = (out if by else out.drop(columns="group")).reset_index(drop=True)
    out.attrs["kpi"] = "arrears_stock_eur"
    out.attrs["counts"] = _series_counts(frame)  # an AttrDict: pandas copies a frame's attrs deeply at each step
    return out


def _series_counts(frame: pd.DataFrame) -> dict[str, list[tuple[float, ...]]]:
    """Per column of `arrears_series`, the counts each month's figure rests on (`indicators.disclosure`):
    leases with a debt for the stock and the rates (their unpaid part is those leases' debt), households overdue and
    active for their share."""
    as_list = lambda *cols: list(zip(*(frame[c].astype(float).tolist() for c in cols)))  # noqa: E731
    return AttrDict(stock=as_list("contracts_in_arrears"),
                    households_in_arrears_pct=as_list("households_overdue", "active_leases"),
                    rate_billed=as_list("contracts_in_arrears", "active_leases"),
                    collection_rate=as_list("contracts_in_arrears", "active_leases"))


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"Periodo non valido: l'inizio ({start:%d/%m/%Y}) è successivo alla fine ({end:%d/%m/%Y}).")
