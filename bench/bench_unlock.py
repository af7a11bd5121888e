"""Time one keystore unlock (argon2id + SecretBox) per KDF preset: the cost of a login.

Prints wall time and CPU time (process_time): argon2id runs on one core, so on a quiet machine the two agree,
and on a machine shared with other work the CPU time is the figure that carries over to an office PC.

Run: .venv/bin/python bench/bench_unlock.py
"""

from __future__ import annotations

import platform
import tempfile
import time
from pathlib import Path

from console.core.keystore import KDF_PRESETS, read_sealed, write_sealed


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("interactive", "moderate", "standard", "sensitive"):
            limits = KDF_PRESETS[name]
            path = Path(folder) / f"{name}.keystore"
            write_sealed(path, b"k" * 96, "a password of fair length", limits)
            runs, cpu = [], []
            for _ in range(3):
                start, start_cpu = time.perf_counter(), time.process_time()
                read_sealed(path, "a password of fair length")
                runs.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            print(
                f"{name:12s} opslimit={limits.opslimit} memlimit={limits.memlimit // 2**20} MiB: "
                f"unlock best {min(runs):.3f} s, worst {max(runs):.3f} s; CPU best {min(cpu):.3f} s"
            )


if __name__ == "__main__":
    main()
