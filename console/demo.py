"""A demo office for trying the console: Utopia's identity authority with officers, citizens and cards.

Built only through the core services a real office uses (set-up, officer enrolment, batch registration,
issuance, four-eyes requests), so what the demo shows is what the product does.

Invariants:
- All or nothing: the demo is built in a hidden folder next to the data directory and renamed into place
  when complete, with a ``demo.json`` marker written last; an interrupted build leaves nothing that a
  later start would mistake for a demo, and its leftovers are removed by the next build.
- A data directory that holds an office without the marker is a real office: it is never touched.
- The sample is deterministic (fixed random seed); only keys, numbers and credential ids differ per build.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from console.core import issuance, officers, registry, requests
from console.core.accounts import login
from console.core.atomic import atomic_write
from console.core.errors import Conflict, StorageError
from console.core.keystore import KdfLimits
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.setup import OfficeSetup, init_office

logger = logging.getLogger(__name__)

MARKER = "demo.json"
MARKER_VERSION = 1
AUTHORITY_NAME = "Utopia Identity Authority"
AUTHORITY_DOMAIN = "ids.utopia.example"  # UTO is ICAO Doc 9303's specimen state
OFFICE_CODE = "UTO-HQ"
OFFICE_NAME = "Utopia City Registry Office"
SEED = 2026

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoAccount:
    """A demo officer; the password is public on purpose (shown on the login screen in demo mode only)."""

    username: str
    role: str
    full_name: str
    password: str


#: One officer per role. These passwords protect nothing but sample data.
ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("clerk", "clerk", "Chen Jing", "maple-desk-2026"),
    DemoAccount("supervisor", "supervisor", "Sofia Lindqvist", "granite-seal-2026"),
    DemoAccount("auditor", "auditor", "Aino Tamm", "quiet-ledger-2026"),
    DemoAccount("admin", "administrator", "Alma Andersen", "harbor-lamp-2026"),
)


@dataclass(frozen=True)
class DemoInfo:
    """Where the demo office is, who can log in, and whether this call built it."""

    data_dir: Path
    accounts: tuple[DemoAccount, ...]
    created: bool
    citizens: int = 0


# --------------------------------------------------------------------------------------------------------
# Sample people: names as written in their own scripts, birthplaces from the uin-10 table (ISO alpha-3).

_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "german": {
        "family": ("Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Bäcker", "Schröder", "Hoffmann"),
        "F": ("Zoë", "Lena", "Käthe", "Anneliese", "Sophie"),
        "M": ("Jürgen", "Matthias", "Günter", "Lukas", "Jörg", "Felix"),
        "places": ("DEU", "DEU", "AUT", "CHE"),
    },
    "nordic": {
        "family": ("Björk", "Øvergård", "Åberg", "Jørgensen", "Sørensen", "Lindqvist", "Guðmundsson"),
        "F": ("Åsa", "Sigríður", "Björg", "Maren", "Ingrid", "Solveig"),
        "M": ("Søren", "Mårten", "Håkon", "Rúnar", "Björn", "Anders"),
        "places": ("SWE", "NOR", "DNK", "ISL"),
    },
    "baltic": {
        "family": ("Järvinen", "Tamm", "Kask", "Mägi", "Saar", "Virtanen", "Mäkelä"),
        "F": ("Kärt", "Aino", "Liis", "Päivi", "Tiina"),
        "M": ("Jaan", "Ülo", "Mikko", "Tõnu", "Jüri"),
        "places": ("EST", "EST", "FIN"),
    },
    "slavic": {
        "family": ("Nowak", "Wiśniewski", "Dvořák", "Łukaszewicz", "Novák", "Kowalczyk"),
        "F": ("Zuzana", "Małgorzata", "Agnieszka", "Kateřina", "Zofia"),
        "M": ("Łukasz", "Jiří", "Tomáš", "Paweł", "Wojciech"),
        "places": ("POL", "POL", "CZE"),
    },
    "romance": {
        "family": ("Lefèvre", "Fontaine", "García", "Núñez", "Gonçalves", "Brandão", "Martínez"),
        "F": ("Anaïs", "Hélène", "Léa", "Inês", "María José", "Begoña"),
        "M": ("François", "José", "Óscar", "Joaquín", "João", "Jérôme"),
        "places": ("FRA", "ESP", "PRT"),
    },
    "chinese": {
        "family": ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "欧阳", "曾", "单", "司马"),
        "F": ("芳", "娜", "秀英", "敏", "静", "丽", "艳", "子涵", "雨桐", "欣怡"),
        "M": ("伟", "强", "磊", "洋", "晓明", "浩然", "子轩", "建国", "志强", "宇航"),
        "places": ("CHN", "CHN", "CHN", "TWN", "SGP"),
    },
    "korean": {
        "family": ("김", "이", "박", "최", "정", "강", "조", "윤", "한", "장"),
        "F": ("서연", "하은", "수빈", "지우", "민서", "예은", "지민"),
        "M": ("민준", "지훈", "도윤", "예준", "현우", "준서", "성민"),
        "places": ("KOR",),
    },
    "russian": {
        "family": ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Петров", "Волков", "Морозов", "Лебедев"),
        "F": ("Анна", "Мария", "Ольга", "Наталья", "Екатерина", "Татьяна", "Ксения"),
        "M": ("Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Михаил", "Юрий"),
        "places": ("RUS", "RUS", "KAZ"),
    },
    "ukrainian": {
        "family": ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравчук", "Мельник"),
        "F": ("Олена", "Ірина", "Юлія", "Оксана", "Галина"),
        "M": ("Олексій", "Андрій", "Богдан", "Євген", "Тарас"),
        "places": ("UKR",),
    },
}
_WEIGHTS = {
    "german": 10,
    "nordic": 8,
    "baltic": 8,
    "slavic": 7,
    "romance": 7,
    "chinese": 25,
    "korean": 15,
    "russian": 12,
    "ukrainian": 8,
}
CITIZENS = 320
WITH_CARDS = 40
OLDEST, YOUNGEST = date(1938, 1, 1), date(2008, 12, 31)


def _family_for(group: str, family: str, sex: str) -> str:
    """Russian, Polish and Czech family names agree with the holder's sex (Иванова, Wiśniewska, Nováková)."""
    if group == "russian" and sex == "F" and family.endswith(("ов", "ев", "ин")):
        return family + "а"
    if group == "slavic" and sex == "F":
        if family.endswith("ski"):
            return family[:-1] + "a"
        if family.endswith("ák"):
            return family + "ová"
    return family


def sample_people(count: int = CITIZENS, seed: int = SEED) -> list[PersonInput]:
    """`count` deterministic sample people in several scripts."""
    rng = random.Random(seed)
    groups = list(_WEIGHTS)
    weights = [_WEIGHTS[g] for g in groups]
    span = (YOUNGEST - OLDEST).days
    people: list[PersonInput] = []
    for _ in range(count):
        group = rng.choices(groups, weights)[0]
        table = _GROUPS[group]
        sex = rng.choice(("F", "M"))
        family = _family_for(group, rng.choice(table["family"]), sex)
        people.append(
            PersonInput(
                family_name=family,
                given_name=rng.choice(table[sex]),
                birth_date=(OLDEST + timedelta(days=rng.randrange(span))).isoformat(),
                sex=sex,
                birthplace=rng.choice(table["places"]),
            )
        )
    return people


def _portrait(seed: int) -> bytes:
    """A small neutral placeholder portrait (PNG): coloured background, head and shoulders."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 120, 150
    background = tuple(rng.randrange(170, 230) for _ in range(3))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    tone = rng.choice(((233, 196, 160), (198, 148, 108), (141, 96, 66), (241, 212, 180)))
    coat = tuple(rng.randrange(30, 120) for _ in range(3))
    draw.ellipse((18, 98, 102, 190), fill=coat)
    draw.rectangle((50, 80, 70, 104), fill=tone)
    draw.ellipse((34, 28, 86, 92), fill=tone)
    hair = rng.choice(((40, 30, 20), (90, 60, 30), (20, 20, 20), (160, 130, 90), (120, 120, 120)))
    draw.chord((32, 22, 88, 78), 180, 360, fill=hair)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------


def _info(data_dir: Path, *, created: bool) -> DemoInfo:
    try:
        marker = json.loads((data_dir / MARKER).read_text(encoding="utf-8"))
        citizens = int(marker.get("citizens", 0))
    except (OSError, ValueError):
        citizens = 0
    return DemoInfo(data_dir, ACCOUNTS, created, citizens)


def is_demo_office(data_dir: Path) -> bool:
    """True when `data_dir` holds a complete demo office."""
    return (data_dir / MARKER).is_file() and (data_dir / "office.db").is_file()


def ensure_demo_office(data_dir: Path, *, kdf: KdfLimits, progress: Progress | None = None) -> DemoInfo:
    """Return the demo office in `data_dir`, building it first when it does not exist yet.

    Args:
        data_dir: the demo's own data directory (``<user data dir>-demo`` by default).
        kdf: argon2id limits for the demo keystores (the GUI uses the "interactive" preset so logging in
            is quick; they are still real argon2id keystores).
        progress: called as ``progress(done, total)`` while building.

    Raises:
        Conflict: `data_dir` holds an office that is not a demo (it is left untouched).
        StorageError: `data_dir` holds other files, or the disk refused.
    """
    data_dir = Path(data_dir)
    if is_demo_office(data_dir):
        return _info(data_dir, created=False)
    if (data_dir / "office.db").exists():
        raise Conflict(
            f"{data_dir} holds an office that is not the demo; refusing to use it as one. Open it without --demo, "
            "or give the demo another --data-dir."
        )
    if data_dir.exists() and any(data_dir.iterdir()):
        raise StorageError(f"{data_dir} is not empty and holds no office; the demo needs an empty or new folder.")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in data_dir.parent.glob(f".{data_dir.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = data_dir.parent / f".{data_dir.name}.building-{secrets.token_hex(6)}"
    try:
        citizens = _build(staging, kdf, progress)
        if data_dir.exists():
            data_dir.rmdir()  # empty (checked above); os.replace cannot replace a directory on every OS
        os.replace(staging, data_dir)
    except OSError as e:
        raise StorageError(f"Could not create the demo office in {data_dir}: {e.strerror or e}.") from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("demo office created in %s with %d citizens", data_dir, citizens)
    return DemoInfo(data_dir, ACCOUNTS, True, citizens)


def _build(staging: Path, kdf: KdfLimits, progress: Progress | None) -> int:
    admin_account = next(a for a in ACCOUNTS if a.role == "administrator")
    people = sample_people()
    batch_steps = len(people) // 10
    steps = 10 + len(ACCOUNTS) * 5 + batch_steps + WITH_CARDS + 5
    done = 0

    def reach(value: int) -> None:
        nonlocal done
        done = max(done, min(steps, value))
        if progress is not None:
            progress(done, steps)

    def step(amount: int) -> None:
        reach(done + amount)

    init_office(
        staging,
        OfficeSetup(
            authority_name=AUTHORITY_NAME,
            authority_domain=AUTHORITY_DOMAIN,
            office_code=OFFICE_CODE,
            office_name=OFFICE_NAME,
            scheme="uin-10",
            admin_username=admin_account.username,
            admin_full_name=admin_account.full_name,
            admin_password=admin_account.password,
        ),
        kdf=kdf,
    )
    step(10)
    office = Office(staging, kdf=kdf)
    try:
        admin = login(office, admin_account.username, admin_account.password)
        step(5)
        for account in ACCOUNTS:
            if account is not admin_account:
                officers.add_officer(
                    admin,
                    username=account.username,
                    role=account.role,
                    full_name=account.full_name,
                    password=account.password,
                )
                step(5)
        clerk = login(office, "clerk", _password("clerk"))
        supervisor = login(office, "supervisor", _password("supervisor"))
        # Portraits for the people who get cards, so the printed cards look like cards.
        people = [
            PersonInput(p.family_name, p.given_name, p.birth_date, p.sex, p.birthplace, _portrait(i))
            if i < WITH_CARDS
            else p
            for i, p in enumerate(people)
        ]
        # A second entry of the first person, spelt without the umlaut: held for a supervisor's review.
        first = people[0]
        people.append(
            PersonInput(_plain(first.family_name), first.given_name, first.birth_date, first.sex, first.birthplace)
        )
        start = done
        result = registry.register_batch(
            clerk, people, chunk=100, progress=lambda d, t: reach(start + batch_steps * d // max(t, 1))
        )
        for number in result.registered[:WITH_CARDS]:
            issuance.issue(clerk, number)
            step(1)
        if len(result.registered) >= 2:
            revoked = result.registered[1]
            made = requests.create_request(clerk, "revoke", revoked, "Card reported stolen at the counter.")
            requests.approve(supervisor, made["request_id"], "Police report seen.")
            requests.create_request(clerk, "revoke", result.registered[0], "Holder reports the card lost.")
        step(5)
        office.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        office.close()
    atomic_write(
        staging / MARKER,
        json.dumps({"version": MARKER_VERSION, "citizens": len(result.registered)}).encode("utf-8"),
        mode=0o600,
    )
    if progress is not None:
        progress(steps, steps)
    return len(result.registered)


def _password(username: str) -> str:
    return next(a.password for a in ACCOUNTS if a.username == username)


def _plain(name: str) -> str:
    """The name typed without diacritics (Müller -> Muller), as a hurried second registration would be."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
