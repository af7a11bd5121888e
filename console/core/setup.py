"""Setting up a new office: the authority's keys, the first office, its database and first administrator.

All-or-nothing: everything is built in a staging folder inside the data directory, then the key folder and,
last, ``office.db`` are moved into place; ``office.db`` is the commit point. Nothing existing is ever
overwritten or removed: a ``keys/`` folder without ``office.db`` (an interrupted set-up, or a restore in
progress) makes set-up refuse until a person moves it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nacl.public
import nacl.signing

from console.core import coding, cose, events
from console.core.accounts import store_wraps, wraps_for
from console.core.atomic import ensure_private_dir, fsync_dir
from console.core.atrest import create_personal, new_database_key
from console.core.errors import Conflict, StorageError, ValidationError
from console.core.events import Actor
from console.core.i18n import _
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
from console.core.passwords import check_password, check_username
from console.core.roles import Role
from console.core.store import DB_NAME, PERSONAL_DB_NAME, DatabaseError, open_database, transaction
from console.core.timeutil import Clock, to_iso, utc_now

SCHEMES = ("cn-18", "ee-11", "uin-10")
OFFICE_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class OfficeSetup:
    """What `id-console init` asks for."""

    authority_name: str
    authority_domain: str
    office_code: str
    office_name: str
    scheme: str
    admin_username: str
    admin_full_name: str
    admin_password: str
    region: str | None = None


def check_before_setup(data_dir: Path, setup: OfficeSetup) -> None:
    """What can be checked before asking for the administrator's password: the fields and the folder."""
    validate_setup(setup, password=False)
    paths = OfficePaths(data_dir)
    if paths.db.exists():
        raise Conflict(
            _(
                "An office is already set up in {folder} (office.db exists); refusing to overwrite it. "
                "Choose another --data-dir."
            ).format(folder=data_dir)
        )
    if paths.keys.exists():
        raise Conflict(
            _(
                "{keys} exists but {db} does not: it may hold an authority's keys (a restore in "
                "progress, or an interrupted set-up). Nothing was changed; move that folder away if you are sure it "
                "is not needed, then run init again."
            ).format(keys=paths.keys, db=paths.db.name)
        )


def validate_setup(setup: OfficeSetup, *, password: bool = True) -> None:
    """Check every field before anything touches the disk."""
    if not setup.authority_name.strip() or len(setup.authority_name) > 120:
        raise ValidationError("authority-name", _("The authority name must be 1–120 characters."))
    if not DOMAIN_RE.match(setup.authority_domain):
        raise ValidationError(
            "authority-domain",
            _("The authority domain {domain!r} is not a domain name (e.g. ids.example.gov).").format(
                domain=setup.authority_domain
            ),
        )
    if not OFFICE_CODE_RE.match(setup.office_code):
        raise ValidationError(
            "office-code",
            _("The office code {code!r} is not allowed: use 2–16 upper-case letters, digits or '-'.").format(
                code=setup.office_code
            ),
        )
    if not setup.office_name.strip() or len(setup.office_name) > 120:
        raise ValidationError("office-name", _("The office name must be 1–120 characters."))
    if setup.scheme not in SCHEMES:
        raise ValidationError(
            "scheme",
            _("Unknown numbering scheme {scheme!r}; choose one of {schemes}.").format(
                scheme=setup.scheme, schemes=", ".join(SCHEMES)
            ),
        )
    if setup.scheme == "cn-18":
        codes = [c.strip() for c in (setup.region or "").split(",")]
        if not setup.region or not all(coding.is_known_region("cn-18", c) for c in codes):
            raise ValidationError(
                "region",
                _(
                    "A cn-18 office needs --region: its own GB/T 2260 county code (e.g. 110101), optionally followed "
                    "by the county's older codes separated by commas; got {region!r}."
                ).format(region=setup.region),
            )
    elif setup.region:
        raise ValidationError(
            "region", _("--region is only for cn-18 offices, not {scheme}.").format(scheme=setup.scheme)
        )
    check_username(setup.admin_username)
    if password:
        check_password(setup.admin_password, setup.admin_username)


def init_office(data_dir: Path, setup: OfficeSetup, *, kdf: KdfLimits, clock: Clock = utc_now) -> None:
    """Create the authority, the first office and its administrator in `data_dir`.

    Raises:
        ValidationError: a field is wrong (nothing written).
        Conflict: an office already exists there.
        StorageError: the folder is not writable (nothing left behind but an empty folder).
    """
    validate_setup(setup)
    check_before_setup(data_dir, setup)
    paths = OfficePaths(data_dir)
    ensure_private_dir(data_dir)
    staging = data_dir / f".init-{new_seed().hex()[:12]}"
    ensure_private_dir(staging)
    try:
        _build(OfficePaths(staging), setup, kdf, clock)
        # Never overwrite: renaming a folder onto an existing non-empty one fails, and link() fails when the
        # target exists, so two set-ups racing in one folder cannot both succeed. office.db is the commit point.
        (staging / "keys").rename(paths.keys)
        if not paths.db.exists():
            paths.personal.unlink(missing_ok=True)  # left by a set-up that never reached its commit point
        os.link(staging / PERSONAL_DB_NAME, paths.personal)
        os.link(staging / DB_NAME, paths.db)
        fsync_dir(data_dir)
    except FileExistsError as e:
        raise Conflict(
            _("Another set-up of {folder} finished first; nothing of this one was kept.").format(folder=data_dir)
        ) from e
    except OSError as e:
        raise StorageError(
            _("Could not set up the office in {folder}: {reason}.").format(folder=data_dir, reason=e.strerror)
        ) from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(paths: OfficePaths, setup: OfficeSetup, kdf: KdfLimits, clock: Clock) -> None:
    now = clock()
    ensure_private_dir(paths.keys)
    ensure_private_dir(paths.officer_keys)

    authority = AuthoritySecrets(new_seed())
    records = nacl.public.PrivateKey.generate()
    office = OfficeSecrets((new_seed(),), bytes(records), new_seed())
    admin_seed = new_seed()
    root_public = bytes(authority.root_key.verify_key)
    admin = OfficerSecrets(admin_seed, {}, root_public)
    write_sealed(paths.officer_keystore(setup.admin_username), admin.to_bytes(), setup.admin_password, kdf)
    database_key = new_database_key()  # issue 17: the encrypted registry's key, wrapped like the others
    wraps = wraps_for(
        admin,
        setup.office_code,
        setup.admin_username,
        Role.ADMINISTRATOR,
        public_key_of(admin_seed),
        office,
        authority,
        database_key,
    )

    office_public = public_key_of(office.signing_seeds[0])
    admin_public = public_key_of(admin_seed)
    office_signing = nacl.signing.SigningKey(office.signing_seeds[0])
    office_cert = certify(
        authority.root_key,
        {
            "type": "office-key",
            "authority": setup.authority_domain,
            "office": setup.office_code,
            "key": office_public,
            "valid_from": to_iso(now),
        },
    )
    admin_cert = certify(
        office_signing,
        {
            "type": "officer-key",
            "office": setup.office_code,
            "username": setup.admin_username,
            "role": Role.ADMINISTRATOR.value,
            "key": admin_public,
            "valid_from": to_iso(now),
        },
    )

    db = open_database(paths.db, create=True)
    try:
        create_personal(db.conn, paths.db, paths.personal, database_key)
        with transaction(db) as conn:
            conn.execute(
                "INSERT INTO authority (id, name, domain, scheme, root_public, records_public, created_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                (
                    setup.authority_name.strip(),
                    setup.authority_domain,
                    setup.scheme,
                    root_public,
                    bytes(records.public_key),
                    to_iso(now),
                ),
            )
            conn.execute(
                "INSERT INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, 0, ?, 1, ?)",
                (setup.office_code, setup.office_name.strip(), setup.region, to_iso(now)),
            )
            conn.execute(
                "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
                (cose.key_id(office_public), setup.office_code, office_public, to_iso(now), office_cert),
            )
            conn.execute(
                "INSERT INTO officers (username, full_name, role, created_at, created_by) VALUES (?, ?, ?, ?, NULL)",
                (
                    setup.admin_username,
                    setup.admin_full_name.strip() or setup.admin_username,
                    Role.ADMINISTRATOR.value,
                    to_iso(now),
                ),
            )
            conn.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    cose.key_id(admin_public),
                    setup.admin_username,
                    Role.ADMINISTRATOR.value,
                    admin_public,
                    to_iso(now),
                    admin_cert,
                ),
            )
            setup_actor = Actor("authority", authority.root_key)
            events.append_event(
                conn,
                actor=setup_actor,
                office=setup.office_code,
                event_type="authority.created",
                now=now,
                clear={
                    "name": setup.authority_name.strip(),
                    "domain": setup.authority_domain,
                    "scheme": setup.scheme,
                    "root_key": root_public,
                    "records_key": bytes(records.public_key),
                },
            )
            events.append_event(
                conn,
                actor=setup_actor,
                office=setup.office_code,
                event_type="office.certified",
                now=now,
                clear={
                    "office": setup.office_code,
                    "name": setup.office_name.strip(),
                    "slot": 0,
                    "region": setup.region,
                    "certificate": office_cert,
                },
            )
            events.append_event(
                conn,
                actor=Actor(f"office:{setup.office_code}", office_signing),
                office=setup.office_code,
                event_type="officer.enrolled",
                now=now,
                clear={"username": setup.admin_username, "role": Role.ADMINISTRATOR.value, "certificate": admin_cert},
                sealed=events.seal_record(
                    bytes(records.public_key), {"full_name": setup.admin_full_name.strip() or setup.admin_username}
                ),
                audit_detail=f"enrolled {setup.admin_username} as administrator",
            )
            store_wraps(conn, setup.admin_username, admin_public, wraps, to_iso(now))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except DatabaseError as e:
        raise StorageError(_("Could not create the office database: {reason}.").format(reason=e)) from e
    finally:
        db.conn.close()
