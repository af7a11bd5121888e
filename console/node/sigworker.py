"""Ed25519 checks of a sync in helper processes, so that they run beside the sync's own thread, not behind it.

A sync's own thread decodes entries, checks signers and roles and writes rows: Python work that holds the GIL.
The Ed25519 checks (libsodium) release the GIL, but a worker *thread* needs it back for every check, and gets it
only when the sync's thread lets go (every 5 ms, or at a SQLite call): on two cores the checks then trail the
apply instead of running beside it. A helper process has its own interpreter, so its checks never wait for
the sync's thread; the sync's thread only packs the bytes to check (about a microsecond an entry) and a
writer thread sends them.

`ProcessSignatureChecker` has the interface of `ledgerapply.SignatureChecker` (``add``, ``first_bad``, a
context manager) and the same outcome: every check is made before the commit, and the first bad signature is
named. The helper is started only for a run long enough to pay for it (`MIN_CHECKS`), is given nothing secret
(public keys, signed bytes), answers only with one byte per check, and ends when its input closes (also when
the console is killed). Where no helper can be started (a frozen build, no ``python``), or one stops answering,
the checks are made in this process instead, as before.

The helper is ``python -m console.node.sigcheck`` (a module that imports nothing of the console's, so that it
starts in a few hundredths of a second); its frames are described there.
"""

from __future__ import annotations

import contextlib
import os
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence

from console.core import cose, ledgerapply
from console.node.sigcheck import LEN as _LEN
from console.node.sigcheck import read_exact as _read_exact

#: Fewer checks than this in a run are made in this process (a helper costs about 0.1 s to start).
MIN_CHECKS = 4096
#: Checks sent to the helper at a time (about 200 KB).
CHUNK = 512


def _frame(checks: Sequence[ledgerapply.SignatureCheck]) -> bytes:
    """Each check as ``n || key || entry``: the entry's own bytes (or, without them, the same COSE_Sign1 written
    out from the decoded message: the signature covers only its protected header and payload)."""
    parts = []
    pack = _LEN.pack
    for c in checks:
        entry = c.entry or cose.encode_sign1(c.message)
        key = c.key if isinstance(c.key, bytes) and len(c.key) == 32 else bytes(32)
        parts.append(pack(len(entry)) + key + entry)
    body = b"".join(parts)
    return _LEN.pack(len(body)) + body


class _Helper:
    """One helper process, a thread that feeds it and a thread that collects its answers, in order."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # the same `console` as this process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "console.node.sigcheck"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.writer = threading.Thread(target=self._write, name="ledger-verify-send", daemon=True)
        self.reader = threading.Thread(target=self._read, name="ledger-verify-recv", daemon=True)
        self.writer.start()
        self.reader.start()

    def _write(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (frame := self.outbox.get()) is not None:
                stdin.write(frame)
                stdin.flush()
        except (OSError, ValueError):
            pass  # the helper died: the reader sees its output end, and the checks are made here
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                (n,) = _LEN.unpack(_read_exact(stdout, 4))
                self.answers.put(_read_exact(stdout, n))
        except (EOFError, OSError, ValueError, struct.error):
            self.answers.put(None)

    def close(self) -> None:
        self.outbox.put(None)
        self.writer.join(timeout=5)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.reader.join(timeout=5)


class ProcessSignatureChecker:
    """`ledgerapply.SignatureChecker`, with the checks made in a helper process (see above).

    `prefetch(i, check)` sends, ahead of time, a check that the i-th `add` will probably ask for (the key guessed
    from the entry's kid, `ledgerapply.KeyGuesses`); when the i-th `add` comes with the same message and the same
    key, its answer is that one, else the check is sent again with the key `add` gives. So every answer used is
    the check of exactly the message and key that `verify_entry` found.
    """

    def __init__(self, chunk: int = 0) -> None:
        self.chunk = chunk or CHUNK
        self.checks: list[ledgerapply.SignatureCheck] = []  # what `add` asked, in order
        self._slots: list[int] = []  # for each of them, its job
        self._jobs: list[ledgerapply.SignatureCheck] = []  # what is (to be) sent to the helper, in order
        self._early: dict[int, int] = {}  # position of a future `add` -> the job prefetched for it
        self._sent: list[tuple[int, int]] = []  # (start, end) of the jobs of each frame sent, in order
        self._submitted = 0
        self._helper: _Helper | None = None
        self._local: ledgerapply.SignatureChecker | None = None  # no helper could be started: threads, as before
        self._answer: tuple[tuple[int, str] | None] | None = None

    def __enter__(self) -> ProcessSignatureChecker:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._helper is not None:
            self._helper.close()
            self._helper = None
        if self._local is not None:
            self._local.__exit__()

    def prefetch(self, position: int, check: ledgerapply.SignatureCheck) -> None:
        if self._local is not None or position in self._early:
            return
        self._early[position] = len(self._jobs)
        self._jobs.append(check)
        self._maybe_send()

    def add(self, check: ledgerapply.SignatureCheck) -> None:
        if self._local is not None:
            self._local.add(check)
            return
        early = self._early.pop(len(self.checks), None)
        self.checks.append(check)
        if early is not None and _same(self._jobs[early], check):
            self._slots.append(early)
            return
        self._slots.append(len(self._jobs))
        self._jobs.append(check)
        self._maybe_send()

    def _maybe_send(self) -> None:
        if len(self._jobs) - self._submitted < self.chunk:
            return
        if self._helper is None:
            try:
                self._helper = _Helper()
            except OSError:
                self._local = ledgerapply.SignatureChecker()
                for c in self.checks:
                    self._local.add(c)
                return
        self._send()

    def _send(self) -> None:
        assert self._helper is not None
        start, end = self._submitted, len(self._jobs)
        self._helper.outbox.put(_frame(self._jobs[start:end]))
        self._sent.append((start, end))
        self._submitted = end

    def first_bad(self) -> tuple[int, str] | None:
        """The position of the first check that fails and why, or None when all hold (waits for every check)."""
        if self._answer is None:
            self._answer = (self._local.first_bad() if self._local is not None else self._collect(),)
        return self._answer[0]

    def _collect(self) -> tuple[int, str] | None:
        if self._helper is not None and self._submitted < len(self._jobs):
            self._send()
        held: list[bool] = []
        for start, end in self._sent:
            answer = self._helper.answers.get() if self._helper is not None else None
            if answer is None or len(answer) != end - start:
                # the helper stopped (or answered nonsense): the rest of its checks are made here
                if self._helper is not None:
                    self._helper.answers.put(None)
                held.extend(c.holds() for c in self._jobs[start:end])
            else:
                held.extend(b == 1 for b in answer)
        for position, slot in enumerate(self._slots):
            ok = held[slot] if slot < len(held) else self._jobs[slot].holds()  # never sent: a short run
            if not ok:
                return position, ledgerapply.bad_signature(self.checks[position].actor)
        return None


def _same(a: ledgerapply.SignatureCheck, b: ledgerapply.SignatureCheck) -> bool:
    """The same Ed25519 check: the same key over the same signed bytes."""
    if a.key != b.key:
        return False
    ma, mb = a.message, b.message
    return ma is mb or (ma.signature, ma.protected, ma.payload) == (mb.signature, mb.protected, mb.payload)


def signature_checker(count: int) -> ledgerapply.SignatureChecker | ProcessSignatureChecker:
    """The checker for a run of `count` signatures: a helper process for long runs where one can be started,
    else worker threads (`ledgerapply.SignatureChecker`)."""
    if count >= MIN_CHECKS and _can_start():
        return ProcessSignatureChecker()
    return ledgerapply.SignatureChecker()


def _can_start() -> bool:
    """A helper needs a Python interpreter to run this module (not so in a frozen build)."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)
