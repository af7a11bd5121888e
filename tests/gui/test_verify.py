"""The verify screen shows the verdict of the card in hand, never a late answer about an earlier card."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from console.core.credentials import Verdict
from console.core.office import Office
from console.gui.login import looks_like_credential
from console.gui.pages import verify as verify_module
from console.gui.pages.verify import VerifyPage
from console.gui.window import ConsoleWindow
from tests.conftest import PASSWORDS
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton
VECTORS = Path(__file__).resolve().parents[1] / "vectors"
VALID = Verdict(valid=True, status="valid", reason="Signature valid.", claims={"full_name": "OLD CARD HOLDER"})
FORGED = Verdict(valid=False, status="bad-signature", reason="The signature does not match.", claims={})


def standalone_verify(qtbot: Any, window: ConsoleWindow) -> VerifyPage:
    qtbot.mouseClick(window.login_page.verify_button, LEFT)
    page = window.verify_page
    assert page is not None and window.stack.currentWidget() is page
    return page


def scan(qtbot: Any, page: VerifyPage, text: str) -> None:
    qtbot.keyClicks(page.scan, text)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)


@pytest.mark.parametrize("first_outcome", ["valid", "crash"])
def test_a_slow_earlier_check_never_replaces_the_newest_verdict(
    qtbot: Any, window: ConsoleWindow, fake_dialogs: FakeDialogs, monkeypatch: pytest.MonkeyPatch, first_outcome: str
) -> None:
    release_first = threading.Event()

    def verify_text(office: Office, text: str) -> Verdict:
        if text == "FIRST":  # the previous card: its answer comes late (or its check breaks late)
            assert release_first.wait(TASK_TIMEOUT_MS / 1000)
            if first_outcome == "crash":
                raise RuntimeError("late failure of an earlier check")
            return VALID
        return FORGED

    monkeypatch.setattr(verify_module, "verify_text", verify_text)
    page = standalone_verify(qtbot, window)
    seen: list[Verdict] = []
    page.verified.connect(seen.append)

    scan(qtbot, page, "FIRST")
    with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS):
        scan(qtbot, page, "SECOND")
    assert page.verdict_title.text() == "FORGED OR ALTERED"
    release_first.set()
    wait_idle(qtbot, window.runner)
    qtbot.wait(50)

    assert seen == [FORGED]
    assert page.last_verdict is FORGED
    assert page.verdict_title.text() == "FORGED OR ALTERED"
    assert page.verdict.property("kind") == "invalid"
    assert not page.holder.isVisible()
    assert fake_dialogs.shown == []


def test_checking_replaces_the_previous_verdict_at_once(
    qtbot: Any, window: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def verify_text(office: Office, text: str) -> Verdict:
        if text == "SLOW":
            assert release.wait(TASK_TIMEOUT_MS / 1000)
        return VALID

    monkeypatch.setattr(verify_module, "verify_text", verify_text)
    page = standalone_verify(qtbot, window)
    with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS):
        scan(qtbot, page, "FAST")
    assert page.holder.isVisible() and page.verdict_title.text() == "VALID"

    scan(qtbot, page, "SLOW")
    # The previous card's verdict and holder are gone while the next card is checked.
    assert page.checking and page.last_verdict is None
    assert page.verdict_title.text() == "Checking…" and not page.holder.isVisible()
    with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS):
        release.set()
    assert not page.checking and page.verdict_title.text() == "VALID"


@pytest.mark.parametrize("field", ["password", "username"])
def test_a_card_scanned_into_the_login_form_is_verified_not_a_failed_login(
    qtbot: Any, window: ConsoleWindow, staffed: Office, fake_dialogs: FakeDialogs, field: str
) -> None:
    """A keyboard-wedge scanner types into whichever field has the focus; five scans must not lock anyone."""
    qr_text = json.loads((VECTORS / "credential-1.json").read_text())["qr_text"]
    assert looks_like_credential(qr_text) and len(qr_text) > 256
    login = window.login_page
    for _ in range(6):
        window.show_login()
        login.username.clear()
        qtbot.keyClicks(login.username, "clerk")
        target = login.password if field == "password" else login.username
        if field == "username":
            target.clear()
        target.setFocus()
        with qtbot.waitSignal(login.card_scanned, timeout=TASK_TIMEOUT_MS):
            qtbot.keyClicks(target, qr_text)
            qtbot.keyClick(target, Qt.Key.Key_Return)
        page = window.verify_page
        assert page is not None and window.stack.currentWidget() is page
        with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS) as verdict:
            pass
        assert verdict.args[0].status != "malformed"  # the whole code arrived
        assert target.text() == ""
    assert fake_dialogs.shown == []

    # No attempt was recorded: the clerk logs in at once, no lockout, no "tries left".
    window.show_login()
    login.username.clear()
    qtbot.keyClicks(login.username, "clerk")
    qtbot.keyClicks(login.password, PASSWORDS["clerk"])
    with qtbot.waitSignal(window.workspace_ready, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    wait_idle(qtbot, window.runner)


def test_login_form_still_refuses_an_overlong_username(qtbot: Any, window: ConsoleWindow) -> None:
    login = window.login_page
    qtbot.keyClicks(login.username, "x" * 40)
    qtbot.keyClicks(login.password, "something")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert "32 characters" in login.message.text()
    assert window.stack.currentWidget() is login


def test_standalone_verify_forgets_the_holder_on_back_and_when_idle(
    qtbot: Any, window: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify_module, "verify_text", lambda office, text: VALID)
    page = standalone_verify(qtbot, window)

    def check_a_card() -> None:
        with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS):
            scan(qtbot, page, "CARD")
        assert page.holder.isVisible() and page._holder_values["name"].text() == "OLD CARD HOLDER"

    def forgotten() -> bool:
        return (
            page.last_verdict is None
            and not page.verdict.isVisible()
            and all(value.text() == "" for value in page._holder_values.values())
        )

    check_a_card()
    back = next(b for b in page.findChildren(QPushButton) if b.text() == "Back to login")
    qtbot.mouseClick(back, LEFT)
    assert window.stack.currentWidget() is window.login_page
    assert forgotten()

    qtbot.mouseClick(window.login_page.verify_button, LEFT)
    assert window.stack.currentWidget() is page and page.empty.isVisible() and forgotten()
    check_a_card()
    assert page._forget is not None and page._forget.timeout_s == VerifyPage.FORGET_AFTER_S == 120
    page._forget.timeout_s = 0  # two minutes pass without input
    page._forget.check()
    assert forgotten() and page.empty.isVisible()


def test_another_issuers_card_shows_its_photo_attributes_and_signature(
    qtbot: Any, window: ConsoleWindow, staffed: Office
) -> None:
    """Issue 11: a kid-less card of another authority (imported with `trust import`), with a face image."""
    import io
    import zlib
    from datetime import UTC, datetime

    import base45
    import cbor2
    import nacl.signing
    from PIL import Image

    from console.core import foreigntrust
    from console.core.accounts import login
    from console.core.trust import TrustedKey, to_jwks

    key = nacl.signing.SigningKey(b"\x09" * 32)
    issuer = "https://ids.other.example/X-1"
    jwks = to_jwks(
        [TrustedKey(public_key=bytes(key.verify_key), issuer=issuer, valid_from=datetime(2020, 1, 1, tzinfo=UTC))]
    )
    del jwks["keys"][0]["kid"]
    admin = login(staffed, "admin", PASSWORDS["admin"])
    foreigntrust.import_keys(admin, json.dumps(jwks).encode(), source="test")
    png = io.BytesIO()
    Image.new("RGB", (40, 48), (200, 120, 80)).save(png, "PNG")
    now = int(staffed.clock().timestamp())
    claims = {
        1: issuer,
        4: now + 86400 * 365,
        6: now - 60,
        169: {
            1: "X-42",
            4: "Amina Diallo",
            10: "1 Rue A\nDakar",
            13: "SN",
            22: "citizen",
            62: [{0: png.getvalue(), 1: 0, 2: 0}],
            50: [{0: b"FIR\x00", 1: 1, 2: 1}],
            77: "vendor",
        },
    }
    protected = cbor2.dumps({1: -8})
    payload = cbor2.dumps(claims)
    signature = key.sign(cbor2.dumps(["Signature1", protected, b"", payload])).signature
    text = base45.b45encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature])))).decode()

    page = standalone_verify(qtbot, window)
    with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS):
        scan(qtbot, page, text)
    verdict = page.last_verdict
    assert verdict is not None and verdict.valid and not verdict.status_checked, verdict
    assert page.verdict.property("kind") == "caution"  # genuine, status not checked
    photo = page.photo.pixmap()
    assert photo is not None and not photo.isNull() and photo.height() == page.PHOTO_SIZE
    other = page._holder_values["other"].text()
    assert "Address: 1 Rue A / Dakar" in other and "Legal status: citizen" in other
    assert "Biometric: right thumb" in other and "Unknown key 77" in other
    assert page._holder_values["signature"].text() == "EdDSA, no kid, not encrypted"
