"""Where a lab works in the warehouse: the buildings of its area (its quartiere in its Comune, or the housing
intervention it serves) and those of its control areas, so the panel evaluation can open on the lab itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators.sql import query

_PLACE = """lower(trim(coalesce(b.municipality, i.municipality))) = lower(trim(l.municipality))
            AND lower(trim(coalesce(b.district, i.district))) = lower(trim({area}))"""


@dataclass(frozen=True)
class LabLinks:
    """A lab's area and buildings, its control areas and theirs, and its first month."""

    lab: str
    municipality: str
    area: str | None
    buildings: tuple[str, ...]
    control_areas: tuple[str, ...]
    control_buildings: tuple[str, ...]
    start: date | None


def lab_buildings(conn, lab: str) -> list[str]:
    """Buildings of the lab's own area: those of the intervention it serves, or those whose quartiere (or their
    intervention's) is the lab's, in the lab's Comune."""
    frame = query(conn, f"""
        SELECT DISTINCT b.code FROM building b JOIN intervention i ON i.code = b.intervention_code
        JOIN lab l ON l.code = :lab
        WHERE b.intervention_code = l.intervention_code OR ({_PLACE.format(area="l.district")})
        ORDER BY b.code""", {"lab": lab})
    return list(frame["code"])


def control_buildings(conn, lab: str) -> tuple[list[str], list[str]]:
    """The lab's control areas (from its context indicators) and the buildings in them, in the lab's Comune."""
    areas = list(query(conn, """SELECT DISTINCT area FROM context_indicator
        WHERE lab_code = :lab AND arm = 'controllo' ORDER BY area""", {"lab": lab})["area"])
    if not areas:
        return [], []
    frame = query(conn, f"""
        SELECT DISTINCT b.code FROM building b JOIN intervention i ON i.code = b.intervention_code
        JOIN lab l ON l.code = :lab
        JOIN (SELECT DISTINCT area FROM context_indicator WHERE lab_code = :lab AND arm = 'controllo') a
          ON {_PLACE.format(area="a.area")}
        ORDER BY b.code""", {"lab": lab})
    return areas, list(frame["code"])


def lab_links(conn, lab: str) -> LabLinks:
    """Everything that links a lab to the warehouse's housing."""
    row = query(conn, "SELECT municipality, district, start_date FROM lab WHERE code = :lab", {"lab": lab})
    if row.empty:
        raise ValueError(f"laboratorio «{lab}» sconosciuto")
    areas, controls = control_buildings(conn, lab)
    start = row["start_date"].iloc[0]
    return LabLinks(lab, row["municipality"].iloc[0], row["district"].iloc[0], tuple(lab_buildings(conn, lab)),
                    tuple(areas), tuple(controls), None if start is None or pd.isna(start) else
                    pd.Timestamp(start).date())


def lab_building_counts(conn) -> pd.DataFrame:
    """Per lab: its Comune and how many buildings of the warehouse lie in its area (0 when none)."""
    frame = query(conn, f"""
        SELECT l.code AS lab, l.municipality, count(DISTINCT b.code) AS buildings
        FROM lab l LEFT JOIN (building b JOIN intervention i ON i.code = b.intervention_code)
          ON b.intervention_code = l.intervention_code OR ({_PLACE.format(area="l.district")})
        GROUP BY l.code, l.municipality ORDER BY l.code""")
    frame["buildings"] = frame["buildings"].astype(int)
    return frame
