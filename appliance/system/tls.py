"""A household certificate authority, so browsers trust Atom over HTTPS on the LAN.

Browsers only run service workers (and so only install Atom to a home screen) on
HTTPS or localhost. `create_household_tls` makes a small CA once and a server
certificate for the box's names signed by it; each device trusts the CA once.

The CA is name-constrained (RFC 5280) to the box's names and addresses given when it is made:
a phone that trusts it cannot be made to trust a certificate for any other site, even by
someone who steals the CA key. A later certificate for a name outside those needs a new CA
(`new_ca=True`), trusted again on each device.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TlsFiles", "create_household_tls", "CaDoesNotCover", "certificate_names"]

_CA_YEARS, _SERVER_DAYS = 10, 825  # 825 days: the longest server certificate Apple devices accept


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


class CaDoesNotCover(ValueError):
    """The existing household CA may not sign for some of the names asked for."""


def create_household_tls(folder: Path, names: list[str], addresses: list[str], new_ca: bool = False) -> TlsFiles:
    """Make (or reuse) the CA in `folder` and issue a fresh server certificate for these names."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if new_ca:
        _retire_ca(folder)
    ca_key, ca_cert = _household_ca(folder, names, addresses)
    _check_covered(ca_cert, names, addresses)
    server_key = ec.generate_private_key(ec.SECP256R1())
    cert = _server_cert(server_key, ca_key, ca_cert, names, addresses)
    files = TlsFiles(folder / "household-ca.pem", folder / "server.pem", folder / "server.key")
    _write(files.server_key, _pem_key(server_key), private=True)
    _write(files.server_cert, cert.public_bytes(serialization.Encoding.PEM))
    return files


def certificate_names(cert_file: Path) -> list[str]:
    """The DNS names and addresses a server certificate is for (empty if it cannot be read)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return []
    return [*alt.get_values_for_type(x509.DNSName), *(str(a) for a in alt.get_values_for_type(x509.IPAddress))]


def _household_ca(
    folder: Path, names: list[str], addresses: list[str]
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key_path, cert_path = folder / "household-ca.key", folder / "household-ca.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_path} is not the EC key Atom made; move the tls folder aside and run again")
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atom household CA")])
    cert = (
        _builder(name, name, key.public_key(), dt.timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(_constraints(names, addresses), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _pem_key(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _server_cert(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    names: list[str],
    addresses: list[str],
) -> x509.Certificate:
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else addresses[0])])
    return (
        _builder(subject, ca.subject, key.public_key(), dt.timedelta(days=_SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _constraints(names: list[str], addresses: list[str]) -> x509.NameConstraints:
    permitted: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    permitted += [x509.IPAddress(ipaddress.ip_network(a)) for a in addresses]
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def _check_covered(ca: x509.Certificate, names: list[str], addresses: list[str]) -> None:
    try:
        constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        raise CaDoesNotCover(
            "the household CA was made before Atom limited it to the box's names; "
            "make a new one with --new-ca and trust it again on each device"
        ) from None
    permitted = constraints.permitted_subtrees or []
    dns = {g.value.lower() for g in permitted if isinstance(g, x509.DNSName)}
    nets = [ipaddress.ip_network(g.value) for g in permitted if isinstance(g, x509.IPAddress)]
    missing = [n for n in names if not any(n.lower() == d or n.lower().endswith("." + d) for d in dns)]
    missing += [a for a in addresses if not any(ipaddress.ip_address(a) in net for net in nets)]
    if missing:
        raise CaDoesNotCover(
            f"the household CA may only sign for {', '.join(sorted(dns) + [str(n) for n in nets])}, "
            f"not {', '.join(missing)}: run again with --new-ca and trust the new CA on each device"
        )


def _retire_ca(folder: Path) -> None:
    """Keep the old CA beside the new one (named .old) rather than destroying it."""
    for name in ("household-ca.key", "household-ca.pem"):
        if (folder / name).exists():
            (folder / name).replace(folder / f"{name}.old")


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, lifetime: dt.timedelta
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + lifetime)
    )


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    tmp.replace(path)
