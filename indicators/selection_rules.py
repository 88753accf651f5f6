"""The selection's rules, read from a TOML file a user can open and change (`selection_rules.toml` beside this
module, or the file named by OSSERVATORIO_SELECTION_RULES): the scoring weights of each rule set, the income limit,
the adequacy table (floor area per household size) and the affordability share."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("selection_rules.toml")
RULES_ENV = "OSSERVATORIO_SELECTION_RULES"
DEFAULT_SET = "standard"
# criterion column of `application` -> key of the rule set (and its Italian name on screen)
CRITERIA = {
    "eviction": ("sfratto_in_corso", "sfratto in corso"),
    "disability": ("disabilita", "disabilità"),
    "elderly": ("anziani", "anziani nel nucleo"),
    "single_parent": ("monogenitore", "nucleo monogenitore"),
    "young_couple": ("giovane_coppia", "giovane coppia"),
    "local_tie": ("residenza_lavoro_comune", "residenza o lavoro nel Comune"),
}
TIE_RULE = ("a parità di punteggio viene prima il nucleo con l'ISEE più basso, poi la domanda presentata prima, poi "
            "il codice della domanda in ordine alfabetico")


@dataclass(frozen=True)
class ScoringRules:
    """One rule set: points per criterion, points per year on the list (capped) and the ISEE limit."""

    name: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # criterion column -> points
    points_per_year: float = 0.0
    max_years: int = 0
    isee_max: float | None = None


@dataclass(frozen=True)
class SelectionRules:
    """The whole file: rule sets by name, the adequacy table and the affordability share."""

    sets: dict[str, ScoringRules]
    area_bounds: dict[int, tuple[float, float]]  # members -> (min m², max m²)
    area_source: str
    max_burden: float = 0.30
    reserve_step_free: bool = True

    def scoring(self, name: str | None) -> ScoringRules:
        """The rule set a call names (the default set when it names none)."""
        wanted = (name or DEFAULT_SET).strip()
        if wanted not in self.sets:
            raise ValueError(f"regole di punteggio «{wanted}» non presenti nel file delle regole; insiemi disponibili: "
                             f"{', '.join(sorted(self.sets))}")
        return self.sets[wanted]

    def area_for(self, members: int) -> tuple[float, float]:
        """Adequate floor area for a household of `members` (the last row also covers larger households)."""
        largest = max(self.area_bounds)
        return self.area_bounds[min(max(int(members), 1), largest)]


def _scoring(name: str, raw: dict) -> ScoringRules:
    weights = {column: float(raw.get(key, 0)) for column, (key, _) in CRITERIA.items()}
    isee = raw.get("isee_massimo")
    return ScoringRules(name, raw.get("descrizione", ""), weights, float(raw.get("punti_per_anno_in_graduatoria", 0)),
                        int(raw.get("massimo_anni_in_graduatoria", 0)), None if isee is None else float(isee))


def parse_rules(raw: dict) -> SelectionRules:
    """Rules from the parsed TOML; an Italian ValueError names what is wrong."""
    try:
        table = raw["adeguatezza"]
        bounds = {int(k): (float(v[0]), float(v[1] if len(v) > 1 else math.inf)) for k, v in table.items()
                  if k != "fonte"}
        sets = {name: _scoring(name, body) for name, body in raw["regole"].items()}
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"file delle regole della selezione non valido: sezione o valore mancante ({exc})") from None
    if not bounds or not sets:
        raise ValueError("file delle regole della selezione non valido: servono [adeguatezza] e almeno un [regole.*]")
    share = float(raw.get("sostenibilita", {}).get("quota_massima", 0.30))
    reserve = bool(raw.get("accessibilita", {}).get("riserva_alloggi_accessibili", True))
    return SelectionRules(sets, bounds, str(table.get("fonte", "")), share, reserve)


def load_rules(path: Path | str | None = None) -> SelectionRules:
    """The rules of `path`, else of OSSERVATORIO_SELECTION_RULES, else the file shipped with Osservatorio."""
    chosen = Path(path or os.environ.get(RULES_ENV) or DEFAULT_FILE)
    try:
        with chosen.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError:
        raise ValueError(f"file delle regole della selezione non trovato: {chosen.name}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"file delle regole della selezione {chosen.name} illeggibile: {exc}") from None
    return parse_rules(raw)
