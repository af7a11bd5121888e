"""`verifier export` writes the static site at the CONTRACTS.md paths; `verifier_url` puts one line on the back."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2
import pytest

from console.core import site
from console.core.errors import PermissionDenied, ValidationError
from console.core.office import Office
from console.core.trust import from_jwks_json
from tests.conftest import PASSWORDS
from tests.web import scenario as scn

ADMIN_PW = PASSWORDS["admin"]


def one_line_error(result: object) -> str:
    stderr = result.stderr.strip()  # type: ignore[attr-defined]
    assert result.returncode != 0 and "Traceback" not in stderr  # type: ignore[attr-defined]
    assert len(stderr.splitlines()) == 1, stderr
    return str(stderr)


def test_export_writes_page_keys_and_trust_at_the_contract_paths(scenario: scn.Scenario) -> None:
    folder = scenario.site_dir
    for name in site.PAGE_FILES:
        assert (folder / name).read_bytes() == (site.page_dir() / name).read_bytes(), name
    jwks = json.loads((folder / ".well-known" / "jwks.json").read_text())
    office_jwks = json.loads((folder / "HQ-01" / ".well-known" / "jwks.json").read_text())
    assert jwks == office_jwks == json.loads((folder / "trust.json").read_text())
    assert len(jwks["keys"]) == 1 and "d" not in jwks["keys"][0]
    assert len(from_jwks_json((folder / "trust.json").read_bytes())) == 1
    # only what a static host should publish: no office data, no private keys
    published = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    # the office's status list, at its contract path, once the console makes them (issue 11)
    lists = [str(p.relative_to(folder)) for p in scn.status_lists(scenario)]
    assert lists in ([], ["HQ-01/status/1.cwt"])
    assert published == sorted(
        [*site.PAGE_FILES, ".well-known/jwks.json", "HQ-01/.well-known/jwks.json", *lists, "trust.json"]
    )


def test_export_json_and_refusals(scenario: scn.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "www"
    result = scn.cli(
        scenario.office_dir, "verifier", "export", "--out", str(out), "--base-url", "https://x.example/v", "--json"
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["base_url"] == "https://x.example/v/" and info["offices"] == ["HQ-01"] and info["keys"] == 1
    assert info["bytes"] < 1_500_000 and "index.html" in info["files"]
    bad = scn.cli(
        scenario.office_dir, "verifier", "export", "--out", str(tmp_path / "b"), "--base-url", "http://x.example/"
    )
    assert bad.returncode == 2 and "https" in one_line_error(bad)
    assert not (tmp_path / "b").exists()
    inside = scn.cli(scenario.office_dir, "verifier", "export", "--out", str(scenario.office_dir / "www"))
    assert inside.returncode == 2 and "data directory" in one_line_error(inside)
    (tmp_path / "file").write_text("x")
    onto_file = scn.cli(scenario.office_dir, "verifier", "export", "--out", str(tmp_path / "file"))
    assert onto_file.returncode == 2 and "is a file" in one_line_error(onto_file)
    no_office = scn.cli(tmp_path / "nothing", "verifier", "export", "--out", str(tmp_path / "c"))
    assert no_office.returncode != 0 and not (tmp_path / "c").exists()
    one_line_error(no_office)


def test_verifier_url_setting(session_of: object, staffed: Office) -> None:
    admin = session_of("admin")  # type: ignore[operator]
    assert site.verifier_url(staffed) is None
    assert site.set_verifier_url(admin, " https://ids.utopia.example ") == "https://ids.utopia.example/"
    assert site.verifier_url(staffed) == "https://ids.utopia.example/"
    assert site.card_line_url("https://ids.utopia.example/") == "ids.utopia.example"
    assert site.card_line_url("https://utopia.example/check/") == "utopia.example/check/"
    with pytest.raises(ValidationError, match="https"):
        site.set_verifier_url(admin, "ftp://ids.utopia.example/")
    with pytest.raises(ValidationError, match="one line"):
        site.set_verifier_url(admin, "https://ids.utopia.example/" + "a" * 80)
    with pytest.raises(PermissionDenied):
        site.set_verifier_url(session_of("clerk"), "https://evil.example/")  # type: ignore[operator]
    assert site.verifier_url(staffed) == "https://ids.utopia.example/"
    assert site.set_verifier_url(admin, "") is None and site.verifier_url(staffed) is None
    trail = [
        row["detail"] for row in staffed.db.query("SELECT detail FROM audit_full WHERE action = 'settings.changed'")
    ]
    assert trail[-1] == "verifier_url = " and "verifier_url = https://ids.utopia.example/" in trail


def test_settings_cli(scenario: scn.Scenario) -> None:
    shown = scn.cli(scenario.office_dir, "settings", "show", "--as", "admin", "--json", password=ADMIN_PW)
    assert json.loads(shown.stdout)["verifier_url"] == scn.VERIFIER_URL
    bad = scn.cli(
        scenario.office_dir, "settings", "set", "--as", "admin", "verifier_url", "ids.example", password=ADMIN_PW
    )
    assert bad.returncode == 2 and "https" in one_line_error(bad)
    bad = scn.cli(scenario.office_dir, "settings", "set", "--as", "admin", "lockout_minutes", "ten", password=ADMIN_PW)
    assert bad.returncode == 2 and "whole number" in one_line_error(bad)
    clerk = scn.cli(
        scenario.office_dir,
        "settings",
        "set",
        "--as",
        "clerk",
        "verifier_url",
        "https://e.example/",
        password=PASSWORDS["clerk"],
    )
    assert clerk.returncode != 0
    one_line_error(clerk)
    shown = scn.cli(scenario.office_dir, "settings", "show", "--as", "admin", "--json", password=ADMIN_PW)
    assert json.loads(shown.stdout)["verifier_url"] == scn.VERIFIER_URL


def _pdf_text(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def test_the_card_back_and_the_a4_sheet_print_the_line(scenario: scn.Scenario, tmp_path: Path) -> None:
    for sheet in ("id1", "a4"):
        out = tmp_path / f"{sheet}.pdf"
        made = scn.cli(
            scenario.office_dir,
            "card",
            "--as",
            "clerk",
            scenario.numbers["valid"],
            "--out",
            str(out),
            "--sheet",
            sheet,
            "--back",
            password=PASSWORDS["clerk"],
        )
        assert made.returncode == 0, made.stderr
        front, back = _pdf_text(out.read_bytes())
        assert "Check this card at ids.utopia.example" in back.replace("\r\n", " ").replace("\n", " ")
        assert "Check this card" not in front
    # the rendered back (tests/web/scenario.py renders it as a PNG; docs/verifier-page.md shows it)
    assert scenario.back is not None and scenario.back.stat().st_size > 10_000
