"""Card printing throughput: 1,000 cards into one PDF, and where the time goes.

Run: ``python bench/bench_cards.py [N]`` (default 1,000 cards). Prints cards/s for ID-1 pages with fronts only,
with fronts and backs, and with backs and a distinct 15 KB JPEG photo on every card, each the best of 3 rounds
in one process; then the split of a fronts-only run into QR matrices (segno), drawing and saving (reportlab).
Goal: >= 100 cards/s.

The QR texts are random Base45 of 340-420 characters: a real credential from `encode_credential` is ~350
characters (no photo), so the symbols are versions 11-13 at level M, as on real cards.
"""

from __future__ import annotations

import io
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PIL import Image, ImageDraw

from console.core import cards as cards_module
from console.core import qr
from console.core.cards import CardData, render_cards

ROUNDS = 3
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
NAMES = [
    ("MÜLLER-LÜDENSCHEIDT", "Hans-Jürgen Maximilian", "MUELLER-LUEDENSCHEIDT", "HANS-JUERGEN MAXIMILIAN"),
    ("张", "伟", "ZHANG", "WEI"),
    ("김", "민준", "KIM", "MINJUN"),
    ("Иванова", "Анна", "IVANOVA", "ANNA"),
    ("Åberg", "Søren", "AABERG", "SOEREN"),
    ("Õunapuu", "Ärni", "OUNAPUU", "AERNI"),
]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cards(n: int) -> list[CardData]:
    rng = random.Random(1)
    out = []
    for i in range(n):
        family, given, latin_family, latin_given = NAMES[i % len(NAMES)]
        out.append(
            CardData(
                authority_name="Utopia Identity Authority",
                office_name="Central Office, Harbour District",
                country="UTO",
                family_name=family,
                given_name=given,
                latin_family=latin_family,
                latin_given=latin_given,
                id_number=f"1101011990{i:08d}",
                document_number=f"X{i:07d}Q",
                birth_date=date(1990, 3, 7),
                sex="FM"[i % 2],
                issued=date(2026, 11, 30),
                expires=date(2036, 11, 29),
                photo=None,
                qr_text="".join(rng.choice(BASE45) for _ in range(rng.randint(340, 420))),
            )
        )
    return out


def _photo(i: int) -> bytes:
    """A distinct 480 x 600 JPEG per card (~15 KB), like a compressed passport photo."""
    img = Image.new("RGB", (480, 600), (200 + i % 40, 210, 225))
    draw = ImageDraw.Draw(img)
    draw.ellipse([140, 110, 340, 360], fill=(225, 185, 160))
    draw.ellipse([80, 420, 400, 800], fill=(50, 70, 100))
    draw.text((10, 10), str(i), fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _best(run: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    batch = _cards(n)
    with_photos = [replace(card, photo=_photo(i)) for i, card in enumerate(batch)]
    render_cards(batch[:2], back=True)  # fonts loaded once per process, outside the timing

    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; Python {platform.python_version()}")
    print(f"cards: {n} into one PDF, ID-1 pages; best of {ROUNDS} rounds, one process")
    runs: list[tuple[str, Callable[[], object]]] = [
        ("fronts only", lambda: render_cards(batch)),
        ("fronts and backs", lambda: render_cards(batch, back=True)),
        ("fronts and backs, JPEG photo each", lambda: render_cards(with_photos, back=True)),
    ]
    fronts_seconds = 0.0
    for label, run in runs:
        seconds, pdf = _best(run)
        assert isinstance(pdf, bytes)
        fronts_seconds = fronts_seconds or seconds
        print(f"{label:<36} {n / seconds:>7,.0f} cards/s  {seconds:6.2f} s  PDF {len(pdf) / 2**20:6.1f} MiB")

    # Split of the fronts-only run: QR matrices alone, then saving alone (font subsetting, compression).
    qr_seconds, _ = _best(lambda: [qr.qr_rows(card.qr_text) for card in batch])
    save_seconds = _save_seconds(batch)
    draw_seconds = fronts_seconds - qr_seconds - save_seconds
    print("split of 'fronts only':")
    for label, seconds in (("QR matrix (segno)", qr_seconds), ("drawing", draw_seconds), ("save", save_seconds)):
        share = 100 * seconds / fronts_seconds
        print(f"  {label:<20} {seconds:6.2f} s  {1000 * seconds / n:5.2f} ms/card  {share:4.0f} %")


def _save_seconds(batch: list[CardData]) -> float:
    """Time spent in reportlab's `Canvas.save` during one fronts-only render."""
    spent = 0.0
    original = cards_module.Canvas.save

    def timed_save(self: cards_module.Canvas) -> None:
        nonlocal spent
        start = time.perf_counter()
        original(self)
        spent += time.perf_counter() - start

    cards_module.Canvas.save = timed_save  # type: ignore[method-assign]
    try:
        render_cards(batch)
    finally:
        cards_module.Canvas.save = original  # type: ignore[method-assign]
    return spent


if __name__ == "__main__":
    main()
