"""Property-based fuzzing of the whole API from its own OpenAPI schema: no input makes Atom answer 5xx."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server import create_app
from tests.conftest import ADMIN, first_admin

pytestmark = pytest.mark.timeout(900)
# Not fuzzed: the service token's API; signing the fuzzer out; and whatever makes Atom call
# addresses named in the input (a provider key's base URL, a model's download URL): fuzzed
# addresses could point anywhere, and tests only ever talk to loopback. With no keys stored,
# chat requests stay on the box (and with no CalDAV account, no sync leaves it).
_SKIPPED = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/ai/keys"),
    ("PATCH", "/api/ai/keys/{key_id}"),
    ("POST", "/api/ai/models"),
    ("POST", "/api/ai/models/{name}/install"),  # a shipped name would download from PyPI
    ("POST", "/api/caldav/accounts"),
    ("POST", "/api/caldav/certificate"),
    ("POST", "/api/connections"),  # signing in reaches the connector's service (GitHub, Todoist, ...)
}
EXAMPLES = 60  # per operation: hypothesis stops early on small inputs; well over 1000 cases in all
CI = bool(os.environ.get("CI"))  # the same examples every CI run; new ones on a developer's machine


def test_no_input_makes_atom_answer_5xx(runtime: Runtime) -> None:
    app = create_app(runtime, close_runtime=False)
    with TestClient(app=app) as client:
        client.post("/api/setup", json=first_admin(runtime))
        csrf = client.post("/api/auth/login", json={"username": ADMIN["username"], "password": ADMIN["password"]})
        secret = client.post("/api/tokens", json={"name": "fuzz"}, headers={"X-CSRF-Token": csrf.json()["csrf_token"]})
        bearer = {"Authorization": f"Bearer {secret.json()['secret']}"}
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    seen: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in _SKIPPED or operation.path.startswith("/api/control"):
            continue
        _fuzz(operation, bearer, failures, seen)
    assert not failures, "\n".join(failures[:20])
    assert runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM provider_keys").fetchone()[0]) == 0
    assert seen[200] + seen[201] > 20 and seen[400] > 20 and seen[404] > 0, seen  # it reached real handlers
    assert seen.total() >= 1000, seen


def _fuzz(operation, bearer: dict[str, str], failures: list[str], seen: Counter[int]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=CI
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=bearer)
        seen[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:  # 503 names a missing part on purpose
            failures.append(
                f"{case.method} {case.formatted_path} {case.body!r:.200}: {response.status_code} {response.text[:200]}"
            )

    check()
