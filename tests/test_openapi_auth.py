"""Every route in the OpenAPI schema needs credentials, except the few meant to be public."""

from __future__ import annotations

import re

from litestar.testing import TestClient

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/api/setup"),
    ("POST", "/api/setup"),
    ("POST", "/api/auth/login"),
    ("GET", "/calendar/feed.ics"),  # its key is the credential (tests/organizer/test_calendar_files.py)
}


def _operations(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/schema/openapi.json").json()
    found = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method.upper(), path))
    return found


def test_the_schema_is_served_and_lists_the_api(client: TestClient) -> None:
    operations = _operations(client)
    assert ("GET", "/api/members") in operations
    assert len(operations) > 15


def test_every_non_public_route_answers_401_without_credentials(client: TestClient) -> None:
    checked = 0
    for method, path in _operations(client):
        if (method, path) in PUBLIC or path.startswith("/static"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        response = client.request(method, concrete, json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        checked += 1
    assert checked > 10


def test_public_routes_answer_without_credentials(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/setup").status_code == 200


def test_the_live_channel_needs_credentials(client: TestClient) -> None:
    import pytest
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/api/live") as socket:
            socket.receive_text()
