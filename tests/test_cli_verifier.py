"""`verify` as an outside verifier (trust file, status list, decryption key), `trust export --site`,
`trust import`, `status-list export` and the defects of issue 11, through the real command line."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import nacl.signing

from console.core import statuslist
from console.core.trust import TrustedKey, to_jwks
from tests.test_cli import ADMIN_PW, CLERK_PW, _staff, one_line_error, register_cmd, run
from tests.test_cli import office_dir as office_dir

SUPERVISOR_PW = "silver-harbor-1618"


def _issue(office_dir: Path) -> dict[str, str]:
    _staff(office_dir)
    reg = run(office_dir, *register_cmd("Tamm", "Mari", "1990-01-02", "F", "EST"), "--json", password=CLERK_PW)
    number = json.loads(reg.stdout)["id_number"]
    issued = run(office_dir, "issue", "--as", "clara", number, "--json", password=CLERK_PW)
    assert issued.returncode == 0, issued.stderr
    data: dict[str, str] = json.loads(issued.stdout)
    return data


def test_offline_verifier_with_the_published_site_and_status_list(office_dir: Path, tmp_path: Path) -> None:
    issued = _issue(office_dir)
    site = tmp_path / "site"
    exported = run(office_dir, "trust", "export", "--site", str(site), "--json")
    assert exported.returncode == 0, exported.stderr
    files = json.loads(exported.stdout)["files"]
    assert set(files) == {
        ".well-known/jwks.json",
        "HQ-01/.well-known/jwks.json",
        "trust.json",
        "HQ-01/status/1.cwt",
    }
    elsewhere = tmp_path / "verifier-pc"
    args = ["verify", "--trust", str(site / "HQ-01/.well-known/jwks.json"), issued["qr"], "--json"]
    token = site / "HQ-01/status/1.cwt"
    good = run(elsewhere, *args, "--status-list", str(token))
    verdict = json.loads(good.stdout)
    assert good.returncode == 0, verdict
    assert verdict["status"] == "valid" and verdict["status_checked"] is True
    assert verdict["issuer"] == "https://ids.utopia.example/HQ-01"
    assert verdict["status_list"]["uri"] == "https://ids.utopia.example/HQ-01/status/1.cwt"
    assert verdict["status_list"]["ttl"] == statuslist.DEFAULT_TTL_SECONDS
    assert {"iat", "exp", "refresh_after"} <= verdict["status_list"].keys()
    assert (verdict["algorithm"], verdict["kid_location"], verdict["encrypted"]) == ("EdDSA", "protected", None)
    # without the list: valid signature, status not checked -> exit 3, and the reason says where the list is
    unchecked = run(elsewhere, *args)
    assert unchecked.returncode == 3 and "status/1.cwt" in json.loads(unchecked.stdout)["reason"]

    # revoke: the office re-makes its token in the same transaction; the old list still says valid
    request = json.loads(
        run(
            office_dir, "revoke", "--as", "clara", issued["id_number"], "--reason", "lost", "--json", password=CLERK_PW
        ).stdout
    )
    assert run(office_dir, "approve", "--as", "sam", str(request["request_id"]), password=SUPERVISOR_PW).returncode == 0
    fresh = tmp_path / "fresh"
    out = run(office_dir, "status-list", "export", "--out", str(fresh), "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["files"] == ["HQ-01/status/1.cwt"]
    revoked = run(elsewhere, *args, "--status-list", str(fresh / "HQ-01/status/1.cwt"))
    assert revoked.returncode == 1 and json.loads(revoked.stdout)["status"] == "revoked"
    assert run(elsewhere, *args, "--status-list", str(token)).returncode == 0  # the stale copy knew nothing yet
    # a re-signed fresh list on request, with login
    again = run(office_dir, "status-list", "export", "--out", str(fresh), "--as", "clara", password=CLERK_PW)
    assert again.returncode == 0, again.stderr


def test_status_list_from_another_issuer_or_forged_is_refused(office_dir: Path, tmp_path: Path) -> None:
    issued = _issue(office_dir)
    site = tmp_path / "site"
    assert run(office_dir, "trust", "export", "--site", str(site)).returncode == 0
    trust = site / "trust.json"
    # a list signed by a key that is not the issuer's
    other = nacl.signing.SigningKey(b"\7" * 32)
    forged = tmp_path / "forged.cwt"
    lst = statuslist.pack(4096, [])
    forged.write_bytes(
        statuslist.make_token(other, "https://ids.utopia.example/HQ-01/status/1.cwt", lst, iat=1_780_000_000)
    )
    result = run(tmp_path / "v", "verify", "--trust", str(trust), issued["qr"], "--status-list", str(forged), "--json")
    verdict = json.loads(result.stdout)
    assert result.returncode == 1 and verdict["status"] == "status-unknown" and not verdict["valid"]
    assert "another issuer" in verdict["reason"]
    garbage = tmp_path / "garbage.cwt"
    garbage.write_bytes(b"\xd2\x84garbage")
    result = run(tmp_path / "v", "verify", "--trust", str(trust), issued["qr"], "--status-list", str(garbage), "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["status"] == "status-unknown"
    assert "Traceback" not in result.stderr


def test_a_long_path_like_text_is_a_qr_text_never_a_file(office_dir: Path, tmp_path: Path) -> None:
    long_text = "/" + "A" * 5000  # once crashed with OSError: File name too long
    result = run(office_dir, "verify", long_text, "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["status"] == "malformed"
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    issued = _issue(office_dir)
    qr_file = tmp_path / "qr.txt"
    qr_file.write_text(issued["qr"] + "\n")
    assert run(office_dir, "verify", "--file", str(qr_file)).returncode == 0
    with qr_file.open("rb") as stdin:
        piped = run(office_dir, "verify", "-", stdin=stdin.fileno())
    assert piped.returncode == 0, piped.stderr
    named = run(office_dir, "verify", str(qr_file))
    assert named.returncode == 2 and "--file" in one_line_error(named)
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"A" * 100_000)
    assert run(office_dir, "verify", "--file", str(huge)).returncode == 2


def test_bad_trust_file_is_an_input_error(office_dir: Path, tmp_path: Path) -> None:
    issued = _issue(office_dir)
    for content in (b"{not json", b'{"keys": [{"kty": "RSA"}]}', b"[" * 100_000, b" " * (2 * 1024 * 1024)):
        bad = tmp_path / "bad.json"
        bad.write_bytes(content)
        result = run(tmp_path / "v", "verify", "--trust", str(bad), issued["qr"])
        assert result.returncode == 2, (content[:20], result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_trust_import_is_for_administrators_audited_and_verify_only(office_dir: Path, tmp_path: Path) -> None:
    _staff(office_dir)
    foreign_key = nacl.signing.SigningKey(b"\3" * 32)
    jwks = to_jwks(
        [
            TrustedKey(
                public_key=bytes(foreign_key.verify_key),
                issuer="https://ids.other.example/X-1",
                valid_from=datetime(2020, 1, 1, tzinfo=UTC),
            )
        ]
    )
    for jwk in jwks["keys"]:
        del jwk["kid"], jwk["iss"]
    path = tmp_path / "other.json"
    path.write_text(json.dumps(jwks))
    clerk = run(office_dir, "trust", "import", str(path), "--as", "clara", "--issuer", "https://x", password=CLERK_PW)
    assert clerk.returncode == 3  # permission denied, checked in core
    no_issuer = run(office_dir, "trust", "import", str(path), "--as", "admin", password=ADMIN_PW)
    assert no_issuer.returncode == 2 and "--issuer" in one_line_error(no_issuer)
    done = run(
        office_dir,
        "trust",
        "import",
        str(path),
        "--as",
        "admin",
        "--issuer",
        "https://ids.other.example/X-1",
        "--json",
        password=ADMIN_PW,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 1
    audit = json.loads(run(office_dir, "audit", "--as", "admin", "--json", password=ADMIN_PW).stdout)
    assert any(row["action"] == "trust.import" for row in audit)
    # imported keys are not this authority's: never exported
    exported = json.loads(run(office_dir, "trust", "export").stdout)
    assert all(k["iss"].startswith("https://ids.utopia.example/") for k in exported["keys"])
    # a key claiming this authority's own issuer is refused
    own = tmp_path / "own.json"
    own.write_text(json.dumps({"iss": "https://ids.utopia.example/HQ-01", "keys": jwks["keys"]}))
    refused = run(office_dir, "trust", "import", str(own), "--as", "admin", password=ADMIN_PW)
    assert refused.returncode == 2 and "this authority" in one_line_error(refused)


def test_key_rotate_prints_the_kid_as_base64url(office_dir: Path) -> None:
    time.sleep(1.1)  # the console refuses a second key within the second the first was certified
    rotated = run(office_dir, "key", "rotate", "--as", "admin", "--json", password=ADMIN_PW)
    assert rotated.returncode == 0, rotated.stderr
    kid = json.loads(rotated.stdout)["kid"]
    exported = json.loads(run(office_dir, "trust", "export").stdout)
    assert kid in {k["kid"] for k in exported["keys"]} and len(kid) == 11
