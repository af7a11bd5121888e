"""Update the translation catalogues from the GUI sources and compile them (Qt Linguist workflow).

    python resources/translations/build.py            # lupdate (extract) + lrelease (compile)
    python resources/translations/build.py --check    # also fail if a catalogue has unfinished messages

1. ``pyside6-lupdate`` scans console/gui for ``self.tr(...)`` and ``QCoreApplication.translate(...)`` and merges
   new strings into every ``id_console_<locale>.ts`` here (translations already made are kept).
2. Translators open the ``.ts`` in Qt Linguist (``pyside6-linguist``), translate, mark finished, save.
3. ``pyside6-lrelease`` compiles each ``.ts`` to the ``.qm`` the console loads at start-up (committed, so that
   an installation needs no Qt tools).

To add a language: ``touch id_console_<locale>.ts`` (e.g. ``id_console_ko_KR.ts``), run this script, translate.

English is the source language, so ``id_console_en.ts`` holds only the messages with a count (``tr("%n
page(s)", "", n)``, lupdate ``-pluralonly``): their English singular and plural forms.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCES = ROOT / "console" / "gui"


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        sys.exit(f"{name} not found: install PySide6 (it ships {name}) or activate the virtual environment.")
    return found


PLURAL_ONLY = ("id_console_en.ts",)  # the source language: only the forms of messages with a count


def translated_texts(translation: ET.Element) -> list[str]:
    """The translation's text, or each of its plural forms (``<numerusform>``) for a message with a count."""
    forms = translation.findall("numerusform")
    return [form.text or "" for form in forms] if forms else [translation.text or ""]


def unfinished(ts: Path) -> list[str]:
    """Source texts whose translation (or one of its plural forms) is missing or not marked finished."""
    root = ET.parse(ts).getroot()
    missing = []
    for message in root.iter("message"):
        translation = message.find("translation")
        if translation is not None and translation.get("type") == "vanished":
            continue
        if (
            translation is None
            or translation.get("type") == "unfinished"
            or not all(text.strip() for text in translated_texts(translation))
        ):
            missing.append(message.findtext("source") or "")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a message is untranslated")
    args = parser.parse_args()
    sources = sorted(str(p.relative_to(ROOT)) for p in SOURCES.rglob("*.py"))
    catalogues = sorted(HERE.glob("id_console_*.ts"))
    for ts in catalogues:
        if (
            ts.stat().st_size == 0
        ):  # a new language started with `touch`: lupdate wants no file rather than an empty one
            ts.unlink()
        subprocess.run(
            [
                tool("pyside6-lupdate"),
                *(["-pluralonly"] if ts.name in PLURAL_ONLY else []),
                "-no-obsolete",
                "-locations",
                "relative",
                *sources,
                "-ts",
                str(ts.relative_to(ROOT)),
            ],
            check=True,
            cwd=ROOT,
        )
        subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    if args.check:
        missing = {ts.name: unfinished(ts) for ts in catalogues}
        missing = {k: v for k, v in missing.items() if v}
        for name, messages in missing.items():
            print(f"{name}: {len(messages)} unfinished, e.g. {messages[:3]}", file=sys.stderr)
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
