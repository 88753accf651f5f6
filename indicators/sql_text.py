"""A figure's SQL as a reader sees it (`osservatorio kpi CODE --sql`): the statements it ran on the analytics copy,
laid out one clause per line, with the values of their named parameters."""

from __future__ import annotations

from datetime import date, datetime


def render(statements: list[tuple[str, dict]]) -> str:
    """Every statement, numbered, pretty-printed, each preceded by its parameters as SQL comments."""
    parts = []
    for i, (sql, params) in enumerate(statements, start=1):
        head = [f"-- Query {i} di {len(statements)}"] if len(statements) > 1 else []
        head += [f"-- ${name} = {_literal(value)}" for name, value in params.items()]
        parts.append("\n".join([*head, pretty(sql) + ";"]))
    return "\n\n".join(parts)


def pretty(sql: str) -> str:
    """One clause per line (sqlglot, DuckDB's dialect); the text as it is if it cannot be laid out."""
    try:
        import sqlglot

        return sqlglot.transpile(sql, read="duckdb", write="duckdb", pretty=True)[0]
    except Exception:  # noqa: BLE001 (layout only: the statement itself is shown either way)
        return sql.strip()


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''").replace("\n", " ") + "'"
    return str(value)
