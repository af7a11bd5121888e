"""What every command shares: the data directory, passwords, output, and turning errors into exit codes."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli.safety import one_line, utf8_env
from console.core.errors import ConsoleError, ValidationError

if TYPE_CHECKING:  # imported where used: every command loads this module, few need these (issue 16)
    from console.core.accounts import Session
    from console.core.keystore import KdfLimits
    from console.core.office import Office

Handler = Callable[[argparse.Namespace], int]


class UsageError(ConsoleError):
    """A missing or contradictory option (exit status 2, like argparse)."""

    exit_code = 2


def data_dir(args: argparse.Namespace) -> Path:
    """--data-dir, else ID_CONSOLE_DATA_DIR, else the platform's user data folder."""
    if args.data_dir is not None and not args.data_dir.strip():
        raise UsageError("--data-dir is empty; give a folder, or leave the option out to use the default.")
    chosen = args.data_dir or _env("ID_CONSOLE_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("id-console", appauthor=False))


def kdf_limits() -> KdfLimits:
    """argon2id limits for new keystores: ID_CONSOLE_KDF names a preset (default: standard)."""
    from console.core.keystore import DEFAULT_KDF, KDF_PRESETS

    name = _env("ID_CONSOLE_KDF") or DEFAULT_KDF
    if name not in KDF_PRESETS:
        raise UsageError(f"ID_CONSOLE_KDF={name!r} is not a preset; use interactive, moderate, standard or sensitive.")
    if name == "min" and os.environ.get("ID_CONSOLE_ALLOW_WEAK_KDF") != "1":
        raise UsageError(
            "ID_CONSOLE_KDF=min makes keystores easy to crack and is for tests only (they also set "
            "ID_CONSOLE_ALLOW_WEAK_KDF=1); use interactive, moderate, standard or sensitive."
        )
    return KDF_PRESETS[name]


def open_office(args: argparse.Namespace) -> Office:
    from console.core.office import Office
    from console.core.store import BACKUP_NAME

    office = Office(data_dir(args), kdf=kdf_limits())
    office.token_pin = token_pin  # issue 17: asked only if the office key is in a token and something is signed
    backup = office.paths.data_dir / BACKUP_NAME
    if backup.exists():  # issue 17: the administrator must delete it; say so on every command until then
        print(
            f"id-console: warning: {backup} (the copy `db encrypt` made) is still there; check the office, then "
            "run `id-console db delete-backup --as ADMIN`.",
            file=sys.stderr,
        )
    return office


def read_password(env_var: str, prompt: str, *, who: str, confirm: bool = False) -> str:
    """From `env_var` when set, else a no-echo prompt; with no terminal, fail at once instead of hanging."""
    value = _env(env_var)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"No password for {who}: set {env_var} or run the command in a terminal.")
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat: ") != first:
            raise ValidationError("password", "The two passwords differ; nothing was changed.")
        first.encode("utf-8")
    except UnicodeError:
        raise UsageError(
            f"The password typed for {who} is not valid UTF-8 text; set the terminal to UTF-8 and type it again."
        ) from None
    return first


def token_pin() -> str:
    """The PIN of the token that holds the office key: ID_CONSOLE_TOKEN_PIN, else a no-echo prompt (issue 17)."""
    return read_password("ID_CONSOLE_TOKEN_PIN", "Token PIN: ", who="the token")


def _env(name: str) -> str | None:
    """An environment variable, refused with a sentence when it is not UTF-8 text."""
    try:
        return utf8_env(name)
    except ValueError as e:
        raise UsageError(str(e)) from None


def raw_stderr() -> Any:
    """Standard error without control-character escaping, for the console's own progress line (``\\r``)."""
    return getattr(sys.stderr, "raw", sys.stderr)


def session_for(args: argparse.Namespace, office: Office | None = None) -> Session:
    """Log in the officer named by --as."""
    from console.core.accounts import login

    if not args.as_user:
        raise UsageError("This command needs the acting officer: add --as USERNAME.")
    office = office or open_office(args)
    password = read_password("ID_CONSOLE_PASSWORD", f"Password for {args.as_user}: ", who=args.as_user)
    return login(office, args.as_user, password)


def emit(args: argparse.Namespace, data: Any, text: str | Callable[[], str]) -> None:
    """Print `data` as JSON with --json, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(text() if callable(text) else text)


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain aligned text table."""
    if not rows:
        return "(none)"
    cells = [{c: one_line(r.get(c) or "") for c in columns} for r in rows]  # user text: one line, no escapes
    widths = {c: max(len(c), *(len(r[c]) for r in cells)) for c in columns}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in columns)]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in columns) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def add_as(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--as", dest="as_user", metavar="USER", required=required, help="the acting officer")


def check_output_target(args: argparse.Namespace, out: str, *, magic: bytes, kind: str) -> Path:
    """Where a file the user asked for may go: outside the data directory, not a folder, not over another kind.

    Refuses a target inside the data directory (the database and keystores live there) and an existing file
    that does not start with `magic` (so a typo cannot replace, say, a document with a card PDF). Called before
    any prompt or work, so a wrong name costs nothing.
    """
    path = Path(out).expanduser()
    folder = data_dir(args).resolve()
    target = path.resolve()
    if target == folder or folder in target.parents:
        raise UsageError(f"{path} is inside the office's data directory {folder}; write the {kind} elsewhere.")
    if target.is_dir():
        raise UsageError(f"{path} is a folder; give a file name for the {kind}.")
    if target.exists():
        with target.open("rb") as existing:
            if existing.read(len(magic)) != magic:
                raise UsageError(f"{path} exists and is not a {kind}; refusing to overwrite it. Choose another name.")
    return path


def write_output(args: argparse.Namespace, out: str, data: bytes, *, magic: bytes, kind: str) -> Path:
    """Write a file the user asked for, atomically, where `check_output_target` allows it."""
    from console.core.atomic import OUTPUT_JOURNAL, atomic_write

    path = check_output_target(args, out, magic=magic, kind=kind)
    folder = data_dir(args).resolve()
    target = path.resolve()
    # The temp name is journalled in the data directory, so a crash never leaves a copy of the (personal) data
    # in the output folder after the next start.
    journal = folder / OUTPUT_JOURNAL if (folder / "office.db").exists() else None
    atomic_write(target, data, mode=0o600, journal=journal)
    return path
