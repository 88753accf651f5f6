"""Evictions per Comune and year (sfratti): Cinisello Balsamo's figures as reported (seed 003) and
plausible ones for the other Comuni of the sample."""

from __future__ import annotations

import numpy as np

from etl.sample.places import COMUNI

# Cinisello Balsamo, 2012-2017 (2017 partial): validated, carried out. Reason not reported.
CINISELLO = "Cinisello Balsamo"
CINISELLO_EVICTIONS = {2012: (58, 15), 2013: (75, 20), 2014: (84, 25), 2015: (66, 46), 2016: (59, 66), 2017: (14, 19)}
YEARS_OF_OTHERS = 5


def eviction_rows(comuni: list[str], last_year: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [(CINISELLO, str(year), str(v), str(e), "")
                                   for year, (v, e) in CINISELLO_EVICTIONS.items()]
    population = {c.name: c.population for c in COMUNI}
    for comune in sorted(set(comuni) - {CINISELLO}):
        for year in range(last_year - YEARS_OF_OTHERS, last_year):
            validated = int(rng.poisson(population[comune] * rng.uniform(0.6, 1.0) / 1000))
            executed = int(rng.binomial(validated, rng.uniform(0.3, 0.6)))
            rows.append((comune, str(year), str(validated), str(executed), "morosita"))
    return rows
