"""UTC time as the console stores it: ISO 8601 with a trailing Z, second precision."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, UTC, whole seconds (what every record stores)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    """`2026-11-30T12:00:00Z` for an aware datetime."""
    m = moment.astimezone(UTC)  # formatted by hand: strftime costs ~10 us (issue 16)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def from_iso(text: str) -> datetime:
    """Inverse of `to_iso`.

    The stored form is read by `datetime.fromisoformat`: `strptime` imports its locale machinery (`_strptime`,
    a few ms of every command that reads a time; issue 16). Anything else goes to `strptime`, which accepts or
    refuses it as before.
    """
    if _ISO.fullmatch(text):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
