"""Reading QR codes back from pictures and PDFs (a phone photo, a scan, a card PDF), with zxing-cpp.

Pure functions over bytes; a file that is not an image or PDF gives a `ScanError` sentence, never a crash.
"""

from __future__ import annotations

import io
import threading

from console.core.errors import ConsoleError
from console.core.i18n import _

#: PDFium is not thread-safe: every use of pypdfium2 in the process holds this lock (scanning here, card
#: previews in the GUI).
PDFIUM_LOCK = threading.Lock()

MAX_INPUT_BYTES = 50 * 1024 * 1024
PDF_DPI = 300
MAX_PDF_PAGES = 50
#: The most pixels one page is rendered at. An A4 page at 300 dpi is 8.7 million; a larger page is rendered
#: at a lower resolution, so a small PDF of huge pages cannot take the memory (each page is released before
#: the next is rendered: at most one page's bitmap, about 4 bytes a pixel, is alive at a time).
MAX_PAGE_PIXELS = 12_000_000


class ScanError(ConsoleError):
    """No QR code could be read from the file."""

    exit_code = 1


def _decode(image: object) -> list[str]:
    import zxingcpp

    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]))
    return [r.text for r in results if r.valid and r.text]


def qr_texts_from_image(data: bytes, *, where: str | None = None) -> list[str]:
    """Every QR code's text found in a PNG/JPEG/… picture; `where` names it in messages (default "the image")."""
    from PIL import Image, UnidentifiedImageError

    where = _("the image") if where is None else where
    if len(data) > MAX_INPUT_BYTES:
        raise ScanError(
            _("{where} is larger than {size} MB; use a smaller picture.").format(
                where=where, size=MAX_INPUT_BYTES // 2**20
            )
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            texts = _decode(image.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise ScanError(
            _("{where} is not a picture this console can read (use PNG or JPEG).").format(where=where)
        ) from e
    if not texts:
        raise ScanError(_("No QR code was found in {where}; scan again, flat and in focus.").format(where=where))
    return texts


def page_scale(width_pt: float, height_pt: float) -> float:
    """The render scale of a page: 300 dpi, lowered so that the page has at most `MAX_PAGE_PIXELS` pixels."""
    scale = PDF_DPI / 72
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    if area * scale * scale > MAX_PAGE_PIXELS:
        scale = (MAX_PAGE_PIXELS / area) ** 0.5
    return scale


def qr_texts_from_pdf(data: bytes, *, where: str | None = None) -> list[str]:
    """Every QR code's text on the first `MAX_PDF_PAGES` pages of a PDF, one page at a time (at most 300 dpi and
    `MAX_PAGE_PIXELS` pixels each); `where` defaults to "the PDF"."""
    import pypdfium2

    where = _("the PDF") if where is None else where
    if len(data) > MAX_INPUT_BYTES:
        raise ScanError(_("{where} is larger than {size} MB.").format(where=where, size=MAX_INPUT_BYTES // 2**20))
    texts: list[str] = []
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as e:
            raise ScanError(_("{where} is not a readable PDF file.").format(where=where)) from e
        try:
            for index in range(min(len(pdf), MAX_PDF_PAGES)):
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    bitmap = page.render(scale=page_scale(width, height), fill_color=(255, 255, 255, 255))
                    try:
                        image = bitmap.to_pil().convert("L")
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                texts += _decode(image)
                del image  # only one page's pixels alive at a time
        except pypdfium2.PdfiumError as e:
            raise ScanError(_("{where} could not be rendered.").format(where=where)) from e
        finally:
            pdf.close()
    if not texts:
        raise ScanError(_("No QR code was found in {where}.").format(where=where))
    return texts
