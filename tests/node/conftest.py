"""Several offices of one authority (shared root, records key and numbering secret, distinct slots,
authority-certified office keys), each with a clerk and a supervisor, and a shared ledger folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.core import officers
from console.core.accounts import Session, login
from console.core.enrolment import MemberOffice, create_member_office
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import init_office
from tests.conftest import PASSWORDS, FakeClock, make_setup

CODES = ("HQ-01", "B-02", "C-03")


@dataclass
class Authority:
    root: Path
    folder: Path
    offices: dict[str, Office]

    def session(self, code: str, user: str) -> Session:
        return login(self.offices[code], user, PASSWORDS[user])

    def reopen(self, code: str) -> Office:
        return Office(self.offices[code].paths.data_dir, clock=self.offices[code].clock, kdf=KDF_PRESETS["min"])


def make_authority(root: Path, clock: FakeClock, codes: tuple[str, ...] = CODES) -> Authority:
    kdf = KDF_PRESETS["min"]
    hq_dir = root / codes[0]
    init_office(hq_dir, make_setup(office_code=codes[0]), kdf=kdf, clock=clock)
    hq = Office(hq_dir, clock=clock, kdf=kdf)
    admin = login(hq, "admin", PASSWORDS["admin"])
    secrets = admin.office_keys()
    assert admin.authority_secrets is not None
    offices = {codes[0]: hq}
    for slot, code in enumerate(codes[1:], start=1):
        folder = root / code
        create_member_office(
            folder,
            MemberOffice(
                "Utopia Identity Authority",
                "ids.utopia.example",
                "uin-10",
                code,
                f"Office {code}",
                slot,
                "admin",
                PASSWORDS["admin"],
            ),
            authority=admin.authority_secrets,
            records_private=secrets.records_private,
            numbering_secret=secrets.numbering_secret,
            kdf=kdf,
            clock=clock,
        )
        offices[code] = Office(folder, clock=clock, kdf=kdf)
    for office in offices.values():
        session = login(office, "admin", PASSWORDS["admin"])
        for user, role in (("clerk", "clerk"), ("super", "supervisor"), ("auditor", "auditor")):
            officers.add_officer(
                session, username=user, role=role, full_name=f"{user.title()} Officer", password=PASSWORDS[user]
            )
    shared = root / "ledger"
    shared.mkdir()
    return Authority(root, shared, offices)


@pytest.fixture
def authority(tmp_path: Path, clock: FakeClock) -> Authority:
    return make_authority(tmp_path, clock)


@pytest.fixture
def person() -> Callable[[int], object]:
    from console.core.registry import PersonInput

    def make(i: int) -> PersonInput:
        letters = "".join(chr(97 + (i // 26**k) % 26) for k in range(3))
        return PersonInput("Tan", f"Mei{letters}", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}", "FM"[i % 2], "CHN")

    return make
