"""Shared fixtures. Qt must run offscreen in tests, so the platform is set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ID_CONSOLE_KDF"] = "min"  # subprocess CLI tests: fast argon2id (production default: standard)
os.environ["ID_CONSOLE_ALLOW_WEAK_KDF"] = "1"  # the "min" preset is refused without it

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from console.core import officers
from console.core.accounts import Session, login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import OfficeSetup, init_office

# scripts/mutation.sh runs the property tests under mutmut's trampolines beside other work: there, slow input
# generation and slow examples are the machine, not the code (the default profile keeps every check).
settings.register_profile("mutation", suppress_health_check=list(HealthCheck), deadline=None)

PASSWORDS = {
    "admin": "amber-tulip-4711",
    "clerk": "cedar-river-2718",
    "clerk2": "coral-meadow-3141",
    "super": "silver-harbor-1618",
    "super2": "stone-lantern-1414",
    "auditor": "autumn-ledger-1729",
}
ROLES = {
    "clerk": "clerk",
    "clerk2": "clerk",
    "super": "supervisor",
    "super2": "supervisor",
    "auditor": "auditor",
}


@dataclass
class FakeClock:
    """A clock tests move by hand (lockout and idle timeouts without sleeping)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_setup(scheme: str = "uin-10", **overrides: str | None) -> OfficeSetup:
    values: dict[str, str | None] = {
        "authority_name": "Utopia Identity Authority",
        "authority_domain": "ids.utopia.example",
        "office_code": "HQ-01",
        "office_name": "Central Office",
        "scheme": scheme,
        "admin_username": "admin",
        "admin_full_name": "Ada Admin",
        "admin_password": PASSWORDS["admin"],
        "region": "110101" if scheme == "cn-18" else None,
    }
    values.update(overrides)
    return OfficeSetup(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office_dir(tmp_path: Path, clock: FakeClock) -> Path:
    """An initialised office (uin-10) with one administrator."""
    folder = tmp_path / "office"
    init_office(folder, make_setup(), kdf=KDF_PRESETS["min"], clock=clock)
    return folder


@pytest.fixture
def office(office_dir: Path, clock: FakeClock) -> Office:
    return Office(office_dir, clock=clock, kdf=KDF_PRESETS["min"])


@pytest.fixture
def staffed(office: Office) -> Office:
    """The office with a second clerk, two supervisors and an auditor besides the administrator."""
    admin = login(office, "admin", PASSWORDS["admin"])
    for username, role in ROLES.items():
        officers.add_officer(
            admin,
            username=username,
            role=role,
            full_name=f"{username.rstrip('0123456789').title()} Officer",
            password=PASSWORDS[username],
        )
    return office


@pytest.fixture
def session_of(staffed: Office) -> Callable[[str], Session]:
    """Log in any of the staffed officers by username."""

    def _login(username: str) -> Session:
        return login(staffed, username, PASSWORDS[username])

    return _login
