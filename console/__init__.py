"""ID-issuing authority console: uniform ID numbers, signed credentials, QR cards, shared ledger."""

__version__ = "0.2.0"
