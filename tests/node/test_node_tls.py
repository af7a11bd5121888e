"""A node with TLS on 127.0.0.1 (a certificate made here, its own CA): offices sync through it when they trust
that CA (SSL_CERT_FILE) and refuse it when they do not (plain HTTP off loopback: test_node_sync usage errors)."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from console.node import peer
from tests.node.conftest import Authority
from tests.node.nodes import start_node
from tests.node.test_node_sync import statuses, work


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test node")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "node.pem", folder / "node.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_offices_sync_over_tls_and_refuse_an_untrusted_node(
    authority: Authority, person: Callable[[int], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = authority
    cert, key = self_signed(tmp_path)
    node = start_node(a.offices["HQ-01"].paths.data_dir, "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert node.url.startswith("https://127.0.0.1:")
        work(a, "B-02", person, 0)
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(peer.PeerError, match="cannot be reached"):
            peer.run_sync_peer(a.session("B-02", "clerk"), node.url)  # the system CAs do not know this node
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        for code in ("B-02", "C-03"):
            report = peer.run_sync_peer(a.session(code, "clerk"), node.url).to_json()
            assert report["errors"] == [], report
        assert statuses(a, "C-03") == statuses(a, "B-02") and len(statuses(a, "B-02")) == 3
    finally:
        node.stop()
