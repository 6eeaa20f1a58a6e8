"""Sign-in that fits phones, and what a member changes about themselves."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import ADMIN, add_member, second_client, sign_in


def test_a_member_renames_themselves_and_nothing_else(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "kim", "kim's password")
    with second_client(runtime) as kim:
        sign_in(kim, "kim", "kim's password")
        renamed = kim.patch("/api/account", json={"display_name": "  Kim   Lee "})
        assert renamed.status_code == 200 and renamed.json()["display_name"] == "Kim Lee"
        assert kim.get("/api/auth/me").json()["display_name"] == "Kim Lee"
        assert kim.patch("/api/account", json={"display_name": "   "}).status_code == 400
        assert kim.patch("/api/account", json={"display_name": "Kim", "role": "admin"}).status_code == 400
        assert kim.get("/api/auth/me").json()["role"] == "member"
        assert 'value="Kim Lee"' in kim.get("/account").text
    names = {m["username"]: m["display_name"] for m in admin.get("/api/members").json()}
    assert names["kim"] == "Kim Lee"


def test_a_new_password_must_differ_from_the_old(admin: TestClient) -> None:
    same = admin.post(
        "/api/account/password", json={"current_password": ADMIN["password"], "new_password": ADMIN["password"]}
    )
    assert same.status_code == 400 and "different from the current one" in same.json()["detail"]


def test_user_names_ignore_case_at_sign_in_and_when_made(admin: TestClient, runtime: Runtime) -> None:
    made = admin.post("/api/members", json={"username": "Robin", "password": "robin's password"})
    assert made.status_code == 201 and made.json()["username"] == "robin"
    with second_client(runtime) as robin:
        sign_in(robin, "ROBIN", "robin's password")
        assert robin.get("/api/auth/me").json()["username"] == "robin"
    bad = admin.post("/api/members", json={"username": "-bad name", "password": "robin's password"})
    assert bad.status_code == 400 and "a-z, 0-9, dots, dashes and underscores" in bad.text


def test_user_name_fields_are_typed_as_is_and_say_what_is_allowed(client: TestClient, admin: TestClient) -> None:
    members = admin.get("/members").text
    field = re.search(r'<input id="add-username"[^>]*>', members)
    assert field is not None
    tag = field.group(0)
    assert 'autocapitalize="none"' in tag and 'autocorrect="off"' in tag and 'spellcheck="false"' in tag
    assert 'pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*"' in tag and 'title="Letters, digits, dots' in tag
    admin.cookies.clear()
    login = re.search(r'<input id="username"[^>]*>', admin.get("/login").text)
    assert login is not None and 'autocapitalize="none"' in login.group(0) and "pattern" not in login.group(0)


def test_a_lock_out_says_why_the_right_password_is_refused(admin: TestClient, runtime: Runtime) -> None:
    admin.cookies.clear()
    answers = [admin.post("/api/auth/login", json={"username": "admin", "password": f"wrong {n}"}) for n in range(12)]
    locked = next(a for a in answers if a.status_code == 429)
    assert "even the right password is refused" in locked.json()["detail"] and int(locked.headers["retry-after"]) > 0
    right = admin.post("/api/auth/login", json={"username": "admin", "password": ADMIN["password"]})
    assert right.status_code == 429
