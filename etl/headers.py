"""Matching the headers of a user's file to a kind's columns: case-, accent-, space- and
punctuation-insensitive, through aliases and an optional user mapping file."""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.kinds import Kind
from etl.values import fold


class HeaderError(ValueError):
    """The file's header cannot be used: the whole file is refused."""


def norm_header(text: str) -> str:
    """'Codice Alloggio', 'codice_alloggio', 'CODICE-ALLOGGIO ' -> 'codicealloggio'."""
    return re.sub(r"[^0-9a-z]", "", fold(str(text)))


@dataclass
class HeaderMatch:
    """Which file column fills which field, and what was left over."""

    fields: dict[str, int]                      # field -> position in the file
    ignored: list[str] = field(default_factory=list)


def read_mapping(path: Path) -> dict[str, str]:
    """A user mapping, user header -> canonical header: TOML (``[colonne]`` table) or a 2-column CSV."""
    if path.suffix.lower() == ".toml":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        table = data.get("colonne", data)
        return {str(k): str(v) for k, v in table.items()}
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    rows = [r for r in csv.reader(text.splitlines(), dialect) if len(r) >= 2 and r[0].strip()]
    if rows and norm_header(rows[0][0]) in {"intestazione", "colonnafile", "header"}:
        rows = rows[1:]
    return {r[0].strip(): r[1].strip() for r in rows}


def _lookup(kind: Kind, mapping: dict[str, str]) -> dict[str, str]:
    """Normalised name -> field, from canonical headers, aliases and the user's mapping (which wins)."""
    table: dict[str, str] = {}
    for col in kind.columns:
        for name in (*col.aliases, col.header):
            table[norm_header(name)] = col.field
    by_header = {norm_header(c.header): c.field for c in kind.columns}
    for user, canonical in mapping.items():
        target = by_header.get(norm_header(canonical))
        if target is None:
            raise HeaderError(
                f"File di mappatura: «{canonical}» non è una colonna di «{kind.name}». "
                f"Colonne ammesse: {', '.join(c.header for c in kind.columns)}."
            )
        table[norm_header(user)] = target
    return table


def match_headers(headers: list[str], kind: Kind, mapping: dict[str, str] | None = None) -> HeaderMatch:
    """Map file headers to fields; refuse the file when required columns are missing or ambiguous."""
    table = _lookup(kind, mapping or {})
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for pos, header in enumerate(headers):
        key = norm_header(header)
        if not key:
            continue  # trailing empty columns of spreadsheet exports
        target = table.get(key)
        if target is None:
            ignored.append(str(header))
        elif target in fields:
            first = headers[fields[target]]
            raise HeaderError(
                f"Le colonne «{first}» e «{header}» indicano entrambe «{kind.column(target).header}»: "
                "togliere una delle due o indicare quale usare con un file di mappatura delle colonne."
            )
        else:
            fields[target] = pos
    missing = [c for c in kind.columns if c.required and c.field not in fields]
    if missing:
        raise HeaderError(_missing_message(kind, missing, headers, ignored))
    return HeaderMatch(fields, ignored)


def _missing_message(kind: Kind, missing, headers: list[str], unmatched: list[str]) -> str:
    """Name the missing columns and, for each, the unmatched headers of the file closest to it."""
    from etl.redaction import redact_text

    found = [h for h in headers if norm_header(h)]
    if any(redact_text(h) != h for h in found):  # a file without its header row: the first row is data
        return (f"File rifiutato: mancano le colonne obbligatorie per «{kind.name}» "
                f"({', '.join(f'«{c.header}»' for c in missing)}). La prima riga contiene dati personali (codice "
                "fiscale, telefono o e-mail), non intestazioni: manca la riga di intestazione? Non è riportata qui.")
    parts = []
    for col in missing:
        names = [norm_header(n) for n in (col.header, *col.aliases)]
        scored = {h: max(difflib.SequenceMatcher(None, n, norm_header(h)).ratio() for n in names) for h in unmatched}
        near = [h for h, score in sorted(scored.items(), key=lambda kv: -kv[1]) if score >= 0.6][:2]
        hint = f" (intestazioni simili trovate: {', '.join(f'«{h}»' for h in near)})" if near else ""
        parts.append(f"«{col.header}»{hint}")
    return (
        f"File rifiutato: mancano le colonne obbligatorie per «{kind.name}»: {'; '.join(parts)}. "
        f"Intestazioni trovate: {', '.join(f'«{h}»' for h in found) or 'nessuna'}. "
        "Rinominare le colonne o indicarne la corrispondenza con un file di mappatura delle colonne."
    )
