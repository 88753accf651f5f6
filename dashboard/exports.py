"""The download formats of the pages: the product's one export path lives in `osservatorio.exports`.

Kept so the pages' imports (`from dashboard.exports import EUR, to_csv`) read as they always did.
"""

from osservatorio.exports import (  # noqa: F401
    CSV_MIME, DATE, DAYS, EUR, EXCEL_FORMATS, FORMULA_START, INT, KPI_UNIT_KINDS, MEASURE, NUM, PCT, POINTS, TEXT,
    XLSX_MIME, neutralise, to_csv, to_excel, to_excel_sheets,
)
