"""`init`, `user …`, `whoami`, `audit`, `key rotate`: the office and its officers."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.common import (
    UsageError,
    add_as,
    add_json,
    data_dir,
    emit,
    kdf_limits,
    open_office,
    read_password,
    session_for,
    table,
    token_pin,
)
from console.cli.safety import whole_number
from console.core import officers, site
from console.core.accounts import Session
from console.core.roles import Permission
from console.core.setup import SCHEMES, OfficeSetup, check_before_setup, init_office


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="set up a new office (authority keys, office key, first administrator)")
    # required unless --join (ledger issue: an enrolled office gets them from its enrolment file)
    p.add_argument("--authority-name")
    p.add_argument("--authority-domain")
    p.add_argument("--office-code")
    p.add_argument("--office-name")
    p.add_argument("--scheme", choices=SCHEMES)
    p.add_argument("--join", metavar="FILE", help="set up an office enrolled with `office add` (its enrolment file)")
    p.add_argument("--region", help="cn-18: the office's GB/T 2260 county code (its numbering partition)")
    p.add_argument("--admin", required=True, metavar="USER", help="username of the first administrator")
    p.add_argument("--admin-full-name", default="", help="the administrator's full name")
    add_json(p)
    p.set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="manage officers").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("add", help="enrol an officer (password from ID_CONSOLE_NEW_PASSWORD or a prompt)")
    add_as(p)
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["clerk", "supervisor", "administrator", "auditor"])
    p.add_argument("--full-name", required=True)
    add_json(p)
    p.set_defaults(handler=cmd_user_add)
    p = user.add_parser("list", help="list officers")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_user_list)
    p = user.add_parser("disable", help="disable an officer: no more logins, keystore destroyed")
    add_as(p)
    p.add_argument("username")
    add_json(p)
    p.set_defaults(handler=cmd_user_disable)
    p = user.add_parser("passwd", help="change your password, or (administrators) reset another officer's")
    add_as(p)
    p.add_argument("--username", help="the officer whose password an administrator resets (default: yourself)")
    add_json(p)
    p.set_defaults(handler=cmd_user_passwd)

    p = user.add_parser("unlock", help="lift a lockout after wrong passwords (administrators)")
    add_as(p)
    p.add_argument("username")
    add_json(p)
    p.set_defaults(handler=cmd_user_unlock)

    settings = sub.add_parser("settings", help="office security settings").add_subparsers(
        dest="settings_command", required=True
    )
    p = settings.add_parser("show", help="lockout and session settings in force")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_settings_show)
    p = settings.add_parser("set", help="change a setting (administrators)")
    add_as(p)
    p.add_argument("key", choices=[*sorted(officers.SETTINGS), site.VERIFIER_URL_SETTING])
    p.add_argument("value", help="a number; for verifier_url an https URL ('' clears it)")
    add_json(p)
    p.set_defaults(handler=cmd_settings_set)

    p = sub.add_parser("whoami", help="show the acting officer, role and permissions")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_whoami)

    p = sub.add_parser("audit", help="show the audit trail (events, logins, refusals)")
    add_as(p)
    p.add_argument(
        "--limit", type=whole_number, help="how many entries, newest first (default: 50 shown, all exported)"
    )
    p.add_argument(
        "--out",
        metavar="FILE.csv.age",
        help="write the entries as a CSV encrypted under a passphrase (ID_CONSOLE_EXPORT_PASSPHRASE or a prompt)",
    )
    add_json(p)
    p.set_defaults(handler=cmd_audit)

    key = sub.add_parser("key", help="office keys").add_subparsers(dest="key_command", required=True)
    p = key.add_parser("rotate", help="retire the office signing key and certify a new one")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_key_rotate)
    p = key.add_parser(
        "move-to-token",
        help="generate the office key inside a PKCS#11 token (smart card, HSM, TPM); PIN from ID_CONSOLE_TOKEN_PIN",
    )
    add_as(p)
    p.add_argument("--module", required=True, metavar="PATH", help="the token's PKCS#11 module (a .so file)")
    p.add_argument("--token", required=True, metavar="LABEL", help="the token's label")
    add_json(p)
    p.set_defaults(handler=cmd_key_move_to_token)


def cmd_init(args: argparse.Namespace) -> int:
    if args.join:
        from console.cli.offices import cmd_init_join

        return cmd_init_join(args)
    missing = [
        f"--{name.replace('_', '-')}"
        for name in ("authority_name", "authority_domain", "office_code", "office_name", "scheme")
        if getattr(args, name) is None
    ]
    if missing:
        raise UsageError(f"init needs {', '.join(missing)} (or --join FILE for an enrolled office).")
    folder = data_dir(args)
    check_before_setup(folder, _setup(args, password=None))
    password = read_password("ID_CONSOLE_PASSWORD", f"New password for {args.admin}: ", who=args.admin, confirm=True)
    init_office(folder, _setup(args, password), kdf=kdf_limits())
    emit(
        args,
        {"data_dir": str(folder), "office": args.office_code, "scheme": args.scheme, "admin": args.admin},
        f"Office {args.office_code} set up in {folder}; administrator {args.admin} can log in.",
    )
    return 0


def _setup(args: argparse.Namespace, password: str | None) -> OfficeSetup:
    return OfficeSetup(
        authority_name=args.authority_name,
        authority_domain=args.authority_domain,
        office_code=args.office_code,
        office_name=args.office_name,
        scheme=args.scheme,
        admin_username=args.admin,
        admin_full_name=args.admin_full_name,
        admin_password=password or "",
        region=args.region,
    )


def cmd_user_add(args: argparse.Namespace) -> int:
    session = session_for(args)
    session.require(Permission.OFFICER_MANAGE, args.username)  # before asking for a password to no end
    password = read_password(
        "ID_CONSOLE_NEW_PASSWORD", f"First password for {args.username}: ", who=args.username, confirm=True
    )
    result = officers.add_officer(
        session, username=args.username, role=args.role, full_name=args.full_name, password=password
    )
    emit(args, result, f"Enrolled {args.username} as {args.role}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    rows = officers.list_officers(session_for(args))
    emit(args, rows, lambda: table(rows, ["username", "role", "status", "full_name", "last_login", "locked_until"]))
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    officers.disable_officer(session_for(args), args.username)
    emit(args, {"username": args.username, "status": "disabled"}, f"Disabled {args.username}.")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    session = session_for(args)
    target = args.username or session.username
    if target != session.username:
        session.require(Permission.OFFICER_MANAGE, target)
    new = read_password("ID_CONSOLE_NEW_PASSWORD", f"New password for {target}: ", who=target, confirm=True)
    if target == session.username:
        officers.change_password(session, new)
    else:
        officers.reset_password(session, target, new)
    emit(args, {"username": target, "password_changed": True}, f"Password of {target} changed.")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    info = session_for(args).describe()
    emit(
        args,
        info,
        lambda: (
            f"{info['username']} ({info['full_name']}), {info['role']} at {info['office']} {info['office_name']}\n"
            f"may: {', '.join(info['permissions'])}"
        ),
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    if args.out is not None:  # issue 17: the export holds personal data, so it is encrypted
        from console.cli.exports import write_audit

        return write_audit(args)
    rows = officers.audit_trail(session_for(args), limit=args.limit or 50)
    emit(args, rows, lambda: table(rows, ["time", "officer", "action", "outcome", "detail"]))
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    office = open_office(args)
    result = officers.rotate_office_key(session_for(args, office))
    emit(args, result, f"New office key {result['kid']} in force from {result['valid_from']}.")
    return 0


def cmd_key_move_to_token(args: argparse.Namespace) -> int:
    from console.core import keytoken

    office = open_office(args)
    result = keytoken.move_to_token(session_for(args, office), args.module, args.token, token_pin)
    emit(
        args,
        result,
        f"New office key {result['kid']} generated in token {result['token']!r}, in force from {result['valid_from']}; "
        "from now on the token signs for the office (its PIN from ID_CONSOLE_TOKEN_PIN or a prompt).",
    )
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    officers.unlock_officer(session_for(args), args.username)
    emit(args, {"username": args.username, "locked": False}, f"{args.username} may log in again.")
    return 0


def _settings(session: Session) -> dict[str, int | str | None]:
    values: dict[str, int | str | None] = dict(officers.office_settings(session))
    values[site.VERIFIER_URL_SETTING] = site.verifier_url(session.office)  # printed on the card's back
    return values


def cmd_settings_show(args: argparse.Namespace) -> int:
    values = _settings(session_for(args))
    meaning = {k: v[2] for k, v in officers.SETTINGS.items()} | {
        site.VERIFIER_URL_SETTING: "printed on cards: Check this card at <URL>"
    }
    emit(args, values, lambda: "\n".join(f"{k:22s} {v}   ({meaning[k]})" for k, v in values.items()))
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    session = session_for(args)
    if args.key == site.VERIFIER_URL_SETTING:
        site.set_verifier_url(session, args.value)
    else:
        try:
            number = whole_number(args.value)
        except argparse.ArgumentTypeError as e:
            raise UsageError(f"{args.key} takes a whole number: {e}.") from None
        officers.set_office_setting(session, args.key, number)
    values = _settings(session)
    emit(args, values, f"{args.key} = {values[args.key]}")
    return 0
