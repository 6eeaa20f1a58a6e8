"""The admin manages members; private data stays private, from the admin too."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in


def test_admin_adds_edits_disables_and_removes_members(admin: TestClient, runtime: Runtime) -> None:
    bob = add_member(admin, "bob", "bob's password")
    assert bob["role"] == "member" and bob["display_name"] == "bob"
    renamed = admin.patch(f"/api/members/{bob['id']}", json={"display_name": "Bob B."})
    assert renamed.json()["display_name"] == "Bob B."
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        assert admin.patch(f"/api/members/{bob['id']}", json={"disabled": True}).json()["disabled"] is True
        assert phone.get("/api/auth/me").status_code == 401  # disabling ends sign-ins
        phone.cookies.clear()
        assert phone.post("/api/auth/login", json={"username": "bob", "password": "bob's password"}).status_code == 401
    assert admin.delete(f"/api/members/{bob['id']}").status_code == 204
    assert admin.get(f"/api/members/{bob['id']}").status_code == 404
    assert [m["username"] for m in admin.get("/api/members").json()] == ["admin"]


def test_taken_names_conflict(admin: TestClient) -> None:
    add_member(admin, "bob")
    again = admin.post("/api/members", json={"username": "bob", "password": "another one"})
    assert again.status_code == 409
    assert "taken" in again.json()["detail"]


def test_members_see_the_household_but_cannot_manage_it(admin: TestClient, runtime: Runtime) -> None:
    bob = add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        assert {m["username"] for m in phone.get("/api/members").json()} == {"admin", "bob"}
        denied = phone.post("/api/members", json={"username": "eve", "password": "eve's password"})
        assert denied.status_code == 403
        assert phone.patch(f"/api/members/{bob['id']}", json={"role": "admin"}).status_code == 403
        assert phone.get("/api/system/jobs").status_code == 403


def test_the_household_keeps_an_active_admin(admin: TestClient) -> None:
    me = admin.get("/api/auth/me").json()
    assert admin.patch(f"/api/members/{me['id']}", json={"disabled": True}).status_code in (403, 409)
    assert admin.delete(f"/api/members/{me['id']}").status_code == 403
    other = add_member(admin, "root2", role="admin")
    assert admin.patch(f"/api/members/{other['id']}", json={"role": "member"}).status_code == 200


def test_private_resources_are_404_to_everyone_else_admin_included(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "alice", "alice's password")
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as alice, second_client(runtime) as bob:
        sign_in(alice, "alice", "alice's password")
        sign_in(bob, "bob", "bob's password")
        token = bob.post("/api/tokens", json={"name": "bob's script"}).json()["token"]
        [bob_session] = bob.get("/api/account/sessions").json()
        for intruder in (alice, admin):
            assert intruder.get(f"/api/tokens/{token['id']}").status_code == 404
            assert intruder.delete(f"/api/tokens/{token['id']}").status_code == 404
            assert intruder.delete(f"/api/account/sessions/{bob_session['id']}").status_code == 404
            assert token["id"] not in {t["id"] for t in intruder.get("/api/tokens").json()}
        assert bob.get(f"/api/tokens/{token['id']}").status_code == 200
        assert bob.get("/api/auth/me").status_code == 200


def test_identity_never_comes_from_the_body(admin: TestClient, runtime: Runtime) -> None:
    bob = add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        sneaky = phone.post("/api/tokens", json={"name": "x", "user_id": bob["id"]})
        assert sneaky.status_code == 400  # unknown fields are refused, not obeyed
        created = admin.post("/api/tokens", json={"name": "admin's"}).json()
        assert created["token"]["id"] not in {t["id"] for t in phone.get("/api/tokens").json()}


def test_removing_a_member_erases_everything_private_to_them(admin: TestClient, runtime: Runtime) -> None:
    from appliance.storage.ownership import KEPT_TABLES, MEMBER_TABLES

    bob = add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        phone.post("/api/tokens", json={"name": "script"})
        phone.post("/api/ai/keys", json={"provider": "openai", "api_key": "sk-bob-0123456789"})
        chat = phone.post("/api/chat/conversations", json={"title": "bob's"}).json()
        phone.put("/api/ai/preferences", json={"policy": "local_only"})
    runtime.db.write_sync(
        lambda c: c.execute(
            "INSERT INTO chat_messages (id, conversation_id, role, content, created_at)"
            " VALUES ('m1', ?, 'user', 'hello', now())",
            [chat["id"]],
        )
    )
    assert admin.delete(f"/api/members/{bob['id']}").status_code == 204

    def rows_of_bob(conn, table: str, column: str) -> int:  # type: ignore[no-untyped-def]
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [bob["id"]]).fetchone()[0]

    for table, column in MEMBER_TABLES:
        assert runtime.db.read_sync(rows_of_bob, table, column) == 0, table
    assert runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM chat_messages").fetchone()[0]) == 0
    columns = runtime.db.read_sync(
        lambda c: c.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name IN ('user_id', 'owner')"
        ).fetchall()
    )
    unlisted = {t for (t,) in columns} - {t for t, _ in MEMBER_TABLES} - KEPT_TABLES
    assert not unlisted, f"tables holding members' rows but not erased with them: {unlisted}"
