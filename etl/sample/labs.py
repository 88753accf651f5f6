"""The 15 Laboratori Sociali di Quartiere funded by Regione Lombardia (2014-2016) and their activity registers.

Titles, Comuni and ambiti come from the catalogue shipped with the package; periods, costs and
activities are made up, with costs adding up to the €733,322.26 of the programme.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources

import numpy as np

from etl.sample.dates import day_number, to_date
from etl.sample.formats import amount, day_text, decimal

PROGRAMME_TOTAL_CENTS = 73_332_226
# Short Italian names of the labs' areas (the catalogue describes them in English) and of a similar area.
AREAS = {
    "brescia-nuove-reti": ("Foro Boario e Folzano", "Lamarmora"),
    "brescia-gioco-di-squadra": ("Sanpolino e Chiesanuova", "San Polo Case"),
    "cesano-boscone-un-mondo-nel-quartiere": ("Tessera", "Giardino"),
    "cinisello-il-cambiamento-passa-dalle-persone": ("Sant'Eusebio", "Crocetta"),
    "cinisello-si-puo-fare": ("Sant'Eusebio", "Borgomisto"),
    "cologno-monzese-una-finestra-sul-quartiere": ("Via Pirandello", "San Maurizio al Lambro"),
    "cremona-il-cielo-in-una-stanza": ("Zeist", "Cambonino"),
    "lodi-insieme-a-san-fereolo": ("San Fereolo", "Albarola"),
    "milano-gratosoglio-social-lab": ("Gratosoglio", "Chiesa Rossa"),
    "milano-labitare-ponte-lambro": ("Ponte Lambro", "Rogoredo"),
    "monza-kmzero": ("Complesso ERP periferico", "San Rocco"),
    "pavia-erp-edilizia-responsabile-partecipata": ("Centro storico e Scala", "Pelizza"),
    "rozzano-lab": ("Quartiere ERP", "Ponte Sesto"),
    "sesto-san-giovanni-sesto-qui": ("Via Edison e via General Cantore", "Rondò"),
    "sondrio-vicini-di-quartiere": ("La Piastra", "Sassella"),
}
LONG_LABS = {"milano-gratosoglio-social-lab": 27}  # months: a lab with two years of control data


@dataclass(frozen=True)
class Lab:
    code: str
    title: str
    lead: str
    comune: str
    area: str
    control_area: str
    ambiti: tuple[str, ...]
    desks: int
    start: int
    end: int
    cost_cents: int
    regional_cents: int


def read_catalogue() -> list[dict[str, str]]:
    text = resources.files("etl.sample").joinpath("laboratori_catalogo.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _costs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Project costs summing to the programme total; the region paid 70-80% of most, less of two."""
    weights = rng.uniform(0.6, 1.6, n)
    cost = np.floor(PROGRAMME_TOTAL_CENTS * weights / weights.sum()).astype(np.int64)
    cost[-1] += PROGRAMME_TOTAL_CENTS - cost.sum()
    share = rng.uniform(0.70, 0.80, n)
    share[rng.choice(n, size=2, replace=False)] = rng.uniform(0.60, 0.69, 2)
    return cost, np.round(cost * share).astype(np.int64)


def plan_labs(rng: np.random.Generator) -> list[Lab]:
    catalogue = read_catalogue()
    cost, regional = _costs(len(catalogue), rng)
    labs = []
    for i, row in enumerate(catalogue):
        long = row["codice_laboratorio"] in LONG_LABS
        start = date(2014 + int(rng.integers(0, 1 if long else 2)), int(rng.integers(1, 10 if long else 13)), 1)
        months = LONG_LABS.get(row["codice_laboratorio"], int(rng.integers(14, 24)))
        end_month = min(start.year * 12 + start.month - 1 + months, 2016 * 12 + 11)
        end = day_number(date(end_month // 12, end_month % 12 + 1, 1)) - 1
        area, control = AREAS[row["codice_laboratorio"]]
        labs.append(Lab(row["codice_laboratorio"], row["titolo"], row["ente_capofila"], row["comune"], area, control,
                        tuple(row["ambiti"].split(";")), int(float(row["presidi"] or 1)), day_number(start), end,
                        int(cost[i]), int(regional[i])))
    return labs


def write_labs(writer, labs: list[Lab]) -> None:
    writer.rows("laboratori", (
        (lab.code, lab.title, lab.lead, lab.comune, lab.area, ",".join(lab.ambiti), day_text(lab.start),
         day_text(lab.end), amount(lab.cost_cents), amount(lab.regional_cents)) for lab in labs))


@dataclass(frozen=True)
class ActivityType:
    name: str
    ambiti: tuple[str, ...]  # the ambiti it serves, most typical first
    titles: tuple[str, ...]
    per_month: float
    participants: tuple[int, int]
    hours: tuple[float, float]
    volunteers: tuple[int, int]
    taken_in_charge: float  # share of the households reached that the lab takes in charge


DESK = ActivityType("sportello", ("morosita_incolpevole", "intermediazione", "disagio_sociale"),
                    ("Sportello casa e morosità", "Sportello di prossimità", "Sportello ascolto e comunità"),
                    0, (2, 14), (3, 4), (0, 2), 0.15)
ACTIVITY_TYPES = (
    ActivityType("evento", ("rappresentanza", "disagio_sociale", "autogestione"),
                 ("Festa di quartiere", "Cena multietnica", "Cinema in cortile", "Mercatino del baratto"),
                 0.4, (25, 200), (3, 6), (3, 15), 0.0),
    ActivityType("incontro", ("intermediazione", "rappresentanza"),
                 ("Incontro con i servizi sociali", "Incontro con ALER", "Tavolo di quartiere", "Cabina di regia"),
                 1.0, (5, 25), (2, 3), (0, 3), 0.0),
    ActivityType("corso", ("disagio_sociale", "morosita_incolpevole", "autogestione"),
                 ("Corso di educazione finanziaria", "Corso di italiano per stranieri", "Corso di informatica di base",
                  "Laboratorio di cucito"), 0.8, (6, 20), (2, 3), (0, 2), 0.0),
    ActivityType("assemblea", ("rappresentanza", "autogestione"),
                 ("Assemblea degli inquilini", "Assemblea di caseggiato", "Elezione dei capi scala"),
                 0.5, (15, 80), (2, 3), (1, 5), 0.0),
    ActivityType("visita_domiciliare", ("disagio_sociale", "morosita_incolpevole"), ("Visita domiciliare",),
                 2.0, (1, 5), (1, 2), (0, 1), 0.5),
    ActivityType("mediazione", ("intermediazione", "disagio_sociale"),
                 ("Mediazione dei conflitti di vicinato", "Mediazione con il gestore"),
                 0.8, (2, 8), (1, 3), (0, 1), 0.2),
    ActivityType("orientamento_lavoro", ("disagio_sociale", "morosita_incolpevole"),
                 ("Orientamento al lavoro", "Bilancio delle competenze"), 0.6, (1, 10), (2, 4), (0, 1), 0.3),
    ActivityType("altro", ("autogestione", "rappresentanza", "disagio_sociale"),
                 ("Pulizia condivisa degli spazi comuni", "Doposcuola", "Orto condiviso"), 0.5, (5, 30), (2, 4),
                 (2, 10), 0.0),
)


def _ambito(kind: ActivityType, lab: Lab, rng: np.random.Generator) -> str:
    fitting = [a for a in kind.ambiti if a in lab.ambiti]
    options = fitting or list(lab.ambiti)
    return options[int(rng.integers(len(options)))]


def _activity_row(lab: Lab, kind: ActivityType, day: int, title: str, rng: np.random.Generator) -> tuple[str, ...]:
    participants = int(rng.integers(kind.participants[0], kind.participants[1] + 1))
    reached = max(1, round(participants / (2.5 if participants > 20 else 1.2)))
    in_charge = int(rng.binomial(reached, kind.taken_in_charge))
    hours = rng.uniform(*kind.hours)
    volunteers = int(rng.integers(kind.volunteers[0], kind.volunteers[1] + 1))
    return (lab.code, day_text(day), kind.name, _ambito(kind, lab, rng), title, str(participants), str(reached),
            str(in_charge), decimal(round(hours * 2) / 2), str(volunteers))


def _desk_days(lab: Lab, desk: int) -> list[int]:
    """A weekly opening of each desk from the second month, closed in August."""
    opening = lab.start + 30
    first = opening + (1 - (opening + 3) % 7) % 7 + 2 * desk  # the first Tuesday, Thursday, ...
    return [d for d in range(first, lab.end + 1, 7) if to_date(d).month != 8]


def activities(lab: Lab, rng: np.random.Generator) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    seen: set[tuple[int, str, str]] = set()
    for desk in range(lab.desks):
        suffix = f" - presidio {desk + 1}" if lab.desks > 1 else ""
        title = DESK.titles[int(rng.integers(len(DESK.titles)))] + suffix
        rows.extend(_activity_row(lab, DESK, day, title, rng) for day in _desk_days(lab, desk))
    months = (lab.end - lab.start) / 30.4
    for kind in ACTIVITY_TYPES:
        for day in np.sort(rng.integers(lab.start + 15, lab.end + 1, rng.poisson(kind.per_month * months))).tolist():
            title = kind.titles[int(rng.integers(len(kind.titles)))]
            if (day, kind.name, title) not in seen:
                seen.add((day, kind.name, title))
                rows.append(_activity_row(lab, kind, day, title, rng))
    return sorted(rows, key=lambda r: (r[1][6:], r[1][3:5], r[1][:2], r[2], r[4]))


def write_activities(writer, labs: list[Lab], rng: np.random.Generator) -> None:
    for lab in labs:
        writer.rows("attivita_laboratorio", activities(lab, rng))
