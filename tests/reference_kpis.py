"""An independent reference of the registry KPIs, for the property test `test_kpi_properties.py`.

Written straight from the definitions (the KPI definitions and the morosità procedure of the project's domain
notes, the formulas of the KPI registry), as plain loops over the portfolio's objects, money in integer cents.
It shares no code with `indicators/`: where a definition leaves a detail open, the comment says which reading is
taken (and it is the one the product documents). A figure that cannot be computed is `None`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

CREDITS = ("incasso", "storno", "abbuono", "stralcio")
NON_CASH = ("storno", "abbuono", "stralcio")
AGING = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("91-365", 365), ("1-2 anni", 730), ("oltre 2 anni", None))
OVERDUE_DAYS = 30  # households_in_arrears_pct: a debt overdue by more than 30 days (the procedure's first step)
DAYS_PER_MONTH = 30.4375  # void loss: a monthly rent over the average month (365.25 / 12)
WORKS_COST = 500_000  # cents: a ticket of at least 5,000 € on a unit between two leases marks major works
AVAILABLE = (None, "locabile")  # an empty unit with this status is available to let; any other is unavailable
GRACE_DAYS = 10  # the tolerance on every deadline of the procedure


# --- the portfolio, as the users' files describe it ------------------------------------------------------------
@dataclass(frozen=True)
class Intervention:
    code: str
    fund: str
    sgr: str
    management_start: date | None
    contract_type: str | None
    municipality: str = "Milano"


@dataclass(frozen=True)
class Building:
    code: str
    intervention: str


@dataclass(frozen=True)
class Unit:
    code: str
    building: str
    tenure: str
    status: str | None
    rent: int | None  # cents a month


@dataclass(frozen=True)
class Household:
    code: str
    band: str | None


@dataclass(frozen=True)
class Lease:
    code: str
    unit: str
    household: str
    start: date
    end: date | None
    rent: int  # cents a month
    end_reason: str | None = None


@dataclass(frozen=True)
class Move:
    code: str
    lease: str
    kind: str  # addebito, incasso, storno, abbuono, stralcio
    entry_date: date
    amount: int  # cents, positive
    accrual: date | None = None  # first day of the month the charge refers to (competenza)
    due: date | None = None  # scadenza as written in the file

    @property
    def due_on(self) -> date:
        """A charge's due date: the scadenza, else day 10 of the competenza month, else of the entry's month."""
        if self.due is not None:
            return self.due
        month = self.accrual or self.entry_date
        return date(month.year, month.month, 10)

    @property
    def counts_from(self) -> date:
        """A charge counts from its due date, a credit from its entry date."""
        return self.due_on if self.kind == "addebito" else self.entry_date


@dataclass(frozen=True)
class CaseEvent:
    case: str
    lease: str
    day: date
    event: str
    amount: int | None = None  # cents


@dataclass(frozen=True)
class Ticket:
    code: str
    building: str
    unit: str | None
    category: str
    opened: date
    closed: date | None
    cost: int | None  # cents


@dataclass(frozen=True)
class Application:
    code: str
    municipality: str
    applied: date
    outcome: str | None
    decided: date | None


@dataclass
class Portfolio:
    interventions: list[Intervention] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)

    def intervention_of(self, unit: Unit) -> Intervention:
        building = next(b for b in self.buildings if b.code == unit.building)
        return next(i for i in self.interventions if i.code == building.intervention)

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)


# --- scope: which units a caller sees ------------------------------------------------------------------------------
def in_scope(p: Portfolio, unit: Unit, scope) -> bool:
    """`scope` has sgrs, funds, interventions, buildings: None (no limit) or the allowed values."""
    inter = p.intervention_of(unit)
    levels = ((scope.sgrs, inter.sgr), (scope.funds, inter.fund), (scope.interventions, inter.code),
              (scope.buildings, unit.building))
    return all(allowed is None or value in allowed for allowed, value in levels)


def scoped_units(p: Portfolio, scope) -> list[Unit]:
    return [u for u in p.units if in_scope(p, u, scope)]


def scoped_leases(p: Portfolio, scope) -> list[Lease]:
    codes = {u.code for u in scoped_units(p, scope)}
    return [lease for lease in p.leases if lease.unit in codes]


def in_stock(p: Portfolio, unit: Unit, day: date) -> bool:
    """A unit is managed (in stock) from its intervention's management start (always, without one)."""
    start = p.intervention_of(unit).management_start
    return start is None or start <= day


def active(lease: Lease, day: date) -> bool:
    return lease.start <= day and (lease.end is None or lease.end >= day)


def ratio(num: float, den: float, scale: float = 100.0) -> float | None:
    return None if not den else num / den * scale


# --- the ledger: FIFO -------------------------------------------------------------------------------------------
def charges_due(p: Portfolio, lease: Lease, day: date) -> list[Move]:
    """The lease's charges due on or before `day`, oldest first (FIFO order: due date, then file order)."""
    rows = [(m.due_on, i, m) for i, m in enumerate(p.moves)
            if m.lease == lease.code and m.kind == "addebito" and m.due_on <= day]
    return [m for _, _, m in sorted(rows, key=lambda r: (r[0], r[1]))]


def credits_by(p: Portfolio, lease: Lease, day: date, kinds=CREDITS) -> int:
    return sum(m.amount for m in p.moves if m.lease == lease.code and m.kind in kinds and m.entry_date <= day)


def allocate(charges: list[Move], credit: int) -> list[tuple[Move, int]]:
    """FIFO: `credit` settles the oldest charges first; each charge with the part of it left unpaid."""
    out = []
    for charge in charges:
        settled = min(charge.amount, max(credit, 0))
        credit -= settled
        out.append((charge, charge.amount - settled))
    return out


def unpaid_charges(p: Portfolio, lease: Lease, day: date) -> list[tuple[Move, int]]:
    return [(m, left) for m, left in allocate(charges_due(p, lease, day), credits_by(p, lease, day)) if left > 0]


def debt(p: Portfolio, lease: Lease, day: date) -> int:
    """The lease's arrears at `day`: charges due minus every credit, never below zero (a credit is no debt)."""
    return max(0, sum(m.amount for m in charges_due(p, lease, day)) - credits_by(p, lease, day))


def moves_counted(p: Portfolio, leases: list[Lease], day: date) -> int:
    return sum(1 for m in p.moves if m.counts_from <= day and m.lease in {lease.code for lease in leases})


def ledger_gap(p: Portfolio, *, as_of: date | None = None, start: date | None = None, end: date | None = None) -> bool:
    """No data: no movement at all, a date before the first entry, or a period wholly after the last one."""
    days = [m.entry_date for m in p.moves]
    return source_gap(days, as_of=as_of, start=start, end=end)


def source_gap(days: list[date], *, as_of=None, start=None, end=None) -> bool:
    if not days:
        return True
    day = end if end is not None else as_of
    return day < min(days) or (start is not None and start > max(days))


def _ledger_guard(p: Portfolio, scope, day: date) -> list[Lease] | None:
    """The leases in scope, or None when the figure has nothing to count (no lease, no movement by `day`)."""
    leases = scoped_leases(p, scope)
    if not leases or not moves_counted(p, leases, day):
        return None
    return leases


# --- arrears KPIs -----------------------------------------------------------------------------------------------
def arrears_stock(p: Portfolio, scope, as_of: date) -> dict | None:
    """Σ over leases of max(0, charges due by D − credits by D), split current / former (ended before D)."""
    if ledger_gap(p, as_of=as_of) or (leases := _ledger_guard(p, scope, as_of)) is None:
        return None
    debts = {lease.code: debt(p, lease, as_of) for lease in leases}
    former = sum(debts[lease.code] for lease in leases if lease.end is not None and lease.end < as_of)
    total = sum(debts.values())
    return {"value": total / 100, "cessati": former / 100, "in_essere": (total - former) / 100,
            "contratti": sum(1 for d in debts.values() if d > 0)}


def arrears_rate_rent_roll(p: Portfolio, scope, as_of: date) -> float | None:
    """Arrears of the leases active at D / (12 × their monthly rents) × 100."""
    if ledger_gap(p, as_of=as_of) or (leases := _ledger_guard(p, scope, as_of)) is None:
        return None
    current = [lease for lease in leases if active(lease, as_of)]
    return ratio(sum(debt(p, lease, as_of) for lease in current), 12 * sum(lease.rent for lease in current))


def households_in_arrears(p: Portfolio, scope, as_of: date) -> float | None:
    """Active leases whose oldest unpaid charge (FIFO) is overdue by more than 30 days / active leases × 100."""
    if ledger_gap(p, as_of=as_of) or (leases := _ledger_guard(p, scope, as_of)) is None:
        return None
    current = [lease for lease in leases if active(lease, as_of)]
    late = 0
    for lease in current:
        unpaid = unpaid_charges(p, lease, as_of)
        if unpaid and (as_of - unpaid[0][0].due_on).days > OVERDUE_DAYS:
            late += 1
    return ratio(late, len(current))


def _period_charges(p: Portfolio, lease: Lease, start: date, end: date, credit: int) -> tuple[int, int]:
    """(charges due in [start, end], the part of them `credit` settles), `credit` allocated FIFO from the oldest."""
    billed = settled = 0
    for charge, left in allocate(charges_due(p, lease, end), credit):
        if charge.due_on >= start:
            billed += charge.amount
            settled += charge.amount - left
    return billed, settled


def arrears_rate_billed(p: Portfolio, scope, start: date, end: date) -> float | None:
    """(charges due in the period − what settled them by the end, FIFO) / charges due in the period × 100."""
    if ledger_gap(p, start=start, end=end) or (leases := _ledger_guard(p, scope, end)) is None:
        return None
    billed = unpaid = 0
    for lease in leases:
        b, s = _period_charges(p, lease, start, end, credits_by(p, lease, end))
        billed, unpaid = billed + b, unpaid + b - s
    return ratio(unpaid, billed)


def collection_rate(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Collected against the charges due in the period / those charges × 100.

    Only payments are collections. Where the credits of a lease are both cash and non-cash, the definitions do
    not say which settled which charge; the reading taken (and documented by the product) is that reversals,
    allowances and write-offs settle the oldest debt first, the payments what follows: the payments' share of
    the period's charges is then (settled by all credits) − (settled by the non-cash credits alone).
    """
    if ledger_gap(p, start=start, end=end) or (leases := _ledger_guard(p, scope, end)) is None:
        return None
    billed = collected = 0
    for lease in leases:
        b, by_all = _period_charges(p, lease, start, end, credits_by(p, lease, end))
        _, by_non_cash = _period_charges(p, lease, start, end, credits_by(p, lease, end, NON_CASH))
        billed, collected = billed + b, collected + by_all - by_non_cash
    return ratio(collected, billed)


def collection_rate_with_arrears(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Every payment entered in the period (also on arrears or in advance) / charges due in the period × 100."""
    if ledger_gap(p, start=start, end=end) or (leases := _ledger_guard(p, scope, end)) is None:
        return None
    codes = {lease.code for lease in leases}
    cash = sum(m.amount for m in p.moves if m.lease in codes and m.kind == "incasso" and start <= m.entry_date <= end)
    billed = sum(_period_charges(p, lease, start, end, 0)[0] for lease in leases)
    return ratio(cash, billed)


def bucket_of(age: int) -> str:
    return next(label for label, limit in AGING if limit is None or age <= limit)


def arrears_aging(p: Portfolio, scope, as_of: date, *, by_charge: bool) -> dict[str, tuple[float, int]] | None:
    """Unpaid euro and leases per aging bucket at D: each charge's unpaid part by its own age (`by_charge`), or each
    lease's whole debt by the age of its oldest unpaid charge. None: no data (an empty table)."""
    if ledger_gap(p, as_of=as_of):
        return None
    amounts, leases = {label: 0 for label, _ in AGING}, {label: set() for label, _ in AGING}
    for lease in scoped_leases(p, scope):
        unpaid = unpaid_charges(p, lease, as_of)
        if not unpaid:
            continue
        if not by_charge:
            unpaid = [(unpaid[0][0], sum(left for _, left in unpaid))]
        for charge, left in unpaid:
            label = bucket_of((as_of - charge.due_on).days)
            amounts[label] += left
            leases[label].add(lease.code)
    return {label: (amounts[label] / 100, len(leases[label])) for label, _ in AGING}


# --- vacancy, relets, turnover, units ---------------------------------------------------------------------------
def units_managed(p: Portfolio, scope, as_of: date) -> int | None:
    n = sum(1 for u in scoped_units(p, scope) if in_stock(p, u, as_of))
    return n or None


def vacancy_rate(p: Portfolio, scope, as_of: date) -> dict | None:
    """Units in stock at D with no lease covering D / units in stock at D × 100; split by the unit's status."""
    stock = [u for u in scoped_units(p, scope) if in_stock(p, u, as_of)]
    if not stock:
        return None
    empty = [u for u in stock if not any(lease.unit == u.code and active(lease, as_of) for lease in p.leases)]
    available = [u for u in empty if u.status in AVAILABLE]
    return {"value": ratio(len(empty), len(stock)), "disponibili": ratio(len(available), len(stock)),
            "non_disponibili": ratio(len(empty) - len(available), len(stock))}


def _days_in_period(p: Portfolio, unit: Unit, start: date, end: date) -> tuple[int, int]:
    """(unit-days in stock in [start, end], the empty ones among them), day by day."""
    total = empty = 0
    leases = [lease for lease in p.leases if lease.unit == unit.code]
    day = start
    while day <= end:
        if in_stock(p, unit, day):
            total += 1
            empty += not any(active(lease, day) for lease in leases)
        day += timedelta(days=1)
    return total, empty


def vacancy_days_pct(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Empty unit-days / unit-days in the period × 100 (a unit counts from the day its management starts)."""
    total = empty = 0
    for unit in scoped_units(p, scope):
        t, e = _days_in_period(p, unit, start, end)
        total, empty = total + t, empty + e
    return ratio(empty, total)


def _void_rent(p: Portfolio, unit: Unit, end: date) -> int | None:
    """The rent a unit would earn: its own, else that of its last lease started by the end of the period."""
    if unit.rent is not None:
        return unit.rent
    started = sorted((lease for lease in p.leases if lease.unit == unit.code and lease.start <= end),
                     key=lambda lease: (lease.start, lease.code))
    return started[-1].rent if started else None


def void_loss(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Σ over empty units available to let of monthly rent × empty days in the period / 30.4375.

    None when no unit of the scope is managed in the period; units without any rent are left out."""
    units = [u for u in scoped_units(p, scope) if in_stock(p, u, end)]
    if not units:
        return None
    loss = 0.0
    for unit in units:
        _, empty = _days_in_period(p, unit, start, end)
        rent = _void_rent(p, unit, end)
        if empty and unit.status in AVAILABLE and rent is not None:
            loss += rent / 100 * empty / DAYS_PER_MONTH
    return loss


def relet_days(p: Portfolio, scope, year: int) -> float | None:
    """Mean days from a lease's end to the next lease's start on the same unit, for the leases starting in `year`;
    first lets and relets after major works (a ticket ≥ 5,000 € on the unit opened between the two leases, or a
    unit under renovation) are left out."""
    days = []
    for unit in scoped_units(p, scope):
        leases = sorted((lease for lease in p.leases if lease.unit == unit.code), key=lambda x: (x.start, x.code))
        for before, lease in zip(leases, leases[1:]):
            if lease.start.year != year or before.end is None or before.end > lease.start:
                continue
            works = unit.status == "in_ristrutturazione" or any(
                t.unit == unit.code and t.cost is not None and t.cost >= WORKS_COST and before.end <= t.opened <= lease.start
                for t in p.tickets)
            if not works:
                days.append((lease.start - before.end).days)
    return sum(days) / len(days) if days else None


def month_ends(year: int) -> list[date]:
    return [date(year + (m == 12), m % 12 + 1, 1) - timedelta(days=1) for m in range(1, 13)]


def turnover_rate(p: Portfolio, scope, year: int) -> float | None:
    """Leases ended in `year` / average units in stock (over the 12 month ends) × 100."""
    units = scoped_units(p, scope)
    average = sum(1 for day in month_ends(year) for u in units if in_stock(p, u, day)) / 12
    ended = sum(1 for lease in scoped_leases(p, scope) if lease.end is not None and lease.end.year == year)
    return ratio(ended, average)


def evictions_per_1000(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Evictions carried out in the period / units in stock at its end × 1000. An eviction: a lease with an
    sfratto_eseguito event in the period, or a lease ended in the period for arrears (sfratto_morosita) that has
    no sfratto_eseguito event at all; each lease once."""
    units = [u for u in scoped_units(p, scope) if in_stock(p, u, end)]
    evicted = 0
    for lease in scoped_leases(p, scope):
        executed = [e.day for e in p.events if e.lease == lease.code and e.event == "sfratto_eseguito"]
        if executed:
            evicted += any(start <= day <= end for day in executed)
        else:
            evicted += lease.end_reason == "sfratto_morosita" and lease.end is not None and start <= lease.end <= end
    return ratio(evicted, len(units), scale=1000.0)


# --- facility tickets -------------------------------------------------------------------------------------------
def scoped_tickets(p: Portfolio, scope) -> list[Ticket]:
    """Tickets of the buildings that hold a unit in scope."""
    buildings = {u.building for u in scoped_units(p, scope)}
    return [t for t in p.tickets if t.building in buildings]


def tickets_gap(p: Portfolio, **dates) -> bool:
    return source_gap([d for t in p.tickets for d in (t.opened, t.closed) if d is not None], **dates)


def ticket_days_to_close(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Mean days from opening to closing of the tickets closed in the period."""
    if tickets_gap(p, start=start, end=end):
        return None
    days = [(t.closed - t.opened).days for t in scoped_tickets(p, scope) if t.closed and start <= t.closed <= end]
    return sum(days) / len(days) if days else None


def ticket_backlog(p: Portfolio, scope, as_of: date) -> int | None:
    """Tickets opened by D and not closed by D; None without units managed at D."""
    if tickets_gap(p, as_of=as_of) or not units_managed(p, scope, as_of):
        return None
    return sum(1 for t in scoped_tickets(p, scope) if t.opened <= as_of and (t.closed is None or t.closed > as_of))


def ticket_cost_per_unit(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Cost of the tickets closed in the period / units managed at its end."""
    if tickets_gap(p, start=start, end=end) or not (n := units_managed(p, scope, end)):
        return None
    cost = sum(t.cost or 0 for t in scoped_tickets(p, scope) if t.closed and start <= t.closed <= end)
    return cost / 100 / n


# --- arrears cases on the procedure's clock ---------------------------------------------------------------------
# The procedure, from the opening of the case (the missed payment): the events that accomplish each step and
# the days by which it is due. A diffida counts as the instrument of a case assessed colpevole. The eviction step
# is due after 24 months, or 18 months after the latest plan, microcredit or solidarity fund if later (while one
# of them runs the eviction waits). The first of sfratto_eseguito, chiusura_saldo, chiusura_altro closes a case.
STEPS = (
    (("sollecito_telefonico", "sollecito_scritto"), 30),
    (("incontro", "valutazione_disagio", "incolpevole", "colpevole"), 60),
    (("microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio", "programma_supporto", "assicurazione",
      "riduzione_canone"), 90),
    (("sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito"), 730),
)
SUSPENDING, SUSPENSION_DAYS = ("piano_rientro", "microcredito", "fondo_solidarieta"), 548
CLOSING = ("sfratto_eseguito", "chiusura_saldo", "chiusura_altro")


@dataclass(frozen=True)
class CaseState:
    open: bool
    late: bool
    resolved: bool
    assessment: str | None


def _case_state(events: list[CaseEvent], as_of: date) -> CaseState:
    events = sorted(events, key=lambda e: e.day)
    opened = events[0].day
    names = {e.event for e in events}
    culpable = "colpevole" in names
    reached = [bool(names & set(step)) or (i == 2 and culpable and "diffida" in names)
               for i, (step, _) in enumerate(STEPS)]
    closing = [e.event for e in events if e.event in CLOSING]
    furthest = max((i for i, done in enumerate(reached) if done), default=-1)
    late = False
    if not closing and furthest + 1 < len(STEPS):
        due = opened + timedelta(days=STEPS[furthest + 1][1])
        if furthest + 1 == len(STEPS) - 1:
            held = [e.day for e in events if e.event in SUSPENDING]
            if held:
                due = max(due, max(held) + timedelta(days=SUSPENSION_DAYS))
        late = (as_of - due).days - GRACE_DAYS > 0
    latest = {name: max((e.day for e in events if e.event == name), default=None) for name in ("incolpevole",
                                                                                            "colpevole")}
    assessment = None
    if latest["incolpevole"] and not (latest["colpevole"] and latest["colpevole"] > latest["incolpevole"]):
        assessment = "incolpevole"
    elif latest["colpevole"]:
        assessment = "colpevole"
    return CaseState(open=not closing, late=late, resolved=bool(closing) and closing[0] == "chiusura_saldo",
                     assessment=assessment)


def case_events(p: Portfolio, scope, as_of: date) -> dict[str, list[CaseEvent]]:
    leases = {lease.code for lease in scoped_leases(p, scope)}
    cases: dict[str, list[CaseEvent]] = {}
    for e in p.events:
        if e.lease in leases and e.day <= as_of:
            cases.setdefault(e.case, []).append(e)
    return cases


def late_cases(p: Portfolio, scope, as_of: date) -> dict | None:
    """Open cases with the step after their furthest one past its deadline (+ 10 days of tolerance)."""
    if source_gap([e.day for e in p.events], as_of=as_of):
        return None
    states = [_case_state(events, as_of) for events in case_events(p, scope, as_of).values()]
    if not states:
        return None
    return {"value": sum(s.open and s.late for s in states), "open": sum(s.open for s in states),
            "closed": sum(not s.open for s in states), "resolved": sum(s.resolved for s in states)}


def no_fault_share(p: Portfolio, scope, as_of: date) -> float | None:
    """Cases whose latest assessment is incolpevole / cases assessed (incolpevole or colpevole) × 100."""
    if source_gap([e.day for e in p.events], as_of=as_of):
        return None
    states = [_case_state(events, as_of) for events in case_events(p, scope, as_of).values()]
    no_fault = sum(s.assessment == "incolpevole" for s in states)
    return ratio(no_fault, no_fault + sum(s.assessment == "colpevole" for s in states))


def plan_recovery(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Debt recovered under repayment plans in [start, end], per lease with plans signed by `end` (merged from the
    first plan to the last closure, or `end` while open), over the part of that window after the day before `start`:
    min(Σ plan amounts, debt at the window's start, max(0, payments and reversals in it − charges falling due in
    it)). Allowances and write-offs are no recovery. None without any plan."""
    if source_gap([e.day for e in p.events], start=start, end=end) or ledger_gap(p, start=start, end=end):
        return None
    as_of = end
    plans: dict[str, list] = {}  # lease -> [first plan, until, planned]
    for events in case_events(p, scope, as_of).values():
        signed = sorted(e.day for e in events if e.event == "piano_rientro")
        if not signed:
            continue
        closings = sorted(e.day for e in events if e.event in CLOSING)
        until = closings[0] if closings else as_of
        planned = sum(e.amount or 0 for e in events if e.event == "piano_rientro")
        lease = events[0].lease
        first, last, total = plans.get(lease, [signed[0], until, 0])
        plans[lease] = [min(first, signed[0]), max(last, until), total + planned]
    if not plans:
        return None
    recovered = 0
    for code, (t1, t2, planned) in plans.items():
        t1, t2 = max(t1, start - timedelta(days=1)), min(t2, as_of)
        if t1 >= t2:
            continue
        moves = [m for m in p.moves if m.lease == code]
        owed = sum(m.amount if m.kind == "addebito" else -m.amount for m in moves if m.counts_from <= t1)
        surplus = sum(m.amount for m in moves if m.kind in ("incasso", "storno") and t1 < m.entry_date <= t2)
        surplus -= sum(m.amount for m in moves if m.kind == "addebito" and t1 < m.due_on <= t2)
        if owed > 0 and surplus > 0:
            recovered += min(planned, owed, surplus)
    return recovered / 100


# --- allocations: applications, kept per Comune -----------------------------------------------------------------
CLOSED_OUTCOMES = ("assegnata", "non_idonea", "rinuncia")


def scoped_applications(p: Portfolio, scope) -> list[Application]:
    """All applications for the whole portfolio; for a limited scope, those made in the Comuni (any case) of the
    interventions holding the scope's units."""
    if all(getattr(scope, level) is None for level in ("sgrs", "funds", "interventions", "buildings")):
        return list(p.applications)
    towns = {p.intervention_of(u).municipality.lower() for u in scoped_units(p, scope)}
    return [a for a in p.applications if a.municipality.lower() in towns]


def applications_gap(p: Portfolio, **dates) -> bool:
    return source_gap([d for a in p.applications for d in (a.applied, a.decided) if d is not None], **dates)


def applications_received(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Applications made in the period (0 is a figure: none were made)."""
    if applications_gap(p, start=start, end=end):
        return None
    return float(sum(1 for a in scoped_applications(p, scope) if start <= a.applied <= end))


def allocation_days(p: Portfolio, scope, start: date, end: date) -> float | None:
    """Mean days from application to allocation, over the allocations decided in the period."""
    if applications_gap(p, start=start, end=end):
        return None
    days = [(a.decided - a.applied).days for a in scoped_applications(p, scope)
            if a.outcome == "assegnata" and a.decided is not None and start <= a.decided <= end]
    return sum(days) / len(days) if days else None


def waiting_list(p: Portfolio, scope, as_of: date) -> float | None:
    """Applications made by D and not allocated, turned down or renounced by D."""
    if applications_gap(p, as_of=as_of):
        return None
    return float(sum(1 for a in scoped_applications(p, scope) if a.applied <= as_of
                     and not (a.outcome in CLOSED_OUTCOMES and a.decided is not None and a.decided <= as_of)))
