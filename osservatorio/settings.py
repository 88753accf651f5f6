"""Every setting of Osservatorio in one place, read from the environment (prefix ``OSSERVATORIO_``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from osservatorio.warehouse import default_url

DEMO_PSEUDONYM_KEY = "osservatorio-demo-non-usare-in-produzione"


class Settings(BaseSettings):
    """Settings; each one can be set as ``OSSERVATORIO_<NAME>`` or in a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="OSSERVATORIO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default_factory=default_url,
        description="Warehouse URL: by default a SQLite file in the user's data folder (the same from any folder), "
                    "postgresql+psycopg://... in production.",
    )
    pseudonym_key: SecretStr = Field(
        SecretStr(DEMO_PSEUDONYM_KEY),
        description="Key of the HMAC-SHA256 that replaces personal identifiers at load. Set your own.",
    )
    demo: bool = Field(
        False,
        description="Demo mode (set by `osservatorio demo`): only then may personal data be loaded with the "
                    "public demo pseudonymisation key.",
    )
    small_cell_threshold: int = Field(5, ge=1, description="Counts below this are suppressed for `regione`.")
    suppress_for_all: bool = Field(
        False, description="Apply small-cell suppression to every role's aggregates, not only `regione`'s."
    )
    ticket_target_days: dict[str, int] = Field(
        default_factory=dict,
        description="Service-level targets of facility tickets, in days from opening to closing per urgency, as "
                    'JSON (e.g. {"emergenza": 1, "alta": 3, "media": 10, "bassa": 30}, the defaults); urgencies '
                    "left out keep their default.",
    )
    analytics_memory_mb: int = Field(
        2_048, ge=256,
        description="Memory the build of the analytics copy may use, in MB (DuckDB's memory_limit); beyond it the "
                    "build's sorts and aggregates spill to a temporary folder beside the copy. A copy of 100,000 "
                    "units x 10 years builds within 2 GB (without a limit it takes up to 80% of the machine's memory).",
    )
    session_hours: float = Field(8.0, gt=0, description="A dashboard session expires this many hours after login.")
    chunk_rows: int = Field(100_000, ge=1_000, description="Rows read per chunk when loading a file.")
    max_upload_mb: int = Field(
        100, ge=1, le=2_000,
        description="Largest file the Caricamenti page accepts, in MB (larger exports: `osservatorio load`). "
                    "A load holds a few chunks of rows in memory, never the whole file, but the upload itself is "
                    "kept in memory by the dashboard: keep it well under the machine's free memory. The upload "
                    "endpoint's hard cap is `server.maxUploadSize` in dashboard/.streamlit/config.toml (100): "
                    "raise both together.",
    )
    max_row_kb: int = Field(
        1_024, ge=1,
        description="Longest row of an imported file (CSV line or XLSX row), in KB: a longer one refuses the file "
                    "before it is read (a one-line file of 1 GB would otherwise be read whole into memory).",
    )
    max_cell_chars: int = Field(
        32_767, ge=100, le=131_072,
        description="Longest cell of an imported file, in characters (32,767 is Excel's own limit): a longer one "
                    "refuses the file.",
    )
    max_xlsx_uncompressed_mb: int = Field(
        1_024, ge=1,
        description="Largest uncompressed content of an XLSX file (all its parts), in MB, checked in the archive's "
                    "table before anything is decompressed: a 1 MB file can otherwise expand to gigabytes.",
    )
    max_shared_strings_mb: int = Field(
        100, ge=1,
        description="Largest table of shared strings of an XLSX file, uncompressed, in MB: it is held in memory "
                    "whole while the sheet is read.",
    )
    max_amount_eur: float = Field(
        1_000_000_000.0, gt=0,
        description="Largest amount in euro an imported file may hold in one cell; larger ones are quarantined.",
    )
    min_date: date = Field(date(1950, 1, 1), description="Earliest plausible date in an imported file.")
    max_date: date = Field(date(2099, 12, 31), description="Latest plausible date (ends of leases, plans).")
    max_event_days_ahead: int = Field(
        366, description="An event (payment, ticket, activity) may be dated at most this many days after today."
    )
    demo_dir: Path = Field(Path("demo-data"), description="Where `osservatorio demo` writes the sample files.")
    selection_rules: Path | None = Field(
        None, description="TOML file of the selection rules (scores, ISEE limit, adequate floor areas, affordability "
                          "share) used instead of the one shipped in indicators/selection_rules.toml.",
    )
    budget_variance_pct: float = Field(
        10.0, ge=0, description="Budget vs actual: a variance is flagged above this share of the budget (%)..."
    )
    budget_variance_eur: float = Field(
        5000.0, ge=0, description="...and above this amount in euro (both must be exceeded)."
    )
    budget_inflation_pct: float = Field(
        2.0, description="Inflation of the 'last year plus inflation' baseline of the budget forecasts (%)."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins of one user name within `login_window_minutes` that lock it."
    )
    login_client_max_failures: int = Field(
        20, ge=1, description="Failed sign-ins from one client address (any user name) within the window that lock it. "
        "Behind a reverse proxy every client has the proxy's address: raise it there, or forward the real one."
    )
    login_window_minutes: float = Field(15.0, gt=0, description="The window in which failed sign-ins are counted.")
    login_lock_minutes: float = Field(
        15.0, gt=0, description="First lock of a user name or client; each further lock in a row lasts twice as long..."
    )
    login_lock_max_minutes: float = Field(24 * 60.0, gt=0, description="...up to this many minutes.")
    login_backoff_seconds: float = Field(
        1.0, ge=0, description="Wait after a failed sign-in before the next one is checked; it doubles with each "
        "further failure..."
    )
    login_backoff_max_seconds: float = Field(30.0, ge=0, description="...up to this many seconds.")
    password_min_length: int = Field(10, ge=8, description="Shortest password accepted for a new or changed password.")
    port: int = Field(8501, description="Port of the dashboard started by `osservatorio demo`.")

    @property
    def uses_demo_key(self) -> bool:
        return self.pseudonym_key.get_secret_value() == DEMO_PSEUDONYM_KEY


@lru_cache
def get_settings() -> Settings:
    return Settings()
