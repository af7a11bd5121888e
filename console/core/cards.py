"""Printed ID cards as PDF bytes: ID-1 pages for card printers, or A4 sheets of ten for card stock.

The card is drawn with reportlab in vector form on a fixed millimetre grid (constants below; picture and
numbers in docs/cards.md). The front carries the authority, the holder's photo, names as entered and in Latin
form, ID number, dates, and the signed credential as a QR code drawn as rectangles (sharp at any printer
resolution). The back carries the card number, where to return a found card, and the ICAO 9303 TD1 MRZ in
OCR-B.

Invariants:
- The QR holds ``CardData.qr_text`` exactly; the credential is never re-encoded here.
- All fonts are embedded (subset TrueType) and every name is drawn with glyphs that exist: characters
  are assigned to WenQuanYi Micro Hei (Latin, Cyrillic, Greek, Han, Hangul, Kana) or, where it has no
  glyph, to DejaVu Sans; the text layer keeps the Unicode text, so names can be searched and extracted.
- Text never overflows its box: long values shrink, then condense, to fit.
- Output is deterministic for the same input (reportlab's invariant mode), and either complete bytes or
  an exception: callers write the file atomically.

reportlab's font registry is process-global and its TrueType subsetting state is not meant for concurrent
use, so renders are serialised by a module lock; one render is CPU-bound anyway.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from console.core import mrz, qr
from console.core.errors import StorageError, UserCancelled, ValidationError
from console.core.i18n import _
from console.core.resources import resource_path

logger = logging.getLogger(__name__)

# --- Physical sizes (mm) -------------------------------------------------------------------------------
CARD_WIDTH_MM = 85.60  # ISO/IEC 7810 ID-1
CARD_HEIGHT_MM = 53.98
A4_COLUMNS, A4_ROWS = 2, 5
A4_GUTTER_X_MM = 8.0  # between the two columns: room to cut twice without touching a card
A4_GUTTER_Y_MM = 2.0
CROP_MARK_MM = 5.0  # crop-mark length, in the sheet margins and gutter only
CROP_GAP_MM = 1.0  # crop marks stop this far from the card edge

# --- Card grid (mm from the card's top-left corner) -----------------------------------------------------
MARGIN = 3.5  # safe margin for text; colour bands bleed to the edge
BAND_H = 10.0  # authority band
RULE_H = 0.45  # accent rule under the band
FOOT_H = 1.2  # thin band at the bottom edge
TOP = 13.0  # first content line (photo top, first label cap height)
COL_PHOTO = MARGIN
PHOTO_W, PHOTO_H = 20.0, 25.0  # 4:5, the passport-photo ratio
PHOTO_MAX_PX = (480, 600)  # larger photos are scaled down to this (600 dpi at the printed size)
COL_DATA = 26.5  # names, birth date
COL_DATA2 = 43.5  # second stop in the data column (sex, date of issue)
QR_SIZE = 22.0  # nominal QR symbol without its quiet zone
COL_QR = CARD_WIDTH_MM - MARGIN - QR_SIZE  # 60.1: QR column, also the expiry date
QR_QUIET = 1.6  # nominal quiet zone
QR_BOX = QR_SIZE + 2 * QR_QUIET  # 25.2: white square holding symbol and 4-module quiet zone, any version;
# a real credential (version 10-13) gets a 22.1-22.6 mm symbol, any text from version 4 up at least 20 mm
DATA_RIGHT = COL_QR - 2.6  # right end of the data column (clear of the QR quiet zone)
ROW_FAMILY = TOP + 1.3  # label baselines ...
ROW_GIVEN = ROW_FAMILY + 10.2
ROW_BIRTH = ROW_GIVEN + 10.2
ROW_BOTTOM = 44.9
LABEL_TO_VALUE = 4.0  # label baseline to value baseline (names); other values sit 3.6 below
VALUE_TO_LATIN = 2.8

# Back
MRZ_PITCH = 2.54  # OCR-B at 10 characters per inch, as ICAO 9303 prints it
MRZ_LINE_PITCH = 25.4 / 6  # six lines per inch
MRZ_BOTTOM_BASELINE = 4.3  # baseline of the third line above the bottom edge
MRZ_ZONE_H = 17.0  # white zone, clear of print, that holds the MRZ

# --- Type (pt) and colour --------------------------------------------------------------------------------
SIZE_AUTHORITY, SIZE_OFFICE, SIZE_TITLE = 7.6, 5.6, 5.2
SIZE_LABEL, SIZE_NAME, SIZE_LATIN, SIZE_VALUE, SIZE_ID = 5.0, 10.0, 6.3, 7.6, 9.0
MIN_NAME = 6.5  # below this a name condenses instead of shrinking further
LABEL_TRACKING = 0.35  # letter spacing of small-caps labels (pt)

INK = HexColor("#1B1F24")
LABEL = HexColor("#5A6672")
LATIN = HexColor("#3C4650")
BAND = HexColor("#123B5D")
BAND_SUB = HexColor("#C4D3E2")
ACCENT = HexColor("#B48A2C")
GUILLOCHE = HexColor("#DCE4EC")
PHOTO_BG = HexColor("#E3E8EE")
SILHOUETTE = HexColor("#AFBBC7")
FRAME = HexColor("#8E9AA6")

# --- Fonts -----------------------------------------------------------------------------------------------
FONT_SANS = "IDCard-WQYMicroHei"
FONT_FALLBACK = "IDCard-DejaVuSans"
FONT_OCRB = "IDCard-OCRB"
_FONT_FILES = {
    FONT_SANS: ("wqy-microhei.ttc", 0),
    FONT_FALLBACK: ("DejaVuSans.ttf", 0),
    FONT_OCRB: ("OCRB.ttf", 0),
}

_RENDER_LOCK = threading.Lock()
_FONT_LOCK = threading.Lock()
_cmaps: dict[str, frozenset[int]] = {}
_warned: set[int] = set()

Sheet = Literal["id1", "a4"]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CardData:
    """Everything printed on one card; the renderer looks nothing up.

    ``country`` is the ISO 3166-1 alpha-3 code (or a Doc 9303 code such as ``UTO``) used as issuing state
    and nationality in the MRZ. ``latin_family``/``latin_given`` are the ICAO Latin forms (A-Z; Latin
    diacritics are transliterated by Doc 9303 rules). ``document_number`` is the card number on the back and
    in the MRZ (at most 9 characters keeps the standard MRZ layout). ``photo`` is JPEG or PNG bytes, or
    ``None`` for a neutral placeholder. ``qr_text`` is the signed credential in Base45.
    """

    authority_name: str
    office_name: str
    country: str
    family_name: str
    given_name: str
    latin_family: str
    latin_given: str
    id_number: str
    document_number: str
    birth_date: date
    sex: str
    issued: date
    expires: date
    photo: bytes | None
    qr_text: str
    #: The authority's verifier page (office setting ``verifier_url``), printed on the back; None prints none.
    verifier_url: str | None = None


def render_cards(
    cards: Sequence[CardData],
    *,
    sheet: Sheet = "id1",
    back: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> bytes:
    """Render cards into one PDF and return its bytes.

    Args:
        cards: the cards, in print order.
        sheet: ``"id1"``: one card per page of exactly 85.60 x 53.98 mm (card printers); with ``back`` the
            pages alternate front, back. ``"a4"``: ten cards per A4 page (2 x 5) with crop marks; with
            ``back`` each page of fronts is followed by a page of backs mirrored left-right, so that
            duplex printing flipped on the long edge puts every back behind its front.
        back: also print the backs (card number, return address, MRZ).
        offset_mm: printer calibration, ``(right, down)`` in millimetres: shifts everything on every page.
        progress: called as ``progress(done, total)`` after each card.
        cancel: when set, rendering stops with `UserCancelled` at the next card.

    Raises:
        ValidationError: a card whose QR text does not fit or is not Base45, a photo that is not a
            readable image, or MRZ fields that cannot be written (the message names the card number).
        UserCancelled: ``cancel`` was set.
        StorageError: the card fonts are missing from the installation.
    """
    if sheet not in ("id1", "a4"):
        raise ValidationError(
            "sheet", _("Unknown sheet {sheet!r}: choose 'id1' (card printer) or 'a4'.").format(sheet=sheet)
        )
    with _RENDER_LOCK:
        _register_fonts()
        # Binary (Flate only) streams: ASCII85 on top is pure Python in reportlab, a fifth of the render
        # time, and makes the file 25 % bigger; nothing reads these PDFs through a 7-bit channel.
        saved_a85 = rl_config.useA85
        rl_config.useA85 = 0
        try:
            return _Renderer(cards, sheet, back, offset_mm, progress, cancel).run()
        finally:
            rl_config.useA85 = saved_a85


def latin_line_needed(entered: str, latin: str) -> bool:
    """Whether the Latin form adds anything to the name as entered (so the card prints it below).

    ``Hans`` / ``HANS`` needs no second line; ``张伟`` / ``ZHANG WEI``, ``Müller`` / ``MUELLER`` and
    ``Åberg`` / ``AABERG`` do.
    """
    return _letters_only(unicodedata.normalize("NFC", entered).upper()) != _letters_only(latin.upper())


# --- Renderer --------------------------------------------------------------------------------------------


class _Renderer:
    """One render: a canvas plus the forms and images it has already defined."""

    def __init__(
        self,
        cards: Sequence[CardData],
        sheet: Sheet,
        back: bool,
        offset_mm: tuple[float, float],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.cards = cards
        self.sheet = sheet
        self.back = back
        self.dx = offset_mm[0] * mm
        self.dy = -offset_mm[1] * mm  # "down" on paper is negative y in PDF
        self.progress = progress
        self.cancel = cancel
        self.buffer = io.BytesIO()
        pagesize = A4 if sheet == "a4" else (CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm)
        # initialFontName: otherwise reportlab names Helvetica, a font we do not embed, on every page
        self.canvas = Canvas(self.buffer, pagesize=pagesize, pageCompression=1, invariant=1, initialFontName=FONT_SANS)
        self.canvas.setTitle("ID cards")
        self.canvas.setCreator("id-console")
        self.forms: set[str] = set()
        self.images: dict[bytes, tuple[ImageReader, int, int]] = {}
        self.done = 0

    def run(self) -> bytes:
        total = len(self.cards)
        if self.sheet == "id1":
            for card in self.cards:
                self._page(self._front, card)
                if self.back:
                    self._page(self._back, card)
                self._advance(total)
        else:
            per_sheet = A4_COLUMNS * A4_ROWS
            for start in range(0, total, per_sheet):
                batch = self.cards[start : start + per_sheet]
                self._sheet(batch, front=True, count=not self.back)
                if self.back:
                    self._sheet(batch, front=False, count=True)
        if total == 0:
            self.canvas.showPage()  # a valid, empty one-page PDF rather than a broken file
        self.canvas.save()
        return self.buffer.getvalue()

    # --- pages -----------------------------------------------------------------------------------------
    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise UserCancelled(_("Card printing cancelled; no file was written."))

    def _advance(self, total: int) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, total)

    def _page(self, draw: Callable[[CardData], None], card: CardData) -> None:
        self._check_cancel()
        c = self.canvas
        c.saveState()
        c.translate(self.dx, self.dy)
        draw(card)
        c.restoreState()
        c.showPage()

    def _sheet(self, batch: Sequence[CardData], *, front: bool, count: bool) -> None:
        c = self.canvas
        page_w, page_h = A4
        block_w = A4_COLUMNS * CARD_WIDTH_MM + (A4_COLUMNS - 1) * A4_GUTTER_X_MM
        block_h = A4_ROWS * CARD_HEIGHT_MM + (A4_ROWS - 1) * A4_GUTTER_Y_MM
        left = (page_w / mm - block_w) / 2
        top = (page_h / mm - block_h) / 2
        c.saveState()
        c.translate(self.dx, self.dy)
        self._crop_marks(left, top, block_w, block_h)
        for i, card in enumerate(batch):
            self._check_cancel()
            row, col = divmod(i, A4_COLUMNS)
            if not front:
                col = A4_COLUMNS - 1 - col  # duplex, long-edge flip: the back is mirrored left-right
            x = left + col * (CARD_WIDTH_MM + A4_GUTTER_X_MM)
            y_top = top + row * (CARD_HEIGHT_MM + A4_GUTTER_Y_MM)
            c.saveState()
            c.translate(x * mm, page_h - (y_top + CARD_HEIGHT_MM) * mm)
            p = c.beginPath()
            p.rect(0, 0, CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm)
            c.clipPath(p, stroke=0, fill=0)
            if front:
                self._front(card)
            else:
                self._back(card)
            c.restoreState()
            if count:
                self._advance(len(self.cards))
        c.restoreState()
        c.showPage()

    def _crop_marks(self, left: float, top: float, block_w: float, block_h: float) -> None:
        """Hairlines at every card edge, outside the cards: in the sheet margins and the column gutter."""
        c = self.canvas
        page_h = A4[1] / mm
        c.setStrokeColor(INK)
        c.setLineWidth(0.25)
        xs: list[float] = []
        for col in range(A4_COLUMNS):
            x0 = left + col * (CARD_WIDTH_MM + A4_GUTTER_X_MM)
            xs += [x0, x0 + CARD_WIDTH_MM]
        ys: list[float] = []
        for row in range(A4_ROWS):
            y0 = top + row * (CARD_HEIGHT_MM + A4_GUTTER_Y_MM)
            ys += [y0, y0 + CARD_HEIGHT_MM]
        bottom = top + block_h
        right = left + block_w
        lines: list[tuple[float, float, float, float]] = []
        for x in xs:  # vertical marks above and below the block
            lines.append((x, top - CROP_GAP_MM, x, top - CROP_GAP_MM - CROP_MARK_MM))
            lines.append((x, bottom + CROP_GAP_MM, x, bottom + CROP_GAP_MM + CROP_MARK_MM))
        gutter_mid = left + CARD_WIDTH_MM + A4_GUTTER_X_MM / 2
        for y in ys:  # horizontal marks left, right and in the middle gutter
            lines.append((left - CROP_GAP_MM, y, left - CROP_GAP_MM - CROP_MARK_MM, y))
            lines.append((right + CROP_GAP_MM, y, right + CROP_GAP_MM + CROP_MARK_MM, y))
            if A4_COLUMNS == 2 and A4_GUTTER_X_MM > 2 * CROP_GAP_MM:
                half = A4_GUTTER_X_MM / 2 - CROP_GAP_MM
                lines.append((gutter_mid - half, y, gutter_mid + half, y))
        c.lines([(x1 * mm, (page_h - y1) * mm, x2 * mm, (page_h - y2) * mm) for x1, y1, x2, y2 in lines])

    # --- front -----------------------------------------------------------------------------------------
    def _front(self, card: CardData) -> None:
        try:
            modules = qr.qr_rows(card.qr_text)
        except ValidationError as e:
            raise _about(card, e) from e
        c = self.canvas
        c.doForm(self._front_form(card))
        self._photo(card)

        w_data = DATA_RIGHT - COL_DATA
        for row, entered, latin in (
            (ROW_FAMILY, card.family_name, card.latin_family),
            (ROW_GIVEN, card.given_name, card.latin_given),
        ):
            base = row + LABEL_TO_VALUE
            _text(c, COL_DATA, base, entered, SIZE_NAME, INK, bold=True, max_w=w_data, min_size=MIN_NAME)
            if latin and latin_line_needed(entered, latin):
                _text(c, COL_DATA, base + VALUE_TO_LATIN, latin.upper(), SIZE_LATIN, LATIN, max_w=w_data)

        v = 3.6
        _text(
            c,
            COL_DATA,
            ROW_BIRTH + v,
            _iso(card.birth_date),
            SIZE_VALUE,
            INK,
            bold=True,
            max_w=COL_DATA2 - COL_DATA - 1,
        )
        _text(c, COL_DATA2, ROW_BIRTH + v, card.sex.upper(), SIZE_VALUE, INK, bold=True, max_w=8)
        _text(
            c,
            COL_PHOTO,
            ROW_BOTTOM + v + 0.2,
            card.id_number,
            SIZE_ID,
            INK,
            bold=True,
            max_w=COL_DATA2 - COL_PHOTO - 2.5,
            tracking=0.25,
        )
        _text(c, COL_DATA2, ROW_BOTTOM + v, _iso(card.issued), SIZE_VALUE, INK, bold=True, max_w=COL_QR - COL_DATA2 - 1)
        _text(
            c,
            COL_QR,
            ROW_BOTTOM + v,
            _iso(card.expires),
            SIZE_VALUE,
            INK,
            bold=True,
            max_w=CARD_WIDTH_MM - MARGIN - COL_QR,
        )
        self._qr(modules)

    def _front_form(self, card: CardData) -> str:
        """Everything on the front that all cards of one office share, drawn once per PDF as a form."""
        key = "F" + _digest(card.authority_name, card.office_name, card.country)
        if key in self.forms:
            return key
        c = self.canvas
        c.beginForm(key, 0, 0, CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm)
        _guilloche(c)
        _band(c, card, title="IDENTITY CARD")
        # QR symbol and quiet zone: plain white, whatever is behind it
        c.setFillColor(white)
        c.rect((COL_QR - QR_QUIET) * mm, _y(TOP - QR_QUIET + QR_BOX), QR_BOX * mm, QR_BOX * mm, stroke=0, fill=1)
        _label(c, COL_DATA, ROW_FAMILY, "FAMILY NAME")
        _label(c, COL_DATA, ROW_GIVEN, "GIVEN NAMES")
        _label(c, COL_DATA, ROW_BIRTH, "DATE OF BIRTH")
        _label(c, COL_DATA2, ROW_BIRTH, "SEX")
        _label(c, COL_PHOTO, ROW_BOTTOM, "ID NUMBER")
        _label(c, COL_DATA2, ROW_BOTTOM, "DATE OF ISSUE")
        _label(c, COL_QR, ROW_BOTTOM, "DATE OF EXPIRY")
        _text(c, COL_QR + QR_SIZE / 2, TOP + QR_SIZE + 3.3, "SCAN TO VERIFY", 4.3, LABEL, align="center", tracking=0.4)
        # hairline between the data block and the bottom row
        c.setStrokeColor(GUILLOCHE)
        c.setLineWidth(0.4)
        c.line(COL_PHOTO * mm, _y(ROW_BOTTOM - 3.1), (COL_QR - 2.6) * mm, _y(ROW_BOTTOM - 3.1))
        c.endForm()
        self.forms.add(key)
        return key

    def _photo(self, card: CardData) -> None:
        c = self.canvas
        x, y = COL_PHOTO * mm, _y(TOP + PHOTO_H)
        w, h = PHOTO_W * mm, PHOTO_H * mm
        if card.photo is None:
            c.doForm(self._placeholder_form())
        else:
            image, iw, ih = self._image(card)
            scale = max(w / iw, h / ih)  # cover the frame, crop the overflow
            dw, dh = iw * scale, ih * scale
            c.saveState()
            p = c.beginPath()
            p.roundRect(x, y, w, h, 0.8 * mm)
            c.clipPath(p, stroke=0, fill=0)
            c.drawImage(image, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)
            c.restoreState()
        c.setStrokeColor(FRAME)
        c.setLineWidth(0.35)
        c.roundRect(x, y, w, h, 0.8 * mm, stroke=1, fill=0)

    def _placeholder_form(self) -> str:
        key = "Silhouette"
        if key in self.forms:
            return key
        c = self.canvas
        c.beginForm(key, 0, 0, CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm)
        x, y = COL_PHOTO * mm, _y(TOP + PHOTO_H)
        w, h = PHOTO_W * mm, PHOTO_H * mm
        c.saveState()
        p = c.beginPath()
        p.roundRect(x, y, w, h, 0.8 * mm)
        c.clipPath(p, stroke=0, fill=0)
        c.setFillColor(PHOTO_BG)
        c.rect(x, y, w, h, stroke=0, fill=1)
        c.setFillColor(SILHOUETTE)
        cx = x + w / 2
        c.circle(cx, y + h * 0.60, w * 0.20, stroke=0, fill=1)  # head
        shoulders = c.beginPath()
        shoulders.moveTo(cx - w * 0.42, y)
        shoulders.curveTo(cx - w * 0.42, y + h * 0.30, cx - w * 0.22, y + h * 0.38, cx, y + h * 0.38)
        shoulders.curveTo(cx + w * 0.22, y + h * 0.38, cx + w * 0.42, y + h * 0.30, cx + w * 0.42, y)
        shoulders.close()
        c.drawPath(shoulders, stroke=0, fill=1)
        c.restoreState()
        c.endForm()
        self.forms.add(key)
        return key

    def _image(self, card: CardData) -> tuple[ImageReader, int, int]:
        assert card.photo is not None
        key = hashlib.sha256(card.photo).digest()
        cached = self.images.get(key)
        if cached is None:
            try:
                cached = _load_photo(card.photo)
            except ValidationError as e:
                raise _about(card, e) from e
            self.images[key] = cached
        return cached

    def _qr(self, modules: Sequence[bytes]) -> None:
        """The symbol as one filled path of run rectangles: vector, compact, and no seams between rows.

        The path is written in module units under a scaling matrix, so each rectangle is four small
        integers: a third of the bytes and of the formatting time of point coordinates.
        """
        # module size so that symbol + quiet zone fill the white box exactly, whatever the version
        unit = QR_BOX * mm / (len(modules) + 2 * qr.QUIET_ZONE)
        x0 = (COL_QR - QR_QUIET) * mm + qr.QUIET_ZONE * unit
        y0 = _y(TOP - QR_QUIET) - qr.QUIET_ZONE * unit
        runs = qr.run_rectangles(modules)
        c = self.canvas
        c.saveState()
        c.setFillColor(_QR_INK)
        c.addLiteral(f"{unit:.5f} 0 0 {-unit:.5f} {x0:.3f} {y0:.3f} cm\n{runs}\nf")
        c.restoreState()

    # --- back ------------------------------------------------------------------------------------------
    def _back(self, card: CardData) -> None:
        try:
            lines = mrz.td1_mrz(
                issuing_state=card.country,
                document_number=card.document_number,
                birth_date=card.birth_date,
                sex=card.sex,
                expiry_date=card.expires,
                nationality=card.country,
                primary_identifier=card.latin_family,
                secondary_identifier=card.latin_given,
                optional_data=_mrz_optional(card.id_number, card.document_number),
            )
        except ValidationError as e:
            raise _about(card, e) from e
        c = self.canvas
        c.doForm(self._back_form(card))
        _text(c, MARGIN, 15.6, card.document_number, 11.0, INK, bold=True, tracking=0.6, max_w=40.0)
        size = MRZ_PITCH * mm / (pdfmetrics.stringWidth("<", FONT_OCRB, 1000) / 1000)
        left = (CARD_WIDTH_MM - MRZ_PITCH * mrz.LINE_LENGTH) / 2
        c.setFillColor(_QR_INK)
        for i, line in enumerate(lines):
            baseline = CARD_HEIGHT_MM - MRZ_BOTTOM_BASELINE - (2 - i) * MRZ_LINE_PITCH
            c.setFont(FONT_OCRB, size)
            c.drawString(left * mm, _y(baseline), line)

    def _back_form(self, card: CardData) -> str:
        key = "B" + _digest(card.authority_name, card.office_name, card.country, card.verifier_url or "")
        if key in self.forms:
            return key
        c = self.canvas
        c.beginForm(key, 0, 0, CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm)
        _guilloche(c, bottom=CARD_HEIGHT_MM - MRZ_ZONE_H)
        # slim band: the back is mostly for machines, the authority is named again for whoever finds it
        band = 6.0
        c.setFillColor(BAND)
        c.rect(0, _y(band), CARD_WIDTH_MM * mm, band * mm, stroke=0, fill=1)
        c.setFillColor(ACCENT)
        c.rect(0, _y(band + RULE_H), CARD_WIDTH_MM * mm, RULE_H * mm, stroke=0, fill=1)
        _text(
            c,
            MARGIN,
            4.0,
            card.authority_name.upper(),
            5.6,
            white,
            bold=True,
            tracking=0.3,
            max_w=CARD_WIDTH_MM - 2 * MARGIN - 12,
        )
        _text(
            c, CARD_WIDTH_MM - MARGIN, 4.0, card.country.upper(), 5.6, BAND_SUB, bold=True, align="right", tracking=0.5
        )
        _label(c, MARGIN, 11.0, "CARD NUMBER")
        right = 44.0
        _label(c, right, 11.0, "ISSUED BY")
        w_right = CARD_WIDTH_MM - MARGIN - right
        _text(c, right, 14.6, card.office_name, 7.0, INK, bold=True, max_w=w_right)
        _text(c, right, 17.6, card.authority_name, 6.0, LATIN, max_w=w_right)
        # where a found card goes
        _label(c, MARGIN, 23.6, "IF FOUND")
        message = f"Please return this card to {card.office_name}, {card.authority_name}."
        _paragraph(c, MARGIN, 27.0, message, 6.4, INK, max_w=CARD_WIDTH_MM - 2 * MARGIN, leading=2.8, max_lines=2)
        if card.verifier_url:
            # one short line, set by the authority: where a holder (or anyone) checks the front's QR code
            shown = card.verifier_url.removeprefix("https://")
            shown = shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown
            _text(c, MARGIN, 33.4, f"Check this card at {shown}", 6.0, INK, bold=True, max_w=CARD_WIDTH_MM - 2 * MARGIN)
        else:
            _text(
                c,
                MARGIN,
                33.4,
                "The QR code on the front can be checked by anyone with the authority's verifier app.",
                5.0,
                LABEL,
                max_w=CARD_WIDTH_MM - 2 * MARGIN,
            )
        # MRZ zone: plain white so readers see only the OCR-B characters
        c.setFillColor(white)
        c.rect(0, 0, CARD_WIDTH_MM * mm, MRZ_ZONE_H * mm, stroke=0, fill=1)
        c.setStrokeColor(GUILLOCHE)
        c.setLineWidth(0.4)
        c.line(0, MRZ_ZONE_H * mm, CARD_WIDTH_MM * mm, MRZ_ZONE_H * mm)
        c.endForm()
        self.forms.add(key)
        return key


_QR_INK = Color(0, 0, 0)  # pure black for machine-read marks (QR, MRZ): best contrast on any printer


# --- drawing helpers -------------------------------------------------------------------------------------


def _y(top_mm: float) -> float:
    """Card coordinates: millimetres from the top edge to PDF points from the bottom edge."""
    return float((CARD_HEIGHT_MM - top_mm) * mm)


def _band(c: Canvas, card: CardData, *, title: str) -> None:
    c.setFillColor(BAND)
    c.rect(0, _y(BAND_H), CARD_WIDTH_MM * mm, BAND_H * mm, stroke=0, fill=1)
    c.setFillColor(ACCENT)
    c.rect(0, _y(BAND_H + RULE_H), CARD_WIDTH_MM * mm, RULE_H * mm, stroke=0, fill=1)
    c.setFillColor(BAND)
    c.rect(0, 0, CARD_WIDTH_MM * mm, FOOT_H * mm, stroke=0, fill=1)
    right = CARD_WIDTH_MM - MARGIN
    title_w = 22.0
    _text(c, right, 4.6, title, SIZE_TITLE, BAND_SUB, align="right", tracking=0.6, max_w=title_w)
    _text(c, right, 8.1, card.country.upper(), 7.0, white, bold=True, align="right", tracking=0.8)
    w = CARD_WIDTH_MM - 2 * MARGIN - title_w - 2
    _text(c, MARGIN, 4.6, card.authority_name, SIZE_AUTHORITY, white, bold=True, max_w=w, min_size=5.5)
    _text(c, MARGIN, 8.1, card.office_name, SIZE_OFFICE, BAND_SUB, max_w=w, min_size=4.5)


def _guilloche(c: Canvas, *, bottom: float = CARD_HEIGHT_MM - FOOT_H) -> None:
    """Fine interlaced waves under the data: the security-print look, light enough to read text over."""
    c.saveState()
    p = c.beginPath()
    p.rect(0, _y(bottom), CARD_WIDTH_MM * mm, (bottom - BAND_H - RULE_H) * mm)
    c.clipPath(p, stroke=0, fill=0)
    c.setStrokeColor(GUILLOCHE)
    c.setLineWidth(0.22)
    steps = 120
    for k in range(14):
        path = c.beginPath()
        phase = k * 0.45
        for s in range(steps + 1):
            x = CARD_WIDTH_MM * s / steps
            y = (
                BAND_H
                + 4.0
                + k * 3.0
                + 1.6 * math.sin(2 * math.pi * x / 21.0 + phase)
                + 0.9 * math.sin(2 * math.pi * x / 7.3 - 2 * phase)
            )
            if s == 0:
                path.moveTo(x * mm, _y(y))
            else:
                path.lineTo(x * mm, _y(y))
        c.drawPath(path, stroke=1, fill=0)
    c.restoreState()


def _label(c: Canvas, x: float, y: float, text: str) -> None:
    _text(c, x, y, text, SIZE_LABEL, LABEL, tracking=LABEL_TRACKING)


def _text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    color: Color,
    *,
    bold: bool = False,
    max_w: float | None = None,
    min_size: float | None = None,
    align: Literal["left", "right", "center"] = "left",
    tracking: float = 0.0,
) -> None:
    """Draw one line at (x, y) mm (baseline, from the card's top-left), shrinking it to ``max_w`` mm.

    Shrinks the size down to ``min_size`` (default: 70 % of ``size``), then condenses horizontally, so the
    text always fits its box. Bold is the regular face filled and stroked (the CJK font has one weight).
    """
    segments = _segments(text)
    if not segments:
        return
    natural = _width(segments, size, tracking)
    hscale = 1.0
    if max_w is not None and natural > max_w * mm:
        floor = min_size if min_size is not None else size * 0.7
        fitted = size * max_w * mm / natural
        if fitted >= floor:
            size = fitted
        else:
            size = floor
            hscale = max_w * mm / _width(segments, size, tracking)
    width = _width(segments, size, tracking) * hscale
    x_pt = x * mm
    if align == "right":
        x_pt -= width
    elif align == "center":
        x_pt -= width / 2
    # Render mode, character spacing and horizontal scale are graphics state in PDF and outlive the text
    # object (and reportlab's text object does not know what the previous one left): q/Q scopes them.
    c.saveState()
    if bold:
        c.setStrokeColor(color)
        c.setLineWidth(size * 0.045)
    t = c.beginText(x_pt, _y(y))
    if bold:
        t.setTextRenderMode(2)
    if hscale != 1.0:
        t.setHorizScale(hscale * 100)
    if tracking:
        t.setCharSpace(tracking)
    t.setFillColor(color)
    for font, part in segments:
        t.setFont(font, size)
        t.textOut(part)
    c.drawText(t)
    c.restoreState()


def _paragraph(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    color: Color,
    *,
    max_w: float,
    leading: float,
    max_lines: int,
) -> None:
    """Greedy word wrap into at most ``max_lines`` lines; the last line shrinks to fit what remains."""
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines - 1:
        line = words.pop(0)
        while words and _width(_segments(line + " " + words[0]), size, 0) <= max_w * mm:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines.append(" ".join(words))
    for i, line in enumerate(lines):
        _text(c, x, y + i * leading, line, size, color, max_w=max_w, min_size=size * 0.6)


def _segments(text: str) -> list[tuple[str, str]]:
    """Split text into runs per font: the CJK-capable sans where it has the glyph, else DejaVu Sans."""
    sans, fallback = _cmaps[FONT_SANS], _cmaps[FONT_FALLBACK]
    runs: list[tuple[str, str]] = []
    for ch in text:
        cp = ord(ch)
        font = FONT_SANS if cp in sans or cp not in fallback else FONT_FALLBACK
        if cp not in sans and cp not in fallback and not ch.isspace() and cp not in _warned:
            _warned.add(cp)  # the code point only: names are personal data and stay out of logs
            logger.warning("No card font has a glyph for U+%04X; it prints as a box.", cp)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def _width(segments: list[tuple[str, str]], size: float, tracking: float) -> float:
    chars = sum(len(part) for _, part in segments)
    return sum(float(pdfmetrics.stringWidth(part, font, size)) for font, part in segments) + tracking * chars


# --- data helpers ----------------------------------------------------------------------------------------


def _iso(d: date) -> str:
    """Dates as ISO 8601 (1990-04-17): one unambiguous form whatever the reader's language."""
    return d.isoformat()


def _letters_only(s: str) -> str:
    return "".join(ch for ch in s if ch.isalpha())


def _mrz_optional(id_number: str, document_number: str) -> str:
    """The personal ID number in MRZ line 1 optional data when it fits there (Estonia does the same)."""
    value = id_number.replace(" ", "").replace("-", "").upper()
    room = 15 if len(document_number) <= 9 else 15 - (len(document_number) - 9) - 2
    if value.isascii() and value.isalnum() and len(value) <= room:
        return value
    return ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def _about(card: CardData, error: ValidationError) -> ValidationError:
    """The same error, saying which card it is about (by card number: no personal data in messages)."""
    return ValidationError(
        error.field, _("Card {number}: {message}").format(number=card.document_number, message=error.message)
    )


def _load_photo(data: bytes) -> tuple[ImageReader, int, int]:
    """Decode the photo once (to refuse broken files early) and hand reportlab a JPEG it embeds as is.

    A small upright JPEG goes in byte for byte (reportlab embeds JPEG data without recompressing). Anything
    else (PNG, rotated or large camera JPEGs) is turned upright, flattened on white and fitted into
    `PHOTO_MAX_PX`, 600 dpi at the printed size, then saved as JPEG: a phone photo would otherwise make
    every card megabytes big and slow to print, with no visible gain.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            upright = probe.getexif().get(0x0112, 1) == 1  # EXIF orientation: phones often rotate
            small = probe.width <= PHOTO_MAX_PX[0] and probe.height <= PHOTO_MAX_PX[1]
            if probe.format == "JPEG" and probe.mode in ("RGB", "L") and upright and small:
                probe.load()
                return ImageReader(io.BytesIO(data)), probe.width, probe.height
            if probe.format == "JPEG":
                probe.draft("RGB", PHOTO_MAX_PX)  # decode big JPEGs at 1/2-1/8 scale: fast and enough
            probe.load()
            img = ImageOps.exif_transpose(probe).convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise ValidationError(
            "photo", _("The photo is not a readable JPEG or PNG image; take or load the photo again.")
        ) from e
    img.thumbnail(PHOTO_MAX_PX, Image.Resampling.LANCZOS)
    flat = Image.new("RGB", img.size, (255, 255, 255))
    flat.paste(img, mask=img.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90)
    return ImageReader(io.BytesIO(out.getvalue())), flat.width, flat.height


def _register_fonts() -> None:
    """Register the embedded card fonts with reportlab once per process."""
    if len(_cmaps) == len(_FONT_FILES):
        return
    with _FONT_LOCK:
        for name, (filename, index) in _FONT_FILES.items():
            if name in _cmaps:
                continue
            path = resource_path("fonts", filename)
            try:
                font = TTFont(name, str(path), subfontIndex=index)
            except (OSError, ValueError) as e:
                raise StorageError(
                    _("The card font {filename} could not be loaded from {path}; reinstall the console.").format(
                        filename=filename, path=path
                    )
                ) from e
            except Exception as e:  # reportlab raises its own TTFError for damaged files
                raise StorageError(
                    _("The card font {filename} in {path} is damaged; reinstall the console.").format(
                        filename=filename, path=path
                    )
                ) from e
            pdfmetrics.registerFont(font)
            _cmaps[name] = frozenset(font.face.charToGlyph)


__all__ = [
    "CARD_HEIGHT_MM",
    "CARD_WIDTH_MM",
    "CardData",
    "Progress",
    "Sheet",
    "latin_line_needed",
    "render_cards",
]
