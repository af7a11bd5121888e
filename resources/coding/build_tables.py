"""Regenerate the region tables in this folder from their upstream sources.

Run from the repository root (the output is deterministic, so a diff shows exactly what upstream changed):

    python resources/coding/build_tables.py            # cn-regions.csv (needs python-stdnum)
    python resources/coding/build_tables.py --countries  # also countries.csv (needs `pip install iso3166`)

Sources:
- ``cn-regions.csv``: GB/T 2260 county-level division codes with the years each name was in force, taken from
  python-stdnum's ``stdnum/cn/loc.dat`` (itself compiled from the Chinese Wikipedia lists of administrative
  division codes, CC BY-SA 4.0). Using stdnum's copy keeps our region check identical to the reference
  validator ``stdnum.cn.ric`` that every cn-18 number must also pass.
- ``countries.csv``: ISO 3166-1 alpha-3 codes and English short names from the ``iso3166`` package (MIT).
- ``ee-counties.csv`` is small and written by hand (ISO 3166-2:EE); it is not generated here.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# "[1983-2014]新市区" -> valid from 1983 to 2014 inclusive; a missing bound is open.
_PERIOD = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.+)$")
# Prefecture rows that are placeholders, not place names, and so are left out of full names.
_PLACEHOLDERS = {
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "省直辖县级行政单位",
    "自治区直辖县级行政单位",
    "省直辖行政单位",
}


def _parse_loc_dat(path: Path) -> list[tuple[str, str, str, str]]:
    """Rows (code, name, valid_from, valid_to) from stdnum's nested numdb file."""
    rows: list[tuple[str, str, str, str]] = []
    province = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        prefix, _, props = raw.strip().partition(" ")
        match = re.match(r'(?P<key>\w+)="(?P<value>.*)"$', props)
        if match is None:
            raise SystemExit(f"unexpected line in {path}: {raw!r}")
        if indent == 0:
            province = prefix
            continue
        code = province + prefix
        for part in match["value"].split(","):
            period = _PERIOD.match(part)
            if period:
                rows.append((code, period["name"], period["start"], period["end"]))
            else:
                rows.append((code, part, "", ""))
    return rows


def _latest(rows: list[tuple[str, str, str, str]], code: str) -> str | None:
    """Most recent name of a code (the period with the latest end, open end last)."""
    names = [r for r in rows if r[0] == code]
    if not names:
        return None
    names.sort(key=lambda r: (r[3] == "", r[3], r[2]))
    return names[-1][1]


def build_cn_regions() -> None:
    """Write cn-regions.csv: one row per (code, name period), with the full name for display."""
    import stdnum

    loc = Path(stdnum.__file__).resolve().parent / "cn" / "loc.dat"
    rows = _parse_loc_dat(loc)
    out = HERE / "cn-regions.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "valid_from", "valid_to", "full_name"])
        for code, name, start, end in sorted(rows, key=lambda r: (r[0], r[2], r[3])):
            parts: list[str] = []
            province = _latest(rows, code[:2] + "0000")
            prefecture = _latest(rows, code[:4] + "00")
            if province and code[2:] != "0000":
                parts.append(province)
            if prefecture and code[4:] != "00" and prefecture not in _PLACEHOLDERS:
                parts.append(prefecture)
            parts.append(name)
            writer.writerow([code, name, start, end, "".join(parts)])
    print(f"wrote {out} ({len(rows)} rows) from {loc}")


def build_countries() -> None:
    """Write countries.csv (ISO 3166-1 alpha-3 codes) from the iso3166 package."""
    import iso3166

    out = HERE / "countries.csv"
    countries = sorted(iso3166.countries, key=lambda c: c.alpha3)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "alpha2", "numeric"])
        for country in countries:
            writer.writerow([country.alpha3, country.name, country.alpha2, country.numeric])
    print(f"wrote {out} ({len(countries)} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--countries", action="store_true", help="also rebuild countries.csv (needs iso3166)")
    args = parser.parse_args()
    build_cn_regions()
    if args.countries:
        build_countries()


if __name__ == "__main__":
    main()
