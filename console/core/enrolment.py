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
from pathlib import Path

import nacl.public
import nacl.signing

from console.core import cose, events
from console.core.atomic import ensure_private_dir, fsync_dir
from console.core.errors import Conflict
from console.core.events import Actor
from console.core.keys import (
    AuthoritySecrets,
    OfficerSecrets,
    OfficeSecrets,
    certify,
    new_seed,
    public_key_of,
    write_master_sealed,
)
from console.core.keystore import KdfLimits, write_sealed
from console.core.office import OfficePaths
from console.core.roles import KEY_GRANTS, Role
from console.core.store import DB_NAME, open_database, transaction
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


def create_member_office(
    data_dir: Path,
    member: MemberOffice,
    *,
    authority: AuthoritySecrets,
    records_private: bytes,
    numbering_secret: bytes,
    kdf: KdfLimits,
    clock: Clock = utc_now,
) -> None:
    """Set up office `member` in the empty `data_dir` (office.db last, as the commit point).

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
        _build(OfficePaths(staging), member, authority, records_private, numbering_secret, kdf, clock)
        (staging / "keys").rename(paths.keys)
        os.link(staging / DB_NAME, paths.db)
        fsync_dir(data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(
    paths: OfficePaths,
    m: MemberOffice,
    authority: AuthoritySecrets,
    records_private: bytes,
    numbering_secret: bytes,
    kdf: KdfLimits,
    clock: Clock,
) -> None:
    now = clock()
    ensure_private_dir(paths.keys)
    ensure_private_dir(paths.officer_keys)
    office = OfficeSecrets((new_seed(),), records_private, numbering_secret)
    admin_seed = new_seed()
    amk, omk = new_seed(), new_seed()
    write_master_sealed(paths.authority_sealed, amk, authority.to_bytes())
    write_master_sealed(paths.office_sealed, omk, office.to_bytes())
    grants = {n: k for n, k in (("office", omk), ("authority", amk)) if n in KEY_GRANTS[Role.ADMINISTRATOR]}
    write_sealed(
        paths.officer_keystore(m.admin_username), OfficerSecrets(admin_seed, grants).to_bytes(), m.admin_password, kdf
    )
    root_public = bytes(authority.root_key.verify_key)
    records_public = bytes(nacl.public.PrivateKey(records_private).public_key)
    office_public = public_key_of(office.signing_seeds[0])
    admin_public = public_key_of(admin_seed)
    office_signing = nacl.signing.SigningKey(office.signing_seeds[0])
    office_cert = certify(
        authority.root_key,
        {
            "type": "office-key",
            "authority": m.authority_domain,
            "office": m.code,
            "key": office_public,
            "valid_from": to_iso(now),
        },
    )
    admin_cert = certify(
        office_signing,
        {
            "type": "officer-key",
            "office": m.code,
            "username": m.admin_username,
            "role": Role.ADMINISTRATOR.value,
            "key": admin_public,
            "valid_from": to_iso(now),
        },
    )
    db = open_database(paths.db, create=True)
    try:
        with transaction(db) as conn:
            conn.execute(
                "INSERT INTO authority (id, name, domain, scheme, root_public, records_public, created_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                (m.authority_name, m.authority_domain, m.scheme, root_public, records_public, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                (m.code, m.name, m.slot, m.region, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
                (cose.key_id(office_public), m.code, office_public, to_iso(now), office_cert),
            )
            conn.execute(
                "INSERT INTO officers (username, full_name, role, created_at, created_by) VALUES (?, ?, ?, ?, NULL)",
                (m.admin_username, m.admin_username, Role.ADMINISTRATOR.value, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    cose.key_id(admin_public),
                    m.admin_username,
                    Role.ADMINISTRATOR.value,
                    admin_public,
                    to_iso(now),
                    admin_cert,
                ),
            )
            events.append_event(
                conn,
                actor=Actor("authority", authority.root_key),
                office=m.code,
                event_type="office.certified",
                now=now,
                clear={
                    "office": m.code,
                    "name": m.name,
                    "slot": m.slot,
                    "region": m.region,
                    "certificate": office_cert,
                },
            )
            events.append_event(
                conn,
                actor=Actor(f"office:{m.code}", office_signing),
                office=m.code,
                event_type="officer.enrolled",
                now=now,
                clear={"username": m.admin_username, "role": Role.ADMINISTRATOR.value, "certificate": admin_cert},
                audit_detail=f"enrolled {m.admin_username} as administrator",
            )
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.conn.close()
