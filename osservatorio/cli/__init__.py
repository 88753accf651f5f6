"""The `osservatorio` command: thin typer wrappers over the library (`osservatorio`, `etl`, `indicators`)."""

from osservatorio.cli.app import app, main

__all__ = ["app", "main"]
