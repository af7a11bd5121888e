"""Translations of the sentences the core says to people: error messages and verdict reasons.

Invariants:

- The English text in the source is the key: ``_("The birth date {text} is in the future.")`` looks that
  exact text up in the active catalogue and returns the translation, or the English text itself when there is
  no catalogue, no entry or an empty entry. English output never depends on a catalogue.
- Values go in through named placeholders, formatted *after* translation
  (``_("… {text} …").format(text=text)``), so a translation may move them; a catalogue entry keeps exactly the
  placeholders of its source (``resources/translations/core_messages.py --check`` enforces it).
- Catalogues are JSON objects ``{"English source": "translation"}`` in
  ``resources/translations/core_<language>.json``, read once per language and cached.
- No Qt: the GUI's composition root passes its locale to `set_language`; the command line never calls it and
  stays English.

Thread safety: the active catalogue is one immutable mapping swapped in a single assignment; `_` reads that
reference once per call, so worker threads see either the old or the new catalogue, never a half-loaded one.
Loading is serialised by a lock.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from types import MappingProxyType

from console.core.errors import StorageError
from console.core.resources import resource_path

logger = logging.getLogger(__name__)

_EMPTY: Mapping[str, str] = MappingProxyType({})

_lock = threading.Lock()
_loaded: dict[str, Mapping[str, str]] = {}
_active: Mapping[str, str] = _EMPTY
_language: str | None = None


def _(message: str) -> str:
    """The active language's rendering of `message` (English source text), or `message` itself.

    Format values in afterwards: ``_("The photo is a {kind} image.").format(kind=kind)``.
    """
    return _active.get(message) or message


def set_language(code: str | None) -> None:
    """Make `code` (``"zh_CN"``, ``"zh-CN"``, ``"en_US"`` …) the language of core messages; None means English.

    The catalogue ``core_<code>.json`` is tried first, then the bare language (``core_zh.json``). A language
    without a catalogue is English (logged, not an error: English is the source language).

    Raises:
        StorageError: a catalogue exists but cannot be read or is not a JSON object of strings.
    """
    global _active, _language
    normalised = code.replace("-", "_").split(".")[0] if code else None
    with _lock:
        catalogue = _EMPTY
        if normalised and normalised not in ("C", "POSIX"):
            catalogue = _catalogue(normalised)
            if not catalogue and "_" in normalised:
                catalogue = _catalogue(normalised.split("_")[0])
            if not catalogue and not normalised.startswith("en"):
                logger.info("no core catalogue for %s; core messages stay English", normalised)
        _active = catalogue
        _language = normalised if catalogue else None


def language() -> str | None:
    """The language whose catalogue is active, or None for English."""
    return _language


_LANGUAGE_CODE = r"[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?"  # compiled at first use (re's cache): `verify` never needs it (issue 16: start-up)


def _catalogue(code: str) -> Mapping[str, str]:
    """The cached catalogue for one language code (empty if there is none). Call with `_lock` held."""
    if code in _loaded:
        return _loaded[code]
    if not re.fullmatch(_LANGUAGE_CODE, code):  # a locale name, never a path
        return _EMPTY
    path = resource_path("translations", f"core_{code}.json")
    catalogue: Mapping[str, str] = _EMPTY
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise StorageError(f"The translation file {path} cannot be read ({e}); reinstall the console.") from e
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise StorageError(f"The translation file {path} is not a list of texts; reinstall the console.")
        catalogue = MappingProxyType({k: v for k, v in data.items() if v})
    _loaded[code] = catalogue
    return catalogue
