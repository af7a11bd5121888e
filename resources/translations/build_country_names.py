"""Write countries_zh_CN.json: the Chinese short name of every ISO 3166-1 alpha-3 code in
resources/coding/countries.csv, from Debian's iso-codes package (LGPL-2.1+; apt-get install iso-codes).

    python resources/translations/build_country_names.py

The console shows birthplaces as "CODE — name"; in Chinese the name comes from this file (console/core/
coding.py, `region_name` and `regions`). Codes iso-codes has no Chinese name for (XKX, user-assigned) come from
`EXTRA`.
"""

from __future__ import annotations

import csv
import gettext
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")
LOCALE = Path("/usr/share/locale")
#: Codes outside ISO 3166-1 proper (user-assigned, so iso-codes has no name for them).
EXTRA = {"XKX": "科索沃"}


def main() -> None:
    english = {c["alpha_3"]: c["name"] for c in json.loads(ISO.read_text(encoding="utf-8"))["3166-1"]}
    common = {c["alpha_3"]: c.get("common_name") for c in json.loads(ISO.read_text(encoding="utf-8"))["3166-1"]}
    chinese = gettext.translation("iso_3166-1", localedir=str(LOCALE), languages=["zh_CN"])
    with (HERE.parent / "coding" / "countries.csv").open(encoding="utf-8", newline="") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    names: dict[str, str] = {code: name for code, name in EXTRA.items() if code in codes}
    for code in codes:
        for source in (common.get(code), english.get(code)):
            if source and chinese.gettext(source) != source:
                names[code] = chinese.gettext(source)
                break
    out = HERE / "countries_zh_CN.json"
    out.write_text(json.dumps(names, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{out.name}: {len(names)} of {len(codes)} codes")


if __name__ == "__main__":
    main()
