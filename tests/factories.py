"""Small builders for import tests: files written the way users' exports are, and a base portfolio."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from etl.loader import LoadResult, load_file

TEST_KEY_FALLBACK = "chiave-di-test"

BASE_FILES = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo\nINT1;Cenni di Cambiamento;Milano;Polaris;Fondo Uno\n",
    "edifici": "codice_edificio;codice_intervento;indirizzo\nE1;INT1;Via Cenni 1\nE2;INT1;Via Cenni 3\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile\nA1;E1;locazione_permanente;450,00\n"
               "A2;E1;locazione_termine;500,00\nA3;E2;proprieta_futura_vendita;600,00\n",
    "nuclei": "codice_nucleo;codice_fiscale;nominativo\nN1;RSSMRA80A01F205X;Mario Rossi\nN2;VRDLGU75B12F205Z;Luigi Verdi\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                 "C1;A1;N1;01/02/2020;;450,00\nC2;A2;N2;01/03/2021;;500,00\n",
    "laboratori": "codice_laboratorio;titolo;comune;ambiti\nLAB1;Laboratorio di prova;Cinisello Balsamo;rappresentanza\n",
}


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def load_text(folder: Path, kind: str, content: str | bytes, *, engine, settings, encoding: str = "utf-8",
              name: str | None = None, **kw) -> LoadResult:
    """Write `content` to a file and load it; every load must account for every row it read."""
    path = write(folder, name or f"{kind}.csv", content, encoding)
    result = load_file(path, kind, engine=engine, settings=settings, **kw)
    assert_accounted(result)
    return result


def assert_accounted(result: LoadResult) -> None:
    assert result.loaded + result.quarantined + result.duplicate == result.read, result


def load_base(folder: Path, *, engine, settings) -> None:
    """The parents most test files refer to: one intervention, two buildings, three units, two leases."""
    for kind, content in BASE_FILES.items():
        result = load_text(folder, kind, content, engine=engine, settings=settings)
        assert result.status == "completato", result


def rows(engine, sql: str) -> list[tuple]:
    """Rows of a raw query; PostgreSQL's Decimal becomes float so both warehouses compare alike."""
    with engine.connect() as conn:
        return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in conn.execute(text(sql))]


def frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def reasons(engine, batch_id: int) -> list[tuple]:
    """(line, column, value, reason) of a load's quarantined rows, in line order."""
    return rows(engine, f"SELECT line, column_name, value, reason FROM quarantined_row "
                        f"WHERE batch_id = {int(batch_id)} ORDER BY line, id")


def run_coroutine(coroutine):
    """Run a coroutine to its end from a test, also in a worker where a browser test left an event loop running
    (Playwright's sync API keeps one in the main thread, where `asyncio.run` refuses to start another)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
