"""`card` and `printer …`: printing cards and calibrating printers."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.common import UsageError, add_as, add_json, emit, session_for, table, write_output
from console.cli.safety import finite_number
from console.core import cardservice


def register(sub: Any) -> None:
    p = sub.add_parser("card", help="render the card(s) of the credential in force as a PDF")
    add_as(p)
    p.add_argument("targets", nargs="+", metavar="TARGET", help="ID number or credential id (several for a sheet)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--sheet", choices=["id1", "a4"], default="id1", help="id1: one card per page; a4: 10 per sheet")
    p.add_argument("--offset-x", type=finite_number, metavar="MM", help="printer calibration: shift right (mm)")
    p.add_argument("--offset-y", type=finite_number, metavar="MM", help="printer calibration: shift down (mm)")
    p.add_argument("--printer", metavar="NAME", help="apply the stored calibration of this printer")
    p.add_argument("--back", action="store_true", help="also print the backs (MRZ)")
    add_json(p)
    p.set_defaults(handler=cmd_card)

    printer = sub.add_parser("printer", help="printer calibration").add_subparsers(
        dest="printer_command", required=True
    )
    p = printer.add_parser("set", help="store a printer's offsets in mm")
    add_as(p)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--offset-x", type=finite_number, required=True, metavar="MM")
    p.add_argument("--offset-y", type=finite_number, required=True, metavar="MM")
    add_json(p)
    p.set_defaults(handler=cmd_printer_set)
    p = printer.add_parser("list", help="calibrated printers")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_printer_list)


def cmd_card(args: argparse.Namespace) -> int:
    if (args.offset_x is None) != (args.offset_y is None):
        raise UsageError("Give both --offset-x and --offset-y, or neither.")
    offsets = (args.offset_x, args.offset_y) if args.offset_x is not None else None
    session = session_for(args)
    pdf = cardservice.card_pdf(
        session, args.targets, sheet=args.sheet, back=args.back, offset_mm=offsets, printer=args.printer
    )
    out = write_output(args, args.out, pdf, magic=b"%PDF", kind="PDF")
    emit(
        args,
        {"out": str(out), "cards": len(args.targets), "sheet": args.sheet, "bytes": len(pdf)},
        f"Wrote {len(args.targets)} card(s) to {out} ({len(pdf):,} bytes).",
    )
    return 0


def cmd_printer_set(args: argparse.Namespace) -> int:
    result = cardservice.set_printer_offsets(session_for(args), args.name, (args.offset_x, args.offset_y))
    emit(
        args,
        result,
        f"Printer {result['printer']}: {result['offset_x']:+.1f} mm right, {result['offset_y']:+.1f} mm down.",
    )
    return 0


def cmd_printer_list(args: argparse.Namespace) -> int:
    rows = cardservice.list_printers(session_for(args))
    emit(args, rows, lambda: table(rows, ["printer", "offset_x", "offset_y"]))
    return 0
