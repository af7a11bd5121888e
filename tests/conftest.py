"""Shared fixtures. Qt must run offscreen in tests, so the platform is set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ID_CONSOLE_ARGON2", "fast")  # tests use low KDF limits; production never reads this
