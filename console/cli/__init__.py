"""`id-console`: the command-line front end. Calls the same core services as the GUI.

Contract (DESIGN §7): `id-console [--data-dir DIR] COMMAND`; no command opens the GUI; the acting officer is
`--as USER` with the password from ID_CONSOLE_PASSWORD or a no-echo prompt; `--json` on every command that
reports data; exit 0 on success, else non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sqlite3
import sys
from typing import Any

from console import __version__
from console.cli import safety
from console.core import i18n
from console.core.errors import ConsoleError, StorageError, UserCancelled

logger = logging.getLogger("console.cli")

EXIT_BUG = 70
USAGE_ERROR = 2


#: Where each command is defined, in the order `--help` lists them: (module under console.cli, function).
#: A command imports only its own module, so `verify TEXT` does not pay for PDFs, QR writers or the ledger
#: (issue 16: a CLI that starts like a tool). A command missing here still works: the full parser is built.
COMMANDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("init", "user", "settings", "whoami", "audit", "key"), ("officers", "register")),
    **dict.fromkeys(("register", "search", "show", "review"), ("registry", "register")),
    "import": ("registry", "register_import"),
    **dict.fromkeys(
        ("issue", "trust", "revoke", "suspend", "reinstate", "requests", "approve", "reject"),
        ("credentials", "register"),
    ),
    **dict.fromkeys(("verify", "validate-id"), ("checking", "register")),
    **dict.fromkeys(("card", "printer"), ("cards", "register")),
    "status-list": ("statuslists", "register"),
    "ledger": ("ledger", "register"),  # ledger issue
    "office": ("offices", "register"),  # ledger issue: office add / list
    **dict.fromkeys(("keys", "rebuild"), ("backup", "register")),  # ledger issue: keys backup, rebuild
    "verifier": ("verifier", "register"),
    "db": ("atrest", "register"),  # issue 17: db encrypt / status / delete-backup
    "export": ("exports", "register"),  # issue 17: export open (encrypted exports)
    "node": ("node", "register"),  # issue 10: node serve
}


def _database_errors() -> tuple[type[Exception], ...]:
    """sqlite3's and, once a command opened an office (issue 17), SQLCipher's database errors; checked when an
    error arrives, so `verify` never imports SQLCipher."""
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.DatabaseError,) if cipher is None else (sqlite3.DatabaseError, cipher.DatabaseError)


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` gives it (COLUMNS, then the terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter with the width worked out without `shutil`: argparse makes a formatter for every
    `add_argument` and its own imports shutil (and with it bz2, lzma, fnmatch) in every command (issue 16)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _untranslated(message: str) -> str:
    return message


def _untranslated_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


# argparse looks every label and message up with gettext (12 look-ups building `verify`'s parser), and each
# look-up searches the locale directories for a catalogue Python does not ship and imports `locale` on the
# way (issue 16: ~2 ms of a 110 ms start). The command line is English by contract (docs/cli.md; core
# messages have their own catalogues, console.core.i18n), so argparse's own texts are taken as written.
argparse._ = _untranslated  # type: ignore[attr-defined]
argparse.ngettext = _untranslated_plural  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose subcommands' parsers (`add_subparsers` makes them of this class) use `_Formatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with `command` (a name in COMMANDS) of that command alone, with "" of none."""
    parser = _Parser(
        prog="id-console", description="ID-issuing authority console. With no command, opens the desktop console."
    )
    parser.add_argument("--version", action="version", version=f"id-console {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="the office's data directory (env: ID_CONSOLE_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command in COMMANDS:
        wanted = [COMMANDS[command]]
    else:
        wanted = [] if command in ("", "gui") else list(dict.fromkeys(COMMANDS.values()))
    for module, function in wanted:
        getattr(importlib.import_module(f"console.cli.{module}"), function)(sub)
    gui = sub.add_parser("gui", help="open the desktop console")
    gui.add_argument("--demo", action="store_true", help="open a demo office (created on first use)")
    # also accepted after the command; SUPPRESS keeps the global one when this is absent
    gui.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    gui.set_defaults(handler=_cmd_gui)
    return parser


def _command_name(argv: list[str]) -> str | None:
    """The command word of `argv` after the global options; "" for none (the GUI) or --version, which need no
    command's parser; None for --help or an unknown option, which the full parser answers."""
    words = iter(argv)
    for word in words:
        if word == "--data-dir":
            next(words, None)
        elif word == "--version":
            return ""
        elif word == "--" or not word.startswith("-"):
            return None if word == "--" else word
        elif not word.startswith("--data-dir="):
            return None
    return ""


def _cmd_gui(args: argparse.Namespace) -> int:
    from console.gui.app import run  # Qt loads only when the GUI is asked for

    return run(data_dir=args.data_dir, demo=getattr(args, "demo", False))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `id-console` command."""
    # Control characters in user text (names, reasons, printer names, audit details) never reach the
    # terminal raw: both streams escape them, and JSON keeps its exact values (see cli/safety.py).
    restore = safety.install(sys.stdout, sys.stderr)
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    finally:
        if isinstance(sys.stdout, safety.SafeStream) or isinstance(sys.stderr, safety.SafeStream):
            restore()


def _main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    problem = safety.non_utf8_argument(argv)
    if problem:
        print(f"id-console: {problem}", file=sys.stderr)
        return USAGE_ERROR
    try:
        args = build_parser(_command_name(argv)).parse_args(argv)
    except SystemExit as e:  # argparse: --help, --version, or a usage error already printed
        return int(e.code or 0)
    try:
        language = safety.utf8_env("ID_CONSOLE_LANG")
    except ValueError as e:
        print(f"id-console: {e}", file=sys.stderr)
        return USAGE_ERROR
    i18n.set_language(language)  # opt-in: messages stay English unless asked
    handler = getattr(args, "handler", None) or _cmd_gui
    try:
        return int(handler(args))
    except UserCancelled:
        return UserCancelled.exit_code
    except ConsoleError as e:
        print(f"id-console: {e}", file=sys.stderr)
        return e.exit_code
    except _database_errors() as e:
        print(
            f"id-console: The office database is damaged or unreadable ({e}); nothing was changed. Restore it from "
            "backup or rebuild the office from the ledger.",
            file=sys.stderr,
        )
        return StorageError.exit_code
    except BrokenPipeError:
        # the reader went away (`| head`): not an error of ours; silence the flush at exit too
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except KeyboardInterrupt:
        print("id-console: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        # Only input nests this deep (a JSON or CBOR document of thousands of levels): not a bug of ours.
        print(
            "id-console: An input is nested too deeply to read (thousands of levels of brackets); nothing was "
            "changed. Check the file or text you gave.",
            file=sys.stderr,
        )
        return USAGE_ERROR
    except OverflowError as e:
        # A number from the input too large for the calendar or the database (options are bounded at parse
        # time; this covers numbers read from files).
        print(f"id-console: A number in the input is too large to use ({e}); nothing was changed.", file=sys.stderr)
        return USAGE_ERROR
    except Exception as e:
        logger.debug("unexpected error", exc_info=True)
        print(
            f"id-console: internal error ({type(e).__name__}: {e}). This is a bug; please report it with the command "
            "you ran.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
