"""Cards for registered people: gather what a card shows, render it (cards.py), remember printer offsets.

Only a credential in force is printed: a revoked, suspended or superseded one would put a card in
circulation that verifiers reject. Printing is audited (who printed whose card), not an event: it changes
no state that another office needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from console.core import events, truth
from console.core.accounts import Session
from console.core.cards import CardData, Progress, Sheet, render_cards
from console.core.errors import Conflict, NotFound, ValidationError
from console.core.i18n import _
from console.core.issuance import country_of, current_credential, status_name
from console.core.roles import Permission
from console.core.store import transaction

MAX_OFFSET_MM = 20.0
MAX_CARDS = 5000


def document_number(credential_id: bytes) -> str:
    """The card number printed on the back and in the MRZ: the credential id's first 9 hex digits."""
    return credential_id.hex()[:9].upper()


def card_data(session: Session, target: str) -> CardData:
    """What one card shows, for the credential in force that `target` (ID number or credential id) names."""
    session.require(Permission.CARD_PRINT, target)
    office = session.office
    credential = current_credential(session, target)
    truth.check_holder(office, credential["id_number"])  # a row edited back to active is refused, not printed
    if credential["status"] != "active":
        remedy = {
            "suspended": _("a supervisor must reinstate it first"),
            "revoked": _("a supervisor may issue a new credential"),
            "superseded": _("print the card of the newer credential"),
        }.get(credential["status"]) or _("issue a new credential first")
        raise Conflict(
            _(
                "The newest credential of {number} is {status}; a card is printed only for a credential in force "
                "({remedy})."
            ).format(number=credential["id_number"], status=status_name(credential["status"]), remedy=remedy)
        )
    if not credential["qr"]:
        raise NotFound(
            _("Credential {credential} was issued elsewhere; reissue it here.").format(
                credential=bytes(credential["credential_id"]).hex()
            )
        )
    rows = list(office.db.query("SELECT * FROM citizens WHERE id_number = ?", [credential["id_number"]]))
    if not rows:
        raise NotFound(
            _("No citizen with ID number {number} in this office's registry.").format(number=credential["id_number"])
        )
    citizen = rows[0]
    return CardData(
        authority_name=office.authority()["name"],
        office_name=office.local_office()["name"],
        country=country_of(office),
        family_name=citizen["family_name"],
        given_name=citizen["given_name"],
        latin_family=citizen["latin_family"],
        latin_given=citizen["latin_given"],
        id_number=citizen["id_number"],
        document_number=document_number(bytes(credential["credential_id"])),
        birth_date=date.fromisoformat(citizen["birth_date"]),
        sex=citizen["sex"],
        issued=date.fromisoformat(credential["issued_at"][:10]),
        expires=date.fromisoformat(credential["expires_at"][:10]),
        photo=bytes(citizen["photo"]) if citizen["photo"] is not None else None,
        qr_text=credential["qr"],
        verifier_url=truth.signed_setting(office, "verifier_url", "").strip()
        or None,  # issue 14: the back's "Check this card at"
    )


def check_offsets(offset_mm: tuple[float, float]) -> tuple[float, float]:
    """Printer offsets must be small: a bigger shift means a wrong paper setting, not calibration."""
    for axis, value in zip(("offset-x", "offset-y"), offset_mm, strict=True):
        if not -MAX_OFFSET_MM <= value <= MAX_OFFSET_MM:
            raise ValidationError(
                axis,
                _("The printer offset {value} mm is out of range (±{limit:g} mm); check the paper setting.").format(
                    value=value, limit=MAX_OFFSET_MM
                ),
            )
    return offset_mm


def card_pdf(
    session: Session,
    targets: Sequence[str],
    *,
    sheet: Sheet = "id1",
    back: bool = False,
    offset_mm: tuple[float, float] | None = None,
    printer: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    renderer: Callable[..., bytes] = render_cards,
) -> bytes:
    """The PDF of the cards of `targets` (ID numbers or credential ids).

    Offsets: explicit `offset_mm` wins; else the stored offsets of `printer`; else none. `renderer` is
    `cards.render_cards` or a stand-in with its signature (the GUI renders in a child process, so that the
    pure-Python rendering does not compete with its GUI thread for the GIL).
    """
    session.require(Permission.CARD_PRINT)
    if not targets:
        raise ValidationError("target", _("Name at least one person (ID number) whose card to print."))
    if len(targets) > MAX_CARDS:
        raise ValidationError("target", _("At most {limit} cards per PDF; split the batch.").format(limit=MAX_CARDS))
    if offset_mm is None:
        offset_mm = printer_offsets(session, printer) if printer else (0.0, 0.0)
    offsets = check_offsets(offset_mm)
    cards = [card_data(session, target) for target in targets]
    pdf = renderer(cards, sheet=sheet, back=back, offset_mm=offsets, progress=progress, cancel=cancel)
    with transaction(session.office.db) as conn:
        events.audit(
            conn,
            now=session.office.clock(),
            officer=session.username,
            action="card.print",
            outcome="ok",
            detail=f"{len(cards)} card(s) on {sheet}: "
            + ", ".join(c.id_number for c in cards[:20])
            + (" …" if len(cards) > 20 else ""),
        )
    return pdf


def printer_offsets(session: Session, printer: str) -> tuple[float, float]:
    """The stored calibration of a printer.

    Raises:
        NotFound: the printer was never calibrated (printing uncalibrated by mistake wastes card stock).
    """
    session.require(Permission.CARD_PRINT)
    name = " ".join(printer.split())
    row = session.office.db.execute("SELECT offset_x, offset_y FROM printers WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(
            _(
                "No calibration stored for the printer {name!r}; store one with `printer set`, or give "
                "--offset-x/--offset-y."
            ).format(name=name)
        )
    return float(row[0]), float(row[1])


def set_printer_offsets(session: Session, printer: str, offset_mm: tuple[float, float]) -> dict[str, Any]:
    """Store a printer's calibration (mm right and down), applied to every sheet printed on it."""
    session.require(Permission.CARD_PRINT)
    name = " ".join(printer.split())
    if not name or len(name) > 200:
        raise ValidationError("printer", _("Give the printer's name (1–200 characters)."))
    x, y = check_offsets(offset_mm)
    with transaction(session.office.db) as conn:
        conn.execute(
            "INSERT INTO printers (name, offset_x, offset_y) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET offset_x = excluded.offset_x, offset_y = excluded.offset_y",
            (name, x, y),
        )
        events.audit(
            conn,
            now=session.office.clock(),
            officer=session.username,
            action="printer.calibrate",
            outcome="ok",
            detail=f"{name}: {x:+.1f} mm, {y:+.1f} mm",
        )
    return {"printer": name, "offset_x": x, "offset_y": y}


def list_printers(session: Session) -> list[dict[str, Any]]:
    """Calibrated printers."""
    session.require(Permission.CARD_PRINT)
    return [
        dict(r)
        for r in session.office.db.query("SELECT name AS printer, offset_x, offset_y FROM printers ORDER BY name")
    ]
