"""The five roles, what each one may see, and the signed-in user as the rest of the code knows it."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.scope import Scope

REGIONE, SGR, GESTORE, DIREZIONE, ADMIN = "regione", "sgr", "gestore", "direzione", "admin"


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    description: str
    contract_rows: bool  # may see rows about single contracts, units and cases
    suppressed: bool  # aggregates shown to this role go through small-cell suppression
    scoped_by: str | None  # the scope level this role must be limited to (None: the whole portfolio)


ROLES: dict[str, Role] = {r.code: r for r in (
    Role(REGIONE, "Regione", "Laboratori e indicatori aggregati, senza righe di singoli contratti", False, True, None),
    Role(SGR, "SGR", "Monitoraggio dei fondi della propria SGR", True, False, "sgrs"),
    Role(GESTORE, "Gestore sociale", "Monitoraggio dei propri interventi", True, False, "interventions"),
    Role(DIREZIONE, "Direzione", "Monitoraggio e budget del proprio perimetro", True, False, None),
    Role(ADMIN, "Amministratore", "Caricamenti, utenti e tutte le pagine", True, False, None),
)}
ALL_ROLES = frozenset(ROLES)


def get_role(code: str) -> Role:
    try:
        return ROLES[code]
    except KeyError:
        raise ValueError(f"ruolo sconosciuto: «{code}». Ruoli: {', '.join(ROLES)}") from None


@dataclass(frozen=True)
class User:
    """A signed-in (or CLI) user: name, role and the part of the portfolio they may see."""

    username: str
    role: str
    scope: Scope = Scope()
    email: str | None = None
    id: int | None = None

    @property
    def role_info(self) -> Role:
        return get_role(self.role)

    @property
    def contract_rows(self) -> bool:
        return self.role_info.contract_rows

    def suppressed(self, *, always: bool = False) -> bool:
        """Whether aggregates shown to this user are suppressed (`always`: the setting asks it for everyone)."""
        return always or self.role_info.suppressed

    def scope_text(self) -> str:
        """The scope as one line for the audit log: 'tutto' or 'sgrs=A,B; interventions=INT001'."""
        parts = [f"{level}={','.join(getattr(self.scope, level))}" for level in ("sgrs", "funds", "interventions",
                 "buildings") if getattr(self.scope, level) is not None]
        return "; ".join(parts) or "tutto"
