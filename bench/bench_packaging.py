"""Sizes and cold start of the built packages (issue 15); run after `packaging/build.sh`.

    python bench/bench_packaging.py [--dist dist] [--bundle build/packaging-<version>/dist/id-console] [--runs 5]

Sizes: the bundle folder, its tarball, the .deb (download and Installed-Size), the wheel and the sdist.
Start-up, each run a new process (one warm-up run first, so "cold" means a new process, not a cold disk), the
bundle against the same sources run by this venv's Python:
  * `id-console --version` (the smallest command: interpreter and CLI start);
  * `id-console validate-id` of one number (a real command, no office needed);
  * the desktop console to its login window, offscreen, on an existing office (bundle: ID_CONSOLE_SMOKE=login,
    packaging/entry.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import console  # noqa: E402

VENV_GUI = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from console.gui.app import run

def ready(window):
    QTimer.singleShot(0, lambda: (print("READY", flush=True), QApplication.quit()))

sys.exit(run(ready=ready))
"""
VENV_CLI = "import sys; from console.cli import main; sys.exit(main())"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _time_exit(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def _time_ready(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "READY":
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"{argv} exited ({process.wait()}) before the login window showed")
    process.wait(timeout=60)
    return elapsed


def _runs(measure: object, argv: list[str], env: dict[str, str], runs: int) -> str:
    assert callable(measure)
    measure(argv, env)  # warm-up
    times = [measure(argv, env) for _ in range(runs)]
    return f"median {statistics.median(times):.2f} s (best {min(times):.2f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--bundle", type=Path, default=ROOT / "build" / f"packaging-{console.__version__}" / "dist" / "id-console"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = args.bundle / "id-console"
    if not exe.is_file():
        print(f"bench_packaging: no bundle at {args.bundle}; run packaging/build.sh first.", file=sys.stderr)
        return 2

    version = console.__version__
    print(f"id-console {version}")
    print(f"bundle folder:       {_mb(_size(args.bundle))}  {args.bundle}")
    for label, pattern in (
        ("tarball", f"id-console-{version}-linux-*.tar.gz"),
        (".deb", f"id-console_{version}_*.deb"),
        ("wheel", f"id_console-{version}-*.whl"),
        ("sdist", f"id_console-{version}.tar.gz"),
    ):
        for path in sorted(args.dist.glob(pattern)):
            extra = ""
            if label == ".deb":
                installed = subprocess.run(
                    ["dpkg-deb", "-f", str(path), "Installed-Size"], capture_output=True, text=True, check=False
                ).stdout.strip()
                extra = f" (installed: {int(installed) * 1024 / 1e6:.1f} MB)" if installed else ""
            print(f"{label + ':':<20} {_mb(_size(path))}{extra}  {path.name}")

    env = {k: v for k, v in os.environ.items() if k not in ("ID_CONSOLE_RESOURCES", "ID_CONSOLE_SMOKE")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    venv_env = {**env, "PYTHONPATH": str(ROOT)}
    number = "4567890129"  # validate-id needs no office; a wrong check digit (exit 1) is an answer too
    print(f"start-up, {args.runs} runs each after one warm-up, offscreen:")
    for label, measure, words in (
        ("--version", _time_exit, ["--version"]),
        ("validate-id", _time_any, ["validate-id", "--scheme", "uin-10", number, "--json"]),
    ):
        for where, argv, e in (
            ("bundle", [str(exe), *words], env),
            ("venv", [sys.executable, "-c", VENV_CLI, *words], venv_env),
        ):
            print(f"  {label:<12} {where:<7} {_runs(measure, argv, e, args.runs)}")

    with tempfile.TemporaryDirectory(prefix="id-console-bench-") as temp:
        data_dir = Path(temp) / "office"
        from console.core.keystore import KDF_PRESETS
        from console.demo import ensure_demo_office

        ensure_demo_office(data_dir, kdf=KDF_PRESETS["interactive"])
        gui_env = {**env, "ID_CONSOLE_DATA_DIR": str(data_dir)}
        bundle_gui = _runs(_time_ready, [str(exe)], {**gui_env, "ID_CONSOLE_SMOKE": "login"}, args.runs)
        venv_gui = _runs(_time_ready, [sys.executable, "-c", VENV_GUI], {**gui_env, "PYTHONPATH": str(ROOT)}, args.runs)
    print(f"  {'login window':<12} {'bundle':<7} {bundle_gui}")
    print(f"  {'login window':<12} {'venv':<7} {venv_gui}")
    return 0


def _time_any(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
