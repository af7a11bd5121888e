"""The authority's verifier web site: the card holders' page plus the keys and status lists it checks against.

`export_site` writes a static site (no server code) that an authority puts on any static host at
``https://{authority_domain}/`` (CONTRACTS.md, "Where verifiers find keys and status"):

- the page (``index.html``, ``app.js``, ``app.css``, ``sw.js``, ``manifest.webmanifest``, ``icon.svg``,
  ``zxing_reader.wasm``), built from ``web/verifier/`` and shipped as package data under
  ``resources/verifier-page/`` so that exporting needs no Node;
- ``.well-known/jwks.json`` (every office key the console trusts), ``{office}/.well-known/jwks.json`` (each
  office's keys) and ``trust.json``, and ``{office}/status/1.cwt`` (each office's status list token) once the
  console makes status lists.

The verifier URL an authority prints on the card's back (``Check this card at <URL>``) is an office setting,
``verifier_url``, changed by administrators (audited).

Invariants:
- Every file is written atomically; the page's files are copied byte for byte from the package data.
- The page only ever asks its own site for files, so everything it needs is under the export folder.
- Only public keys are written (the JWKS code refuses private members).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from console.core import events, publish, truth
from console.core.accounts import Session
from console.core.atomic import atomic_write
from console.core.errors import StorageError, ValidationError
from console.core.i18n import _
from console.core.office import Office
from console.core.resources import resource_path
from console.core.roles import Permission
from console.core.store import transaction

logger = logging.getLogger(__name__)

#: The office setting that holds the verifier page's URL printed on the card's back.
VERIFIER_URL_SETTING: Final = "verifier_url"
#: The files of the built page, as shipped in resources/verifier-page/ (web/verifier/build.mjs writes them).
PAGE_FILES: Final = (
    "index.html",
    "app.js",
    "app.css",
    "sw.js",
    "manifest.webmanifest",
    "icon.svg",
    "zxing_reader.wasm",
    "THIRD-PARTY-LICENSES.txt",
)
_MAX_URL: Final = 80  # one short line on an ID-1 card
_OFFICE_CODE = re.compile(r"[A-Za-z0-9._~-]+")


@dataclass(frozen=True)
class SiteExport:
    """What `export_site` wrote: the folder, the base URL it is meant for, and the files (relative paths)."""

    folder: Path
    base_url: str
    files: tuple[str, ...]
    offices: tuple[str, ...]
    keys: int
    status_lists: int

    def to_json(self) -> dict[str, object]:
        return {
            "out": str(self.folder),
            "base_url": self.base_url,
            "files": list(self.files),
            "offices": list(self.offices),
            "keys": self.keys,
            "status_lists": self.status_lists,
            "bytes": sum((self.folder / f).stat().st_size for f in self.files),
        }


def page_dir() -> Path:
    """The folder of the built page (package data); raises StorageError when the install lacks it."""
    folder = resource_path("verifier-page")
    missing = [f for f in PAGE_FILES if not (folder / f).is_file()]
    if missing:
        raise StorageError(
            _("The verifier page's files are missing from this installation ({files}); reinstall the console.").format(
                files=", ".join(missing)
            )
        )
    return folder


def check_base_url(url: str) -> str:
    """Normalise a verifier base URL: https, a host, no query or fragment, ending in ``/``.

    Raises:
        ValidationError: with the rule it breaks.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(
            "base_url",
            _("The verifier URL {url!r} must be an https address such as https://ids.example.org/.").format(url=url),
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            "base_url",
            _("The verifier URL {url!r} must have no query, fragment or user name.").format(url=url),
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise ValidationError("base_url", _("The verifier URL {url!r} contains spaces.").format(url=url))
    if not text.endswith("/"):
        text += "/"
    return text


def default_base_url(office: Office) -> str:
    """The authority's own domain: where `iss` points and where the keys must be published."""
    return check_base_url(f"https://{office.authority()['domain']}/")


def _write(folder: Path, relative: str, data: bytes) -> None:
    path = folder / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(
            _("Cannot create the folder {path}: {reason}.").format(path=path.parent, reason=e.strerror)
        ) from e
    atomic_write(path, data, mode=0o644)


def export_site(office: Office, folder: Path, base_url: str | None = None) -> SiteExport:
    """Write the verifier site for this office's authority into `folder` (created if missing).

    Args:
        office: the office whose trust list (and status lists) are published.
        folder: the export folder; files already there with other names are left alone.
        base_url: where the site will be published (default ``https://{authority_domain}/``).

    Raises:
        ValidationError: `base_url` is not an https URL.
        StorageError: the page's files are missing, or the folder cannot be written.
    """
    url = check_base_url(base_url) if base_url is not None else default_base_url(office)
    source = page_dir()
    if folder.exists() and not folder.is_dir():
        raise StorageError(_("{path} is a file; give a folder for the verifier site.").format(path=folder))
    files: list[str] = []
    for name in PAGE_FILES:
        _write(folder, name, (source / name).read_bytes())
        files.append(name)
    trust_files, offices, keys, lists = publish.write_trust_files(office, folder)  # as `trust export --site`
    files += trust_files
    logger.info("verifier site written to %s (%d files, %d keys)", folder, len(files), keys)
    return SiteExport(
        folder=folder, base_url=url, files=tuple(files), offices=tuple(offices), keys=keys, status_lists=lists
    )


# ------------------------------------------------------------------------------------- the card's back line


def verifier_url(office: Office) -> str | None:
    """The verifier URL printed on cards (``Check this card at <URL>``), or None when the authority set none."""
    value = truth.signed_setting(office, VERIFIER_URL_SETTING, "").strip()  # refuses a row edited by SQL
    return value or None


def card_line_url(url: str) -> str:
    """The URL as printed: without ``https://`` and a lone trailing ``/``, so that the line stays short."""
    shown = url.removeprefix("https://")
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def set_verifier_url(session: Session, url: str) -> str | None:
    """Set (or with an empty `url`, clear) the verifier URL printed on the card's back (administrators; audited).

    Raises:
        PermissionDenied: the officer is not an administrator.
        ValidationError: not an https URL, or too long for one line on the card.
    """
    session.require(Permission.OFFICER_MANAGE, VERIFIER_URL_SETTING)
    value = check_base_url(url) if url.strip() else ""
    if len(card_line_url(value)) > _MAX_URL:
        raise ValidationError(
            "value",
            _("The verifier URL is longer than {limit} characters; it must fit one line on the card.").format(
                limit=_MAX_URL
            ),
        )
    with transaction(session.office.db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (VERIFIER_URL_SETTING, value),
        )
        events.append_event(  # signed: the URL printed on cards is the signed one (truth.signed_setting)
            conn,
            actor=session.actor,
            office=session.office.local_office()["code"],
            event_type=truth.SETTINGS_TYPE,
            now=session.office.clock(),
            clear={"key": VERIFIER_URL_SETTING, "value": value},
            audit_detail=f"{VERIFIER_URL_SETTING} = {value}",
        )
    return value or None
