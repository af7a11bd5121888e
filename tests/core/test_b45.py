"""Our table-driven Base45 against the reference `base45` package and RFC 9285's examples."""

from __future__ import annotations

import base45
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.b45 import ALPHABET, b45decode, b45encode


def test_rfc_9285_examples() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"


@given(st.binary(max_size=600))
def test_encode_matches_reference(data: bytes) -> None:
    assert b45encode(data) == base45.b45encode(data).decode()
    assert b45decode(b45encode(data)) == data


@given(st.text(alphabet=ALPHABET + "abc\n", max_size=40))
def test_decode_agrees_with_reference_on_any_text(text: str) -> None:
    if not set(text) <= set(ALPHABET):
        # the reference is lenient about characters outside the alphabet (it strips a newline); RFC 9285 is not
        with pytest.raises(ValueError):
            b45decode(text)
        return
    try:
        expected: bytes | None = base45.b45decode(text)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            b45decode(text)
    else:
        assert b45decode(text) == expected


@pytest.mark.parametrize("text", ["A", "GGW", "ZZ", ":::", "aaa", "AB\u00e9"])
def test_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        b45decode(text)
