"""The monitoring pages' sidebar filters: SGR > fondo > intervento > edificio, reference date and period.

Every filter widget is bound to the address bar (`bind="query-params"`, its key is the parameter): a reload
(F5) or a shared link reopens the same selection. Moving between pages keeps it through a plain copy of each
value (`_filter`), also across pages without filters such as "Inizio".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import monitoring_data as md
from dashboard.auth import current_user
from indicators.catalog import default_as_of, default_period
from indicators.comparisons import Window
from indicators.scope import Scope
from osservatorio.formatting import fmt_date
from osservatorio.settings import get_settings

KEEP = "keep_"  # prefix of the plain copies of the filters' values (see `_filter`)
LEVELS = (  # (key, Scope field, column of the portfolio tree, label)
    ("flt_sgr", "sgrs", "sgr", "SGR"),
    ("flt_fund", "funds", "fund", "Fondo"),
    ("flt_intervention", "interventions", "intervention_code", "Intervento"),
    ("flt_building", "buildings", "building_code", "Edificio"),
)
PERIODS = {
    "12m": "12 mesi fino alla data",
    "ytd": "Da inizio anno alla data",
    "custom": "Personalizzato",
}


NOTHING = Scope(sgrs=())  # what an anonymous caller may see


def user_scope() -> Scope:
    """The part of the portfolio the signed-in user may see (nothing when nobody is signed in)."""
    user = current_user()
    return NOTHING if user is None else user.scope


def suppression_threshold() -> int | None:
    """The small-cell threshold when the signed-in user's aggregates are suppressed, else None."""
    user, settings = current_user(), get_settings()
    if user is None or user.suppressed(always=settings.suppress_for_all):
        return settings.small_cell_threshold
    return None


def contract_rows() -> bool:
    """Whether the signed-in user may see rows about single contracts, units and cases."""
    user = current_user()
    return user is not None and user.contract_rows


@dataclass(frozen=True)
class Filters:
    """What the sidebar chose: the narrowed scope, the date, the period, and the data's first/last day."""

    scope: Scope
    as_of: date
    start: date
    end: date
    first_day: date
    last_day: date
    intervention_names: dict[str, str]
    contract_rows: bool = True  # the user may see rows about single contracts, units and cases
    suppress: int | None = None  # small-cell threshold when aggregates are suppressed for this user
    building_addresses: dict[str, str] = field(default_factory=dict)

    @property
    def trend_start(self) -> date:
        """Where trend charts begin: 24 months before the date (or the period start if earlier), within the data."""
        two_years = (pd.Timestamp(self.as_of) - pd.DateOffset(years=2) + pd.Timedelta(days=1)).date()
        return max(self.first_day, min(self.start, two_years))

    def intervention_label(self, code) -> str:
        """'INT001 · Villaggio Rovagnasco'."""
        name = self.intervention_names.get(code)
        return f"{code} · {name}" if name else str(code)

    def building_label(self, code) -> str:
        """'INT003-E01 · Via Roma 3' (the code alone when the address is not known)."""
        address = self.building_addresses.get(code)
        return f"{code} · {address}" if isinstance(address, str) and address else str(code)

    @property
    def window(self) -> Window:
        return Window(self.as_of, self.start, self.end)

    @property
    def period_label(self) -> str:
        return f"{fmt_date(self.start)} – {fmt_date(self.end)}"


def _choices(tree: pd.DataFrame, column: str) -> list[str]:
    return sorted(v for v in tree[column].dropna().unique())


def _offered(values: list[str], *, options: list[str]) -> list[str]:
    """The chosen values that the levels above still allow."""
    return [v for v in values if v in options]


def _labeller(tree: pd.DataFrame, code: str, name: str) -> Callable[[str], str]:
    """'INT001 · Villaggio Rovagnasco', 'INT003-E01 · Via Roma 3': the code with its name where there is one."""
    names = dict(zip(tree[code], tree[name]))
    return lambda value: f"{value} · {names[value]}" if isinstance(names.get(value), str) and names[value] else value


def building_label() -> Callable[[str], str]:
    """'INT003-E01 · Via Roma 3' for the buildings the signed-in user may see (for pickers outside the sidebar)."""
    return _labeller(md.portfolio_tree(user_scope()), "building_code", "building_address")


def _remember(key: str) -> None:
    st.session_state[KEEP + key] = st.session_state[key]


def _filter(widget: Callable, key: str, valid: Callable, default, **kwargs):
    """Draw a filter widget whose choice survives moving between pages and reloads.

    Streamlit forgets a widget's last change when the next click switches page (the "Periodo" that went
    back to "12 mesi"), so every change is also copied to a plain key (`on_change`) and given back to the
    widget before it is drawn, corrected by `valid` when the options no longer allow it. Without a copy
    (a new session) the address decides (`bind`), else `default`."""
    if KEEP + key in st.session_state:
        st.session_state[key] = valid(st.session_state[KEEP + key])
    elif default is not None:
        kwargs["value"] = default  # the date inputs' first value
    value = widget(key=key, on_change=_remember, args=(key,), bind="query-params", **kwargs)
    st.session_state[KEEP + key] = value
    return value


def _portfolio(tree: pd.DataFrame, levels=LEVELS) -> dict[str, list[str]]:
    """Cascading multiselects: each level offers only what the levels above allow."""
    chosen: dict[str, list[str]] = {}
    label_of = {"flt_intervention": _labeller(tree, "intervention_code", "intervention_name"),
                "flt_building": _labeller(tree, "building_code", "building_address")}
    for key, level, column, label in levels:
        options = _choices(tree, column)
        chosen[level] = list(_filter(st.multiselect, key, partial(_offered, options=options), None,
                                     label=label, options=options, placeholder="Tutti", select_all=False,
                                     format_func=label_of.get(key, str)))
        if chosen[level]:
            tree = tree[tree[column].isin(chosen[level])]
    return chosen


def _clamp(value, first: date, last: date) -> date:
    return min(max(value, first), last) if isinstance(value, date) else last


def _period_range(as_of: date, first: date, last: date) -> tuple[date, date]:
    """The custom period's two days (the 12 months to the date until the second day is picked)."""
    chosen = _filter(st.date_input, "flt_range", lambda days: tuple(_clamp(d, first, last) for d in days),
                     default_period(as_of), label="Dal – al", min_value=first, max_value=last, format="DD/MM/YYYY")
    return (chosen[0], chosen[1]) if len(chosen) == 2 else default_period(as_of)


def _dates(first: date, last: date) -> tuple[date, date, date]:
    as_of = _filter(st.date_input, "flt_as_of", lambda day: _clamp(day, first, last), default_as_of(first, last),
                    label="Data di riferimento", min_value=first, max_value=last, format="DD/MM/YYYY",
                    help="Data a cui si calcolano gli indicatori «alla data» (morosità accumulata, sfitto...); "
                         "si apre sull'ultima fine mese coperta dai dati. "
                         f"I movimenti caricati vanno dal {fmt_date(first)} al {fmt_date(last)}.")
    kind = _filter(st.selectbox, "flt_period", lambda k: k if k in PERIODS else "12m", None, label="Periodo",
                   options=list(PERIODS), format_func=PERIODS.get,
                   help="Periodo degli indicatori di flusso (tasso sull'emesso, mancato canone, sfratti...).")
    if kind == "ytd":
        return as_of, date(as_of.year, 1, 1), as_of
    if kind == "custom":
        return as_of, *_period_range(as_of, first, last)
    return (as_of, *default_period(as_of))


def sidebar_filters(*, dates: bool = True) -> Filters | None:
    """Draw the filters in the sidebar and return them; None (with a message) when there is nothing to filter.

    Without `dates` (a page of yearly figures) only the portfolio levels are drawn; the date and period
    are the defaults."""
    first, last = md.ledger_span()
    tree = md.portfolio_tree(user_scope())
    if first is None or last is None or tree.empty:
        st.info("Nessun dato da monitorare: caricare alloggi, contratti e movimenti contabili dalla pagina "
                "**Caricamenti** (oppure `osservatorio demo` per i dati di esempio).", icon=":material/inventory_2:")
        return None
    threshold, rows = suppression_threshold(), contract_rows()
    with st.sidebar:
        st.subheader("Filtri")
        chosen = _portfolio(tree, LEVELS if rows else LEVELS[:-1])  # no single buildings without contract rows
        if dates:
            as_of, start, end = _dates(first, last)
            st.caption(f"Periodo: {fmt_date(start)} – {fmt_date(end)}")
        else:
            as_of = default_as_of(first, last)
            start, end = default_period(as_of)
    scope = user_scope().narrowed(**chosen)
    names = dict(zip(tree["intervention_code"], tree["intervention_name"]))
    return Filters(scope=scope, as_of=as_of, start=start, end=end, first_day=first, last_day=last,
                   intervention_names=names, contract_rows=rows, suppress=threshold,
                   building_addresses=dict(zip(tree["building_code"], tree["building_address"])))


def monitoring_page(title: str, *, dates: bool = True) -> Filters:
    """Title, sidebar filters and the line saying which date and period the page shows; stops the
    page (after the filters' own message) when there is nothing to monitor. `dates=False`: see `sidebar_filters`."""
    st.title(title)
    flt = sidebar_filters(dates=dates)
    if flt is None:
        st.stop()
    if flt.suppress is not None and md.households(as_of=flt.as_of, scope=flt.scope) < flt.suppress:
        st.warning(f"Il perimetro scelto conta meno di {flt.suppress} nuclei alla data: per tutelarne la "
                   "riservatezza gli indicatori non sono mostrati. Allargare la selezione.", icon=":material/lock:")
        st.stop()
    if dates:
        st.caption(f"Alla data {flt.as_of:%d/%m/%Y}; indicatori di periodo sul periodo {flt.period_label}.")
    return flt
