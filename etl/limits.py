"""The bounds that keep reading a hostile file within memory: checked before or while reading, never after."""

from __future__ import annotations

from dataclasses import dataclass

from osservatorio.formatting import fmt_int


class FileRefused(ValueError):
    """The file cannot be read at all (not a CSV or XLSX, no header, empty, beyond a limit)."""


@dataclass(frozen=True)
class Limits:
    """Largest row, cell and XLSX content a load reads (see the settings of the same names)."""

    row_bytes: int = 1_024 * 1_024
    cell_chars: int = 32_767
    xlsx_bytes: int = 1_024 << 20
    shared_strings_bytes: int = 100 << 20
    chunk_chars: int = 32_000_000  # characters of cells per chunk: a chunk of long rows has fewer rows

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(row_bytes=settings.max_row_kb * 1_024, cell_chars=settings.max_cell_chars,
                   xlsx_bytes=settings.max_xlsx_uncompressed_mb << 20,
                   shared_strings_bytes=settings.max_shared_strings_mb << 20)


def size_text(n_bytes: int) -> str:
    """1536 -> '1,5 KB', 3 << 30 -> '3,0 GB' (Italian decimal comma)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}".replace(".", ",")
    return f"{fmt_int(n_bytes)} byte"


def row_too_long(name: str, line: int, size: int, limits: Limits, unit: str = "byte") -> FileRefused:
    shown = size_text(size) if unit == "byte" else f"{fmt_int(size)} caratteri"
    return FileRefused(
        f"{name}: la riga {fmt_int(line)} è lunga {shown}, oltre il limite di {size_text(limits.row_bytes)} per riga. "
        "Non sembra un'esportazione di un gestionale (manca l'a capo tra le righe?). Nessun dato caricato.")


def cell_too_long(name: str, line: int, size: int, limits: Limits) -> FileRefused:
    return FileRefused(
        f"{name}: alla riga {fmt_int(line)} una cella è lunga {fmt_int(size)} caratteri, oltre il limite di "
        f"{fmt_int(limits.cell_chars)} (quello di Excel). Virgolette aperte e mai chiuse? Nessun dato caricato.")
