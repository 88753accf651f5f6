"""Vacancy (sfitto), void loss, relets, turnover and evictions: the stock-side KPIs of domain.md.

Conventions shared by every function of this module:

- A unit is **in stock** at day D when its intervention's ``management_start`` is null or <= D
  (units enter the stock when management starts).
- A unit is **occupied** on day D when a lease covers it (start_date <= D and (end_date is null or
  end_date >= D)), otherwise **empty**. Leases of one unit are assumed not to overlap.
- ``unit.status`` is a snapshot of today's status: an empty unit with status ``locabile`` or null is
  *available to let* (disponibile), any other status (works, sale, unlettable, occupied without
  title) makes it *unavailable*. Figures for past dates therefore use the current status.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import vacancy_sql as q
from indicators.results import KpiValue, ratio
from indicators.scope import GROUPINGS, Scope
from indicators.sql import dates_of, query, texts_of
from indicators.vacancy_sql import DAYS_PER_MONTH
from osservatorio.formatting import fmt_count

WORKS_THRESHOLD = 5000.0  # euro: a ticket at least this costly between two leases means major works
_NO_UNITS = "nessun alloggio nel perimetro alla data"
_NO_UNITS_PERIOD = "nessun alloggio nel perimetro nel periodo"
__all__ = ["DAYS_PER_MONTH", "WORKS_THRESHOLD", "vacancy", "vacancy_days", "void_loss", "relets", "relet_times",
           "turnover", "evictions_per_1000", "eviction_stats", "vacancy_series", "longest_empty"]


def _group(by: str | None, *, household: bool = False) -> str:
    """The SQL expression of a `by=` grouping (a constant when None)."""
    if by is None:
        return "'totale'"
    if by not in GROUPINGS:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPINGS)}.")
    if by == "income_band" and not household:
        raise ValueError("Il raggruppamento per fascia non si applica a questo indicatore (alloggi, non nuclei).")
    return GROUPINGS[by]


def _params(params: dict, **values) -> dict:
    """The named parameters of a vacancy query: the scope's and `values` (a period is checked)."""
    if "start" in values and values["start"] > values["end"]:
        raise ValueError(f"Periodo non valido: l'inizio {values['start']} è successivo alla fine {values['end']}.")
    return {**params, **values}


def _year(year: int) -> dict:
    """The period of a yearly figure."""
    return {"start": date(year, 1, 1), "end": date(year, 12, 31)}


def _clean(frame: pd.DataFrame, *, dates: tuple[str, ...] = (), texts: tuple[str, ...] = ()) -> pd.DataFrame:
    """Dates as `datetime.date` on both backends (SQLite returns text); None, not NaN, in text columns."""
    for col in dates:
        frame[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[col]]
    for col in texts:
        frame[col] = pd.Series([None if pd.isna(v) else v for v in frame[col]], index=frame.index, dtype=object)
    return frame


def _pct(num: pd.Series, den: pd.Series, scale: float = 100.0) -> pd.Series:
    values = [None if pd.isna(n) or pd.isna(d) else ratio(float(n), float(d), scale=scale) for n, d in zip(num, den)]
    return pd.Series(values, index=num.index, dtype=object)


def _by_frame(counts: pd.DataFrame, value: pd.Series, numerator: str, denominator: str | None,
              extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The `by=` result: group, value, numerator, denominator, then any extra columns."""
    out = pd.DataFrame({"group": counts["grp"], "value": value, "numerator": counts[numerator],
                        "denominator": counts[denominator] if denominator else None})
    for col in extra:
        out[col] = counts[col]
    return out.reset_index(drop=True)


def vacancy(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), by: str | None = None):
    """Vacancy rate at a date, split available to let / unavailable (`vacancy_rate`).

    vacancy_rate = empty units at D / units in stock at D × 100 (domain.md, KPI definitions);
    ``disponibili`` and ``non_disponibili`` split the same numerator by the units' current status.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    by : str, optional, a key of `GROUPINGS` (not ``income_band``)

    Returns
    -------
    KpiValue
        value in points; breakdown ``disponibili``, ``non_disponibili`` (points), ``vuoti``, ``alloggi``,
        ``vuoti_disponibili``, ``vuoti_non_disponibili``. With `by`, a frame: group, value, numerator,
        denominator, empty_available, empty_unavailable.
    """
    sql, params = q.vacancy_sql(scope, _group(by))
    counts = query(conn, sql, _params(params, as_of=as_of))
    counts["empty_unavailable"] = counts["empty"] - counts["empty_available"]
    if by is not None:
        return _by_frame(counts, _pct(counts["empty"], counts["units"]), "empty", "units",
                         ("empty_available", "empty_unavailable"))
    if counts.empty:
        return _vacancy_value(0, 0, 0, as_of)
    units, empty, available = (int(counts.at[0, c]) for c in ("units", "empty", "empty_available"))
    return _vacancy_value(units, empty, available, as_of)


def _vacancy_value(n: int, empty: int, avail: int, as_of: date) -> KpiValue:
    """`vacancy` of a whole scope from its units in stock, empty, and empty available at the date."""
    if n == 0:
        return KpiValue("vacancy_rate", None, 0, 0, as_of=as_of, warnings=[_NO_UNITS])
    unavail = empty - avail
    return KpiValue("vacancy_rate", ratio(empty, n), empty, n, as_of=as_of, breakdown={
        "disponibili": ratio(avail, n), "non_disponibili": ratio(unavail, n), "vuoti": empty, "alloggi": n,
        "vuoti_disponibili": avail, "vuoti_non_disponibili": unavail})


def vacancy_days(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None):
    """Share of unit-days empty in a period (`vacancy_days_pct`).

    vacancy_days_pct = empty unit-days / unit-days in [start, end] (both inclusive) × 100
    (domain.md, KPI definitions). Unit-days count from the later of `start` and management start;
    occupied days are the lease intervals clipped to that period (leases assumed not to overlap).

    Returns
    -------
    KpiValue
        value in points; breakdown ``giorni_alloggio``, ``giorni_vuoti``, ``giorni_vuoti_disponibili``,
        ``giorni_vuoti_non_disponibili``. With `by`, a frame: group, value, numerator, denominator.
    """
    sql, params = q.vacancy_days_sql(scope, _group(by))
    counts = query(conn, sql, _params(params, start=start, end=end))
    if by is not None:
        return _by_frame(counts, _pct(counts["empty_days"], counts["unit_days"]), "empty_days", "unit_days")
    if counts.empty or not counts.at[0, "unit_days"]:
        return KpiValue("vacancy_days_pct", None, 0, 0, start=start, end=end, warnings=[_NO_UNITS_PERIOD])
    total, empty, avail = (int(counts.at[0, c]) for c in ("unit_days", "empty_days", "empty_available"))
    return KpiValue("vacancy_days_pct", ratio(empty, total), empty, total, start=start, end=end, breakdown={
        "giorni_alloggio": total, "giorni_vuoti": empty, "giorni_vuoti_disponibili": avail,
        "giorni_vuoti_non_disponibili": empty - avail})


def void_loss(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None):
    """Rent not charged on empty units available to let (`void_loss_eur`).

    void_loss_eur = Σ over available units (status locabile or null) of monthly rent × empty days
    in [start, end] / 30.4375 (the average month; domain.md, KPI definitions). The rent is the unit's
    ``monthly_rent`` or, when missing, that of the unit's last lease started by `end`; units with
    neither are left out and counted in a warning.

    Returns
    -------
    KpiValue
        value in euro (numerator = value); breakdown ``giorni_vuoti_disponibili``, ``alloggi_vuoti_disponibili``,
        ``senza_canone``. With `by`, a frame: group, value, numerator, denominator (None), no_rent.
    """
    sql, params = q.void_loss_sql(scope, _group(by))
    counts = query(conn, sql, _params(params, start=start, end=end))
    if by is not None:
        return _by_frame(counts, counts["loss"].astype(float), "loss", None, ("no_rent",))
    if counts.empty:
        return KpiValue("void_loss_eur", None, start=start, end=end, warnings=[_NO_UNITS_PERIOD])
    loss, no_rent = float(counts.at[0, "loss"]), int(counts.at[0, "no_rent"])
    warnings = [f"{no_rent} alloggi locabili vuoti senza canone (né dell'alloggio né dell'ultimo contratto): "
                "esclusi dal mancato canone"] if no_rent else []
    return KpiValue("void_loss_eur", loss, loss, None, start=start, end=end, warnings=warnings, breakdown={
        "giorni_vuoti_disponibili": int(counts.at[0, "empty_days"]),
        "alloggi_vuoti_disponibili": int(counts.at[0, "empty_units"]), "senza_canone": no_rent})


def relets(conn: Connection | Engine, *, year: int, scope: Scope = Scope(),
           works_threshold: float = WORKS_THRESHOLD) -> pd.DataFrame:
    """The leases starting in `year` with their relet time: the rows behind `relet_days`.

    Returns
    -------
    DataFrame
        unit_code, lease_code, previous_lease, previous_end, next_start, days (next_start − previous_end),
        excluded_reason: None when counted, else ``prima_locazione``, ``dopo_lavori`` or ``date_incoerenti``
        (the previous lease has no end or ends after this one starts).
    """
    ctes, params = q.relets_ctes(scope, "NULL")
    frame = query(conn, f"""{ctes}
    SELECT unit_code, lease_code, previous_lease, previous_end, next_start, days, excluded_reason
    FROM relet ORDER BY next_start, unit_code, lease_code""",
                  _params(params, **_year(year), works_threshold=works_threshold))
    frame["previous_end"], frame["next_start"] = dates_of(frame["previous_end"]), dates_of(frame["next_start"])
    frame["excluded_reason"] = texts_of(frame["excluded_reason"])
    return frame


def relet_times(conn: Connection | Engine, *, year: int, scope: Scope = Scope(), by: str | None = None,
                works_threshold: float = WORKS_THRESHOLD):
    """Mean relet time of the leases starting in `year` (`relet_days`).

    relet_days = mean over relets of (new lease start − previous lease end on the same unit), in calendar
    days, counted in the year of the new lease (domain.md, KPI definitions). Excluded: first lets (no
    previous lease) and relets after major works: a ticket on the unit (its building, unit code set)
    costing at least `works_threshold` opened between the previous end and the new start, or a unit
    whose current status is ``in_ristrutturazione``. The median is taken in SQL (middle row numbers).

    Returns
    -------
    KpiValue
        value = mean days; breakdown ``mediana``, ``rilocazioni``, ``escluse_prime_locazioni``,
        ``escluse_dopo_lavori``, ``escluse_date_incoerenti``. With `by` (``income_band``: the new
        tenant's), a frame: group, value, numerator (total days), denominator (relets), median.
    """
    sql, params = q.relet_days_sql(scope, _group(by, household=True))
    counts = query(conn, sql, _params(params, **_year(year), works_threshold=works_threshold))
    if by is not None:
        return _by_frame(counts, _pct(counts["total"].fillna(0), counts["relets"], scale=1.0), "total", "relets",
                         ("median",))
    row = counts.iloc[0] if not counts.empty else pd.Series(dtype=object)
    n, total = int(row.get("relets", 0)), float(row.get("total") or 0)
    excluded = {k: int(row.get(c, 0)) for k, c in (("escluse_prime_locazioni", "first_lets"),
                ("escluse_dopo_lavori", "after_works"), ("escluse_date_incoerenti", "incoherent"))}
    warnings = [] if n else ["nessuna rilocazione conteggiabile nell'anno"]
    if excluded["escluse_date_incoerenti"]:
        n_bad = excluded["escluse_date_incoerenti"]
        warnings.append(f"{fmt_count(n_bad, 'contratto', 'contratti')} con il precedente senza data di fine o "
                        f"sovrapposto: {'escluso' if n_bad == 1 else 'esclusi'}")
    median = float(row["median"]) if n and not pd.isna(row.get("median")) else None
    return KpiValue("relet_days", ratio(total, n, scale=1.0), total, n, start=date(year, 1, 1),
                    end=date(year, 12, 31), breakdown={"mediana": median, "rilocazioni": n, **excluded},
                    warnings=warnings)


def turnover(conn: Connection | Engine, *, year: int, scope: Scope = Scope(), by: str | None = None):
    """Tenancy turnover in a year (`turnover_rate`).

    turnover_rate = leases ended in `year` / average units in stock in `year` × 100, the average being
    the mean of the units in stock at the 12 month ends (domain.md, KPI definitions).

    Returns
    -------
    KpiValue
        value in points; numerator = leases ended, denominator = average units; breakdown
        ``contratti_cessati``, ``alloggi_medi``. With `by`, a frame: group, value, numerator, denominator.
    """
    sql, params = q.turnover_sql(scope, _group(by))
    counts = query(conn, sql, _params(params, **_year(year)))
    counts["avg_units"] = counts["avg_units"].astype(float)
    if by is not None:
        return _by_frame(counts, _pct(counts["ended"], counts["avg_units"]), "ended", "avg_units")
    ended, avg = (0, 0.0) if counts.empty else (int(counts.at[0, "ended"]), float(counts.at[0, "avg_units"]))
    return KpiValue("turnover_rate", ratio(ended, avg), ended, avg, start=date(year, 1, 1), end=date(year, 12, 31),
                    breakdown={"contratti_cessati": ended, "alloggi_medi": avg},
                    warnings=[] if avg else [_NO_UNITS_PERIOD])


def evictions_per_1000(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                       by: str | None = None):
    """Evictions carried out per 1,000 units (`evictions_per_1000`).

    evictions_per_1000 = evictions carried out in [start, end] / units in stock at `end` × 1000
    (domain.md, KPI definitions). An eviction is a lease with an ``sfratto_eseguito`` arrears-case event
    in the period, or a lease ended in the period for ``sfratto_morosita`` with no ``sfratto_eseguito``
    event at all: each lease counts once, at its event date when it has one. All are for arrears
    (morosità); other reasons exist only in the Comune-level statistics of `eviction_stats`.

    Returns
    -------
    KpiValue
        value per 1,000 units; breakdown ``morosita`` (per 1,000), ``sfratti``, ``da_pratiche``,
        ``da_cessazioni``, ``alloggi``. With `by`, a frame: group, value, numerator, denominator.
    """
    sql, params = q.evictions_sql(scope, _group(by), by)
    counts = query(conn, sql, _params(params, start=start, end=end))
    counts["evictions"] = counts["from_events"] + counts["from_ends"]
    if by is not None:
        return _by_frame(counts, _pct(counts["evictions"], counts["units"], scale=1000.0), "evictions", "units")
    n, ev, ends = (0, 0, 0) if counts.empty else (int(counts.at[0, c]) for c in ("units", "from_events", "from_ends"))
    value = ratio(ev + ends, n, scale=1000.0)
    return KpiValue("evictions_per_1000", value, ev + ends, n, start=start, end=end, warnings=[] if n else [_NO_UNITS],
                    breakdown={"morosita": value, "sfratti": ev + ends, "da_pratiche": ev, "da_cessazioni": ends,
                               "alloggi": n})


def eviction_stats(conn: Connection | Engine, *, municipality: str | None = None) -> pd.DataFrame:
    """Evictions validated and carried out per Comune and year (table eviction_stat, `evictions_per_1000`).

    Comune-level public statistics, not tied to units: no `scope` applies, every caller sees them.
    `municipality` filters case-insensitively.

    Returns
    -------
    DataFrame
        municipality, year, validated, executed, reason; by municipality and year.
    """
    where = " WHERE LOWER(municipality) = LOWER(:municipality)" if municipality else ""
    frame = query(conn, f"SELECT municipality, year, validated, executed, reason FROM eviction_stat{where} "
                  "ORDER BY municipality, year", {"municipality": municipality} if municipality else {})
    return _clean(frame, texts=("reason",))


def vacancy_series(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                   by: str | None = None) -> pd.DataFrame:
    """Month-end vacancy from `start`'s month to `end`'s month (`vacancy_rate` over time).

    Each month is measured at its last day (the last one at `end` when `end` falls mid-month) with the
    rules of `vacancy`, in one set-based query over a recursive calendar: units in stock from their count
    per management start; occupied units as running sums of lease starts (from management start) and
    ends bucketed by month, so the cost grows with leases, not leases × months.

    Returns
    -------
    DataFrame
        month (the measuring date), units, empty, available_empty, unavailable_empty, vacancy_rate,
        available_rate, unavailable_rate (points, None without units); with `by`, a `group` column first.
    """
    sql, params = q.vacancy_series_sql(scope, _group(by), by)
    out = _clean(query(conn, sql, _params(params, start=start, end=end)), dates=("month",))
    out["unavailable_empty"] = out["empty"] - out["available_empty"]
    for rate, col in (("vacancy_rate", "empty"), ("available_rate", "available_empty"),
                      ("unavailable_rate", "unavailable_empty")):
        out[rate] = _pct(out[col], out["units"])
    return out.rename(columns={"grp": "group"})[(["group"] if by else []) + [
        "month", "units", "empty", "available_empty", "unavailable_empty", "vacancy_rate", "available_rate",
        "unavailable_rate"]]


def longest_empty(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), limit: int = 20) -> pd.DataFrame:
    """The units empty at `as_of` that have been empty longest (`vacancy_rate`, `void_loss_eur`).

    Days empty = `as_of` − end of the last lease; for a unit never let, `as_of` − management start + 1
    (empty from its first day in stock), unknown (None, listed last) without a management start.
    Void loss to date = monthly rent × days empty / 30.4375, for units available to let only (None
    otherwise); the rent is the unit's, else its last lease's.

    Returns
    -------
    DataFrame
        unit_code, building_code, intervention_code, intervention_name, status, last_lease_end, never_let,
        days_empty, monthly_rent, void_loss_eur; longest first, at most `limit` rows.
    """
    sql, params = q.longest_empty_sql(scope)
    out = _clean(query(conn, sql, _params(params, as_of=as_of, limit=int(limit))), dates=("last_lease_end",))
    out["never_let"] = out["never_let"].astype(bool)
    return out
