"""Keeping personal data out of everything a load stores besides the pseudonyms: quarantine, messages, free text.

A quarantined row keeps the cells of the columns the kind knows (personal ones as pseudonyms); the cells of
columns it does not know are never kept, only the fact that they were there (a `nuclei` file may carry a
spouse's codice fiscale or a phone number in a column of its own). In every text that is kept, whatever
looks like a codice fiscale, a phone number or an e-mail address is replaced by what it is.
"""

from __future__ import annotations

import re

import pandas as pd

from etl.kinds import Column
from etl.pseudonym import masked
from osservatorio.formatting import fmt_int

_D = "[0-9LMNPQRSTUV]"  # a digit of a codice fiscale, or its omocodia letter
TAX_CODE = rf"[A-Z]{{6}}{_D}{{2}}[A-EHLMPR-T]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z]"
TAX_CODE_IN_TEXT = re.compile(rf"(?<![A-Z0-9]){TAX_CODE}(?![A-Z0-9])", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Italian numbers: mobiles 3xx and landlines 0x.., optionally +39 / 0039, in groups separated by space,
# dot or dash; dates (01.02.2024) and amounts (1.234,56) do not have these shapes.
PHONE = re.compile(
    r"(?<![\w.,/+-])(?:(?:\+|00)39[\s.-]?)?"
    r"(?:3\d{2}[\s.-]?\d{3,4}[\s.-]?\d{3,4}|0\d{1,3}[\s.-]?\d{3,4}[\s.-]?\d{2,4}|0\d{1,3}[\s.-]?\d{5,8})"
    r"(?![\w,]|[.-]\d)")
REPLACEMENTS = ((TAX_CODE_IN_TEXT, "[codice fiscale omesso]"), (EMAIL, "[email omessa]"),
                (PHONE, "[telefono omesso]"))
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OMITTED = "[omesso]"
KEPT_CHARS = 200


def redact_text(value: str) -> str:
    """`value` with codici fiscali, e-mail addresses and phone numbers replaced by what they are, and control
    characters (which PostgreSQL would refuse) by U+FFFD."""
    for pattern, label in REPLACEMENTS:
        value = pattern.sub(label, value)
    return printable(value)


def printable(value: str) -> str:
    return CONTROL.sub("\ufffd", value)


def redact(col: pd.Series) -> pd.Series:
    """`redact_text` on a column of text (missing values stay missing); only cells with digits or ``@`` are
    looked at, so the usual column costs one vectorised test."""
    text = col.astype("string")
    control = text.str.contains(CONTROL.pattern, regex=True, na=False)
    if control.any():
        text = text.where(~control, text.str.replace(CONTROL.pattern, "\ufffd", regex=True))
    candidates = text.str.contains(r"[0-9@]", regex=True, na=False)
    if not candidates.any():
        return text
    out = text.copy()
    for pattern, label in REPLACEMENTS:
        out[candidates] = out[candidates].str.replace(pattern, label, regex=True)
    return out


def shaped_like_tax_code(col: pd.Series) -> pd.Series:
    """Mask of cells that are a personal codice fiscale and nothing else (used on code columns)."""
    text = col.astype("string").str.replace(r"\s+", "", regex=True)
    return text.str.fullmatch(TAX_CODE, case=False, na=False).astype(bool)


def safe_cells(row: pd.Series, width: int, known: dict[int, Column], key: bytes) -> list[str]:
    """The cells of a quarantined row that may be kept: known columns (personal ones pseudonymised, the others
    redacted and cut to 200 characters); a cell of an unknown column only as «[omesso]»."""
    cells = []
    for pos in range(width):
        value = row.iloc[pos]
        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        if not text.strip():
            cells.append("")
        elif pos not in known:
            cells.append(OMITTED)
        elif known[pos].pii:
            cells.append(masked(text, key))
        else:
            cells.append(shorten(redact_text(text)))
    return cells


def shorten(text: str) -> str:
    return text if len(text) <= KEPT_CHARS else text[:KEPT_CHARS] + f"… ({fmt_int(len(text))} caratteri)"
