"""Reading a CSV (or TAB-separated text) file: bounded lines, encoding decided line by line, every physical
line accounted for.

A first pass (`scan`) fingerprints the bytes and refuses the file if any line is longer than
`Limits.row_bytes`, so nothing later holds more than a block and a line. The file is then read as bytes, 1 MiB
at a time: a block that is valid UTF-8 is decoded at once; in any other block each line is decoded as UTF-8
and, if it is not valid UTF-8, as Windows-1252 (a file edited with two programs often mixes the two); the
load summary says which. UTF-16 files (Excel's "Testo Unicode", with a BOM) are decoded as UTF-16. The `csv`
module splits the lines into fields, so a quoted field may hold a line break, and its `line_num` gives every
record the physical line it starts on. Nothing is dropped: a line is the header, a blank line (counted), or
(part of) a row.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.limits import FileRefused, Limits, cell_too_long, row_too_long
from osservatorio.formatting import fmt_int

BLOCK = 1 << 20
HEADER_CELL_CHARS = 1_000  # a column name; a longer first line is not a header
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass
class Scan:
    """One pass over the bytes: fingerprint, line count, longest line, text encoding family."""

    sha256: str
    lines: int
    longest: int
    longest_line: int
    utf16: str | None  # "utf-16" (with BOM), "utf-16-le", "utf-16-be" (without), or None: bytes, line by line


@dataclass
class Decoding:
    """How the lines of a file were decoded, counted while reading."""

    utf8_lines: int = 0      # lines with non-ASCII characters read as UTF-8
    cp1252_lines: int = 0    # lines that were not valid UTF-8, read as Windows-1252
    chars: int = 0           # bytes (UTF-16: characters) read so far, to bound the size of a chunk


def scan(path: Path, limits: Limits) -> Scan:
    """Hash the file and find its longest line; refuse it before reading when a line is over the limit."""
    digest, lines, longest, longest_line, run = hashlib.sha256(), 0, 0, 0, 0
    with path.open("rb") as fh:
        head = fh.read(4096)
        fh.seek(0)
        while block := fh.read(BLOCK):
            digest.update(block)
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            if len(ends) == 0:
                run += len(block)
            else:
                sizes = np.diff(ends, prepend=-1)
                sizes[0] += run
                at = int(sizes.argmax())
                if sizes[at] > longest:
                    longest, longest_line = int(sizes[at]), lines + at + 1
                lines += len(ends)
                run = len(block) - int(ends[-1]) - 1
            if run > longest:
                longest, longest_line = run, lines + 1
    utf16 = _utf16(head)
    if utf16:
        longest //= 2
    if longest > limits.row_bytes:
        raise row_too_long(path.name, longest_line, longest, limits)
    return Scan(digest.hexdigest(), lines + (1 if run else 0), longest, longest_line, utf16)


def _utf16(head: bytes) -> str | None:
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    sample = head[: len(head) // 2 * 2]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def text_lines(path: Path, sc: Scan, limits: Limits, decoding: Decoding) -> Iterator[str]:
    """The file's physical lines as text, each decoded on its own (see the module's docstring)."""
    return itertools.chain.from_iterable(_line_blocks(path, sc, limits, decoding))


def _line_blocks(path: Path, sc: Scan, limits: Limits, decoding: Decoding) -> Generator[list[str], None, None]:
    """Lists of lines, a block of the file at a time: a block that is valid UTF-8 is decoded at once, the
    others line by line (UTF-8, else Windows-1252)."""
    if sc.utf16:
        yield from _utf16_lines(path, sc, limits, decoding)
        return
    carry, first = b"", True
    with path.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            carry, data = data[cut:], data[:cut]
            if len(carry) > limits.row_bytes:  # the file grew a longer line since it was scanned
                raise row_too_long(path.name, sc.lines, len(carry), limits)
            if first and data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            first = first and not data
            if data:
                yield _decode(data, decoding)
            if not block:
                return


def _decode(data: bytes, decoding: Decoding) -> list[str]:
    try:
        text = data.decode("utf-8")
        lines = text.split("\n")
        if not text.isascii():
            decoding.utf8_lines += sum(1 for line in lines if not line.isascii())
    except UnicodeDecodeError:
        lines = [_decode_line(raw, decoding) for raw in data.split(b"\n")]
    if lines[-1] == "":
        lines.pop()
        lines = [line + "\n" for line in lines]
    else:  # the file's last line, without a line break
        lines = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    decoding.chars += len(data)
    return lines


def _decode_line(raw: bytes, decoding: Decoding) -> str:
    try:
        text = raw.decode("utf-8")
        if not text.isascii():
            decoding.utf8_lines += 1
        return text
    except UnicodeDecodeError:
        decoding.cp1252_lines += 1
        return raw.decode("cp1252", errors="replace")


def _utf16_lines(path: Path, sc: Scan, limits: Limits, decoding: Decoding) -> Iterator[list[str]]:
    with path.open(encoding=sc.utf16, errors="replace", newline="") as fh:
        number = 0
        while text := fh.readline(limits.row_bytes + 1):
            number += 1
            if len(text) > limits.row_bytes:
                raise row_too_long(path.name, number, len(text), limits, unit="caratteri")
            decoding.chars += len(text)
            yield [text.lstrip("\ufeff") if number == 1 else text]


def encoding_note(sc: Scan, decoding: Decoding) -> str | None:
    """What the load summary says about the encoding, when it is not plain UTF-8."""
    if sc.utf16:
        return "codifica UTF-16 (Testo Unicode)"
    if decoding.cp1252_lines and decoding.utf8_lines:
        return (f"codifica mista: {fmt_int(decoding.cp1252_lines)} righe lette come Windows-1252 e "
                f"{fmt_int(decoding.utf8_lines)} con lettere accentate come UTF-8 (ogni riga decodificata per sé)")
    if decoding.cp1252_lines:
        return "codifica Windows-1252"
    return None


def header(path: Path, sc: Scan, limits: Limits) -> tuple[list[str], str, int]:
    """The header's cells, the delimiter and the header's line number (the first line that is not blank)."""
    blocks = _line_blocks(path, sc, limits, Decoding())
    try:
        for number, text in enumerate(itertools.chain.from_iterable(blocks), start=1):  # noqa: B007 (read after)
            if text.strip().strip(";,\t").strip():
                break
        else:
            raise FileRefused(f"{path.name}: il file è vuoto (nessuna riga di intestazione).")
    finally:
        blocks.close()
    if "\x00" in text or "\ufffd" in text[:200]:
        raise FileRefused(f"{path.name}: non sembra un file CSV di testo (caratteri binari nell'intestazione).")
    line = text.rstrip("\r\n")
    delimiter = _sniff_delimiter(line)
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except csv.Error:  # a cell beyond the csv module's own limit (128 KB)
        cells = line.split(delimiter)
    longest = max((len(c) for c in cells), default=0)
    if longest > HEADER_CELL_CHARS:
        raise FileRefused(f"{path.name}: la riga {number} dovrebbe essere l'intestazione, ma una sua cella è lunga "
                          f"{fmt_int(longest)} caratteri: non è un nome di colonna. Nessun dato caricato.")
    return [c.strip() for c in cells], delimiter, number


def _sniff_delimiter(line: str) -> str:
    """The delimiter among ``;`` ``,`` TAB that splits the header line most, outside quotes."""
    counts = {}
    for delim in (";", "\t", ","):
        try:
            counts[delim] = len(next(csv.reader([line], delimiter=delim))) - 1
        except csv.Error:
            counts[delim] = line.count(delim)
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ";"


@dataclass
class _Batch:
    cells: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)


def rows(path: Path, sc: Scan, limits: Limits, *, delimiter: str, header_line: int, width: int, chunk_rows: int,
         decoding: Decoding, blank: list[int]) -> Iterator[pd.DataFrame]:
    """The rows after the header in frames of at most `chunk_rows` rows (fewer when rows are long).

    Columns 0..width-1 hold the cells (missing ones empty), `_line` the physical line the row starts on and
    `_extra` how many non-empty fields lie beyond the header (their values are never kept). Blank lines are
    counted in `blank[0]`.
    """
    blocks = _line_blocks(path, sc, limits, decoding)
    lines = itertools.chain.from_iterable(blocks)
    for _ in range(header_line):
        next(lines)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    batch, done_chars, start = _Batch(), decoding.chars, header_line + 1
    try:
        for fields in reader:
            line, start = start, header_line + reader.line_num + 1
            if not any(fields):
                blank[0] += 1
                continue
            extra = 0
            if len(fields) != width:
                extra = sum(1 for f in fields[width:] if f.strip())
                fields = fields[:width] + [""] * (width - len(fields))
            batch.cells.append(fields)
            batch.lines.append(line)
            batch.extra.append(extra)
            if len(batch.cells) >= chunk_rows or decoding.chars - done_chars > limits.chunk_chars:
                yield _frame(batch, width, path.name, limits)
                batch, done_chars = _Batch(), decoding.chars
    except csv.Error as exc:  # a quoted field running past the csv module's 128 KB: a quote never closed
        raise cell_too_long(path.name, start, csv.field_size_limit(), limits) from exc
    finally:
        blocks.close()
    if batch.cells:
        yield _frame(batch, width, path.name, limits)


def _check_cells(frame: pd.DataFrame, width: int, name: str, limits: Limits) -> None:
    """Refuse the file at the first cell longer than the limit (measured column by column, vectorised)."""
    for pos in range(width):
        lengths = frame[pos].str.len()
        if lengths.max() > limits.cell_chars:
            at = int(lengths.idxmax())
            raise cell_too_long(name, int(frame["_line"].iat[at]), int(lengths.iat[at]), limits)


def _frame(batch: _Batch, width: int, name: str, limits: Limits) -> pd.DataFrame:
    frame = pd.DataFrame(batch.cells, columns=range(width), dtype="str") if width else pd.DataFrame(
        index=range(len(batch.cells)))
    frame["_line"] = np.asarray(batch.lines, dtype=np.int64)
    frame["_extra"] = np.asarray(batch.extra, dtype=np.int64)
    _check_cells(frame, width, name, limits)
    return frame
