"""built-in reference values cite their sources by title, never by our own file names

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 13:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0017'
down_revision: Union[str, None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TRACK_RECORD_OLD = "Legacoop Abitanti / DAR=CASA, «Gestore sociale: il track record cooperativo», 2018 (seme 001)"
_TRACK_RECORD = "Legacoop Abitanti / DAR=CASA, «Gestore sociale: il track record cooperativo», 2018"
_SCALE_OLD = "domain.md (fuori dai semi, per scala)"
SOURCES = {  # (kpi_code, label) -> the source as a reader can look it up
    ("vacancy_rate", "ALER lombarde, media 2023"):
        "Regione Lombardia, dati delle ALER lombarde 2023 (valore di scala, non un obiettivo)",
    ("arrears_rate_rent_roll", "Housing sociale UK, mediana"):
        "HouseMark, benchmark dei locatori sociali del Regno Unito (valore di scala, non un obiettivo)",
    ("relet_days", "Housing sociale UK, media"):
        "HouseMark, benchmark dei locatori sociali del Regno Unito (valore di scala, non un obiettivo)",
}


def _update(source_from: str, source_to: str, kpi_code: str | None = None, label: str | None = None) -> None:
    where = "source = :old AND built_in" + (" AND kpi_code = :kpi AND label = :label" if kpi_code else "")
    params = {"old": source_from, "new": source_to} | ({"kpi": kpi_code, "label": label} if kpi_code else {})
    op.get_bind().execute(sa.text(f"UPDATE benchmark_value SET source = :new WHERE {where}"), params)


def upgrade() -> None:
    _update(_TRACK_RECORD_OLD, _TRACK_RECORD)
    for (kpi_code, label), source in SOURCES.items():
        _update(_SCALE_OLD, source, kpi_code, label)


def downgrade() -> None:
    _update(_TRACK_RECORD, _TRACK_RECORD_OLD)
    for (kpi_code, label), source in SOURCES.items():
        _update(source, _SCALE_OLD, kpi_code, label)
