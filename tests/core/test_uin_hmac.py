"""uin-10's keyed permutation computes HMAC-SHA256 from precomputed keyed states (issue 16): the same bytes as
the standard library's `hmac`, for every key length, and the same numbers whichever way the tables fill."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from console.core.coding import OfficePartition, _Feistel, _HmacSha256, allocator_for


@given(st.binary(max_size=200), st.binary(max_size=100))
def test_precomputed_hmac_is_hmac_sha256(key: bytes, message: bytes) -> None:
    assert _HmacSha256(key).digest(message) == hmac.digest(key, message, hashlib.sha256)


def test_tables_filled_in_bulk_or_one_by_one_give_one_permutation() -> None:
    secret = bytes(range(32))
    bulk, single = _Feistel(secret, 10), _Feistel(secret, 10)
    xs = range(123_456, 125_456)
    assert bulk.permute_many(xs) == [single.permute(x) for x in xs]
    first = allocator_for(OfficePartition("uin-10", 3, None, secret)).number(0, date(1990, 1, 2), "F")
    again = allocator_for(OfficePartition("uin-10", 3, None, secret)).number(0, date(1990, 1, 2), "F")
    assert first == again
