"""Card QR symbols (zxing-cpp's encoder, issue 16) scan back byte for byte with two independent readers:
zxing-cpp and zbar (`zbarimg`, installed by .ci/run)."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image

from console.core import qr
from console.core.errors import ValidationError

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _picture(text: str, scale: int = 4) -> Image.Image:
    """The symbol as a printer would draw it: `scale` pixels a module, the quiet zone around it."""
    rows = qr.qr_rows(text)
    size = len(rows) + 2 * qr.QUIET_ZONE
    image = Image.new("L", (size, size), 255)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                image.putpixel((c + qr.QUIET_ZONE, r + qr.QUIET_ZONE), 0)
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


def _texts() -> list[str]:
    rng = random.Random(16)
    lengths = [1, 2, 47, 340, 399, 420, 900]
    return ["".join(rng.choice(BASE45) for _ in range(n)) for n in lengths] + ["NCFOXN%TSMAHO.JXL4OE 0:$*+-./"]


@pytest.mark.parametrize("text", _texts(), ids=lambda t: f"{len(t)}-chars")
def test_symbols_scan_back_with_zxing_and_zbar(text: str, tmp_path: Path) -> None:
    picture = _picture(text)
    found = zxingcpp.read_barcode(picture)
    assert found is not None and found.text == text
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools; .ci/run does)")
    path = tmp_path / "qr.png"
    picture.save(path)
    done = subprocess.run([zbarimg, "--quiet", "--raw", str(path)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("ascii").rstrip("\n") == text


def test_rows_are_the_smallest_level_m_alphanumeric_version() -> None:
    """The same version segno (the previous encoder) chose for one alphanumeric segment at level M, so no
    card's symbol grows; texts beyond version 20 are refused with the sentence cards show."""
    rng = random.Random(3)
    for length in [1, 20, 21, 300, 370, 371, 500, 858, 859, 1000]:
        text = "".join(rng.choice(BASE45) for _ in range(length))
        version = segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False).version
        assert isinstance(version, int)
        if version > qr.MAX_VERSION:
            with pytest.raises(ValidationError, match="does not fit in a QR code of version 20"):
                qr.qr_rows(text)
            continue
        rows = qr.qr_rows(text)
        assert len(rows) == 17 + 4 * version and {len(row) for row in rows} == {len(rows)}
    with pytest.raises(ValidationError, match="does not fit"):
        qr.qr_rows("A" * 5000, max_version=40)
    assert set(b"".join(qr.qr_rows("HELLO"))) == {0, 1}
    assert qr.qr_rows("HELLO")[0][:7] == b"\x01" * 7  # a finder pattern's dark top edge, top left


def _rectangles_one_by_one(rows: list[bytes]) -> list[tuple[int, int, int]]:
    """The reference: walk every module and close a run at each light module or row end."""
    found = []
    for r, row in enumerate(rows):
        start = None
        for c, module in enumerate([*row, 0]):
            if module and start is None:
                start = c
            elif not module and start is not None:
                found.append((start, r, c - start))
                start = None
    return found


def _parsed(path: str) -> list[tuple[int, int, int]]:
    out = []
    for line in path.splitlines():
        column, row, length, height, op = line.split()
        assert (height, op) == ("1", "re")
        out.append((int(column), int(row), int(length)))
    return out


def test_run_rectangles_cover_exactly_the_dark_modules() -> None:
    rng = random.Random(169)
    symbols = [
        list(qr.qr_rows("HC1:" + "".join(rng.choice(sorted(qr.ALPHANUMERIC)) for _ in range(n)))) for n in (5, 300)
    ]
    edges = [[bytes([1] * 9), bytes(9), bytes([0, 1, 1, 0, 1, 0, 0, 1, 1]), bytes([1, 0, 1, 0, 1, 0, 1, 0, 1])]]
    noise = [[bytes(rng.choice((0, 1)) for _ in range(21)) for _ in range(21)] for _ in range(50)]
    for rows in symbols + edges + noise:
        assert _parsed(qr.run_rectangles(rows)) == _rectangles_one_by_one(rows)
