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

from indicators.results import KpiValue, ratio
from indicators.scope import GROUPINGS, Scope
from indicators.sql import connected, dates_of, query, texts_of
from osservatorio.formatting import fmt_count
from indicators.stock_sql import units_in_stock

DAYS_PER_MONTH = 30.4375  # 365.25 / 12, the average month of void_loss_eur
WORKS_THRESHOLD = 5000.0  # euro: a ticket at least this costly between two leases means major works
_NO_UNITS = "nessun alloggio nel perimetro alla data"
_NO_UNITS_PERIOD = "nessun alloggio nel perimetro nel periodo"


class _Sql:
    """The calendar's date expressions, shared by the vacancy figures (DuckDB's SQL)."""

    @staticmethod
    def date(name: str) -> str:
        return f"CAST(:{name} AS DATE)"

    @staticmethod
    def days(a: str, b: str) -> str:
        """Whole days from b to a (a − b)."""
        return f"({a} - {b})"

    @staticmethod
    def greatest(a: str, b: str) -> str:
        return f"GREATEST({a}, {b})"

    @staticmethod
    def least(a: str, b: str) -> str:
        return f"LEAST({a}, {b})"

    @staticmethod
    def month_end(x: str) -> str:
        return f"CAST(last_day({x}) AS DATE)"

    @staticmethod
    def next_day(x: str) -> str:
        return f"({x} + 1)"

    @staticmethod
    def calendar(start: str, end: str) -> str:
        """CTE `cal(month_end)`, one row per month end from start's month to end's (after WITH [RECURSIVE])."""
        return (f"cal AS (SELECT CAST(last_day(m) AS DATE) AS month_end FROM range(CAST(date_trunc('month', {start}) "
                f"AS TIMESTAMP), CAST({end} AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m))")


def _group(by: str | None, *, household: bool = False) -> str:
    """The SQL expression of a `by=` grouping (a constant when None)."""
    if by is None:
        return "'totale'"
    if by not in GROUPINGS:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPINGS)}.")
    if by == "income_band" and not household:
        raise ValueError("Il raggruppamento per fascia non si applica a questo indicatore (alloggi, non nuclei).")
    return GROUPINGS[by]


def _available(alias: str) -> str:
    return f"({alias}.status IS NULL OR {alias}.status = 'locabile')"


def _in_stock(at: str, alias: str = "i") -> str:
    return f"({alias}.management_start IS NULL OR {alias}.management_start <= {at})"


def _occupied(at: str) -> str:
    return (f"EXISTS (SELECT 1 FROM lease l WHERE l.unit_code = su.unit_code AND l.start_date <= {at} "
            f"AND (l.end_date IS NULL OR l.end_date >= {at}))")


def _let_units(at: str) -> str:
    """The units with a lease running at `at`, one row each: joined once, not looked up per unit (3-5x faster
    than `_occupied` on 100,000 units)."""
    return f"SELECT DISTINCT l.unit_code FROM lease l WHERE l.start_date <= {at} AND (l.end_date IS NULL OR l.end_date >= {at})"


def _params(scope: Scope, **values) -> tuple[str, dict]:
    """The scope's units subquery and the parameters, dates as ISO text (cast to DATE on PostgreSQL)."""
    if "start" in values and values["start"] > values["end"]:
        raise ValueError(f"Periodo non valido: l'inizio {values['start']} è successivo alla fine {values['end']}.")
    units, params = scope.units_sql()
    params.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()})
    return units, params


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
    s = _Sql
    units, params = _params(scope, as_of=as_of)
    d = s.date("as_of")
    with connected(conn) as conn:
        counts = query(conn, f"SELECT grp, COUNT(*) AS units, SUM(empty) AS empty, "
                       f"SUM(CASE WHEN empty = 1 AND {_available('x')} THEN 1 ELSE 0 END) AS empty_available "
                       f"FROM (SELECT {_group(by)} AS grp, su.status, CASE WHEN occ.unit_code IS NULL THEN 1 "
                       f"ELSE 0 END AS empty FROM ({units}) su LEFT JOIN ({_let_units(d)}) occ "
                       f"ON occ.unit_code = su.unit_code WHERE {_in_stock(d, 'su')}) x GROUP BY grp ORDER BY grp",
                       params)
    counts["empty_unavailable"] = counts["empty"] - counts["empty_available"]
    if by is not None:
        return _by_frame(counts, _pct(counts["empty"], counts["units"]), "empty", "units",
                         ("empty_available", "empty_unavailable"))
    if counts.empty:
        return _vacancy_value(0, 0, 0, as_of)
    return _vacancy_value(*(int(counts.at[0, c]) for c in ("units", "empty", "empty_available")), as_of)


def _vacancy_value(n: int, empty: int, avail: int, as_of: date) -> KpiValue:
    """`vacancy` of a whole scope from its units in stock, empty, and empty available at the date."""
    if n == 0:
        return KpiValue("vacancy_rate", None, 0, 0, as_of=as_of, warnings=[_NO_UNITS])
    unavail = empty - avail
    return KpiValue("vacancy_rate", ratio(empty, n), empty, n, as_of=as_of, breakdown={
        "disponibili": ratio(avail, n), "non_disponibili": ratio(unavail, n), "vuoti": empty, "alloggi": n,
        "vuoti_disponibili": avail, "vuoti_non_disponibili": unavail})


def _unit_days_cte(s: _Sql, units: str, group: str) -> str:
    """CTE `ud`: per unit in stock in [start, end], its unit-days and empty days in the period.

    Occupied days are the leases' overlaps with the unit's stock period, capped at the unit's days
    so that overlapping leases (not expected) cannot make empty days negative.
    """
    st, en = s.date("start"), s.date("end")
    overlap = s.days(s.least(f"COALESCE(l.end_date, {en})", en), s.greatest("l.start_date", "pu.from_d")) + " + 1"
    unit_days = s.days(en, "pu.from_d") + " + 1"
    return (f"WITH pu AS (SELECT su.unit_code, {group} AS grp, su.status, su.unit_rent, "
            f"{s.greatest(st, f'COALESCE(i.management_start, {st})')} AS from_d "
            f"FROM ({units}) su JOIN intervention i ON i.code = su.intervention_code "
            f"WHERE COALESCE(i.management_start, {st}) <= {en}), "
            f"occ AS (SELECT pu.unit_code, SUM({overlap}) AS occupied FROM pu "
            "JOIN lease l ON l.unit_code = pu.unit_code "
            f"WHERE l.start_date <= {en} AND (l.end_date IS NULL OR l.end_date >= pu.from_d) GROUP BY pu.unit_code), "
            f"ud AS (SELECT pu.unit_code, pu.grp, pu.status, pu.unit_rent, {unit_days} AS unit_days, "
            f"{unit_days} - {s.least('COALESCE(occ.occupied, 0)', unit_days)} AS empty_days "
            "FROM pu LEFT JOIN occ ON occ.unit_code = pu.unit_code) ")


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
    s = _Sql
    units, params = _params(scope, start=start, end=end)
    with connected(conn) as conn:
        counts = query(conn, _unit_days_cte(s, units, _group(by)) +
                       "SELECT grp, SUM(unit_days) AS unit_days, SUM(empty_days) AS empty_days, "
                       f"SUM(CASE WHEN {_available('ud')} THEN empty_days ELSE 0 END) AS empty_available "
                       "FROM ud GROUP BY grp ORDER BY grp", params)
    if by is not None:
        return _by_frame(counts, _pct(counts["empty_days"], counts["unit_days"]), "empty_days", "unit_days")
    if counts.empty or not counts.at[0, "unit_days"]:
        return KpiValue("vacancy_days_pct", None, 0, 0, start=start, end=end, warnings=[_NO_UNITS_PERIOD])
    total, empty, avail = (int(counts.at[0, c]) for c in ("unit_days", "empty_days", "empty_available"))
    return KpiValue("vacancy_days_pct", ratio(empty, total), empty, total, start=start, end=end, breakdown={
        "giorni_alloggio": total, "giorni_vuoti": empty, "giorni_vuoti_disponibili": avail,
        "giorni_vuoti_non_disponibili": empty - avail})


def _last_rent(unit: str, at: str) -> str:
    return (f"(SELECT l.monthly_rent FROM lease l WHERE l.unit_code = {unit} AND l.start_date <= {at} "
            "ORDER BY l.start_date DESC, l.code DESC LIMIT 1)")


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
    s = _Sql
    units, params = _params(scope, start=start, end=end)
    lettable = f"ud.empty_days > 0 AND {_available('ud')}"
    with connected(conn) as conn:
        counts = query(conn, _unit_days_cte(s, units, _group(by)) +
                       f", r AS (SELECT ud.grp, ud.empty_days, CASE WHEN {lettable} THEN 1 ELSE 0 END AS lettable, "
                       f"CASE WHEN {lettable} THEN COALESCE(ud.unit_rent, "
                       f"{_last_rent('ud.unit_code', s.date('end'))}) END AS rent FROM ud) "
                       f"SELECT grp, COALESCE(SUM(rent * empty_days), 0) / {DAYS_PER_MONTH} AS loss, "
                       "SUM(lettable * empty_days) AS empty_days, SUM(lettable) AS empty_units, "
                       "SUM(CASE WHEN lettable = 1 AND rent IS NULL THEN 1 ELSE 0 END) AS no_rent "
                       "FROM r GROUP BY grp ORDER BY grp", params)
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


def _relets_cte(conn: Connection | Engine, scope: Scope, units: str, group: str, works_threshold: float) -> str:
    """`WITH seq, rel`: the leases starting in [:y0, :y1] of the units of subquery `units`, with the previous lease
    of their unit, the days between and why not counted.

    Excluded: first lets (no previous lease), incoherent dates (the previous lease has no end or ends after
    the new start), relets after major works (a ticket on the unit of its building costing at least
    :works_threshold opened between the previous end and the new start, or the unit's status
    ``in_ristrutturazione``).
    """
    works = ("EXISTS (SELECT 1 FROM ticket t WHERE t.building_code = seq.building_code AND t.unit_code = seq.unit_code "
             "AND t.opened_on >= seq.previous_end AND t.opened_on <= seq.next_start AND t.cost >= :works_threshold)")
    return ("WITH seq AS (SELECT l.code AS lease_code, l.unit_code, l.household_code, su.building_code, "
            f"su.intervention_code, su.fund, su.sgr, su.tenure, su.status, {group} AS grp, l.start_date AS next_start, "
            "LAG(l.code) OVER w AS previous_lease, LAG(l.end_date) OVER w AS previous_end "
            f"FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code LEFT JOIN household h "
            "ON h.code = l.household_code WHERE l.start_date <= CAST(:y1 AS DATE) "
            "WINDOW w AS (PARTITION BY l.unit_code ORDER BY l.start_date, l.code)), "
            "rel AS (SELECT seq.*, (seq.next_start - seq.previous_end) AS days, "
            "CASE WHEN seq.previous_lease IS NULL THEN 'prima_locazione' "
            "WHEN seq.previous_end IS NULL OR seq.previous_end > seq.next_start THEN 'date_incoerenti' "
            f"WHEN seq.status = 'in_ristrutturazione' OR {works} THEN 'dopo_lavori' END AS excluded_reason "
            "FROM seq WHERE seq.next_start >= CAST(:y0 AS DATE)) ")


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
    units, params = _params(scope, y0=date(year, 1, 1), y1=date(year, 12, 31), works_threshold=works_threshold)
    sql = (_relets_cte(conn, scope, units, "NULL", works_threshold) + "SELECT unit_code, lease_code, previous_lease, "
           "previous_end, next_start, days, excluded_reason FROM rel ORDER BY next_start, unit_code, lease_code")
    frame = query(conn, sql, params)
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
    units, params = _params(scope, y0=date(year, 1, 1), y1=date(year, 12, 31), works_threshold=works_threshold)
    ok, reason = "(excluded_reason IS NULL)", "SUM(CASE WHEN excluded_reason = '{}' THEN 1 ELSE 0 END)"
    counts = query(conn, _relets_cte(conn, scope, units, _group(by, household=True), works_threshold) +
                   ", rk AS (SELECT grp, days, excluded_reason, ROW_NUMBER() OVER w AS rn, COUNT(*) OVER "
                   f"(w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n FROM rel WINDOW w AS "
                   f"(PARTITION BY grp, {ok} ORDER BY days)) SELECT grp, "
                   f"SUM(CASE WHEN {ok} THEN 1 ELSE 0 END) AS relets, SUM(CASE WHEN {ok} THEN days END) AS total, "
                   f"AVG(CASE WHEN {ok} AND rn IN ((n + 1) // 2, (n + 2) // 2) THEN days END) AS median, "
                   f"{reason.format('prima_locazione')} AS first_lets, {reason.format('dopo_lavori')} AS after_works, "
                   f"{reason.format('date_incoerenti')} AS incoherent FROM rk GROUP BY grp ORDER BY grp", params)
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
    s = _Sql
    units, params = _params(scope, y0=date(year, 1, 1), y1=date(year, 12, 31))
    group, y0, y1 = _group(by), s.date("y0"), s.date("y1")
    with connected(conn) as conn:
        counts = query(conn, f"WITH RECURSIVE {s.calendar(y0, y1)}, u AS (SELECT {group} AS grp, "
                       f"i.management_start AS ms, COUNT(*) AS n FROM ({units}) su JOIN intervention i "
                       "ON i.code = su.intervention_code GROUP BY 1, 2) SELECT grp, SUM(unit_months) / 12.0 AS "
                       "avg_units, SUM(ended) AS ended FROM (SELECT u.grp, u.n AS unit_months, 0 AS ended FROM cal "
                       "JOIN u ON u.ms IS NULL OR u.ms <= cal.month_end "
                       f"UNION ALL SELECT {group}, 0, 1 FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code "
                       f"WHERE l.end_date >= {y0} AND l.end_date <= {y1}) x GROUP BY grp ORDER BY grp", params)
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
    s = _Sql
    units, params = _params(scope, start=start, end=end)
    group, st, en = _group(by), s.date("start"), s.date("end")
    counts = query(conn, "SELECT grp, SUM(units) AS units, SUM(from_events) AS from_events, SUM(from_ends) AS "
                   "from_ends FROM (SELECT grp, units, 0 AS from_events, 0 AS from_ends FROM "
                   f"({units_in_stock(scope, group, by, en)}) st "
                   f"UNION ALL SELECT grp, 0, 1, 0 FROM (SELECT DISTINCT l.code, {group} AS grp "
                   "FROM arrears_case_event e JOIN lease l ON l.code = e.lease_code JOIN "
                   f"({units}) su ON su.unit_code = l.unit_code WHERE e.event = 'sfratto_eseguito' "
                   f"AND e.event_date >= {st} AND e.event_date <= {en}) ev "
                   f"UNION ALL SELECT {group}, 0, 0, 1 FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code "
                   f"WHERE l.end_reason = 'sfratto_morosita' AND l.end_date >= {st} AND l.end_date <= {en} "
                   "AND NOT EXISTS (SELECT 1 FROM arrears_case_event e WHERE e.lease_code = l.code "
                   "AND e.event = 'sfratto_eseguito')) x GROUP BY grp ORDER BY grp", params)
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
    s = _Sql
    units, params = _params(scope, start=start, end=end)
    st, en = s.date("start"), s.date("end")
    group, avail = _group(by), f"CASE WHEN {_available('su')} THEN 1 ELSE 0 END"
    s0 = s.greatest("l.start_date", "COALESCE(i.management_start, l.start_date)")
    sql = (f"WITH RECURSIVE {s.calendar(st, en)}, pts AS (SELECT {s.least('month_end', en)} AS at_day FROM cal), "
           f"u AS (SELECT {group} AS grp, {avail} AS avail, i.management_start AS ms, COUNT(*) AS n FROM ({units}) su "
           "JOIN intervention i ON i.code = su.intervention_code GROUP BY 1, 2, 3), "
           f"lz AS (SELECT {group} AS grp, {avail} AS avail, {s0} AS s0, l.end_date AS e0 FROM lease l "
           f"JOIN ({units}) su ON su.unit_code = l.unit_code JOIN intervention i ON i.code = su.intervention_code "
           f"WHERE l.start_date <= {en} AND (l.end_date IS NULL OR l.end_date >= {st})), "
           f"ev AS (SELECT grp, avail, {s.least(s.month_end('s0'), en)} AS b, 1 AS d FROM lz "
           f"WHERE s0 <= {en} AND (e0 IS NULL OR e0 >= s0) UNION ALL SELECT grp, avail, "
           f"{s.least(s.month_end(s.next_day('e0')), en)}, -1 FROM lz WHERE s0 <= {en} AND e0 >= s0 AND e0 < {en}), "
           "evb AS (SELECT grp, avail, b, SUM(d) AS d FROM ev GROUP BY 1, 2, 3), "
           "agg AS (SELECT at_day, grp, SUM(n) AS units, SUM(n - occ) AS empty, SUM(avail * (n - occ)) AS available_empty "
           "FROM (SELECT pts.at_day, u.grp, u.avail, u.n, 0 AS occ FROM pts JOIN u ON u.ms IS NULL OR u.ms <= pts.at_day "
           "UNION ALL SELECT pts.at_day, evb.grp, evb.avail, 0, evb.d FROM pts JOIN evb ON evb.b <= pts.at_day) x "
           "GROUP BY at_day, grp) SELECT pts.at_day AS month, agg.grp, COALESCE(agg.units, 0) AS units, "
           "COALESCE(agg.empty, 0) AS empty, COALESCE(agg.available_empty, 0) AS available_empty "
           f"FROM pts {'LEFT ' if by is None else ''}JOIN agg ON agg.at_day = pts.at_day "
           f"ORDER BY {'pts.at_day' if by is None else 'agg.grp, pts.at_day'}")
    with connected(conn) as conn:
        out = _clean(query(conn, sql, params), dates=("month",))
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
    s = _Sql
    units, params = _params(scope, as_of=as_of, limit=int(limit))
    d = s.date("as_of")
    longest = "CASE WHEN days_empty IS NULL THEN 1 ELSE 0 END, days_empty DESC, unit_code"
    with connected(conn) as conn:
        # Every empty unit with its days empty: from the pre-aggregate at the month ends it holds, else live.
        empty = (
            "SELECT e.*, CASE WHEN last_end IS NOT NULL THEN " + s.days(d, "last_end") + " "
            f"WHEN management_start IS NOT NULL THEN {s.days(d, 'management_start')} + 1 END AS days_empty "
            "FROM (SELECT su.unit_code, su.building_code, su.intervention_code, su.intervention_name, su.status, "
            "su.unit_rent, i.management_start, (SELECT MAX(l.end_date) FROM lease l "
            f"WHERE l.unit_code = su.unit_code AND l.end_date < {d}) AS last_end "
            f"FROM ({units}) su JOIN intervention i ON i.code = su.intervention_code "
            f"WHERE {_in_stock(d)} AND NOT {_occupied(d)}) e")
        # Only the `limit` longest get a rent and a void loss (a lookup per unit).
        sql = (f"WITH f AS ({empty}), top AS (SELECT * FROM f ORDER BY {longest} LIMIT :limit), "
               f"r AS (SELECT top.*, COALESCE(top.unit_rent, {_last_rent('top.unit_code', d)}) AS rent FROM top) "
               "SELECT unit_code, building_code, intervention_code, intervention_name, status, "
               "last_end AS last_lease_end, CASE WHEN last_end IS NULL THEN 1 ELSE 0 END AS never_let, days_empty, "
               f"rent AS monthly_rent, CASE WHEN {_available('r')} THEN rent * days_empty / {DAYS_PER_MONTH} END "
               f"AS void_loss_eur FROM r ORDER BY {longest}")
        out = _clean(query(conn, sql, params), dates=("last_lease_end",))
    out["never_let"] = out["never_let"].astype(bool)
    return out
