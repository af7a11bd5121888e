"""Printed cards: read back what a scanner and a PDF reader see, not what we meant to draw.

Each check renders real PDF bytes, rasterises them with pdfium at 300 dpi and decodes the QR codes with
zxing-cpp, or reads the PDF's text layer and font dictionaries.
"""

from __future__ import annotations

import io
import random
import re
import threading
from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from console.core import qr
from console.core.cards import (
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    COL_DATA,
    DATA_RIGHT,
    CardData,
    latin_line_needed,
    render_cards,
)
from console.core.errors import UserCancelled, ValidationError

MM = 72 / 25.4
DPI = 300
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)  # ~5x faster than trying every format

NAMES = [  # family, given, latin family, latin given
    ("王", "秀英", "WANG", "XIUYING"),
    ("박", "서연", "PARK", "SEOYEON"),
    ("Õunapuu", "Ärni", "OUNAPUU", "AERNI"),
    ("Иванова", "Анна", "IVANOVA", "ANNA"),
    ("MÜLLER-LÜDENSCHEIDT", "Hans-Jürgen Maximilian", "MUELLER-LUEDENSCHEIDT", "HANS-JUERGEN MAXIMILIAN"),
    ("Åberg", "Søren", "AABERG", "SOEREN"),
    ("张", "伟", "ZHANG", "WEI"),
    ("김", "민준", "KIM", "MINJUN"),
    ("Smith", "Jane", "SMITH", "JANE"),
    ("Țăranu", "Ștefan", "TARANU", "STEFAN"),
]


def _qr_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(BASE45) for _ in range(length))


def _card(i: int, rng: random.Random, **changes: object) -> CardData:
    family, given, latin_family, latin_given = NAMES[i % len(NAMES)]
    card = CardData(
        authority_name="Utopia Identity Authority",
        office_name="Central Office",
        country="UTO",
        family_name=family,
        given_name=given,
        latin_family=latin_family,
        latin_given=latin_given,
        id_number=f"48291736{i:02d}",
        document_number=f"K{i:04d}X7Q2",
        birth_date=date(1990, 3, 7),
        sex="FMX"[i % 3],
        issued=date(2026, 11, 30),
        expires=date(2036, 11, 29),
        photo=None,
        qr_text=_qr_text(rng, rng.randint(300, 700)),
    )
    return replace(card, **changes)  # type: ignore[arg-type]


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261130)


def _read_qr(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image, formats=QR_ONLY))


def _decode(page: pdfium.PdfPage) -> list[str]:
    image = page.render(scale=DPI / 72).to_pil()
    return [r.text for r in _read_qr(image)]


def _text(page: pdfium.PdfPage) -> str:
    return str(page.get_textpage().get_text_range())


def _photo(fmt: str, size: tuple[int, int] = (300, 380)) -> bytes:
    img = Image.new("RGBA" if fmt == "PNG" else "RGB", size, (200, 210, 225))
    w, h = size
    ImageDraw.Draw(img).ellipse([w * 0.3, h * 0.15, w * 0.7, h * 0.55], fill=(225, 185, 160))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def test_id1_pages_exact_size_and_every_qr_decodes(rng: random.Random) -> None:
    cards = [_card(i, rng) for i in range(len(NAMES))]
    pdf = pdfium.PdfDocument(render_cards(cards, back=True))
    assert len(pdf) == 2 * len(cards)  # front, back, front, back, ...
    for i, card in enumerate(cards):
        front, back = pdf[2 * i], pdf[2 * i + 1]
        for page in (front, back):
            w, h = page.get_size()
            assert w == pytest.approx(CARD_WIDTH_MM * MM, abs=0.01)
            assert h == pytest.approx(CARD_HEIGHT_MM * MM, abs=0.01)
        assert _decode(front) == [card.qr_text]
        assert card.document_number in _text(back)


@pytest.mark.parametrize("length", [12, 350, 700])
def test_qr_symbol_size_and_quiet_zone(rng: random.Random, length: int) -> None:
    """Symbol and 4-module quiet zone fit the white box for any version; real credentials are >= 20 mm."""
    card = _card(0, rng, qr_text=_qr_text(rng, length))
    page = pdfium.PdfDocument(render_cards([card]))[0]
    image = page.render(scale=DPI / 72).to_pil()
    (result,) = _read_qr(image)
    assert result.text == card.qr_text
    modules = len(qr.qr_matrix(card.qr_text))
    corners = result.position
    # zxing's corners are the centres of the corner modules: add one module for the full width
    centres_px = corners.top_right.x - corners.top_left.x
    width_mm = centres_px * modules / (modules - 1) / (DPI / 25.4)
    if length >= 300:
        assert width_mm >= 20.0
    unit = width_mm / modules
    left_mm = corners.top_left.x / (DPI / 25.4) - unit / 2
    assert left_mm - 4 * unit >= DATA_RIGHT - 0.2  # the quiet zone stays clear of the data column


def test_a4_sheet_ten_cards_with_mirrored_backs(rng: random.Random) -> None:
    cards = [_card(i, rng) for i in range(12)]
    pdf = pdfium.PdfDocument(render_cards(cards, sheet="a4", back=True))
    assert len(pdf) == 4  # fronts 1-10, backs 1-10, fronts 11-12, backs 11-12
    for page in pdf:
        w, h = page.get_size()
        assert (w, h) == (pytest.approx(210 * MM, abs=0.01), pytest.approx(297 * MM, abs=0.01))
    assert sorted(_decode(pdf[0])) == sorted(c.qr_text for c in cards[:10])
    assert sorted(_decode(pdf[2])) == sorted(c.qr_text for c in cards[10:])
    # duplex: the back of the first card (left column on the front) is in the right column
    backs = pdf[1].get_textpage()
    found = backs.search(cards[0].document_number).get_next()
    assert found is not None
    left, _, _, _ = backs.get_charbox(found[0])
    assert left > 105 * MM
    fronts = pdf[0].get_textpage()
    found = fronts.search("4829173600").get_next()  # the first card's ID number
    assert found is not None
    assert fronts.get_charbox(found[0])[0] < 105 * MM


def test_offset_shifts_the_whole_card(rng: random.Random) -> None:
    card = _card(0, rng)

    def qr_corner(offset: tuple[float, float]) -> tuple[int, int]:
        page = pdfium.PdfDocument(render_cards([card], offset_mm=offset))[0]
        image = page.render(scale=DPI / 72).to_pil()
        (result,) = _read_qr(image)
        return result.position.top_left.x, result.position.top_left.y

    x0, y0 = qr_corner((0.0, 0.0))
    x1, y1 = qr_corner((-2.0, 1.5))  # 2 mm left, 1.5 mm down
    px = DPI / 25.4
    assert x1 - x0 == pytest.approx(-2.0 * px, abs=2)
    assert y1 - y0 == pytest.approx(1.5 * px, abs=2)


def test_names_in_every_script_are_in_the_text_layer(rng: random.Random) -> None:
    cards = [_card(i, rng) for i in range(4)]  # Chinese, Korean, Estonian, Cyrillic
    pdf = pdfium.PdfDocument(render_cards(cards))
    for page, card in zip(pdf, cards, strict=True):
        text = _text(page)
        for name in (card.family_name, card.given_name):
            assert name in text, (name, text)
    estonian = _text(pdf[2])
    assert "Õunapuu" in estonian and "Ärni" in estonian and "OUNAPUU" in estonian


def test_fonts_are_embedded(rng: random.Random) -> None:
    data = render_cards([_card(i, rng) for i in range(len(NAMES))], back=True)
    objects = {}  # object number -> its dictionary (the part before any stream data)
    for m in re.finditer(rb"\n(\d+) 0 obj\b", data):
        body = data[m.end() : data.index(b"endobj", m.end())]
        objects[m.group(1)] = body.split(b"stream", 1)[0]
    fonts = [body for body in objects.values() if re.search(rb"/Type /Font\b", body)]
    assert fonts
    base_fonts = set()
    for body in fonts:
        assert b"/Subtype /TrueType" in body, body[:200]
        descriptor = re.search(rb"/FontDescriptor (\d+) 0 R", body)
        assert descriptor is not None
        assert b"/FontFile2" in objects[descriptor.group(1)]
        assert b"/ToUnicode" in body  # text extraction and search work
        name = re.search(rb"/BaseFont /(\w+)\+([\w-]+)", body)
        assert name is not None  # a subset: six-letter tag + name
        base_fonts.add(name.group(2))
    assert base_fonts == {b"WenQuanYiMicroHei-0", b"DejaVuSans", b"OCRB-Regular"}


def test_long_names_shrink_inside_their_column(rng: random.Random) -> None:
    family = "MÜLLER-LÜDENSCHEIDT-WOLFENBÜTTEL von Hohenzollern-Sigmaringen"
    card = _card(0, rng, family_name=family, latin_family="MUELLER", latin_given="HANS", given_name="Hans")
    page = pdfium.PdfDocument(render_cards([card]))[0]
    textpage = page.get_textpage()
    found = textpage.search(family).get_next()
    assert found is not None
    start, count = found
    right = max(textpage.get_charbox(i)[2] for i in range(start, start + count))
    left = min(textpage.get_charbox(i)[0] for i in range(start, start + count))
    assert left >= COL_DATA * MM - 0.5
    assert right <= DATA_RIGHT * MM + 0.5


def test_photos_small_jpeg_kept_as_is_others_normalised(rng: random.Random) -> None:
    jpeg, png = _photo("JPEG"), _photo("PNG")
    big = _photo("JPEG", size=(2400, 3000))
    data = render_cards(
        [_card(0, rng, photo=jpeg), _card(1, rng, photo=png), _card(2, rng, photo=jpeg), _card(3, rng, photo=big)]
    )
    assert jpeg in data  # embedded byte for byte ...
    assert data.count(jpeg) == 1  # ... and once, though two cards show it
    assert data.count(b"/DCTDecode") == 3  # the PNG and the big photo were re-encoded as JPEG
    widths = [int(w) for w in re.findall(rb"/Subtype /Image .*?/Width (\d+)", data, re.DOTALL)]
    assert max(widths) <= 480  # the 2400 px photo was scaled down
    assert len(data) < 200_000
    assert len(pdfium.PdfDocument(data)) == 4


def test_bad_photo_is_a_validation_error(rng: random.Random) -> None:
    with pytest.raises(ValidationError) as err:
        render_cards([_card(0, rng), _card(1, rng, photo=b"\xff\xd8 not really a jpeg")])
    assert err.value.field == "photo"
    assert "K0001X7Q2" in str(err.value)  # names the card, by number


@pytest.mark.parametrize(
    "text",
    ["lowercase is not base45", "A" * 1500, ""],
    ids=["alphabet", "too-long", "empty"],
)
def test_bad_qr_text_is_a_validation_error(rng: random.Random, text: str) -> None:
    with pytest.raises(ValidationError) as err:
        render_cards([_card(0, rng, qr_text=text)])
    assert err.value.field == "qr_text"


def test_progress_and_cancel(rng: random.Random) -> None:
    cards = [_card(i, rng) for i in range(5)]
    seen: list[tuple[int, int]] = []
    render_cards(cards, sheet="a4", back=True, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 5) for i in range(1, 6)]

    cancel = threading.Event()

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            cancel.set()

    with pytest.raises(UserCancelled):
        render_cards(cards, progress=stop_after_two, cancel=cancel)


def test_output_is_deterministic(rng: random.Random) -> None:
    cards = [_card(i, rng) for i in range(3)]
    assert render_cards(cards, back=True) == render_cards(cards, back=True)


def test_no_cards_is_still_a_valid_pdf() -> None:
    assert len(pdfium.PdfDocument(render_cards([]))) == 1


def test_latin_line_only_when_it_adds_something() -> None:
    assert not latin_line_needed("Smith", "SMITH")
    assert latin_line_needed("Müller", "MUELLER")
    assert latin_line_needed("张伟", "ZHANG WEI")
    assert latin_line_needed("Õie", "OIE")


def test_qr_matrix_round_trip() -> None:
    text = "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B3KL6QM5/OVGA/MAT%ZSGO/$6"
    matrix = qr.qr_matrix(text)
    size = len(matrix)
    assert size == 21 + 4 * (int((size - 21) / 4))  # a QR version's size
    scale, quiet = 8, qr.QUIET_ZONE
    img = Image.new("L", ((size + 2 * quiet) * scale,) * 2, 255)
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + quiet) * scale, (r + quiet) * scale
                draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=0)
    (result,) = _read_qr(img)
    assert result.text == text
    assert result.ec_level == "M"
