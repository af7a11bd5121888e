"""Audit details in words, in the active language.

The services write each audit entry's detail as a short English record (``issued 61751b43… to 8495793651``,
``role clerk lacks request.decide (3)``, ``lockout_threshold = 7``): it is stored and exported as written, and
where the entry is an event it is signed, so it never changes. People read it through `describe`, which
recognises the forms the services write and says them as a sentence of the active catalogue (console/core/
i18n.py): credential ids become the card numbers printed on the cards, setting keys and permission codes
become words. A detail in no known form (a later service's) is shown as stored.

Pure and cheap (a few regular expressions): the audit screen calls it for each visible cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from console.core.i18n import _

_CID = r"[0-9a-f]{32}"


def card_number(credential_id_hex: str) -> str:
    """The card number printed on the card for a credential id in hex (as `cardservice.document_number`)."""
    return credential_id_hex[:9].upper()


def actor_name(officer: str) -> str:
    """Who an audit entry names: an officer's username as stored, or the set-up actors in words (the authority
    that enrols offices, ``office:<code>`` for an office signing its own enrolment)."""
    if officer == "authority":
        return _("the issuing authority")
    if officer.startswith("office:"):
        return _("office {code}").format(code=officer.removeprefix("office:"))
    return officer


def _role(code: str) -> str:
    return {
        "clerk": _("clerk"),
        "supervisor": _("supervisor"),
        "administrator": _("administrator"),
        "auditor": _("auditor"),
    }.get(code, code)


def permission_words(code: str) -> str:
    """What a permission code (``request.decide``) allows, in words."""
    return {
        "citizen.register": _("register citizens"),
        "citizen.read": _("read the registry"),
        "credential.issue": _("issue credentials"),
        "card.print": _("print cards"),
        "request.create": _("make requests"),
        "request.read": _("read requests"),
        "request.decide": _("decide requests"),
        "review.decide": _("decide held registrations"),
        "officer.manage": _("manage officers"),
        "officer.read": _("read officers"),
        "key.manage": _("manage keys"),
        "audit.read": _("read the audit trail"),
        "sync.configure": _("choose the shared ledger folder"),
        "sync.run": _("synchronise the ledger"),
        "ledger.verify": _("verify the ledger"),
    }.get(code, code)


def _setting(key: str) -> str:
    return {
        "lockout_threshold": _("Wrong passwords before an account locks"),
        "lockout_minutes": _("Minutes an account stays locked"),
        "session_idle_minutes": _("Idle minutes before the console locks"),
        "country": _("Country of issuance"),
        "card_valid_years": _("Years a card is valid"),
        "verifier_url": _("Verifier URL"),
    }.get(key, key)


def _request_kind(action: str) -> str:
    return {"revoke": _("revoke"), "suspend": _("suspend"), "reinstate": _("reinstate")}.get(action, action)


def _status(status: str) -> str:
    return {
        "active": _("active"),
        "suspended": _("suspended"),
        "revoked": _("revoked"),
        "superseded": _("superseded"),
    }.get(status, status)


def _local_time(stamp: str) -> str:
    """An ISO time as this computer's local ``2026-12-03 10:30`` (as the screens write times)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _cards(hex_list: str) -> str:
    return ", ".join(card_number(h.strip()) for h in hex_list.split(","))


def _setting_changed(m: re.Match[str]) -> str:
    if not m["value"]:
        return _("{setting}: cleared.").format(setting=_setting(m["key"]))
    return _("{setting}: {value}.").format(setting=_setting(m["key"]), value=m["value"])


def _issued(m: re.Match[str]) -> str:
    if m["old"]:
        return _("Card {card} issued to {number}, replacing card {old}.").format(
            card=card_number(m["cid"]), number=m["number"], old=_cards(m["old"])
        )
    return _("Card {card} issued to {number}.").format(card=card_number(m["cid"]), number=m["number"])


def _refused(m: re.Match[str]) -> str:
    text = _("A {role} may not {what}.").format(role=_role(m["role"]), what=permission_words(m["permission"]))
    if m["target"]:
        text += " " + _("(Asked for: {target})").format(target=m["target"])
    return text


_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(rf"issued (?P<cid>{_CID}) to (?P<number>\S+?)(?:, superseding (?P<old>[0-9a-f, ]+))?"),
        _issued,
    ),
    (
        re.compile(r"issued (?P<count>\d+) credentials: (?P<numbers>.*)"),
        lambda m: _("{count} cards issued: {numbers}").format(count=m["count"], numbers=m["numbers"]),
    ),
    (
        re.compile(rf"request (?P<id>\d+): (?P<kind>\w+) (?P<cid>{_CID}): (?P<reason>.*)", re.S),
        lambda m: _("Request {request}: {kind} card {card}. Reason: {reason}").format(
            request=m["id"], kind=_request_kind(m["kind"]), card=card_number(m["cid"]), reason=m["reason"]
        ),
    ),
    (
        re.compile(rf"request (?P<id>\d+) approved: (?P<cid>{_CID}) is (?P<status>\S+)"),
        lambda m: _("Request {request} approved: card {card} is now {status}.").format(
            request=m["id"], card=card_number(m["cid"]), status=_status(m["status"])
        ),
    ),
    (
        re.compile(r"request (?P<id>\d+) rejected: (?P<note>.*)", re.S),
        lambda m: _("Request {request} rejected: {note}").format(request=m["id"], note=m["note"]),
    ),
    (
        re.compile(r"registered (?P<number>\S+)"),
        lambda m: _("Registered with ID number {number}.").format(number=m["number"]),
    ),
    (
        re.compile(r"imported (?P<registered>\d+), held (?P<held>\d+) for review"),
        lambda m: _("{registered} registered, {held} held for review.").format(
            registered=m["registered"], held=m["held"]
        ),
    ),
    (
        re.compile(r"review (?P<id>\d+): (?P<count>\d+) possible duplicate\(s\)"),
        lambda m: _("Held for review (no. {review}): {count} possible duplicate(s).").format(
            review=m["id"], count=m["count"]
        ),
    ),
    (
        re.compile(r"review (?P<id>\d+) accepted: registered (?P<number>\S+)"),
        lambda m: _("Review no. {review} accepted: registered with ID number {number}.").format(
            review=m["id"], number=m["number"]
        ),
    ),
    (
        re.compile(r"review (?P<id>\d+) rejected"),
        lambda m: _("Review no. {review} rejected as a duplicate.").format(review=m["id"]),
    ),
    (
        re.compile(r"enrolled office (?P<code>\S+) in slot (?P<slot>\d+) \(by (?P<by>[^)]+)\)"),
        lambda m: _("Office {code} enrolled (number {slot}) by {user}.").format(
            code=m["code"], slot=m["slot"], user=m["by"]
        ),
    ),
    (
        re.compile(r"enrolled (?P<user>\S+) as (?P<role>\w+)"),
        lambda m: _("Officer {user} added as {role}.").format(user=m["user"], role=_role(m["role"])),
    ),
    (re.compile(r"disabled (?P<user>\S+)"), lambda m: _("Officer {user} disabled.").format(user=m["user"])),
    (
        re.compile(r"password reset for (?P<user>\S+)"),
        lambda m: _("Password of {user} reset.").format(user=m["user"]),
    ),
    (re.compile(r"unlocked (?P<user>\S+)"), lambda m: _("Officer {user} unlocked.").format(user=m["user"])),
    (re.compile(r"by (?P<user>\S+)"), lambda m: _("By {user}.").format(user=m["user"])),
    (
        re.compile(r"new office key (?P<kid>[0-9a-f]+)"),
        lambda m: _("New office key {key}.").format(key=m["kid"]),
    ),
    (
        re.compile(r"(?P<key>[a-z_]+) = (?P<value>.*)"),
        _setting_changed,
    ),
    (
        re.compile(r"(?P<count>\d+) card\(s\) on (?P<sheet>\w+): (?P<numbers>.*)"),
        lambda m: (
            _("{count} card(s) on A4 sheets: {numbers}")
            if m["sheet"] == "a4"
            else _("{count} card(s) on card stock: {numbers}")
        ).format(count=m["count"], numbers=m["numbers"]),
    ),
    (
        re.compile(r"(?P<printer>.+): (?P<x>[+-][\d.]+) mm, (?P<y>[+-][\d.]+) mm"),
        lambda m: _("Printer {printer}: cards moved {x} mm across and {y} mm down.").format(
            printer=m["printer"], x=m["x"], y=m["y"]
        ),
    ),
    (
        re.compile(r"(?P<count>\d+) entries"),
        lambda m: _("{count} entries exported.").format(count=m["count"]),
    ),
    (
        re.compile(r"(?P<count>\d+) key\(s\) from (?P<source>.+) for (?P<issuers>.*)", re.S),
        lambda m: _("{count} key(s) of other issuers imported from {source}: {issuers}").format(
            count=m["count"], source=_("a file") if m["source"] == "a file" else m["source"], issuers=m["issuers"]
        ),
    ),
    (
        re.compile(r"ledger folder (?P<folder>.+)", re.S),
        lambda m: _("Shared ledger folder: {folder}").format(folder=m["folder"]),
    ),
    (
        re.compile(r"key backup of office (?P<code>\S+) at log size (?P<size>\d+)"),
        lambda m: _("Key backup of office {code}, at {size} log entries.").format(code=m["code"], size=m["size"]),
    ),
    (
        re.compile(r"role (?P<role>\w+) lacks (?P<permission>[a-z.]+)(?: \((?P<target>.*)\))?", re.S),
        _refused,
    ),
    (
        re.compile(r"own request (?P<id>\d+)"),
        lambda m: _("Request {request} was made by this officer; another must decide it.").format(request=m["id"]),
    ),
    (
        re.compile(r"own registration (?P<id>\d+)"),
        lambda m: _("Registration no. {review} was entered by this officer; another must decide it.").format(
            review=m["id"]
        ),
    ),
    (re.compile(r"account disabled"), lambda m: _("The account is disabled.")),
    (re.compile(r"account locked"), lambda m: _("The account is locked.")),
    (
        re.compile(r"locked until (?P<until>\S+)"),
        lambda m: _("Locked until {time}.").format(time=_local_time(m["until"])),
    ),
    (re.compile(r"office secrets wrapped to officers"), lambda m: _("Office keys made available to the officers.")),
]


def describe(detail: str) -> str:
    """The detail of an audit entry as a sentence in the active language; unknown forms as stored."""
    if not detail:
        return ""
    for pattern, render in _FORMS:
        match = pattern.fullmatch(detail)
        if match:
            return render(match)
    return detail
