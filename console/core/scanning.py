"""Reading QR codes back from pictures and PDFs (a phone photo, a scan, a card PDF), with zxing-cpp.

Pure functions over bytes; a file that is not an image or PDF gives a `ScanError` sentence, never a crash.
"""

from __future__ import annotations

import io
import threading

from console.core.errors import ConsoleError

#: PDFium is not thread-safe: every use of pypdfium2 in the process holds this lock (scanning here, card
#: previews in the GUI).
PDFIUM_LOCK = threading.Lock()

MAX_INPUT_BYTES = 50 * 1024 * 1024
PDF_DPI = 300
MAX_PDF_PAGES = 50


class ScanError(ConsoleError):
    """No QR code could be read from the file."""

    exit_code = 1


def _decode(image: object) -> list[str]:
    import zxingcpp

    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]))
    return [r.text for r in results if r.valid and r.text]


def qr_texts_from_image(data: bytes, *, where: str = "the image") -> list[str]:
    """Every QR code's text found in a PNG/JPEG/… picture."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_INPUT_BYTES:
        raise ScanError(f"{where} is larger than {MAX_INPUT_BYTES // 2**20} MB; use a smaller picture.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            texts = _decode(image.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise ScanError(f"{where} is not a picture this console can read (use PNG or JPEG).") from e
    if not texts:
        raise ScanError(f"No QR code was found in {where}; scan again, flat and in focus.")
    return texts


def qr_texts_from_pdf(data: bytes, *, where: str = "the PDF") -> list[str]:
    """Every QR code's text on the pages of a PDF (rendered at 300 dpi)."""
    import pypdfium2

    if len(data) > MAX_INPUT_BYTES:
        raise ScanError(f"{where} is larger than {MAX_INPUT_BYTES // 2**20} MB.")
    texts: list[str] = []
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as e:
            raise ScanError(f"{where} is not a readable PDF file.") from e
        images = []
        try:
            for index in range(min(len(pdf), MAX_PDF_PAGES)):
                bitmap = pdf[index].render(scale=PDF_DPI / 72, fill_color=(255, 255, 255, 255))
                images.append(bitmap.to_pil().convert("L"))
        except pypdfium2.PdfiumError as e:
            raise ScanError(f"{where} could not be rendered.") from e
        finally:
            pdf.close()
    for image in images:
        texts += _decode(image)
    if not texts:
        raise ScanError(f"No QR code was found in {where}.")
    return texts
