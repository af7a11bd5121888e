"""The committed page (resources/verifier-page) is exactly what its sources and lock file build: no stale build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "web" / "verifier"
BUILT = ROOT / "resources" / "verifier-page"


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to rebuild the verifier page (apt-get install nodejs npm)")
    work = tmp_path / "verifier"
    shutil.copytree(SOURCE, work, ignore=shutil.ignore_patterns("node_modules"))
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    out = tmp_path / "out"
    built = subprocess.run([node, "build.mjs", str(out)], cwd=work, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    fresh = {p.name: p.read_bytes() for p in out.iterdir()}
    committed = {p.name: p.read_bytes() for p in BUILT.iterdir()}
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"rebuild the page (cd web/verifier && npm ci && npm run build): {stale} differ"


def test_page_sources_name_no_other_host() -> None:
    """The page's own code fetches nothing from anywhere but its site (the decoder's default CDN is overridden)."""
    for path in (SOURCE / "src").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "//cdn" not in text, path
    html = (BUILT / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html and "connect-src 'self'" in html
