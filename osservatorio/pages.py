"""The page-access matrix: the dashboard's pages, grouped in Italian sections, and the roles that see each.

Adding a page is one line in `PAGES`. No Streamlit here: the CLI and the reports read the same matrix
(`dashboard.navigation` turns it into `st.Page` objects for the signed-in user's role).
"""

from __future__ import annotations

from dataclasses import dataclass

from osservatorio.roles import ADMIN, ALL_ROLES, DIREZIONE, GESTORE, REGIONE, SGR

MONITORING = frozenset({REGIONE, SGR, GESTORE, DIREZIONE, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})
BUDGET = frozenset({DIREZIONE, ADMIN})
LABS = frozenset({REGIONE, ADMIN})
IMPACT = frozenset({GESTORE, SGR, DIREZIONE, REGIONE, ADMIN})
ALLOCATIONS = frozenset({GESTORE, REGIONE, ADMIN})  # applications are per Comune, not per fund: not for SGRs
PROJECTS = frozenset({REGIONE, GESTORE, ADMIN})
ECONOMICS = frozenset({SGR, GESTORE, DIREZIONE, ADMIN})  # costs and margins: not the Regione's
SELECTION = frozenset({GESTORE, ADMIN, REGIONE, SGR})
SELECTION_DETAIL = frozenset({GESTORE, ADMIN})  # graduatoria and proposals by household code; the others: aggregates


@dataclass(frozen=True)
class PageSpec:
    """A page of the dashboard: its script (relative to `app.py`), title, icon, section and roles."""

    path: str
    title: str
    icon: str
    section: str = "Dati"
    roles: frozenset[str] = ALL_ROLES


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/home.py", "Inizio", ":material/home:"),
    PageSpec("views/loads.py", "Caricamenti", ":material/upload_file:", roles=ADMIN_ONLY),
    PageSpec("views/overview.py", "Panoramica", ":material/dashboard:", "Monitoraggio", MONITORING),
    PageSpec("views/arrears.py", "Morosità", ":material/euro:", "Monitoraggio", MONITORING),
    PageSpec("views/prevention.py", "Prevenzione", ":material/notifications_active:", "Monitoraggio", MONITORING),
    PageSpec("views/vacancy.py", "Sfitto", ":material/door_open:", "Monitoraggio", MONITORING),
    PageSpec("views/impact.py", "Impatto del gestore sociale", ":material/volunteer_activism:", "Gestione sociale",
             IMPACT),
    PageSpec("views/allocations.py", "Assegnazioni e sfratti", ":material/key:", "Gestione sociale", ALLOCATIONS),
    PageSpec("views/selection.py", "Selezione e abbinamento", ":material/how_to_reg:", "Gestione sociale",
             SELECTION),
    PageSpec("views/projects.py", "Progetti", ":material/payments:", "Gestione sociale", PROJECTS),
    PageSpec("views/labs.py", "Laboratori", ":material/groups:", "Valutazione", LABS),
    PageSpec("views/budget.py", "Budget", ":material/account_balance:", "Direzione", BUDGET),
    PageSpec("views/economics.py", "Economia e obiettivi", ":material/monitoring:", "Direzione", ECONOMICS),
    PageSpec("views/access.py", "Utenti e accessi", ":material/admin_panel_settings:", "Amministrazione",
             ADMIN_ONLY),
)


def pages_for(role: str, specs: tuple[PageSpec, ...] = PAGES) -> tuple[PageSpec, ...]:
    return tuple(spec for spec in specs if role in spec.roles)


def allowed(path: str, role: str, specs: tuple[PageSpec, ...] = PAGES) -> bool:
    return any(spec.path == path for spec in pages_for(role, specs))

