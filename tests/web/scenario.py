"""A real office with a card of every kind, its exported verifier site, and a static server on 127.0.0.1.

Shared by the browser tests and `scripts/verifier_screenshots.py`. Everything is real: the office is made with
the core services (with a clock set in the past so that one card can already be expired), the cards are
rendered to PDF and rasterised, the site is written by `id-console verifier export`.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
import pypdfium2
from PIL import Image

from console.core import b45, cardservice, issuance, officers, registry, requests, site
from console.core.accounts import login
from console.core.cards import render_cards
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.setup import init_office
from tests.conftest import PASSWORDS, FakeClock, make_setup

#: The verdicts the page must give, by card; the CLI is asked the same question in the tests.
KINDS = ("valid", "revoked", "suspended", "expired", "forged", "foreign")
VERIFIER_URL = "https://ids.utopia.example/"

CHROMIUM = "/usr/bin/chromium"
# As root in a closed network: no sandbox, and no background connections to Google's hosts (machines/python.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class Scenario:
    """The office, the exported site and, per kind, the card's QR text and a PNG of the card's front."""

    office_dir: Path
    site_dir: Path
    trust_file: Path
    texts: dict[str, str] = field(default_factory=dict)
    fronts: dict[str, Path] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    back: Path | None = None


def cli(
    data_dir: Path, *args: str, password: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env |= {"ID_CONSOLE_KDF": "min", "ID_CONSOLE_ALLOW_WEAK_KDF": "1"}
    if password is not None:
        env["ID_CONSOLE_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        input=stdin if stdin is not None else "",
    )


def forge(text: str) -> str:
    """The same credential with one letter of the holder's Latin name changed and the signature kept."""
    tag = cbor2.loads(zlib.decompress(b45.b45decode(text)))
    protected, unprotected, payload, signature = tag.value
    claims = cbor2.loads(payload)
    name = claims[169][4]
    for letter in "XYQJ":  # one whose text has no leading or trailing space (a pasted text is trimmed)
        claims[169][4] = letter + name[1:]
        altered = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))
        forged: str = b45.b45encode(zlib.compress(altered, 9))
        if claims[169][4] != name and forged == forged.strip():
            return forged
    raise AssertionError("no forgery without surrounding spaces")


def _png_of_pdf(pdf: bytes, out: Path, page: int = 0, dpi: int = 300) -> Path:
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
    image.to_pil().convert("RGB").save(out)
    return out


def build(root: Path) -> Scenario:
    """Make the office, its cards of every kind, a foreign card, and the exported site under `root`."""
    clock = FakeClock(now=datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC))
    office_dir = root / "office"
    init_office(office_dir, make_setup(), kdf=KDF_PRESETS["min"], clock=clock)
    office = Office(office_dir, clock=clock, kdf=KDF_PRESETS["min"])
    admin = login(office, "admin", PASSWORDS["admin"])
    for username, role in (("clerk", "clerk"), ("super", "supervisor")):
        officers.add_officer(
            admin, username=username, role=role, full_name=f"{username} Officer", password=PASSWORDS[username]
        )
    site.set_verifier_url(admin, VERIFIER_URL)
    clerk = login(office, "clerk", PASSWORDS["clerk"])
    supervisor = login(office, "super", PASSWORDS["super"])
    people = {
        "expired": PersonInput("Okafor", "Chidi", "1969-11-12", "M", "NGA"),
        "valid": PersonInput("张", "伟", "1990-01-02", "M", "CHN"),
        "revoked": PersonInput("Tamm", "Mari", "1985-06-30", "F", "EST"),
        "suspended": PersonInput("Иванова", "Анна", "1975-03-09", "F", "RUS"),
    }
    scenario = Scenario(office_dir=office_dir, site_dir=root / "site", trust_file=root / "site" / "trust.json")
    numbers = scenario.numbers
    for kind, person in people.items():
        numbers[kind] = str(registry.register(clerk, person)["id_number"])
        issued = issuance.issue(clerk, numbers[kind], valid_years=1 if kind == "expired" else 10)
        while issued.qr != issued.qr.strip():  # Base45 has a space; a pasted text is trimmed (page and CLI)
            issued = issuance.issue(clerk, numbers[kind], valid_years=1 if kind == "expired" else 10)
        scenario.texts[kind] = issued.qr
        pdf = cardservice.card_pdf(clerk, [numbers[kind]], back=kind == "valid")
        scenario.fronts[kind] = _png_of_pdf(pdf, root / f"{kind}.png")
        if kind == "valid":
            scenario.back = _png_of_pdf(pdf, root / "valid-back.png", page=1)
        if kind == "expired":
            # the rest happens today, so that the status list the office signs (iat, exp) is fresh for the page
            clock.now = datetime.now(UTC).replace(microsecond=0)
            clerk = login(office, "clerk", PASSWORDS["clerk"])
            supervisor = login(office, "super", PASSWORDS["super"])
    for kind in ("revoked", "suspended"):
        action = {"revoked": "revoke", "suspended": "suspend"}[kind]
        request = requests.create_request(clerk, action, numbers[kind], "test")
        requests.approve(supervisor, request["request_id"])
    scenario.texts["forged"] = forge(scenario.texts["valid"])
    forged_card = replace(cardservice.card_data(clerk, numbers["valid"]), qr_text=scenario.texts["forged"])
    scenario.fronts["forged"] = _png_of_pdf(render_cards([forged_card]), root / "forged.png")

    # another authority's card: its key is not published on this site
    foreign_dir = root / "foreign"
    init_office(
        foreign_dir,
        make_setup(authority_name="Erewhon Registry", authority_domain="id.erewhon.example", office_code="EW-07"),
        kdf=KDF_PRESETS["min"],
        clock=clock,
    )
    foreign = Office(foreign_dir, clock=clock, kdf=KDF_PRESETS["min"])
    fadmin = login(foreign, "admin", PASSWORDS["admin"])
    officers.add_officer(fadmin, username="clerk", role="clerk", full_name="Clerk", password=PASSWORDS["clerk"])
    fclerk = login(foreign, "clerk", PASSWORDS["clerk"])
    fnumber = str(registry.register(fclerk, PersonInput("Nowak", "Ewa", "1991-04-05", "F", "POL"))["id_number"])
    scenario.texts["foreign"] = issuance.issue(fclerk, fnumber).qr
    scenario.fronts["foreign"] = _png_of_pdf(cardservice.card_pdf(fclerk, [fnumber]), root / "foreign.png")

    exported = cli(office_dir, "verifier", "export", "--out", str(scenario.site_dir), "--json")
    if exported.returncode != 0:
        raise RuntimeError(f"verifier export failed: {exported.stderr}")
    return scenario


def status_lists(scenario: Scenario) -> list[Path]:
    """The status list tokens the export wrote (none until the console makes them, issue 11)."""
    return sorted(scenario.site_dir.glob("*/status/*.cwt"))


def cli_verdict(scenario: Scenario, text: str, elsewhere: Path) -> dict[str, object]:
    """What `id-console verify --trust <site>/trust.json [--status-list <site>/{office}/status/1.cwt]` says.

    Asked as a verifier without the office database would, with the site's own files: once the export writes
    status lists and `verify` takes `--status-list` (issue 11), the list is given, as the page uses it.
    """
    args = ["verify", "--trust", str(scenario.trust_file)]
    lists = status_lists(scenario)
    if lists and "--status-list" in cli(elsewhere, "verify", "--help").stdout:
        args += ["--status-list", str(lists[0])]
    # On standard input: as an argument, a Base45 text may start with "-" or (today) be taken for a file name.
    result = cli(elsewhere, *args, "--json", "-", stdin=text)
    if not result.stdout.startswith("{"):
        raise RuntimeError(f"verify gave no verdict (exit {result.returncode}): {result.stderr.strip()}")
    verdict: dict[str, object] = json.loads(result.stdout)
    return verdict


# ---------------------------------------------------------------------------------------------- fake camera


def y4m_of(png: Path, out: Path, width: int = 640, height: int = 480, frames: int = 2) -> Path:
    """A Y4M (4:2:0) video of the card held in front of a grey background, for Chromium's fake camera."""
    card = Image.open(png).convert("RGB")
    card.thumbnail((int(width * 0.9), int(height * 0.9)))
    frame = Image.new("RGB", (width, height), (120, 124, 128))
    frame.paste(card, ((width - card.width) // 2, (height - card.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    cb = cb.resize((width // 2, height // 2), Image.Resampling.BILINEAR)
    cr = cr.resize((width // 2, height // 2), Image.Resampling.BILINEAR)
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes())
    return out


# ------------------------------------------------------------------------------------------- static server


class RequestLog(list[str]):
    """The paths the server was asked for, in order, and the body bytes it sent (304s send none)."""

    sent: int = 0


class _Handler(http.server.SimpleHTTPRequestHandler):
    log: RequestLog

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        outputfile.write(data)
        self.log.sent += len(data)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        self.log.append(self.path)
        return super().send_head()

    def end_headers(self) -> None:
        # the headers docs/verifier-page.md asks a host to send
        self.send_header("Content-Security-Policy", HEADER_CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


HEADER_CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, RequestLog]]:
    """Serve `folder` on 127.0.0.1 (a free port); yields the base URL and the log of requests."""
    log = RequestLog()
    handler = type(
        "Handler",
        (_Handler,),
        {
            "log": log,
            "extensions_map": {
                **_Handler.extensions_map,
                ".wasm": "application/wasm",
                ".webmanifest": "application/manifest+json",
                ".cwt": "application/statuslist+cwt",
            },
        },
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
