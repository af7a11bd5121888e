"""Cards for registered people: the printed QR is the credential, only credentials in force, printer offsets."""

from __future__ import annotations

from collections.abc import Callable

import pypdfium2
import pytest
import zxingcpp

from console.core import cardservice, issuance, registry, requests
from console.core.accounts import Session
from console.core.errors import Conflict, ValidationError
from console.core.office import Office
from console.core.registry import PersonInput

DPI = 300


def qr_codes(pdf: bytes) -> list[zxingcpp.Barcode]:
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=DPI / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("L")
    return list(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode])))


@pytest.fixture
def issued(session_of: Callable[[str], Session]) -> tuple[str, str]:
    clerk = session_of("clerk")
    number = registry.register(clerk, PersonInput("김", "민준", "1988-08-08", "M", "KOR"))["id_number"]
    return number, issuance.issue(clerk, number).qr


def test_card_qr_is_the_credential(
    session_of: Callable[[str], Session], staffed: Office, issued: tuple[str, str]
) -> None:
    number, qr = issued
    pdf = cardservice.card_pdf(session_of("clerk"), [number], back=True)
    codes = qr_codes(pdf)
    assert [c.text for c in codes] == [qr]
    verdict = issuance.verify(codes[0].text, trust=issuance.trust_list(staffed), office=staffed)
    assert verdict.valid
    assert len(pypdfium2.PdfDocument(pdf)) == 2
    audit = list(staffed.db.query("SELECT detail FROM audit_full WHERE action = 'card.print'"))
    assert number in audit[0]["detail"]


def test_no_card_for_a_revoked_credential(session_of: Callable[[str], Session], issued: tuple[str, str]) -> None:
    number, _ = issued
    request = requests.create_request(session_of("clerk"), "revoke", number, "fraud")
    requests.approve(session_of("super"), request["request_id"])
    with pytest.raises(Conflict, match="revoked"):
        cardservice.card_pdf(session_of("clerk"), [number])


def test_printer_offsets_move_the_card(session_of: Callable[[str], Session], issued: tuple[str, str]) -> None:
    number, _ = issued
    clerk = session_of("clerk")
    cardservice.set_printer_offsets(clerk, "Evolis Primacy 2", (2.0, 1.5))
    assert cardservice.list_printers(clerk) == [{"printer": "Evolis Primacy 2", "offset_x": 2.0, "offset_y": 1.5}]
    plain = qr_codes(cardservice.card_pdf(clerk, [number]))[0].position.top_left
    shifted = qr_codes(cardservice.card_pdf(clerk, [number], printer="Evolis Primacy 2"))[0].position.top_left
    assert shifted.x - plain.x == pytest.approx(2.0 / 25.4 * DPI, abs=3)
    assert shifted.y - plain.y == pytest.approx(1.5 / 25.4 * DPI, abs=3)
    with pytest.raises(ValidationError) as info:
        cardservice.set_printer_offsets(clerk, "Evolis Primacy 2", (50.0, 0.0))
    assert info.value.field == "offset-x"


def test_unknown_printer_is_an_error(session_of: Callable[[str], Session], issued: tuple[str, str]) -> None:
    from console.core.errors import NotFound

    with pytest.raises(NotFound, match="No calibration stored"):
        cardservice.card_pdf(session_of("clerk"), [issued[0]], printer="Typo Printer")
