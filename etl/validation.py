"""Column-wise validation of a chunk: types, required values, allowed values, ranges, parents.

A row with any problem is set aside whole; each problem names the line, the file's column, the
value and the reason, in Italian. Personal identifiers are hashed here, before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

import schemas
from etl import kinds as K
from etl import values as V
from etl.headers import HeaderMatch
from etl.kinds import Kind
from etl.pseudonym import masked, pseudonymise, valid_tax_code
from etl.redaction import redact, shaped_like_tax_code, shorten

NUMERIC_TYPES = (K.MONEY, K.DECIMAL, K.PCT, K.INT, K.YEAR, K.VALUE)
DATE_TYPES = (K.DATE, K.EVENT_DATE)

BAD_VALUE = {
    K.MONEY: "importo non leggibile come numero (atteso ad es. 1.234,56)",
    K.DECIMAL: "numero non leggibile (atteso ad es. 1.234,56)",
    K.PCT: "percentuale non leggibile (attesa ad es. 3,4 %)",
    K.VALUE: "valore non leggibile: atteso un numero o sì/no",
    K.INT: "numero intero non leggibile o fuori scala",
    K.YEAR: "anno non leggibile",
    K.DATE: "data non valida (attesa gg/mm/aaaa)",
    K.EVENT_DATE: "data non valida (attesa gg/mm/aaaa)",
    K.MONTH: "mese non valido (atteso mm/aaaa o «gennaio 2024»)",
    K.BOOL: "valore sì/no non riconosciuto",
}


@dataclass
class Context:
    """What validation needs beyond the chunk: settings, parents' keys, per-file number style."""

    key: bytes
    min_date: date
    max_date: date
    max_event_date: date
    parent_keys: dict[str, set[str]] = field(default_factory=dict)
    dot_decimal: dict[str, bool] = field(default_factory=dict)
    max_amount: float = 1_000_000_000.0
    redacted: int = 0  # cells of free text from which personal data was taken out


@dataclass
class Checked:
    good: pd.DataFrame          # typed fields + `_line`
    problems: pd.DataFrame      # line, column_name, value, reason
    bad_lines: pd.Index         # lines set aside


def check_chunk(chunk: pd.DataFrame, kind: Kind, match: HeaderMatch, headers: list[str], ctx: Context) -> Checked:
    typed = pd.DataFrame(index=chunk.index)
    problems: list[pd.DataFrame] = []

    def flag(mask: pd.Series, column: str, shown, reason: str) -> None:
        """Record a problem for the rows of `mask`; `shown` (a column, or a function making one) is
        only evaluated on those rows, so the clean path costs nothing."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            values = shown(mask) if callable(shown) else shown[mask]
            problems.append(pd.DataFrame({"line": chunk.loc[mask, "_line"], "column_name": column,
                                          "value": values.astype("string"), "reason": reason}))

    for col in kind.columns:
        if col.field in match.fields:
            pos = match.fields[col.field]
            typed[col.field] = _check_column(chunk[pos], headers[pos], col, kind, ctx, flag)
    _derive(kind, typed)
    _check_dates_order(kind, typed, chunk, flag, headers, match)
    _check_parents(kind, typed, chunk, flag, headers, match, ctx)
    _check_key_length(kind, typed, flag, headers, match)
    flag(chunk["_extra"] > 0, "(oltre l'ultima colonna)", lambda m: _extra_text(chunk["_extra"][m]),
         "la riga ha più campi dell'intestazione: valori fuori colonna (non conservati)")
    table = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(
        columns=["line", "column_name", "value", "reason"])
    bad_lines = pd.Index(table["line"].unique())
    typed["_line"] = chunk["_line"]
    good = typed[~chunk["_line"].isin(bad_lines)]
    return Checked(good, table, bad_lines)


def _check_column(raw: pd.Series, header: str, col: K.Column, kind: Kind, ctx: Context, flag) -> pd.Series:
    """Parse one column of the file, flag its problems, and return the values to store."""
    def shown(m):
        return _shown(raw[m], col, ctx)

    def problem(m, r):
        return flag(m, header, shown, r)

    if col.type in (K.TEXT, K.CODE) and not col.pii:
        _check_characters(V.as_text(raw), col, problem)
    parsed = _parse(raw, col, ctx)
    flag(parsed.bad, header, shown, _bad_reason(col))
    if col.required:
        flag(parsed.values.isna() & ~parsed.bad, header, shown, "campo obbligatorio vuoto")
    _check_range(parsed.values, col, ctx, problem, kind)
    if col.pii:
        if col.field == "tax_code_hash":
            flag(~valid_tax_code(V.as_text(raw)), header, shown, "codice fiscale non valido")
        return pseudonymise(V.as_text(raw), ctx.key)
    _check_length(parsed.values, kind, col, problem)
    return _redacted(parsed.values, ctx) if col.type == K.TEXT else parsed.values


def _shown(raw: pd.Series, col: K.Column, ctx: Context) -> pd.Series:
    """The value as it may appear in a quarantine record: personal identifiers only as pseudonyms."""
    text = V.as_text(raw)
    if col.pii:
        return text.map(lambda v: masked(v, ctx.key), na_action="ignore").astype("string")
    return redact(text).map(shorten, na_action="ignore").astype("string")


def _extra_text(counts: pd.Series) -> pd.Series:
    return counts.map(lambda n: f"{n} {'campo' if n == 1 else 'campi'} in più").astype("string")


CONTROL = {K.CODE: r"[\x00-\x1f\x7f]", K.TEXT: r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"}


def _check_characters(text: pd.Series, col: K.Column, flag) -> None:
    """Control characters (NUL above all, which PostgreSQL refuses) and codici fiscali used as codes."""
    flag(text.str.contains(CONTROL[col.type], regex=True, na=False),
         "carattere di controllo non ammesso (ad es. NUL): il file è stato danneggiato o esportato male?")
    if col.type == K.CODE:  # codes repeat (a lease's movements): look at each distinct code once
        distinct = pd.Series(text.dropna().unique(), dtype="string")
        shaped = set(distinct[shaped_like_tax_code(distinct).to_numpy()])
        flag(text.isin(shaped) if shaped else pd.Series(False, index=text.index),
             "il codice ha la forma di un codice fiscale: usare un codice interno "
             "(il codice fiscale va solo nella colonna codice_fiscale dei nuclei, dove è pseudonimizzato)")


def _declared(kind: Kind, field_name: str):
    """The warehouse column's type, or None for a field not stored as such."""
    table = schemas.metadata.tables[kind.table]
    return table.c[field_name].type if field_name in table.c else None


def _check_length(values: pd.Series, kind: Kind, col: K.Column, flag) -> None:
    """Text longer than its warehouse column (SQLite would keep it, PostgreSQL refuse the whole file)."""
    length = getattr(_declared(kind, col.field), "length", None)
    if length and (pd.api.types.is_string_dtype(values) or values.dtype == object):
        flag(values.str.len() > length, f"testo troppo lungo: al massimo {length} caratteri")


def _check_key_length(kind: Kind, typed: pd.DataFrame, flag, headers, match) -> None:
    """A composite key longer than the column that stores it."""
    texts = [f for f in kind.key if f in match.fields and kind.column(f).type in (K.TEXT, K.CODE, K.SLUG)]
    if kind.key_style != "row_key" or not texts:
        return
    length = _declared(kind, "row_key").length
    too_long = key_text(typed, kind.key).str.len() > length - 12  # room for an occurrence suffix
    first = max(texts, key=lambda f: int(typed[f].astype("string").str.len().fillna(0).max()) if len(typed) else 0)
    flag(too_long, headers[match.fields[first]], lambda m: typed[first][m].astype("string").map(shorten),
         f"chiave troppo lunga: i campi {', '.join(kind.column(f).header for f in kind.key)} insieme superano "
         f"{length - 12} caratteri")


def key_text(frame: pd.DataFrame, fields: tuple[str, ...]) -> pd.Series:
    """The natural key as text, its fields joined by ``|``: dates ISO, amounts in cents."""
    from etl.staging import iso_dates

    parts = []
    for name in fields:
        col = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index)
        if pd.api.types.is_datetime64_any_dtype(col):
            text = iso_dates(col)
        elif pd.api.types.is_float_dtype(col):
            text = (col * 100).round().astype("Int64").astype("string")  # cents: 12.5 and 12.50 are one amount
        else:
            text = col.astype("string")
        parts.append(text.fillna(""))
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def _redacted(values: pd.Series, ctx: Context) -> pd.Series:
    out = redact(values)
    changed = out.ne(values.astype("string")).fillna(False)
    ctx.redacted += int(changed.sum())
    return out


def _parse(raw: pd.Series, col: K.Column, ctx: Context) -> V.Parsed:
    t = col.type
    if t in (K.MONEY, K.DECIMAL, K.PCT, K.INT, K.YEAR, K.VALUE):
        if col.field not in ctx.dot_decimal:
            ctx.dot_decimal[col.field] = V.dot_decimal(raw)
        dot = ctx.dot_decimal[col.field]
        if t in (K.INT, K.YEAR):
            return V.parse_int(raw, dot_decimal_file=dot)
        if t == K.VALUE:
            return V.parse_value(raw, dot_decimal_file=dot)
        return V.parse_number(raw, dot_decimal_file=dot, percent=t == K.PCT)
    if t in DATE_TYPES:
        return V.parse_date(raw)
    if t == K.MONTH:
        return V.parse_month(raw)
    if t == K.BOOL:
        return V.parse_bool(raw)
    if t == K.ENUM:
        return V.parse_enum(raw, col.allowed, col.synonyms)
    if t == K.AMBITI:
        return V.parse_ambiti(raw, K.AMBITI_VALUES, {"morosita": "morosita_incolpevole", "disagio": "disagio_sociale"})
    text = V.as_text(raw)
    if t == K.SLUG:
        text = V.map_unique(text, V.snake)
    if t == K.CODE:
        spaced = text.str.contains("  ", regex=False, na=False)
        if spaced.any():  # codes typed with double spaces are the same code
            text = text.where(~spaced, text.str.replace(r"\s+", " ", regex=True))
    return V.Parsed(text, pd.Series(False, index=raw.index))


def _bad_reason(col: K.Column) -> str:
    if col.type == K.ENUM:
        return f"valore non ammesso; valori ammessi: {', '.join(col.allowed)}"
    if col.type == K.AMBITI:
        return f"ambito non riconosciuto; ambiti ammessi: {', '.join(K.AMBITI_VALUES)}"
    return BAD_VALUE.get(col.type, "valore non leggibile")


def _check_range(values: pd.Series, col: K.Column, ctx: Context, flag, kind: Kind) -> None:
    if col.type in (K.MONEY, K.DECIMAL, K.PCT, K.INT, K.VALUE):
        bound = _magnitude(_declared(kind, col.field), col, ctx)
        out_of_scale = values.abs() > bound
        flag(out_of_scale, f"{'importo' if col.type == K.MONEY else 'valore'} fuori scala: in valore assoluto al "
                           f"massimo {_num(bound)}")
        values = values.where(~out_of_scale.fillna(False))
        if col.min is not None:
            flag(values < col.min, _below_reason(col))
        if col.max is not None:
            flag(values > col.max, f"valore fuori intervallo: deve essere al massimo {_num(col.max)}")
    elif col.type == K.YEAR:
        flag(~values.between(ctx.min_date.year, ctx.max_date.year) & values.notna(),
             f"anno fuori intervallo ({ctx.min_date.year}-{ctx.max_date.year})")
    elif col.type in DATE_TYPES or col.type == K.MONTH:
        flag(values < pd.Timestamp(ctx.min_date), f"data precedente al {ctx.min_date:%d/%m/%Y}: non plausibile")
        latest = ctx.max_event_date if col.type == K.EVENT_DATE else ctx.max_date
        flag(values > pd.Timestamp(latest), f"data successiva al {latest:%d/%m/%Y}: troppo nel futuro")


def _magnitude(declared, col: K.Column, ctx: Context) -> float:
    """The largest absolute value the warehouse column holds (and, for money, the plausible one)."""
    precision, scale = getattr(declared, "precision", None), getattr(declared, "scale", None) or 0
    if precision:
        bound = 10.0 ** (precision - scale) - 10.0 ** -scale
    elif col.type in (K.INT, K.YEAR):
        bound = 2**31 - 1
    else:
        bound = 1e15
    return min(bound, ctx.max_amount) if col.type == K.MONEY else bound


def _below_reason(col: K.Column) -> str:
    what = "importo" if col.type == K.MONEY else "valore"
    if col.min == 0:
        return f"{what} negativo: non ammesso"
    if col.type == K.MONEY:
        return "importo negativo o nullo: deve essere positivo"
    return f"valore sotto il minimo ammesso ({_num(col.min or 0)})"


def _num(x: float) -> str:
    if x >= 1e6 and float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    if x >= 1e6:
        return f"{x:,.2f}".replace(",", "§").replace(".", ",").replace("§", ".")
    return f"{x:g}".replace(".", ",")


def _derive(kind: Kind, typed: pd.DataFrame) -> None:
    """Defaults the data contract gives: a movement's item, accrual month and due date."""
    if kind.name != "movimenti":
        return
    if "item" not in typed:
        typed["item"] = pd.Series(pd.NA, index=typed.index, dtype="string")
    typed["item"] = typed["item"].fillna("altro")
    month_of_entry = typed["entry_date"].dt.to_period("M").dt.to_timestamp().astype("datetime64[s]")
    typed["accrual_month"] = (typed["accrual_month"].fillna(month_of_entry) if "accrual_month" in typed
                              else month_of_entry)
    due = (typed["accrual_month"] + pd.Timedelta(days=9)).where(typed["entry_type"] == "addebito")
    typed["due_date"] = typed["due_date"].fillna(due) if "due_date" in typed else due


def _check_dates_order(kind: Kind, typed, chunk, flag, headers, match) -> None:
    for start, end in kind.date_order:
        if start in typed and end in typed:
            wrong = typed[end] < typed[start]
            header = headers[match.fields[end]]
            flag(wrong, header, lambda m, e=typed[end]: e[m].dt.strftime("%d/%m/%Y"),
                 f"data precedente a «{kind.column(start).header}»")


def _check_parents(kind: Kind, typed, chunk, flag, headers, match, ctx: Context) -> None:
    for parent in kind.parents:
        if parent.field not in typed:
            continue
        known = ctx.parent_keys.get(parent.kind, set())
        vals = typed[parent.field]
        unknown = vals.isin(_unknown(vals, known))
        header = headers[match.fields[parent.field]]
        flag(unknown, header, vals, f"codice sconosciuto: non presente tra i dati di «{parent.kind}» già caricati")


def _unknown(vals: pd.Series, known: set[str]) -> list[str]:
    """The distinct values of a column missing from `known`: a chunk holds a few thousand distinct codes,
    and asking the set about those is far cheaper than `isin` with every known code (100,000s)."""
    return [v for v in vals.dropna().unique() if v not in known]


def event_horizon(days: int) -> date:
    return date.today() + timedelta(days=days)
