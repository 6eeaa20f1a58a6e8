"""The household CA is name-constrained: trusting it cannot make a device trust any other site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from appliance.system.tls import CaDoesNotCover, create_household_tls


def _load(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key((folder / "household-ca.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificate((folder / "household-ca.pem").read_bytes())


def _forged(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, name: str) -> x509.Certificate:
    """A certificate for another site, signed with the (stolen) household CA key."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _verify(ca: x509.Certificate, leaf: x509.Certificate, name: str) -> None:
    verifier = PolicyBuilder().store(Store([ca])).build_server_verifier(x509.DNSName(name))
    verifier.verify(leaf, [])


def test_the_server_certificate_verifies_and_a_forged_one_for_another_site_does_not(tmp_path: Path) -> None:
    files = create_household_tls(tmp_path, ["atom", "atom.local"], ["192.168.1.20"])
    ca_key, ca = _load(tmp_path)
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    server = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    _verify(ca, server, "atom.local")
    _verify(ca, _forged(ca_key, ca, "atom.local"), "atom.local")  # the checker itself accepts good chains
    with pytest.raises(VerificationError):
        _verify(ca, _forged(ca_key, ca, "bank.example"), "bank.example")


def test_a_name_outside_the_ca_needs_a_new_ca(tmp_path: Path) -> None:
    create_household_tls(tmp_path, ["atom.local"], ["192.168.1.20"])
    with pytest.raises(CaDoesNotCover, match="--new-ca"):
        create_household_tls(tmp_path, ["atom.lan"], ["192.168.1.20"])
    with pytest.raises(CaDoesNotCover, match="10.0.0.5"):
        create_household_tls(tmp_path, ["atom.local"], ["10.0.0.5"])
    create_household_tls(tmp_path, ["atom.lan"], ["10.0.0.5"], new_ca=True)
    _, ca = _load(tmp_path)
    assert (tmp_path / "household-ca.pem.old").exists()
    permitted = ca.extensions.get_extension_for_class(x509.NameConstraints).value.permitted_subtrees or []
    assert x509.DNSName("atom.lan") in permitted
