"""Context indicators of the labs' areas (scheda prototipo) at tempo zero and at the end, as the evaluators got them.

As in the real evaluation, data are patchy: every lab measured its area at the start, about ten of
fifteen at the end; only three delivered figures for a control area, two of them at the end too, and
one of those only from nine months into the project (less than two years apart).
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import to_date
from etl.sample.formats import amount, day_text, decimal, yes_no
from etl.sample.labs import Lab

INHABITANTS = {
    "brescia-nuove-reti": 160, "brescia-gioco-di-squadra": 420, "cesano-boscone-un-mondo-nel-quartiere": 900,
    "cinisello-il-cambiamento-passa-dalle-persone": 1700, "cinisello-si-puo-fare": 1700,
    "cologno-monzese-una-finestra-sul-quartiere": 516, "cremona-il-cielo-in-una-stanza": 850,
    "lodi-insieme-a-san-fereolo": 1200, "milano-gratosoglio-social-lab": 10000, "milano-labitare-ponte-lambro": 1100,
    "monza-kmzero": 150, "pavia-erp-edilizia-responsabile-partecipata": 1400, "rozzano-lab": 11072,
    "sesto-san-giovanni-sesto-qui": 653, "sondrio-vicini-di-quartiere": 1600,
}
# Labs with control-area data: both measurements from the start, both from nine months in, or only the first.
CONTROL = {"milano-gratosoglio-social-lab": (0, True), "cinisello-il-cambiamento-passa-dalle-persone": (270, True),
           "brescia-gioco-di-squadra": (60, False)}
TREATMENT_AT_END = 10
BASE = ("abitanti", "famiglie", "disoccupati", "disoccupati_pct", "pensionati", "stranieri", "disabili",
        "nuclei_servizi_sociali")
BY_AMBITO = {"morosita_incolpevole": ("nuclei_morosi", "nuclei_morosi_pct", "morosita_eur"),
             "rappresentanza": ("capi_scala_presenti", "associazioni_presenti", "relazioni_partner_presenti"),
             "intermediazione": ("relazioni_partner_presenti", "associazioni_presenti"),
             "autogestione": ("comitati_autogestione_presenti",), "disagio_sociale": ("nuclei_servizi_sociali",)}
CONTROL_SET = ("abitanti", "famiglie", "nuclei_morosi_pct", "disoccupati_pct", "nuclei_servizi_sociali")
UNITS = {"disoccupati_pct": "pct", "nuclei_morosi_pct": "pct", "morosita_eur": "eur", "capi_scala_presenti": "si_no",
         "comitati_autogestione_presenti": "si_no", "relazioni_partner_presenti": "si_no"}
SOURCES = {"abitanti": "Anagrafe comunale", "famiglie": "Anagrafe comunale", "pensionati": "Anagrafe comunale",
           "stranieri": "Anagrafe comunale", "disabili": "Servizi sociali comunali",
           "nuclei_servizi_sociali": "Servizi sociali comunali", "disoccupati": "Centro per l'impiego",
           "disoccupati_pct": "Centro per l'impiego", "nuclei_morosi": "Ente gestore",
           "nuclei_morosi_pct": "Ente gestore",
           "morosita_eur": "Ente gestore"}


def _baseline(people: float, rng: np.random.Generator) -> dict[str, float]:
    households = people / rng.uniform(2.1, 2.6)
    arrears_pct = rng.uniform(25, 56)
    jobless_pct = rng.uniform(12, 24)
    return {"abitanti": people, "famiglie": households, "nuclei_morosi_pct": arrears_pct,
            "nuclei_morosi": households * arrears_pct / 100, "morosita_eur": households * arrears_pct / 100
            * rng.uniform(1800, 4500), "disoccupati_pct": jobless_pct, "disoccupati": people * 0.62 * jobless_pct / 100,
            "pensionati": people * rng.uniform(0.18, 0.32), "stranieri": people * rng.uniform(0.08, 0.35),
            "disabili": people * rng.uniform(0.03, 0.07),
            "nuclei_servizi_sociali": households * rng.uniform(0.08, 0.22),
            "associazioni_presenti": float(rng.integers(0, 5)), "capi_scala_presenti": float(rng.random() < 0.3),
            "comitati_autogestione_presenti": float(rng.random() < 0.2),
            "relazioni_partner_presenti": float(rng.random() < 0.5)}


def _at_end(start: dict[str, float], treated: bool, rng: np.random.Generator) -> dict[str, float]:
    """The area two years on: the lab's area improves a little, the control area drifts."""
    end = dict(start)
    end["abitanti"] *= rng.uniform(0.98, 1.02)
    end["famiglie"] *= rng.uniform(0.98, 1.02)
    end["nuclei_morosi_pct"] += -rng.uniform(2, 8) if treated else rng.uniform(-2, 2)
    end["nuclei_morosi"] = end["famiglie"] * end["nuclei_morosi_pct"] / 100
    end["morosita_eur"] *= rng.uniform(0.8, 0.97) if treated else rng.uniform(0.95, 1.1)
    end["disoccupati_pct"] += -rng.uniform(0, 2) if treated else rng.uniform(-1, 1)
    end["disoccupati"] = end["abitanti"] * 0.62 * end["disoccupati_pct"] / 100
    end["nuclei_servizi_sociali"] *= rng.uniform(1.0, 1.15) if treated else rng.uniform(0.97, 1.03)
    if treated:
        end["associazioni_presenti"] += int(rng.integers(0, 3))
        for flag, p in (("capi_scala_presenti", 0.7), ("comitati_autogestione_presenti", 0.5),
                        ("relazioni_partner_presenti", 0.8)):
            end[flag] = max(end[flag], float(rng.random() < p))
    return end


def _value_text(indicator: str, value: float) -> str:
    unit = UNITS.get(indicator, "n")
    if unit == "pct":
        return decimal(value)
    if unit == "eur":
        return amount(round(value * 100))
    return yes_no(value >= 0.5) if unit == "si_no" else str(round(value))


def _indicator_set(lab: Lab) -> list[str]:
    names = list(BASE) + [name for ambito in lab.ambiti for name in BY_AMBITO[ambito]]
    return list(dict.fromkeys(names))


def _rows(lab: Lab, group: str, day: int, values: dict[str, float], indicators, missing: float,
          rng: np.random.Generator) -> list[tuple[str, ...]]:
    """One measurement of an area; some indicators were never delivered."""
    area = lab.area if group == "trattamento" else lab.control_area
    rows: list[tuple[str, ...]] = []
    for name in indicators:
        if name not in ("abitanti", "famiglie") and rng.random() < missing:
            continue
        note = "dato stimato" if rng.random() < 0.08 else ""
        rows.append((lab.code, area, group, name, day_text(day), _value_text(name, values[name]), UNITS.get(name, "n"),
                     SOURCES.get(name, "Laboratorio"), note))
    return rows


def _first_of_month(day: int) -> int:
    d = to_date(day)
    return day - d.day + 1


def _measurements(lab: Lab, measured_at_end: bool, rng: np.random.Generator) -> list[tuple[str, ...]]:
    indicators = _indicator_set(lab)
    start = _baseline(INHABITANTS[lab.code], rng)
    rows = _rows(lab, "trattamento", lab.start, start, indicators, 0.1, rng)
    if measured_at_end:
        rows += _rows(lab, "trattamento", lab.end, _at_end(start, True, rng), indicators, 0.3, rng)
    if lab.code in CONTROL:
        delay, control_at_end = CONTROL[lab.code]
        control = _baseline(INHABITANTS[lab.code] * rng.uniform(0.8, 1.3), rng)
        chosen = [name for name in CONTROL_SET if name in indicators]
        rows += _rows(lab, "controllo", _first_of_month(lab.start + delay), control, chosen, 0.0, rng)
        if control_at_end:
            rows += _rows(lab, "controllo", lab.end, _at_end(control, False, rng), chosen, 0.15, rng)
    return rows


def write_indicators(writer, labs: list[Lab], rng: np.random.Generator) -> None:
    with_control_end = [lab.code for lab in labs if CONTROL.get(lab.code, (0, False))[1]]
    others = [lab.code for lab in labs if lab.code not in with_control_end]
    chosen = rng.choice(len(others), size=TREATMENT_AT_END - len(with_control_end), replace=False)
    at_end = set(with_control_end) | {others[i] for i in chosen.tolist()}
    for lab in labs:
        writer.rows("indicatori_contesto", _measurements(lab, lab.code in at_end, rng))
