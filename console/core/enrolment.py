"""Another office of the same authority: its database and keys, built from the authority's secrets.

The new office shares the authority's root public key, records key and numbering secret, gets its own slot
(its numbering partition, so two offices never allocate the same number), its own Ed25519 office key certified
by the authority root, and a first administrator. Its log starts with the authority-signed certificate of its
office key (``office.certified``), so any office that reads the log can check the key before trusting the log's
checkpoints. `id-console office add`/`init --join` (enrolment files) build on this; tests use it directly.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import cbor2
import nacl.public
import nacl.signing

from console.core import cose, events
from console.core.accounts import store_wraps, wraps_for
from console.core.atomic import ensure_private_dir, fsync_dir
from console.core.atrest import create_personal, new_database_key
from console.core.errors import Conflict, PermissionDenied, ValidationError
from console.core.events import Actor
from console.core.keys import (
    AuthoritySecrets,
    OfficerSecrets,
    OfficeSecrets,
    certify,
    new_seed,
    public_key_of,
)
from console.core.keystore import KdfLimits, write_sealed
from console.core.office import OfficePaths
from console.core.roles import Role
from console.core.store import DB_NAME, PERSONAL_DB_NAME, open_database, transaction
from console.core.timeutil import Clock, to_iso, utc_now


@dataclass(frozen=True)
class MemberOffice:
    """What a new office of an existing authority needs."""

    authority_name: str
    authority_domain: str
    scheme: str
    code: str
    name: str
    slot: int
    admin_username: str
    admin_password: str
    region: str | None = None


@dataclass(frozen=True)
class Enrolment:
    """What an enrolment file carries to a new office: the authority's public facts, the authority-wide secrets
    (records key, numbering secret), the office's slot, its new signing key, and the authority-signed entry that
    certifies that key (the first entry of the new office's log; the new office never holds the root key)."""

    authority_name: str
    authority_domain: str
    scheme: str
    root_public: bytes
    records_private: bytes
    numbering_secret: bytes
    code: str
    name: str
    slot: int
    region: str | None
    office_seed: bytes
    certified_entry: bytes
    created_at: str
    #: The authority root seed: today's key hierarchy gives every administrator the authority key (roles
    #: KEY_GRANTS), so a joined office's administrator needs it too. None once authority and office roles split.
    authority_seed: bytes | None = None

    def to_bytes(self) -> bytes:
        return cbor2.dumps({"format": "id-console-enrolment", "version": 1, **self.__dict__})

    @classmethod
    def from_bytes(cls, data: bytes) -> Enrolment:
        try:
            doc = cbor2.loads(data)
            if doc.pop("format") != "id-console-enrolment" or doc.pop("version") != 1:
                raise ValueError("unknown format")
            return cls(**doc)
        except Exception as e:
            raise ValidationError("join", f"The enrolment file is not an id-console enrolment ({e}).") from None


def certify_office(
    authority: AuthoritySecrets, domain: str, code: str, name: str, slot: int, region: str | None, now: datetime
) -> tuple[bytes, bytes, bytes]:
    """A new office key: (seed, certificate, the authority-signed ``office.certified`` entry for its log)."""
    seed = new_seed()
    cert = certify(
        authority.root_key,
        {
            "type": "office-key",
            "authority": domain,
            "office": code,
            "key": public_key_of(seed),
            "valid_from": to_iso(now),
        },
    )
    payload = {
        "v": events.ENTRY_VERSION,
        "type": "office.certified",
        "office": code,
        "time": to_iso(now),
        "officer": "authority",
        "clear": {"office": code, "name": name, "slot": slot, "region": region, "certificate": cert},
    }
    return seed, cert, cose.sign1(authority.root_key, cbor2.dumps(payload, canonical=True))


def create_member_office(
    data_dir: Path,
    member: MemberOffice,
    *,
    authority: AuthoritySecrets,
    records_private: bytes,
    numbering_secret: bytes,
    kdf: KdfLimits,
    clock: Clock = utc_now,
    with_authority: bool = True,
) -> None:
    """Set up office `member` straight from the authority's secrets (tests, benchmarks; the authority's own PCs).

    Raises:
        Conflict: an office already exists there.
    """
    now = clock()
    seed, _cert, entry = certify_office(
        authority, member.authority_domain, member.code, member.name, member.slot, member.region, now
    )
    enrolment = Enrolment(
        member.authority_name,
        member.authority_domain,
        member.scheme,
        bytes(authority.root_key.verify_key),
        records_private,
        numbering_secret,
        member.code,
        member.name,
        member.slot,
        member.region,
        seed,
        entry,
        to_iso(now),
    )
    join_office(
        data_dir,
        enrolment,
        member.admin_username,
        member.admin_password,
        kdf=kdf,
        clock=clock,
        authority=authority if with_authority else None,
    )


def join_office(
    data_dir: Path,
    enrolment: Enrolment,
    admin_username: str,
    admin_password: str,
    *,
    kdf: KdfLimits,
    clock: Clock = utc_now,
    authority: AuthoritySecrets | None = None,
) -> None:
    """Set up the enrolled office in the empty `data_dir` (office.db last, as the commit point).

    Raises:
        Conflict: an office already exists there.
    """
    paths = OfficePaths(data_dir)
    if paths.db.exists() or paths.keys.exists():
        raise Conflict(f"An office is already set up in {data_dir}; choose another folder.")
    ensure_private_dir(data_dir)
    staging = data_dir / f".join-{new_seed().hex()[:12]}"
    ensure_private_dir(staging)
    try:
        if authority is None and enrolment.authority_seed is not None:
            authority = AuthoritySecrets(enrolment.authority_seed)
        _build(OfficePaths(staging), enrolment, admin_username, admin_password, authority, kdf, clock)
        (staging / "keys").rename(paths.keys)
        if not paths.db.exists():
            paths.personal.unlink(missing_ok=True)  # left by a set-up that never reached its commit point
        os.link(staging / PERSONAL_DB_NAME, paths.personal)
        os.link(staging / DB_NAME, paths.db)
        fsync_dir(data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(
    paths: OfficePaths,
    e: Enrolment,
    admin_username: str,
    admin_password: str,
    authority: AuthoritySecrets | None,
    kdf: KdfLimits,
    clock: Clock,
) -> None:
    now = clock()
    ensure_private_dir(paths.keys)
    ensure_private_dir(paths.officer_keys)
    office = OfficeSecrets((e.office_seed,), e.records_private, e.numbering_secret)
    admin_seed = new_seed()
    admin = OfficerSecrets(admin_seed, {}, e.root_public)
    write_sealed(paths.officer_keystore(admin_username), admin.to_bytes(), admin_password, kdf)
    # The key hierarchy of docs/security.md: the office secrets are wrapped to the administrator's key; the
    # authority root only when this office may enrol further offices.
    database_key = new_database_key()  # issue 17: the encrypted registry's key, wrapped like the others
    wraps = wraps_for(
        admin, e.code, admin_username, Role.ADMINISTRATOR, public_key_of(admin_seed), office, authority, database_key
    )
    records_public = bytes(nacl.public.PrivateKey(e.records_private).public_key)
    office_public = public_key_of(e.office_seed)
    admin_public = public_key_of(admin_seed)
    office_signing = nacl.signing.SigningKey(e.office_seed)
    certified = cbor2.loads(cose.verify_sign1(cose.decode_sign1(e.certified_entry), e.root_public))
    office_cert = certified["clear"]["certificate"]
    admin_cert = certify(
        office_signing,
        {
            "type": "officer-key",
            "office": e.code,
            "username": admin_username,
            "role": Role.ADMINISTRATOR.value,
            "key": admin_public,
            "valid_from": to_iso(now),
        },
    )
    office_actor = Actor(f"office:{e.code}", office_signing)
    db = open_database(paths.db, create=True)
    try:
        create_personal(db.conn, paths.db, paths.personal, database_key)
        with transaction(db) as conn:
            conn.execute(
                "INSERT INTO authority (id, name, domain, scheme, root_public, records_public, created_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                (e.authority_name, e.authority_domain, e.scheme, e.root_public, records_public, e.created_at),
            )
            conn.execute(
                "INSERT INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                (e.code, e.name, e.slot, e.region, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
                (cose.key_id(office_public), e.code, office_public, certified["time"], office_cert),
            )
            conn.execute(
                "INSERT INTO officers (username, full_name, role, created_at, created_by) VALUES (?, ?, ?, ?, NULL)",
                (admin_username, admin_username, Role.ADMINISTRATOR.value, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    cose.key_id(admin_public),
                    admin_username,
                    Role.ADMINISTRATOR.value,
                    admin_public,
                    to_iso(now),
                    admin_cert,
                ),
            )
            # The log's first entry is the authority-signed certificate of the office key, exactly as signed.
            events.append_signed(
                conn,
                entry=e.certified_entry,
                event_type="office.certified",
                officer="authority",
                now=now,
                office=e.code,
                head_signer=office_actor,
            )
            events.append_event(
                conn,
                actor=office_actor,
                office=e.code,
                event_type="officer.enrolled",
                now=now,
                clear={"username": admin_username, "role": Role.ADMINISTRATOR.value, "certificate": admin_cert},
                sealed=events.seal_record(records_public, {"full_name": admin_username}),
                audit_detail=f"enrolled {admin_username} as administrator",
            )
            store_wraps(conn, admin_username, admin_public, wraps, to_iso(now))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.conn.close()


def enrol_office(session: Any, code: str, name: str, region: str | None = None) -> Enrolment:
    """`office add`: certify a new office of this authority, give it the next free slot, record it in this
    office's log (``office.enrolled``, signed by the authority root), and return its enrolment.

    Raises:
        PermissionDenied: the officer may not manage keys or holds no authority key.
        ValidationError: bad code, name or region.
        Conflict: the office code is taken.
    """
    from console.core.roles import Permission
    from console.core.setup import OFFICE_CODE_RE

    session.require(Permission.KEY_MANAGE, f"enrol office {code}")
    authority = session.authority_secrets
    if authority is None:
        raise PermissionDenied("Enrolling an office needs the authority's root key, which this officer does not hold.")
    if not OFFICE_CODE_RE.match(code):
        raise ValidationError(
            "code", f"The office code {code!r} is not allowed: use 2–16 upper-case letters, digits or '-'."
        )
    if not name.strip() or len(name) > 120:
        raise ValidationError("name", "The office name must be 1–120 characters.")
    office = session.office
    row = office.authority()
    if row["scheme"] == "cn-18" and not region:
        raise ValidationError("region", "A cn-18 office needs --region: its own GB/T 2260 county code.")
    if row["scheme"] != "cn-18" and region:
        raise ValidationError("region", f"--region is only for cn-18 offices, not {row['scheme']}.")
    secrets = session.office_keys()
    now = office.clock()
    with transaction(office.db) as conn:
        if conn.execute("SELECT 1 FROM offices WHERE code = ?", (code,)).fetchone():
            raise Conflict(f"An office {code} is already enrolled; choose another code.")
        slot = int(conn.execute("SELECT COALESCE(MAX(slot), -1) + 1 FROM offices").fetchone()[0])
        seed, cert, entry = certify_office(authority, row["domain"], code, name.strip(), slot, region, now)
        events.append_event(
            conn,
            actor=Actor("authority", authority.root_key),
            office=office.local_office()["code"],
            event_type="office.enrolled",
            now=now,
            clear={
                "office": code,
                "name": name.strip(),
                "slot": slot,
                "region": region,
                "certificate": cert,
                "by": session.username,
            },
            audit_detail=f"enrolled office {code} in slot {slot} (by {session.username})",
        )
        conn.execute(
            "INSERT INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 0, ?)",
            (code, name.strip(), slot, region, to_iso(now)),
        )
        public = public_key_of(seed)
        conn.execute(
            "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
            (cose.key_id(public), code, public, to_iso(now), cert),
        )
    return Enrolment(
        row["name"],
        row["domain"],
        row["scheme"],
        bytes(row["root_public"]),
        secrets.records_private,
        secrets.numbering_secret,
        code,
        name.strip(),
        slot,
        region,
        seed,
        entry,
        to_iso(now),
        authority.root_seed,
    )


def list_offices(office: Any) -> list[dict[str, Any]]:
    """Every office this office knows (its own, enrolled here, or learnt from the ledger)."""
    return [
        {"code": r[0], "name": r[1], "slot": int(r[2]), "region": r[3], "local": bool(r[4]), "keys": int(r[5])}
        for r in office.db.execute(
            "SELECT o.code, o.name, o.slot, o.region, o.is_local, "
            "(SELECT COUNT(*) FROM office_keys k WHERE k.office_code = o.code) FROM offices o ORDER BY o.slot"
        ).fetchall()
    ]
