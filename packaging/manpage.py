"""Write the id-console(1) man page from the command line's own argparse help, so it never drifts from the CLI.

Usage: python packaging/manpage.py VERSION > id-console.1
"""

import argparse
import datetime
import sys

from console.cli import build_parser


def _roff(text: str) -> str:
    """Escape text for roff: backslashes, and lines that start with a dot or quote."""
    lines = []
    for line in text.replace("\\", "\\e").replace("-", "\\-").splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def _subcommands(parser: argparse.ArgumentParser, prefix: str) -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                nested = _subcommands(sub, full)
                found.extend(nested if nested else [(full, sub)])
    return found


def main(version: str) -> None:
    parser = build_parser()
    date = datetime.date.today().isoformat()
    out = [
        f'.TH ID\\-CONSOLE 1 "{date}" "id-console {version}" "User Commands"',
        ".SH NAME",
        "id\\-console \\- ID\\-issuing authority console (command line and desktop)",
        ".SH SYNOPSIS",
        ".B id\\-console",
        "[\\-\\-data\\-dir DIR] COMMAND [OPTIONS]",
        ".br",
        ".B id\\-console\\-gui",
        "[\\-\\-data\\-dir DIR] [\\-\\-demo]",
        ".SH DESCRIPTION",
        _roff(parser.description or ""),
        "The acting officer is named with \\-\\-as USER; the password comes from ID_CONSOLE_PASSWORD, else a no\\-echo",
        "prompt. Every command that reports data takes \\-\\-json. Exit status 0 on success; otherwise a one\\-line",
        "reason on standard error (2: bad input or usage).",
        ".SH OPTIONS",
        ".nf",
        _roff(parser.format_help()),
        ".fi",
        ".SH COMMANDS",
    ]
    for name, sub in _subcommands(parser, ""):
        out += [f".SS {_roff(name)}", ".nf", _roff(sub.format_help()), ".fi"]
    out += [
        ".SH ENVIRONMENT",
        ".TP",
        ".B ID_CONSOLE_DATA_DIR",
        "the office's data directory (else the platform's user data folder, e.g. ~/.local/share/id\\-console).",
        ".TP",
        ".B ID_CONSOLE_PASSWORD",
        "the acting officer's password.",
        ".SH FILES",
        ".TP",
        ".I /opt/id\\-console",
        "the installed program (a self\\-contained bundle).",
        ".TP",
        ".I /var/lib/id\\-console",
        "the data of the node service (id\\-console\\-node.service), owner only.",
        ".SH SEE ALSO",
        "/usr/share/doc/id\\-console/",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
