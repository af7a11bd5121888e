"""The shared ledger's pure core: RFC 9162 hashing, proofs, tlog-tiles, signed notes, checkpoints, fork timeline.

Invariant: nothing in this package does I/O. It never imports os, pathlib, sqlite3 or socket (import-linter
enforces it); every read goes through a small Protocol passed in (see `hashing.HashReader`), so the same code
runs over SQLite rows, files in a shared folder, or bytes fetched over HTTP.
"""
