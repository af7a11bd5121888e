"""Credentials (console/core/credentials.py) at an edge the other tests compare only with the code's own output:
the holder's JSON form, as `verify --json` prints it. Written for the mutation score (docs/testing.md)."""

from __future__ import annotations

from datetime import date

from console.core.credentials import HolderClaims


def test_the_holder_json_carries_the_photo_in_standard_base64() -> None:
    photo = bytes([0xFB, 0xFF, 0xBF]) * 3  # "+/+/" in standard base64, "-_-_" in the URL-safe alphabet
    holder = HolderClaims(
        id_number="4829163750",
        full_name="DOE",
        birth_date=date(2001, 2, 3),
        sex="X",
        country="EST",
        photo=photo,
        photo_format="webp",
    )
    data = holder.to_json()
    assert data["photo"] == "+/+/+/+/+/+/" and data["photo_format"] == "webp"  # a str, ready for JSON
    assert data["birth_date"] == "2001-02-03"
    bare = HolderClaims(id_number="4829163750", full_name="DOE", birth_date=date(2001, 2, 3), sex="X", country="EST")
    assert bare.to_json()["photo"] is None and bare.to_json()["photo_format"] is None
