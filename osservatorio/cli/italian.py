"""Italian for typer's own words: help layout, help option, usage line and error messages.

Typer 0.29 carries its own copy of click, whose texts are English f-strings rather than gettext calls; only
typer's section titles and option notes go through `gettext`. So the command classes below write the usage
line and the help option in Italian, `install()` gives typer's gettext calls an Italian catalogue, and
`error_message` rewrites click's exceptions. `italianise(app)` applies the classes to every command of an app.
"""

from __future__ import annotations

import re
from gettext import NullTranslations
from typing import TYPE_CHECKING

import typer
import typer.core
from typer._click import exceptions as click_exceptions

HELP_OPTION = "Mostra questo aiuto ed esce."
USAGE = "Uso: "
# typer's gettext strings (typer/core.py), in Italian.
CATALOGUE = {
    "Arguments": "Argomenti", "Options": "Opzioni", "Commands": "Comandi",
    "Missing command.": "Manca il comando.",
    "No such command {name!r}.": "Comando sconosciuto: «{name}».",
    "default: {default}": "predefinito: {default}", "required": "obbligatorio",
    "env var: {var}": "variabile d'ambiente: {var}", "(dynamic)": "(calcolato)", "Aborted!": "Interrotto.",
}
USAGE_PIECES = {"[OPTIONS]": "[OPZIONI]", "COMMAND [ARGS]...": "COMANDO [ARGOMENTI]..."}
# typer shows an option's type as <int>, <path>...
TYPES = {"int": "intero", "int range": "intero", "float": "numero", "float range": "numero", "str": "testo",
         "list[str]": "testo, ripetibile", "path": "percorso", "dir": "cartella", "file": "file", "bool": "sì/no",
         "date": "data", "choice": "scelta"}
_TYPE = re.compile(r"<(" + "|".join(re.escape(t) for t in sorted(TYPES, key=len, reverse=True)) + r")>")
# click's and pydantic's messages for a bad value, as (pattern, Italian); the first match wins.
VALUE_MESSAGES = (
    (r"Input should be a valid integer.*", "serve un numero intero"),
    (r"Input should be a valid (number|decimal).*", "serve un numero"),
    (r"Input should be a valid boolean.*", "serve sì o no"),
    (r"Input should be greater than or equal to (\S+)", r"deve essere almeno \1"),
    (r"Input should be greater than (\S+)", r"deve essere maggiore di \1"),
    (r"Input should be less than or equal to (\S+)", r"deve essere al massimo \1"),
    (r"Input should be less than (\S+)", r"deve essere minore di \1"),
    (r"(?i)(?:file|path) '(.*)' does not exist\.", r"il file «\1» non esiste"),
    (r"(?i)(?:dir|directory) '(.*)' does not exist\.", r"la cartella «\1» non esiste"),
    (r"(?i)(?:file|path) '(.*)' is a directory\.", r"«\1» è una cartella, serve un file"),
    (r"(?i)(?:dir|directory) '(.*)' is a file\.", r"«\1» è un file, serve una cartella"),
    (r"(?i)(?:file|dir|directory|path) '(.*)' is not readable\.", r"«\1» non è leggibile"),
    (r"(?i)(?:file|dir|directory|path) '(.*)' is not writable\.", r"«\1» non è scrivibile"),
    (r"'?(.*?)'? is not one of (.*)\.", r"«\1» non è tra i valori ammessi (\2)"),
)
USAGE_MESSAGES = (
    (r"Got unexpected extra arguments? \((.*)\)", r"argomenti in più non previsti: \1"),
    (r"Option '(.*)' requires an argument\.", r"l'opzione «\1» richiede un valore"),
    (r"Option '(.*)' requires (\d+) arguments\.", r"l'opzione «\1» richiede \2 valori"),
    (r"Option '(.*)' does not take a value\.", r"l'opzione «\1» non accetta un valore"),
    (r"Argument '(.*)' takes (\d+) values\.", r"l'argomento «\1» richiede \2 valori"),
)


class _Catalogue(NullTranslations):
    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)


_ENGLISH_TYPE = typer.core._TyperParameter.display_type
if TYPE_CHECKING:  # what `_Italian` is mixed into
    _Mixed = typer.core.TyperCommand
else:
    _Mixed = object


def _display_type(param, ctx) -> str:
    return _TYPE.sub(lambda m: f"<{TYPES[m.group(1)]}>", _ENGLISH_TYPE(param, ctx))


def install() -> None:
    """Give typer's gettext calls the Italian catalogue (they read the module's `_` when they run), and its
    parameters Italian type names (<intero>, <percorso>...)."""
    typer.core._ = _Catalogue().gettext
    typer.core._TyperParameter.display_type = _display_type  # type: ignore[method-assign,assignment]  # no hook


def translate(message: str, table=VALUE_MESSAGES) -> str:
    for pattern, italian in table:
        if (match := re.fullmatch(pattern, message.strip(), flags=re.DOTALL)) is not None:
            return match.expand(italian)
    return message


class _Italian(_Mixed):
    """Help option, usage line and metavars in Italian (mixed into typer's command and group classes)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    def format_usage(self, ctx, formatter) -> None:
        pieces = [USAGE_PIECES.get(p, p) for p in self.collect_usage_pieces(ctx)]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)


class ItalianCommand(_Italian, typer.core.TyperCommand):
    def invoke(self, ctx):
        """Once the arguments are parsed, let the root group prepare the command (`before_command`)."""
        if (prepare := getattr(ctx.find_root().command, "before_command", None)) is not None:
            prepare(ctx)
        return super().invoke(ctx)


class ItalianGroup(_Italian, typer.core.TyperGroup):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        return run_main(super().main, args=args, prog_name=prog_name, complete_var=complete_var,
                        standalone_mode=standalone_mode, extra=extra)


def italianise(app: typer.Typer) -> None:
    """Use the Italian classes for `app`, its commands and its sub-apps (unless one asked for its own class)."""
    install()
    if not isinstance(app.info.cls, type):
        app.info.cls = ItalianGroup
    for info in app.registered_commands:
        if info.cls in (None, typer.core.TyperCommand):
            info.cls = ItalianCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            italianise(group.typer_instance)


def parameter_name(param) -> str:
    if param is None:
        return "parametro"
    if param.param_type_name == "argument":
        return (param.metavar or param.name or "").upper()
    return " / ".join(param.opts)


def error_message(exc: click_exceptions.ClickException) -> str:
    """The Italian text of a click exception (our own messages are Italian already)."""
    if isinstance(exc, click_exceptions.MissingParameter):
        what = "l'argomento" if (exc.param_type or getattr(exc.param, "param_type_name", "")) == "argument" \
            else "l'opzione"
        return f"manca {what} «{parameter_name(exc.param)}»."
    if isinstance(exc, click_exceptions.NoSuchOption):
        hint = f" Forse: {', '.join(exc.possibilities)}?" if exc.possibilities else ""
        return f"opzione sconosciuta: «{exc.option_name}».{hint}"
    if isinstance(exc, click_exceptions.BadParameter):
        named = exc.param_hint if isinstance(exc.param_hint, str) else parameter_name(exc.param) if exc.param else None
        return f"valore non valido per «{named}»: {translate(exc.message)}" if named else translate(exc.message)
    if isinstance(exc, click_exceptions.FileError):
        return f"impossibile aprire il file «{exc.ui_filename}»: {exc.message}"
    return translate(exc.format_message(), USAGE_MESSAGES)


def show_error(exc: click_exceptions.ClickException) -> None:
    """Print a click exception as the user should read it: usage line, where to get help, the message."""
    if isinstance(exc, click_exceptions.NoArgsIsHelpError):
        typer.echo(exc.format_message(), err=True)
        return
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and isinstance(exc, click_exceptions.UsageError):
        typer.echo(ctx.get_usage(), err=True)
        typer.echo(f"Aiuto: {ctx.command_path} --help", err=True)
    message = error_message(exc)
    typer.echo(f"Errore: {message[:1].upper()}{message[1:]}", err=True)


def run_main(super_main, *, args, prog_name, complete_var, standalone_mode, extra):
    """Run a root command with click's errors shown in Italian; exit codes: 2 usage, 1 failure, 130 interrupted."""
    try:
        rv = super_main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
        code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
    except click_exceptions.ClickException as exc:
        if not standalone_mode:
            raise
        show_error(exc)
        rv, code = None, exc.exit_code
    except typer.Abort:
        if not standalone_mode:
            raise
        typer.echo("Interrotto.", err=True)
        rv, code = None, 1
    if standalone_mode:
        raise SystemExit(code)
    return rv
