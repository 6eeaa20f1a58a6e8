"""What a page on another site, or a program on the LAN, could try at Atom's edge.

Cross-site forms, DNS rebinding, creating the first admin from a web page, and the service
token used anywhere but the control API from the box itself.
"""

from __future__ import annotations

import json

import httpx
import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import ADMIN, first_admin, sign_in
from tests.processes import AtomProcess


def test_a_cross_site_text_plain_form_cannot_create_the_first_admin(client: TestClient, runtime: Runtime) -> None:
    # <form enctype="text/plain"> can carry a JSON-looking body with no preflight
    forged = client.post("/api/setup", content=json.dumps(first_admin(runtime)), headers={"Content-Type": "text/plain"})
    assert forged.status_code == 415
    assert "JSON" in forged.json()["detail"]
    assert client.get("/api/setup").json() == {"needs_setup": True}


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
    ],
)
def test_public_routes_refuse_requests_from_other_sites(client: TestClient, runtime: Runtime, headers: dict) -> None:
    assert client.post("/api/setup", json=first_admin(runtime), headers=headers).status_code == 403
    assert client.get("/api/setup").json() == {"needs_setup": True}
    own = {"Origin": "http://testserver.local", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/setup", json=first_admin(runtime), headers=own).status_code == 201
    client.cookies.clear()
    login = {"username": ADMIN["username"], "password": ADMIN["password"]}
    assert client.post("/api/auth/login", json=login, headers=headers).status_code == 403
    as_text = client.post("/api/auth/login", content=json.dumps(login), headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
    assert client.post("/api/auth/login", json=login).status_code == 200


def test_first_run_setup_needs_the_code_atom_printed(client: TestClient, runtime: Runtime) -> None:
    code_file = runtime.settings.data_dir / "setup.code"
    assert code_file.read_text().strip() == runtime.setup_code
    assert oct(code_file.stat().st_mode & 0o777) == "0o600"
    missing = client.post("/api/setup", json=ADMIN)
    assert missing.status_code == 400 and "setup_code" in missing.text
    wrong = client.post("/api/setup", json={**ADMIN, "setup_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 403 and "setup code" in wrong.json()["detail"]
    assert client.get("/api/setup").json() == {"needs_setup": True}
    retyped = runtime.setup_code.lower().replace("-", " ")
    assert client.post("/api/setup", json={**ADMIN, "setup_code": retyped}).status_code == 201
    assert not code_file.exists() and runtime.setup_code is None
    again = client.post("/api/setup", json={**ADMIN, "setup_code": retyped, "username": "intruder"})
    assert again.status_code == 409


def test_guessing_the_setup_code_is_throttled(client: TestClient, runtime: Runtime) -> None:
    codes = [client.post("/api/setup", json={**ADMIN, "setup_code": f"WRONG-{n:04}"}).status_code for n in range(8)]
    assert 429 in codes, codes
    assert codes[0] == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "atom.local.evil.example", "[::2]:80"])
def test_requests_naming_another_host_are_refused(client: TestClient, host: str) -> None:
    """DNS rebinding: a site's own name pointed at the box reaches Atom with that name as Host."""
    refused = client.get("/api/setup", headers={"Host": host})
    assert refused.status_code == 400
    assert "server.allowed_hosts" in refused.json()["detail"]
    assert client.get("/api/setup", headers={"Host": "localhost:8080"}).status_code == 200


def test_the_service_token_opens_nothing_but_the_control_api(admin: TestClient, runtime: Runtime) -> None:
    service = {"Authorization": f"Bearer {runtime.service_token}"}
    for method, path in [
        ("GET", "/api/members"),
        ("GET", "/v1/models"),
        ("GET", "/api/auth/me"),
        ("GET", "/api/ai/keys"),
    ]:
        answer = admin.request(method, path, headers=service)
        assert answer.status_code == 403, (path, answer.text)
    # the in-process client is not a process on the box: even the control API is refused to it
    assert admin.get("/api/control/users", headers=service).status_code == 403


def test_the_service_token_works_from_the_box_but_not_on_member_routes(atom_processes) -> None:  # type: ignore[no-untyped-def]
    server: AtomProcess = atom_processes("serve")
    token = (server.data_dir / "service.token").read_text().strip()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as box:
        assert box.get("/api/control/users").status_code == 200
        assert box.get("/api/members").status_code == 403
        assert box.post("/v1/chat/completions", json={"model": "auto", "messages": []}).status_code == 403


def test_the_live_channel_refuses_the_service_token_and_foreign_hosts(admin: TestClient, runtime: Runtime) -> None:
    from litestar.exceptions import WebSocketDisconnect

    service = {"Authorization": f"Bearer {runtime.service_token}"}
    with pytest.raises(WebSocketDisconnect), admin.websocket_connect("/api/live", headers=service) as socket:
        socket.receive_text()
    with (
        pytest.raises(WebSocketDisconnect),
        admin.websocket_connect("/api/live", headers={"Host": "evil.example"}) as s,
    ):
        s.receive_text()
    member = sign_in(admin, ADMIN["username"], ADMIN["password"])
    with member.websocket_connect("/api/live") as socket:
        assert json.loads(socket.receive_text())["action"] == "ready"
