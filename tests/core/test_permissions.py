"""Every permission-checking service, called by every role, through the real services.

The expected role × permission table is written out below by hand (EXPECTED), never read from
`console.core.roles`: a matrix that grants a clerk `audit.read` by mistake fails here. For every service in
SERVICES and every role:

- allowed: the call works (a writer changes the tables or keystores, or audits what it did; a reader changes
  nothing);
- refused: `PermissionDenied` naming the role, nothing changed (every table but the audit trail, every keystore
  and sealed key file compared byte for byte), and exactly one refusal by that officer in the audit trail.

`test_every_writer_is_guarded_or_exempt` reads the source of every `console.core` module: a public function
that opens a write transaction, appends an event or writes key material must be a row of SERVICES (so the
role tests above prove it checks a permission) or be in UNGUARDED_WRITERS with the reason it needs no check.
A new service therefore needs one row here; a new unguarded writer fails the suite.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib
import inspect
import itertools
import json
import pkgutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.signing
import pytest

import console.core
from console.core import (
    accounts,
    administration,
    atrest,
    cardservice,
    enrolment,
    foreigntrust,
    issuance,
    keytoken,
    ledgerverify,
    officers,
    rebuild,
    registry,
    requests,
    site,
)
from console.core.accounts import Session, login
from console.core.errors import InvalidPassword, PermissionDenied, StorageError
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.roles import MATRIX, Permission, Role
from console.node import sync as ledger_sync
from tests import softhsm

# --- the expected matrix, by hand (DESIGN §1) ----------------------------------------------------------------

_CLERK = {
    "citizen.register",
    "citizen.read",
    "credential.issue",
    "card.print",
    "request.create",
    "request.read",
    "sync.run",  # the console syncs the shared ledger while a clerk works (ledger issue)
}
EXPECTED: dict[str, set[str]] = {
    # registers, issues, prints, asks for revocations; decides nothing, manages nobody, reads no audit trail
    "clerk": _CLERK,
    # a clerk's work plus the decisions (four-eyes is checked on top, not by the matrix)
    "supervisor": _CLERK | {"request.decide", "review.decide"},
    # officers, keys and the audit trail; never registers or issues
    "administrator": {
        "officer.manage",
        "officer.read",
        "key.manage",
        "audit.read",
        "sync.configure",
        "sync.run",
        "ledger.verify",
    },
    # reads, changes nothing
    "auditor": {"citizen.read", "request.read", "officer.read", "audit.read", "ledger.verify"},
}
USER_OF_ROLE = {"clerk": "clerk", "supervisor": "super", "administrator": "admin", "auditor": "auditor"}


def test_matrix_is_the_expected_table() -> None:
    """The code's matrix equals the table written out above, cell by cell (the GUI and docs read MATRIX)."""
    assert {role.value for role in Role} == set(EXPECTED)
    assert {p.value for p in Permission} >= set().union(*EXPECTED.values())
    for role in Role:
        assert {p.value for p in MATRIX[role]} == EXPECTED[role.value], role


# --- the services --------------------------------------------------------------------------------------------

_counter = itertools.count()
SessionOf = Callable[[str], Session]


def _person(n: int) -> PersonInput:
    return PersonInput(
        "Tamm", f"Mari{'abcdefghijklmnop'[n % 16]}", f"19{60 + n % 30}-0{1 + n % 9}-1{n % 9}", "F", "EST"
    )


def _nothing(_: SessionOf) -> None:
    return None


def _registered(session_of: SessionOf) -> str:
    return str(registry.register(session_of("clerk2"), _person(next(_counter)))["id_number"])


def _issued(session_of: SessionOf) -> str:
    number = _registered(session_of)
    issuance.issue(session_of("clerk2"), number)
    return number


def _two_registered(session_of: SessionOf) -> list[str]:
    return [_registered(session_of), _registered(session_of)]


def _pending_request(session_of: SessionOf) -> int:
    return int(requests.create_request(session_of("clerk2"), "suspend", _issued(session_of), "lost")["request_id"])


def _pending_review(session_of: SessionOf) -> int:
    clerk2 = session_of("clerk2")
    person = _person(next(_counter))
    registry.register(clerk2, person)
    return int(registry.register(clerk2, person)["review_id"])


def _victim(session_of: SessionOf) -> str:
    """A fresh clerk to disable or reset (never one of the officers the test logs in)."""
    username = f"victim{next(_counter)}"
    officers.add_officer(
        session_of("admin"), username=username, role="clerk", full_name="Vic Tim", password="victim-pass-4242"
    )
    return username


def _locked_out(session_of: SessionOf) -> str:
    """An officer with a wrong password counted against them, so that unlocking changes something."""
    username = _victim(session_of)
    office = session_of("admin").office
    with pytest.raises(InvalidPassword):
        login(office, username, "not-the-password")
    return username


def _later(session_of: SessionOf) -> None:
    """Key rotation refuses to replace a key certified in the same second: let the (fake) clock move on."""
    session_of("admin").office.clock.advance(seconds=5)  # type: ignore[attr-defined]


def _calibrated(session_of: SessionOf) -> str:
    cardservice.set_printer_offsets(session_of("clerk2"), "Evolis Primacy", (0.5, -0.5))
    return "Evolis Primacy"


def _empty_folder(session_of: SessionOf) -> Path:
    """A fresh folder outside the data directory (a ledger folder, an export target)."""
    return Path(tempfile.mkdtemp(prefix="perm-"))


def _backup_left(session_of: SessionOf) -> Path:
    """The encrypted backup `db encrypt` leaves beside office.db (its bytes do not matter to the delete)."""
    backup = atrest.backup_path(session_of("admin").office.paths.data_dir)
    backup.write_bytes(b"an encrypted copy of the office database")
    return backup


def _token_ready(session_of: SessionOf) -> None:
    """SoftHSM2's token for `key move-to-token` (tests/softhsm.py), a moment after the last key change."""
    softhsm.process_token()
    _later(session_of)


def _encrypt_again(session: Session, _: object) -> None:
    """Offices start encrypted, so an allowed `db encrypt` gets past its permission check and stops at the
    registry being encrypted already (the move itself is tested in tests/security/test_at_rest.py)."""
    with pytest.raises(StorageError, match="already encrypted"):
        atrest.encrypt_office(session)


def _foreign_jwks(n: int) -> bytes:
    """Another authority's JWKS with one fresh Ed25519 key (`trust import`)."""
    public = bytes(nacl.signing.SigningKey.generate().verify_key)
    x = base64.urlsafe_b64encode(public).rstrip(b"=").decode()
    return json.dumps(
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "iss": f"https://other{n}.example/A"}]}
    ).encode()


@dataclass(frozen=True)
class Service:
    """One permission-checking service: the permission it needs, how to set up its target, how to call it."""

    function: Callable[..., Any]
    permission: str
    prepare: Callable[[SessionOf], Any]
    call: Callable[[Session, Any], object]
    writes: bool

    @property
    def name(self) -> str:
        return f"{self.function.__module__.rsplit('.', 1)[-1]}.{self.function.__qualname__}"


# One row per service. A branch that adds a service adds its row here.
SERVICES: list[Service] = [
    # officers
    Service(
        officers.add_officer,
        "officer.manage",
        _nothing,
        lambda s, _: officers.add_officer(
            s, username=f"new{next(_counter)}", role="clerk", full_name="New Clerk", password="new-clerk-pass-1"
        ),
        True,
    ),
    Service(officers.disable_officer, "officer.manage", _victim, officers.disable_officer, True),
    Service(
        officers.reset_password,
        "officer.manage",
        _victim,
        lambda s, user: officers.reset_password(s, user, "fresh-password-9876"),
        True,
    ),
    Service(officers.unlock_officer, "officer.manage", _locked_out, officers.unlock_officer, True),
    Service(
        officers.set_office_setting,
        "officer.manage",
        _nothing,
        lambda s, _: officers.set_office_setting(s, "lockout_threshold", 7),
        True,
    ),
    Service(officers.list_officers, "officer.read", _nothing, lambda s, _: officers.list_officers(s), False),
    Service(officers.office_settings, "officer.read", _nothing, lambda s, _: officers.office_settings(s), False),
    Service(officers.rotate_office_key, "key.manage", _later, lambda s, _: officers.rotate_office_key(s), True),
    Service(officers.audit_trail, "audit.read", _nothing, lambda s, _: officers.audit_trail(s), False),
    # registry
    Service(
        registry.register,
        "citizen.register",
        _nothing,
        lambda s, _: registry.register(s, _person(next(_counter))),
        True,
    ),
    Service(
        registry.register_batch,
        "citizen.register",
        _nothing,
        lambda s, _: registry.register_batch(s, [_person(next(_counter)), _person(next(_counter))]),
        True,
    ),
    Service(registry.show, "citizen.read", _registered, registry.show, False),
    Service(registry.photo_of, "citizen.read", _registered, registry.photo_of, False),
    Service(registry.search, "citizen.read", _registered, lambda s, number: registry.search(s, number), False),
    Service(registry.list_citizens, "citizen.read", _registered, lambda s, _: registry.list_citizens(s), False),
    Service(registry.count_citizens, "citizen.read", _registered, lambda s, _: registry.count_citizens(s), False),
    Service(registry.list_reviews, "citizen.read", _pending_review, lambda s, _: registry.list_reviews(s), False),
    Service(registry.accept_review, "review.decide", _pending_review, registry.accept_review, True),
    Service(
        registry.reject_review,
        "review.decide",
        _pending_review,
        lambda s, rid: registry.reject_review(s, rid, "same person"),
        True,
    ),
    # issuance
    Service(issuance.issue, "credential.issue", _registered, issuance.issue, True),
    Service(issuance.issue_batch, "credential.issue", _two_registered, issuance.issue_batch, True),
    Service(issuance.credentials_of, "citizen.read", _issued, issuance.credentials_of, False),
    Service(issuance.current_credential, "citizen.read", _issued, issuance.current_credential, False),
    # requests
    Service(
        requests.create_request,
        "request.create",
        _issued,
        lambda s, number: requests.create_request(s, "revoke", number, "fraud"),
        True,
    ),
    Service(requests.list_requests, "request.read", _pending_request, lambda s, _: requests.list_requests(s), False),
    Service(requests.approve, "request.decide", _pending_request, requests.approve, True),
    Service(requests.reject, "request.decide", _pending_request, lambda s, rid: requests.reject(s, rid, "no"), True),
    # cards and printers
    Service(cardservice.card_data, "card.print", _issued, cardservice.card_data, False),
    Service(cardservice.card_pdf, "card.print", _issued, lambda s, number: cardservice.card_pdf(s, [number]), True),
    Service(
        cardservice.set_printer_offsets,
        "card.print",
        _nothing,
        lambda s, _: cardservice.set_printer_offsets(s, "Zebra ZC300", (1.0, 0.5)),
        True,
    ),
    Service(cardservice.printer_offsets, "card.print", _calibrated, cardservice.printer_offsets, False),
    Service(cardservice.list_printers, "card.print", _calibrated, lambda s, _: cardservice.list_printers(s), False),
    # administration screens (issue 13)
    Service(
        administration.card_validity, "credential.issue", _nothing, lambda s, _: administration.card_validity(s), False
    ),
    Service(
        administration.issuing_settings,
        "officer.read",
        _nothing,
        lambda s, _: administration.issuing_settings(s),
        False,
    ),
    Service(
        administration.set_country, "officer.manage", _nothing, lambda s, _: administration.set_country(s, "EST"), True
    ),
    Service(
        administration.set_card_validity,
        "officer.manage",
        _nothing,
        lambda s, _: administration.set_card_validity(s, 5),
        True,
    ),
    Service(administration.office_keys, "key.manage", _nothing, lambda s, _: administration.office_keys(s), False),
    Service(administration.audit_actions, "audit.read", _nothing, lambda s, _: administration.audit_actions(s), False),
    Service(
        administration.audit_officers, "audit.read", _nothing, lambda s, _: administration.audit_officers(s), False
    ),
    Service(administration.search_audit, "audit.read", _nothing, lambda s, _: administration.search_audit(s), False),
    Service(
        administration.export_audit,
        "audit.read",
        _empty_folder,
        lambda s, folder: administration.export_audit(
            s, None, folder / "audit.csv.age", "a passphrase of 28 characters"
        ),
        True,
    ),
    # registry streaming import (issue 12)
    Service(
        registry.register_stream,
        "citizen.register",
        _nothing,
        lambda s, _: list(registry.register_stream(s, [(1, _person(next(_counter)))])),
        True,
    ),
    # verifier page and foreign trust (issues 11, 14)
    Service(
        site.set_verifier_url,
        "officer.manage",
        _nothing,
        lambda s, _: site.set_verifier_url(s, f"https://ids.utopia.example/check{next(_counter)}"),
        True,
    ),
    Service(
        foreigntrust.import_keys,
        "key.manage",
        _nothing,
        lambda s, _: foreigntrust.import_keys(s, _foreign_jwks(next(_counter))),
        True,
    ),
    # the shared ledger (issue 9)
    Service(
        enrolment.enrol_office,
        "key.manage",
        _nothing,
        lambda s, _: enrolment.enrol_office(s, f"BR-{next(_counter)}", "Branch Office"),
        True,
    ),
    Service(ledger_sync.configure, "sync.configure", _empty_folder, ledger_sync.configure, True),
    Service(ledger_sync.run_sync, "sync.run", _empty_folder, ledger_sync.run_sync, True),
    Service(ledgerverify.verify_office, "ledger.verify", _nothing, lambda s, _: ledgerverify.verify_office(s), False),
    # personal data at rest (issue 17)
    Service(atrest.encrypt_office, "key.manage", _nothing, _encrypt_again, False),
    Service(atrest.delete_backup, "key.manage", _backup_left, lambda s, _: atrest.delete_backup(s), True),
    Service(
        keytoken.move_to_token,
        "key.manage",
        _token_ready,
        lambda s, _: keytoken.move_to_token(s, softhsm.MODULE, softhsm.TOKEN, softhsm.pin),
        True,
    ),
    # a key backup changes nothing but is audited (keys.backup)
    Service(rebuild.make_backup, "key.manage", _nothing, lambda s, _: rebuild.make_backup(s), True),
]


def _state(office: Office) -> dict[str, object]:
    """Everything a service could change except the audit trail: every table's rows and every key file's bytes."""
    db = office.db
    state: dict[str, object] = {}
    tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    if office.encrypted:  # issue 17: the registry's tables are in personal.db; its audit_details is audit trail
        tables += db.execute(
            "SELECT name FROM personal.sqlite_master WHERE type = 'table' AND name != 'audit_details' ORDER BY name"
        ).fetchall()
    for (table,) in tables:
        if table == "sqlite_sequence":  # AUTOINCREMENT counters, less the audit trail's
            state[table] = db.execute("SELECT * FROM sqlite_sequence WHERE name != 'audit' ORDER BY name").fetchall()
        elif table != "audit":
            state[table] = sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # WITHOUT ROWID too
    for path in sorted(office.paths.data_dir.rglob("*")):
        if path.is_file() and not path.name.startswith((office.paths.db.name, office.paths.personal.name)):
            state[str(path.relative_to(office.paths.data_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def _audit(office: Office, after: int) -> list[tuple[str, str, str]]:
    return office.db.execute("SELECT officer, action, outcome FROM audit WHERE id > ? ORDER BY id", (after,)).fetchall()


def _last_audit_id(office: Office) -> int:
    return int(office.db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0])


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_role_calls_service(role: str, service: Service, staffed: Office, session_of: SessionOf) -> None:
    context = service.prepare(session_of)
    username = USER_OF_ROLE[role]
    session = session_of(username)
    before = _state(staffed)
    audit_mark = _last_audit_id(staffed)
    if service.permission in EXPECTED[role]:
        service.call(session, context)
        trail = _audit(staffed, audit_mark)
        assert all(outcome == "ok" for _, _, outcome in trail), trail
        if service.writes:
            assert _state(staffed) != before or (username, "ok") in {(o, r) for o, _, r in trail}, (
                f"{service.name} by a {role} changed nothing and audited nothing"
            )
        else:
            assert _state(staffed) == before, f"{service.name} only reads, yet changed the office"
        return
    with pytest.raises(PermissionDenied, match=role):
        service.call(session, context)
    assert _state(staffed) == before, f"refused {service.name} by a {role} changed the office"
    assert _audit(staffed, audit_mark) == [(username, service.permission, "refused")]


def test_every_permission_has_a_service() -> None:
    """Each permission of the expected table is enforced by at least one service row."""
    assert set().union(*EXPECTED.values()) <= {s.permission for s in SERVICES}


# --- writers without a permission check ----------------------------------------------------------------------

#: Calls that change the office: a write transaction, a signed event, an audit row, sqlite-utils table writes,
#: key material or any other file written or deleted.
WRITE_CALLS = {
    "transaction",
    "append_event",
    "audit",
    "executescript",
    "insert",
    "insert_all",
    "upsert",
    "upsert_all",
    "delete_where",
    "write_sealed",
    "write_master_sealed",
    "atomic_write",
    "unlink",
}

#: Public functions that write yet check no permission, each with the reason. Keep it short.
UNGUARDED_WRITERS: dict[str, str] = {
    "accounts.login": "authentication itself: counts failed logins, locks out, audits; no session exists yet",
    "accounts.Session.refuse": "writes the audit row of a refusal made by a permission check",
    "officers.change_password": "an officer's own password: require_self (a live session of that officer)",
    "setup.init_office": "creates the office and its first administrator; refuses a folder that holds one",
    "accounts.lift_lockout": "building block: runs inside unlock_officer's or reset_password's transaction",
    "accounts.rewrap_all": "building block: at an administrator's login (the key-wrap migration) and in key rotation",
    "atomic.atomic_write": "building block: writes one file for its (guarded) caller",
    "keystore.write_sealed": "building block: seals bytes to a file for its (guarded) caller",
    "keys.write_master_sealed": "building block: seals bytes to a file for its (guarded) caller",
    "rebuild.rebuild_office": "sets up a lost office from a key backup and its log, like init_office; refuses a used folder",
    "enrolment.join_office": "sets up a new office from an enrolment file, like init_office; refuses a used folder",
    "uintables.save": "building block: the numbering tables, encrypted, kept for its (guarded) caller, registration",
    "publish.write_trust_files": "public files only (keys, status lists) into a folder the caller names; no login",
    "site.export_site": "the verifier page plus the public trust files (publish.write_trust_files); no login",
    "registry.catch_up_index": "building block: fills the duplicate check's index (a cache of the citizens and "
    "registrations tables) for its caller, register or register_stream, which checked CITIZEN_REGISTER",
    "statusservice.export": "copies the office's already signed status lists (public) into a folder; no login",
    "statusservice.refresh": "building block: re-signs the status list with a key only a guarded session holds",
    "atrest.move_personal": "building block: the move of encrypt_office (guarded) and of a new office's set-up",
    "tidy.clean_output_journal": "start-up housekeeping: removes this office's own leftover temp files",
    "tidy.finish_enrolments": "start-up housekeeping: installs keystores whose enrolment committed",
    "tidy.remove_stale_temp_files": "start-up housekeeping: removes this office's own stale temp files",
}


@dataclass(frozen=True)
class _Function:
    name: str  # "module.function" or "module.Class.method"
    calls: frozenset[str]
    public: bool


def _called_names(node: ast.AST) -> frozenset[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            elif isinstance(sub.func, ast.Attribute):
                names.add(sub.func.attr)
    return frozenset(names)


def _functions(module: str, tree: ast.Module) -> Iterator[_Function]:
    short = module.removeprefix("console.core.")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield _Function(f"{short}.{node.name}", _called_names(node), not node.name.startswith("_"))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    public = not node.name.startswith("_") and not item.name.startswith("_")
                    yield _Function(f"{short}.{node.name}.{item.name}", _called_names(item), public)


def _core_modules() -> Iterator[str]:
    yield from (m.name for m in pkgutil.walk_packages(console.core.__path__, "console.core.") if not m.ispkg)


def writers_and_guards() -> tuple[set[str], set[str]]:
    """Public functions of console.core that write (directly or through a private helper of their module), and
    those that check a permission themselves."""
    writers: set[str] = set()
    guarded: set[str] = set()
    for module in _core_modules():
        source = Path(inspect.getfile(importlib.import_module(module))).read_text(encoding="utf-8")
        functions = list(_functions(module, ast.parse(source)))
        # A private helper that writes makes its callers writers (fixed point over the module).
        writing = {f.name for f in functions if f.calls & WRITE_CALLS}
        changed = True
        while changed:
            changed = False
            private_writers = {n.rsplit(".", 1)[-1] for n in writing if n.rsplit(".", 1)[-1].startswith("_")}
            for f in functions:
                if f.name not in writing and f.calls & private_writers:
                    writing.add(f.name)
                    changed = True
        writers |= {f.name for f in functions if f.public and f.name in writing}
        guarded |= {f.name for f in functions if f.public and f.calls & {"require"}}
    return writers, guarded


def test_every_writer_is_guarded_or_exempt() -> None:
    writers, _ = writers_and_guards()
    covered = {s.name for s in SERVICES}
    unguarded = writers - covered - set(UNGUARDED_WRITERS)
    assert not unguarded, (
        f"these core functions write but no test proves they check a permission: {sorted(unguarded)}; add a row "
        "to SERVICES (tests/core/test_permissions.py) or, if no permission applies, to UNGUARDED_WRITERS with why"
    )


def test_every_guarded_service_has_a_row() -> None:
    _, guarded = writers_and_guards()
    missing = guarded - {s.name for s in SERVICES}
    assert not missing, f"these services check a permission but have no row in SERVICES: {sorted(missing)}"


def test_exemptions_are_current() -> None:
    """An exemption for a function that no longer writes (or no longer exists) must go."""
    writers, _ = writers_and_guards()
    assert set(UNGUARDED_WRITERS) <= writers
    assert not set(UNGUARDED_WRITERS) & {s.name for s in SERVICES}


def test_detector_sees_writers() -> None:
    """The source scan is not vacuous: the writers the issue named are found, and a read is not a writer."""
    writers, guarded = writers_and_guards()
    assert {"officers.set_office_setting", "officers.unlock_officer", "officers.disable_officer"} <= writers
    assert "officers.list_officers" not in writers
    assert "officers.list_officers" in guarded
    assert accounts.login.__name__ == "login" and "accounts.login" in writers
