"""Data completeness of the labs' evaluation: which indicators of the scheda prototipo were measured where and when.

The matrix is lab x group (trattamento / controllo) x moment (t0 / t1) x indicator; the score of a lab is
the share of the cells its ambiti call for that hold a value. Each lab gets plain statements of what is
missing (no control, no t1, span under two years), which the pages show instead of numbers.
"""

from __future__ import annotations

import pandas as pd

from indicators.lab_outcomes import CONTROL, MIN_SPAN_MONTHS, TREATMENT, measurements, months_between
from indicators.lab_outputs import lab_catalogue

# The scheda prototipo (domain.md, seed 002): indicators for every area, and those each ambito adds.
SCHEDA_BASE = ("abitanti", "famiglie", "disoccupati", "disoccupati_pct", "pensionati", "stranieri", "disabili",
               "nuclei_servizi_sociali")
SCHEDA_BY_AMBITO = {
    "morosita_incolpevole": ("nuclei_morosi", "nuclei_morosi_pct", "morosita_eur"),
    "rappresentanza": ("capi_scala_presenti", "associazioni_presenti", "relazioni_partner_presenti"),
    "intermediazione": ("relazioni_partner_presenti", "associazioni_presenti"),
    "autogestione": ("comitati_autogestione_presenti",),
    "disagio_sociale": ("nuclei_servizi_sociali",),
}
ARMS = (TREATMENT, CONTROL)
MOMENTS = ("t0", "t1")
MOMENT_LABELS = {"t0": "tempo zero", "t1": "tempo uno"}


def expected_indicators(ambiti: list[str]) -> list[str]:
    """The indicators of the scheda prototipo a lab with these ambiti should measure, in order."""
    names = list(SCHEDA_BASE) + [n for a in ambiti for n in SCHEDA_BY_AMBITO.get(a, ())]
    return list(dict.fromkeys(names))


def completeness_matrix(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """One row per lab, indicator, arm and moment expected: present (bool) and measured_on (None if missing)."""
    catalogue = lab_catalogue(conn, labs=labs)
    cells = pd.DataFrame([(row.code, ind, arm, moment) for row in catalogue.itertuples()
                          for ind in expected_indicators(row.ambiti) for arm in ARMS for moment in MOMENTS],
                         columns=["lab", "indicator", "arm", "moment"])
    measured = measurements(conn, labs=labs)
    measured = measured[measured["moment"].notna()].groupby(["lab", "indicator", "arm", "moment"],
                                                            as_index=False)["measured_on"].first()
    out = cells.merge(measured, on=["lab", "indicator", "arm", "moment"], how="left")
    out["present"] = out["measured_on"].notna()
    out["measured_on"] = [None if pd.isna(v) else v.date() for v in out["measured_on"]]
    out.attrs["kpi"] = "lab_data_completeness_pct"
    return out


def coverage(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """Per lab and arm: first (t0) and last (t1) measurement dates and the months between them."""
    measured = measurements(conn, labs=labs)
    rounds = measured.groupby(["lab", "arm"])["measured_on"].agg(first="min", last="max").reset_index()
    rounds["months"] = [months_between(a, b) if a != b else 0 for a, b in zip(rounds["first"], rounds["last"])]
    for column in ("first", "last"):
        rounds[column] = [v.date() for v in rounds[column]]
    return rounds


def lab_completeness(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """Per lab: score (% of expected cells present), the share per arm and moment, months covered, and
    `missing`, the list of statements of what the evaluation lacks."""
    matrix = completeness_matrix(conn, labs=labs)
    spans = coverage(conn, labs=labs).set_index(["lab", "arm"])
    rows = []
    for lab, cells in matrix.groupby("lab", sort=True):
        share = cells.groupby(["arm", "moment"])["present"].mean() * 100
        row = {"lab": lab, "score": cells["present"].mean() * 100,
               **{f"{arm}_{m}": float(share.get((arm, m), 0.0)) for arm in ARMS for m in MOMENTS}}
        for arm in ARMS:
            row[f"{arm}_months"] = int(spans.loc[(lab, arm), "months"]) if (lab, arm) in spans.index else None
        row["missing"] = missing_statements(row)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["kpi"] = "lab_data_completeness_pct"
    return out


def missing_statements(row: dict) -> list[str]:
    """'Manca il caso di controllo al tempo uno' and the like, from a row of `lab_completeness`."""
    out = []
    for arm, where in ((TREATMENT, "nell'area del laboratorio"), (CONTROL, "per il caso di controllo")):
        absent = [MOMENT_LABELS[m] for m in MOMENTS if row[f"{arm}_{m}"] == 0]
        if arm == CONTROL and len(absent) == 2:
            out.append("Manca il caso di controllo: nessuna rilevazione in un'area senza laboratorio.")
        elif absent:
            subject = "il caso di controllo" if arm == CONTROL else "la rilevazione nell'area del laboratorio"
            out.append(f"Manca {subject} al {' e al '.join(absent)}.")
        months = row.get(f"{arm}_months")
        if months and months < MIN_SPAN_MONTHS and not absent:
            out.append(f"Solo {months} mesi tra tempo zero e tempo uno {where}: ne servono almeno {MIN_SPAN_MONTHS}.")
    if row["score"] < 100 and not out:
        out.append("Alcuni indicatori della scheda prototipo non sono stati rilevati.")
    return out


def completeness_grid(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix as a lab x (arm, moment) table of the share of expected indicators present, in %."""
    grid = matrix.groupby(["lab", "arm", "moment"])["present"].mean().mul(100).unstack(["arm", "moment"])
    columns = [(arm, m) for arm in ARMS for m in MOMENTS]
    return grid.reindex(columns=pd.MultiIndex.from_tuples(columns)).fillna(0.0)
