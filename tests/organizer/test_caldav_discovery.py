"""Finding a CalDAV server's calendars from the address a member types, and trusting a NAS's own
certificate on first use; against a real Radicale (behind a Nextcloud-like front, or over TLS)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from litestar.testing import TestClient

from appliance.organizer.caldav.trust import fingerprint
from appliance.system.tls import TlsFiles, create_household_tls
from tests.organizer.radicale import PASSWORD, USER, Radicale, behind_a_prefix, start_radicale

pytestmark = pytest.mark.process

MARCH = {"start": "2025-03-01T00:00:00", "end": "2025-05-01T00:00:00"}


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = start_radicale(tmp_path / "radicale")
    yield server
    server.stop()


def _account(client: TestClient, url: str, **extra: object) -> httpx.Response:
    body = {"label": "Home", "url": url, "username": USER, "password": PASSWORD, "shared": True, **extra}
    return client.post("/api/caldav/accounts", json=body)


def _added(client: TestClient, url: str, **extra: object) -> dict:
    response = _account(client, url, **extra)
    assert response.status_code == 201, response.text
    return response.json()


def _calendars(client: TestClient, account: dict) -> list[dict]:
    response = client.get(f"/api/caldav/accounts/{account['id']}/calendars")
    assert response.status_code == 200, response.text
    return response.json()


def _phone_event(radicale: Radicale, title: str) -> None:
    radicale.calendar("family").save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:x@phone\r\n"
        f"DTSTAMP:20250301T000000Z\r\nDTSTART:20250326T180000Z\r\nDURATION:PT1H\r\nSUMMARY:{title}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _link_and_sync(client: TestClient, account: dict, remote_url: str) -> dict:
    link = {"account_id": account["id"], "remote_url": remote_url}
    assert client.put("/api/calendars/household/caldav", json=link).status_code == 200
    return client.post("/api/calendars/household/sync")


def test_a_bare_server_address_finds_the_calendars_through_well_known(
    household: TestClient, radicale: Radicale
) -> None:
    radicale.calendar("family")
    _phone_event(radicale, "Found the way")
    with behind_a_prefix(radicale) as front:
        account = _added(household, front)  # just the server: /.well-known/caldav → /dav/ → principal → home
        [found] = _calendars(household, account)
        assert found["url"] == front + "dav/ada/family/"
        principal = _added(household, front + "dav/ada/")  # a principal URL works as well
        assert [c["url"] for c in _calendars(household, principal)] == [found["url"]]
        synced = _link_and_sync(household, account, found["url"])
        assert synced.status_code == 200 and synced.json()["pulled"] == 1
        assert [o["title"] for o in household.get("/api/events", params=MARCH).json()] == ["Found the way"]


def test_a_well_known_address_leading_elsewhere_is_not_followed(household: TestClient, radicale: Radicale) -> None:
    with behind_a_prefix(radicale, well_known="http://example.com/dav/") as front:
        account = _added(household, front)
        refused = household.get(f"/api/caldav/accounts/{account['id']}/calendars")
    assert refused.status_code == 400
    assert "leads to another address (http://example.com/dav/)" in refused.json()["detail"]


@pytest.fixture
def nas(tmp_path: Path) -> Iterator[tuple[Radicale, TlsFiles]]:
    """Radicale over TLS with a certificate from its own CA, which no system trusts."""
    tls = create_household_tls(tmp_path / "nas-tls", ["localhost"], ["127.0.0.1"])
    server = start_radicale(tmp_path / "radicale", tls=tls)
    yield server, tls
    server.stop()


def _sha256_of(tls: TlsFiles) -> str:
    cert = x509.load_pem_x509_certificate(tls.server_cert.read_bytes())
    return fingerprint(cert.public_bytes(Encoding.DER))


def test_a_nas_certificate_is_trusted_by_its_fingerprint_and_only_that_one(
    household: TestClient, nas: tuple[Radicale, TlsFiles], tmp_path: Path
) -> None:
    radicale, tls = nas
    expected = _sha256_of(tls)
    look = household.post("/api/caldav/certificate", json={"url": radicale.url, "shared": True})
    assert look.status_code == 200, look.text
    assert (look.json()["sha256"], look.json()["trusted"]) == (expected, False)
    assert "localhost" in look.json()["subject"] or "Atom" in look.json()["subject"]

    unchecked = _account(household, radicale.url)
    assert unchecked.status_code == 400 and expected in unchecked.json()["detail"]
    wrong = _account(household, radicale.url, cert_sha256="AB:" * 31 + "AB")
    assert wrong.status_code == 400 and "not the one you checked" in wrong.json()["detail"]
    assert household.get("/api/caldav/accounts").json() == []

    typed = expected.replace(":", "").lower()  # as pasted from a NAS's page: no colons, lower case
    account = _added(household, radicale.url, cert_sha256=typed)
    assert account["cert_sha256"] == expected
    _phone_event(radicale, "Over TLS")  # the phone trusts the NAS's CA
    [found] = _calendars(household, account)
    synced = _link_and_sync(household, account, found["url"])
    assert synced.status_code == 200 and synced.json()["pulled"] == 1

    # The NAS now shows another certificate (replaced, or someone in between): nothing is sent to it.
    radicale.stop()
    other = create_household_tls(tmp_path / "other-tls", ["localhost"], ["127.0.0.1"])
    port = int(radicale.url.rsplit(":", 1)[1].strip("/"))
    impostor = start_radicale(tmp_path / "impostor", tls=other, port=port)
    try:
        failed = household.post("/api/calendars/household/sync")
        assert failed.status_code == 400 and "another certificate than the one trusted" in failed.json()["detail"]
        [calendar] = [c for c in household.get("/api/calendars").json() if c["id"] == "household"]
        assert "another certificate" in calendar["caldav"]["sync_advice"]
        assert "someone may be in between" in calendar["caldav"]["sync_advice"]
    finally:
        impostor.stop()


def test_an_impostor_with_another_certificate_never_receives_the_password(
    household: TestClient, nas: tuple[Radicale, TlsFiles], tmp_path: Path
) -> None:
    radicale, tls = nas
    account = _added(household, radicale.url, cert_sha256=_sha256_of(tls))
    other = create_household_tls(tmp_path / "other-tls", ["localhost"], ["127.0.0.1"])
    port = int(radicale.url.rsplit(":", 1)[1].strip("/"))
    radicale.stop()
    with _listening_impostor(other, port) as heard:
        refused = household.get(f"/api/caldav/accounts/{account['id']}/calendars")
    assert refused.status_code == 400 and "another certificate" in refused.json()["detail"]
    assert heard == [b""]  # a handshake, then nothing: no request, no password


def test_certificates_are_looked_at_only_where_the_account_may_go(
    robin: TestClient, household: TestClient, nas: tuple[Radicale, TlsFiles]
) -> None:
    member = robin
    radicale, tls = nas
    lan = member.post("/api/caldav/certificate", json={"url": radicale.url})  # a member's own: internet only
    assert lan.status_code == 400 and "will not connect" in lan.json()["detail"]
    assert member.post("/api/caldav/certificate", json={"url": radicale.url, "shared": True}).status_code == 403
    plain = household.post("/api/caldav/certificate", json={"url": "http://127.0.0.1:1/", "shared": True})
    assert plain.status_code == 400 and "only an https://" in plain.json()["detail"]
    pinned_http = _account(household, "http://127.0.0.1:1/", cert_sha256=_sha256_of(tls))
    assert pinned_http.status_code == 400 and "only an https://" in pinned_http.json()["detail"]
    for bad in ("zz" * 32, "AB", "x" * 200):
        assert _account(household, radicale.url, cert_sha256=bad).status_code == 400


class _listening_impostor:
    """A TLS server with another certificate on the NAS's port: records what a client sends after the handshake."""

    def __init__(self, tls: TlsFiles, port: int) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(tls.server_cert, tls.server_key)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.heard: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> list[bytes]:
        self.thread.start()
        return self.heard

    def __exit__(self, *_: object) -> None:
        self.thread.join(10)
        self.listener.close()

    def _serve(self) -> None:
        self.listener.settimeout(10)
        connection, _ = self.listener.accept()
        connection.settimeout(5)
        try:
            with self.context.wrap_socket(connection, server_side=True) as secure:
                self.heard.append(secure.recv(65536))
        except (ssl.SSLError, OSError):
            self.heard.append(b"")  # the client gave up during or right after the handshake


def _self_signed(folder: Path, *, expired: bool) -> TlsFiles:
    """A NAS's own one-off certificate (no CA), valid now or expired a day ago."""
    import datetime as dt

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nas.local")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    files = TlsFiles(folder / "unused-ca.pem", folder / "server.pem", folder / "server.key")
    files.server_cert.write_bytes(cert.public_bytes(Encoding.PEM))
    key_pem = key.private_bytes(Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    files.server_key.write_bytes(key_pem)
    files.ca_cert.write_bytes(cert.public_bytes(Encoding.PEM))  # the phone trusts it directly
    return files


def test_a_one_off_self_signed_certificate_works_and_an_expired_one_says_so(
    household: TestClient, tmp_path: Path
) -> None:
    for expired in (False, True):
        tls = _self_signed(tmp_path / f"cert-{expired}", expired=expired)
        radicale = start_radicale(tmp_path / f"radicale-{expired}", tls=tls)
        try:
            account = _added(household, radicale.url, cert_sha256=_sha256_of(tls))
            listed = household.get(f"/api/caldav/accounts/{account['id']}/calendars")
            if expired:
                assert (
                    listed.status_code == 400 and "certificate has expired; renew it there" in listed.json()["detail"]
                )
            else:
                assert listed.status_code == 200, listed.text
        finally:
            radicale.stop()
