"""Pseudonymisation of personal identifiers at load: a keyed hash (HMAC-SHA256), never the clear value."""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd

from etl.values import fold

# Italian codice fiscale of a person (16 chars, omocodia letters allowed) or of an entity (11 digits).
CODICE_FISCALE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
                            r"|^\d{11}$")


def normalise_identifier(value: str) -> str:
    """Spaces and case do not change who a person is: 'rssmra80a01f205x ' == 'RSSMRA80A01F205X'."""
    return re.sub(r"\s+", " ", fold(value)).strip().upper()


def pseudonym(value: str, key: bytes) -> str:
    return hmac.new(key, normalise_identifier(value).encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise(col: pd.Series, key: bytes) -> pd.Series:
    """Replace each non-empty cell by its keyed hash (64 hex characters)."""
    distinct = col.dropna().unique()
    return col.map({v: pseudonym(str(v), key) for v in distinct}).astype("string")


def valid_tax_code(col: pd.Series) -> pd.Series:
    """Mask of cells shaped like a codice fiscale (checked before hashing, since the hash hides typos)."""
    text = col.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    return text.isna() | text.str.fullmatch(CODICE_FISCALE.pattern, na=False)


def masked(value: str, key: bytes) -> str:
    """What quarantine and messages show instead of a personal identifier."""
    return f"[pseudonimo {pseudonym(value, key)[:12]}]"


FINGERPRINT_LABEL = b"osservatorio: impronta della chiave di pseudonimizzazione, v1"


def key_fingerprint(key: bytes) -> str:
    """What identifies a key without revealing it: the HMAC of a fixed label (64 hex characters)."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
