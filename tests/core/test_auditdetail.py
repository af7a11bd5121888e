"""Audit details said in words, in the active language (console/core/auditdetail.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core import auditdetail, i18n
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.demo import ensure_demo_office

CID = "61751b437da21c0618e15149c6be4a13"


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(None)


def test_english_sentences_with_card_numbers_and_words_for_codes() -> None:
    assert auditdetail.describe(f"issued {CID} to 8495793651") == "Card 61751B437 issued to 8495793651."
    assert auditdetail.describe(f"request 1 approved: {CID} is revoked") == (
        "Request 1 approved: card 61751B437 is now revoked."
    )
    assert auditdetail.describe("role clerk lacks request.decide (3)") == (
        "A clerk may not decide requests. (Asked for: 3)"
    )
    assert auditdetail.describe("lockout_threshold = 7") == "Wrong passwords before an account locks: 7."
    assert auditdetail.describe("verifier_url = ") == "Verifier URL: cleared."
    assert auditdetail.describe("own request 7") == "Request 7 was made by this officer; another must decide it."
    # Nothing internal is left in these: no hex credential ids, no permission or setting codes.
    said = [
        auditdetail.describe(f"issued {CID} to 8495793651, superseding {CID}"),
        auditdetail.describe("role clerk lacks request.decide (3)"),
        auditdetail.describe("lockout_threshold = 7"),
    ]
    for text in ("request.decide", CID, "lockout_threshold"):
        assert not any(text in s for s in said)


def test_unknown_forms_are_shown_as_stored() -> None:
    assert auditdetail.describe("") == ""
    assert auditdetail.describe("something a later service writes") == "something a later service writes"


def test_chinese(chinese: None) -> None:
    assert auditdetail.describe(f"issued {CID} to 8495793651") == "已向 8495793651 签发证件 61751B437。"
    assert auditdetail.describe(f"request 2: revoke {CID}: lost") == "申请 2：吊销证件 61751B437。理由：lost"
    assert auditdetail.describe("role clerk lacks request.decide") == "办事员无权审批申请。"


def test_every_detail_a_demo_office_writes_is_said_in_words(tmp_path: Path, chinese: None) -> None:
    """The forms match what the services really write: each detail of a whole demo office is recognised."""
    info = ensure_demo_office(tmp_path / "demo", kdf=KDF_PRESETS["min"])
    # Issue 17: the details are in the encrypted personal.db; an officer's login opens it (audit_full joins them).
    office = Office(info.data_dir, kdf=KDF_PRESETS["min"])
    admin = next(a for a in info.accounts if a.role == "administrator")
    login(office, admin.username, admin.password)
    try:
        details = {row[0] for row in office.db.execute("SELECT DISTINCT detail FROM audit_full WHERE detail != ''")}
    finally:
        office.close()
    assert len(details) > 10
    unrecognised = sorted(d for d in details if auditdetail.describe(d) == d)
    assert unrecognised == []
    assert all(not any(c.isascii() and c.isalpha() for c in auditdetail.describe(d)[:2]) for d in details)


def test_set_up_actors_are_named_in_words(chinese: None) -> None:
    assert auditdetail.actor_name("authority") == "签发机构"
    assert auditdetail.actor_name("office:HQ-01") == "办事处 HQ-01"
    assert auditdetail.actor_name("clerk") == "clerk"  # a username is data


def test_ledger_and_backup_details(chinese: None) -> None:
    assert auditdetail.describe("ledger folder /srv/ledger") == "共享账本文件夹：/srv/ledger"
    assert (
        auditdetail.describe("key backup of office HQ-01 at log size 58") == "办事处 HQ-01 的密钥备份，日志共 58 条。"
    )
    assert auditdetail.describe("2 key(s) from a file for B, C") == "已从 文件 导入其他签发机构的 2 个密钥：B, C"
