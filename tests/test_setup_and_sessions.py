"""First-run setup, sign-in, sign-out, cookies, CSRF and throttling, in-process."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import ADMIN, add_member, first_admin, second_client, sign_in


def test_setup_creates_the_admin_only_while_no_user_exists(client: TestClient, runtime: Runtime) -> None:
    assert client.get("/api/setup").json() == {"needs_setup": True}
    assert (runtime.settings.data_dir / "setup.issue").is_file()  # the console shows the code until setup
    body = first_admin(runtime)
    first = client.post("/api/setup", json=body)
    assert first.status_code == 201
    assert (
        not (runtime.settings.data_dir / "setup.issue").exists()
        and not (runtime.settings.data_dir / "setup.code").exists()
    )
    assert first.json()["role"] == "admin"
    assert client.get("/api/setup").json() == {"needs_setup": False}
    again = client.post("/api/setup", json={**body, "username": "intruder"})
    assert again.status_code == 409
    assert "already set up" in again.json()["detail"]


def test_setup_signs_the_admin_in_with_a_safe_cookie(client: TestClient, runtime: Runtime) -> None:
    response = client.post("/api/setup", json=first_admin(runtime))
    cookie = response.headers["set-cookie"]
    assert "atom_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Max-Age=" in cookie
    assert client.get("/api/auth/me").json()["username"] == "admin"


def test_login_and_logout(admin: TestClient, runtime: Runtime) -> None:
    with second_client(runtime) as other:
        assert other.get("/api/auth/me").status_code == 401
        sign_in(other, ADMIN["username"], ADMIN["password"])
        assert other.get("/api/auth/me").json()["display_name"] == "Ada Admin"
        assert other.post("/api/auth/logout").status_code == 200
        assert other.get("/api/auth/me").status_code == 401
    assert admin.get("/api/auth/me").status_code == 200  # the first sign-in lives on


def test_wrong_password_is_refused_without_saying_which_part(client: TestClient, runtime: Runtime) -> None:
    client.post("/api/setup", json=first_admin(runtime))
    client.cookies.clear()
    wrong = client.post("/api/auth/login", json={"username": "admin", "password": "nope nope"})
    unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong user name or password"


def test_repeated_failures_are_throttled_with_429(client: TestClient, runtime: Runtime) -> None:
    client.post("/api/setup", json=first_admin(runtime))
    client.cookies.clear()
    bad = {"username": "admin", "password": "guess guess"}
    codes = [client.post("/api/auth/login", json=bad).status_code for _ in range(5)]
    assert codes == [401] * 5
    locked = client.post("/api/auth/login", json={"username": "admin", "password": ADMIN["password"]})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "too many" in locked.json()["detail"]


def test_cookie_requests_that_change_things_need_the_csrf_token(admin: TestClient) -> None:
    token = admin.headers.pop("X-CSRF-Token")
    refused = admin.post("/api/tokens", json={"name": "laptop"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    forged = admin.post("/api/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    assert admin.post("/api/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": token}).status_code == 201
    assert admin.get("/api/tokens").status_code == 200  # reads need no token


def test_password_change_ends_other_sign_ins(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        sign_in(laptop, "bob", "bob's password")
        wrong = phone.post("/api/account/password", json={"current_password": "nah nah nah", "new_password": "x" * 12})
        assert wrong.status_code == 400
        changed = phone.post(
            "/api/account/password", json={"current_password": "bob's password", "new_password": "new secret 42"}
        )
        assert changed.status_code == 204
        assert phone.get("/api/auth/me").status_code == 200
        assert laptop.get("/api/auth/me").status_code == 401
        laptop.cookies.clear()
        old = laptop.post("/api/auth/login", json={"username": "bob", "password": "bob's password"})
        assert old.status_code == 401
        sign_in(laptop, "bob", "new secret 42")


def test_my_sign_ins_are_listed_and_can_be_ended(admin: TestClient, runtime: Runtime) -> None:
    with second_client(runtime) as other:
        sign_in(other, ADMIN["username"], ADMIN["password"])
        sessions = admin.get("/api/account/sessions").json()
        assert len(sessions) == 2
        [mine] = [s for s in sessions if s["current"]]
        [theirs] = [s for s in sessions if not s["current"]]
        assert admin.delete(f"/api/account/sessions/{theirs['id']}").status_code == 204
        assert other.get("/api/auth/me").status_code == 401
        assert admin.get("/api/auth/me").status_code == 200
        assert mine["id"] != theirs["id"]


def test_expired_sessions_are_refused(admin: TestClient, runtime: Runtime) -> None:
    runtime.db.write_sync(lambda conn: conn.execute("UPDATE sessions SET expires_at = TIMESTAMP '2000-01-01'"))
    assert admin.get("/api/auth/me").status_code == 401
