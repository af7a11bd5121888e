"""The package's parts that build without PyInstaller (issue 15): man page, icons, desktop entry, AppStream
metadata, wheel. The bundle and the .deb themselves are built and installed by packaging/smoke.sh
(`ID_CONSOLE_PACKAGING=1 bash .ci/run`): minutes of work, not a unit test.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import console
from console.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_man_page_documents_every_command_from_the_cli_help() -> None:
    done = _run(sys.executable, PACKAGING / "manpage.py", "9.8.7")
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert page.startswith(".TH ID\\-CONSOLE 1 ") and '"id-console 9.8.7"' in page.splitlines()[0]
    sections = {line[4:] for line in page.splitlines() if line.startswith(".SS ")}
    for command in [*COMMANDS, "gui"]:
        assert any(
            s == command.replace("-", "\\-") or s.startswith(command.replace("-", "\\-") + " ") for s in sections
        ), f"the man page has no section for `{command}`"
    # an option of a nested command, taken from argparse: the page follows the CLI, it is not written by hand
    assert "\\-\\-authority\\-name" in page
    for line in page.splitlines():
        assert not line.startswith(("'", ".")) or line.split()[0] in {
            ".TH",
            ".SH",
            ".SS",
            ".TP",
            ".B",
            ".I",
            ".nf",
            ".fi",
            ".br",
        }, line


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed (Debian: groff-base)")
def test_man_page_renders_without_warnings() -> None:
    page = _run(sys.executable, PACKAGING / "manpage.py", "1.0").stdout
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww"], input=page, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "init" in done.stdout and "ID_CONSOLE_DATA_DIR" in done.stdout


def test_icons_render_every_hicolor_size(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = _run(sys.executable, PACKAGING / "icons.py", ROOT / "resources" / "icons" / "app.svg", tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    from PySide6.QtGui import QImage

    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(tmp_path / f"{size}x{size}" / "apps" / "id-console.png"))
        assert (image.width(), image.height()) == (size, size)
        # not a blank square: the middle row has opaque pixels
        assert any(image.pixelColor(x, size // 2).alpha() > 0 for x in range(size))
    assert (tmp_path / "scalable" / "apps" / "id-console.svg").read_bytes() == (
        ROOT / "resources" / "icons" / "app.svg"
    ).read_bytes()


def test_desktop_entry_and_metainfo_agree() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "id-console.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "id-console-gui"  # the launcher both the wheel and the .deb install
    assert desktop["Icon"] == "id-console"  # the hicolor name icons.py writes
    meta = ET.parse(PACKAGING / "id-console.metainfo.xml.in").getroot()
    assert meta.findtext("launchable") == "id-console.desktop"
    assert meta.findtext("icon") == "id-console"
    assert {b.text for b in meta.iter("binary")} == {"id-console", "id-console-gui"}
    assert meta.find("releases/release").get("version") == "@VERSION@"  # type: ignore[union-attr]


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed (Debian: appstream)")
def test_metainfo_validates(tmp_path: Path) -> None:
    text = (PACKAGING / "id-console.metainfo.xml.in").read_text(encoding="utf-8")
    target = tmp_path / "org.idconsole.IdConsole.metainfo.xml"
    target.write_text(text.replace("@VERSION@", console.__version__).replace("@DATE@", "2026-12-03"), encoding="utf-8")
    done = _run("appstreamcli", "validate", "--no-net", target)
    assert done.returncode == 0, done.stdout + done.stderr


def test_installed_wheel_finds_its_resources_and_version(tmp_path: Path) -> None:
    """The wheel carries every run-time resource and the version of console/__init__.py; installed into a venv
    of its own (no checkout on the path), `resources_root()` is <venv>/share/id-console/resources."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("console", "resources"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "packaging").mkdir()
    shutil.copy(PACKAGING / "id-console.desktop", src / "packaging")
    done = _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, src)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("id_console-*.whl")
    assert wheel.name.startswith(f"id_console-{console.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = f"id_console-{console.__version__}.data/data/share/id-console/resources/"
    expected = {
        p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and p.suffix != ".py"  # coding/build_tables.py rebuilds the tables; not read at run time
    }
    missing = sorted(e for e in expected if data + e not in names)
    assert not missing, f"the wheel lacks these resources: {missing}"

    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    done = _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-deps", wheel)
    assert done.returncode == 0, done.stderr
    probe = "import console; from console.core.resources import resources_root; print(console.__version__); print(resources_root())"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ID_CONSOLE_RESOURCES")}
    done = _run(venv / "bin" / "python", "-c", probe, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    version, root = done.stdout.split()
    assert version == console.__version__
    assert Path(root) == venv / "share" / "id-console" / "resources"
    assert (Path(root) / "fonts" / "OCRB.ttf").is_file()
    assert (venv / "share" / "applications" / "id-console.desktop").is_file()
