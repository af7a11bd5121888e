"""Extract the core's translatable sentences and check a catalogue (``core_<lang>.json``) against them.

Every ``_("…")`` call in ``console/core`` whose argument is a string literal is a message (adjacent literals
are joined by the parser, so ``_("a " "b")`` is one message). The argument must be a literal: ``_(text)`` or
``_(f"…")`` cannot be extracted and is reported as an error.

    python resources/translations/core_messages.py                  # list the messages
    python resources/translations/core_messages.py --check zh_CN    # fail on missing, empty or broken entries
    python resources/translations/core_messages.py --update zh_CN   # add missing entries (empty), drop stale ones

Placeholders are ``{name}`` (``str.format``, with an optional ``!r`` or format spec); a translation must have
the same ones as its source, each as many times.
"""

from __future__ import annotations

import argparse
import ast
import json
import string
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORE = ROOT / "console" / "core"
#: Also the ledger drivers: the sentences naming a refused log (console/node/sync.py) are shown in the console.
NODE = ROOT / "console" / "node"


def catalogue_path(language: str) -> Path:
    return HERE / f"core_{language}.json"


def extract(folder: Path | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """Messages found under `folder` (default: console/core, then console/node; text → ``file:line`` places, in
    source order) and the problems found."""
    messages: dict[str, list[str]] = {}
    problems: list[str] = []
    folders = [folder] if folder is not None else [CORE, NODE]
    for path in [p for f in folders for p in sorted(f.rglob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where_file = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"):
                continue
            where = f"{where_file}:{node.lineno}"
            if len(node.args) != 1 or node.keywords:
                problems.append(f"{where}: _() takes exactly one argument")
                continue
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                problems.append(f"{where}: _() needs a string literal (format values in after translating)")
                continue
            try:
                placeholders(arg.value)
            except ValueError as e:
                problems.append(f"{where}: bad placeholder in {arg.value!r}: {e}")
                continue
            messages.setdefault(arg.value, []).append(where)
    return messages, problems


def placeholders(text: str) -> Counter[str]:
    """The ``{…}`` fields of a format string, with conversion and spec (``{text!r}`` ≠ ``{text}``)."""
    found: Counter[str] = Counter()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name or name.isdigit():
            raise ValueError("placeholders must be named")
        found["{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"] += 1
    return found


def load(language: str) -> dict[str, str]:
    path = catalogue_path(language)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a JSON object")
    return data


def check(language: str, messages: dict[str, list[str]]) -> list[str]:
    """Problems of one catalogue: missing or empty entries, placeholders that differ."""
    catalogue = load(language)
    problems = []
    for text, places in messages.items():
        translation = catalogue.get(text)
        if not translation:
            problems.append(f"{places[0]}: {'untranslated' if text in catalogue else 'missing'}: {text!r}")
            continue
        try:
            theirs = placeholders(translation)
        except ValueError as e:
            problems.append(f"{places[0]}: broken placeholder in the translation of {text!r}: {e}")
            continue
        if theirs != placeholders(text):
            problems.append(
                f"{places[0]}: placeholders differ: {sorted(placeholders(text))} in {text!r}, "
                f"{sorted(theirs)} in {translation!r}"
            )
    return problems


def update(language: str, messages: dict[str, list[str]]) -> tuple[int, int]:
    """Rewrite the catalogue in source order: missing messages added empty, stale ones dropped."""
    catalogue = load(language)
    fresh = {text: catalogue.get(text, "") for text in messages}
    catalogue_path(language).write_text(json.dumps(fresh, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(set(messages) - set(catalogue)), len(set(catalogue) - set(messages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", metavar="LANG", help="fail unless core_LANG.json translates every message")
    group.add_argument("--update", metavar="LANG", help="add missing messages to core_LANG.json, drop stale ones")
    args = parser.parse_args(argv)
    messages, problems = extract()
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.update:
        added, dropped = update(args.update, messages)
        print(f"core_{args.update}.json: {len(messages)} messages, {added} added, {dropped} dropped")
    elif args.check:
        broken = check(args.check, messages)
        for problem in broken:
            print(problem, file=sys.stderr)
        for text in sorted(set(load(args.check)) - set(messages)):
            print(f"stale (no longer in the source): {text!r}", file=sys.stderr)
        problems += broken
        print(f"core_{args.check}.json: {len(messages)} messages, {len(problems)} problem(s)")
    else:
        for text, places in messages.items():
            print(f"{places[0]}\t{text}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
