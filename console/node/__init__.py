"""The peer node: an HTTP server over the ledger and the client that syncs with one (ledger issue)."""
