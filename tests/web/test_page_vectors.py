"""The page's status-list and envelope handling, on credentials and status lists made from the published formats.

Until the console writes the `status` claim and status lists itself (issue 11), these hand-made vectors are
what shows the page reading a revoked, suspended or unassigned entry, a stale list, a forged list, and the
other Claim 169 forms (ES256, kid unprotected or absent, CWT tag 61, a face photo, `nbf`, encryption).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.core import site
from tests.web import scenario as scn
from tests.web import vectors as vec
from tests.web.test_page import CONTRAST, is_own_request, open_page, paste

DAY = vec.DAY
LIST = [0] * 64
LIST[5], LIST[9], LIST[13], LIST[14] = 0, 1, 2, 3
for _index in range(16, 64):
    LIST[_index] = 1  # never assigned: INVALID (CONTRACTS.md)


def make_site(folder: Path, keys: vec.Keys, status_list: bytes | None) -> Path:
    for name in site.PAGE_FILES:
        shutil.copy(site.page_dir() / name, folder / name)
    (folder / ".well-known").mkdir()
    (folder / ".well-known" / "jwks.json").write_text(json.dumps(keys.jwks()))
    if status_list is not None:
        (folder / "HQ-01" / "status").mkdir(parents=True)
        (folder / "HQ-01" / "status" / "1.cwt").write_bytes(status_list)
    return folder


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[[bytes | None], tuple[str, list[str]]]]:
    stack: list[Any] = []

    def serve(status_list: bytes | None) -> tuple[str, list[str]]:
        folder = tmp_path / f"site{len(stack)}"
        folder.mkdir()
        make_site(folder, KEYS, status_list)
        context = scn.serve(folder)
        stack.append(context)
        return context.__enter__()

    yield serve
    for context in reversed(stack):
        context.__exit__(None, None, None)


KEYS = vec.new_keys()
FRESH = vec.status_list(KEYS, LIST, iat=vec.NOW - 3600, exp=vec.NOW + DAY)

CASES = {
    "status valid": (vec.credential(KEYS, idx=5), "valid"),
    "status revoked": (vec.credential(KEYS, idx=9), "revoked"),
    "status suspended": (vec.credential(KEYS, idx=13), "suspended"),
    "never assigned": (vec.credential(KEYS, idx=20), "revoked"),
    "index beyond the list": (vec.credential(KEYS, idx=100_000), "status-unknown"),
    "photo, no status entry": (vec.credential(KEYS, photo=True), "valid"),
    "not before next week": (vec.credential(KEYS, nbf=vec.NOW + 7 * DAY), "not-yet-valid"),
    "expired yesterday": (vec.credential(KEYS, exp=vec.NOW - DAY, idx=5), "expired"),
    "ES256, kid unprotected, CWT tag 61": (
        vec.credential(KEYS, alg=-7, iss=vec.ISS_P256, kid="unprotected", cwt_tag=True),
        "valid",
    ),
    "no kid": (vec.credential(KEYS, kid="none", idx=5), "valid"),
    "claims another issuer": (vec.credential(KEYS, iss=vec.ISS_P256), "unknown-issuer"),
    "encrypted": (vec.encrypted(), "encrypted"),
    "entry value 3 (unused)": (vec.credential(KEYS, idx=14), "status-unknown"),
}


def test_hand_made_vectors(browser: Any, served: Callable[[bytes | None], tuple[str, list[str]]]) -> None:
    url, log = served(FRESH)
    context, page, requested, errors = open_page(browser, url)
    for count, (name, (text, expected)) in enumerate(CASES.items(), start=1):
        seen = paste(page, text, count)
        assert seen["status"] == expected, name
        if name == "status valid":
            assert page.inner_text("#verdict-status").startswith("Status as of")
        if name.startswith("photo"):
            assert page.is_visible("#photo")
            assert page.get_attribute("#photo", "src").startswith("blob:")
        else:
            assert page.is_hidden("#photo")
        if name == "encrypted":
            assert "encrypted" in page.inner_text("#verdict-reason")
    # EC-02 publishes no status list: the page's prefetch of it is the only failed request
    assert [e for e in errors if "404" not in e] == [] and len(errors) <= 1
    assert [u for u in requested if not is_own_request(url, u)] == []
    assert "/HQ-01/status/1.cwt" in log
    context.close()


@pytest.mark.parametrize(
    ("status_list", "reason"),
    [
        (vec.status_list(KEYS, LIST, iat=vec.NOW - 3 * DAY, exp=vec.NOW - DAY), "out of date"),
        (vec.status_list(vec.new_keys(seed=2), LIST, iat=vec.NOW, exp=vec.NOW + DAY), "signature"),
        (
            vec.status_list(KEYS, LIST, iat=vec.NOW, exp=vec.NOW + DAY, uri=f"{vec.ISS}/status/2.cwt"),
            "could not be read",
        ),
        (None, "could not be loaded"),
        (vec.status_list(KEYS, LIST, iat=vec.NOW + 2 * DAY, exp=vec.NOW + 3 * DAY), "in the future"),
    ],
    ids=["stale", "forged list", "another list", "missing", "from the future"],
)
def test_a_list_that_cannot_be_trusted_is_never_valid(
    browser: Any, served: Callable[[bytes | None], tuple[str, list[str]]], status_list: bytes | None, reason: str
) -> None:
    url, _log = served(status_list)
    context, page, _requested, _errors = open_page(browser, url)
    seen = paste(page, vec.credential(KEYS, idx=5), 1)
    assert seen["status"] == "status-unknown" and seen["title"] == "Status unknown"
    assert reason in page.inner_text("#verdict-reason")
    assert min(page.evaluate(CONTRAST, "#verdict-title, #verdict-reason, dd")) >= 7
    context.close()
