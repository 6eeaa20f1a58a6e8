"""`atom users …` and `atom tokens …`: household administration from the shell."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

import msgspec

from appliance.accounts import members, tokens, users
from appliance.accounts.shapes import SERVICE_PRINCIPAL, ApiTokenForMember, User, UserCreate
from appliance.errors import DatabaseLocked, InvalidInput
from appliance.settings import Settings

__all__ = ["add_admin_commands", "dispatch"]


def add_admin_commands(commands: Any) -> None:
    users_cmd = commands.add_parser("users", help="household members").add_subparsers(title="users commands")
    add = users_cmd.add_parser("add", help="add a member (the first one may be --admin)")
    add.add_argument("username")
    add.add_argument("--admin", action="store_true", help="give the admin role")
    add.add_argument("--display-name")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-file", type=Path, help="read the password from this file")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=_users_add)
    users_cmd.add_parser("list", help="list members").set_defaults(run=_users_list)
    disable = users_cmd.add_parser("disable", help="disable a member and end their sign-ins")
    disable.add_argument("username")
    disable.set_defaults(run=_users_disable)
    tokens_cmd = commands.add_parser("tokens", help="API tokens").add_subparsers(title="tokens commands")
    create = tokens_cmd.add_parser("create", help="create an API token and print it once")
    create.add_argument("--user", required=True, help="whose token")
    create.add_argument("--name", default="cli", help="a label to recognise it by")
    create.set_defaults(run=_tokens_create)


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args)
    try:
        new = UserCreate(
            username=args.username,
            password=password,
            display_name=args.display_name,
            role="admin" if args.admin else "member",
        )
        new = msgspec.convert(msgspec.to_builtins(new), UserCreate)  # enforce field rules
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc)) from None
    user = dispatch(
        settings,
        offline=lambda rt: members.add_member(rt.db, rt.bus, new),
        online=lambda api: msgspec.convert(api.call("POST", "/api/control/users", new), User),
    )
    print(f"added {user.role} {user.username} ({user.id})")
    return 0


def _users_list(_: argparse.Namespace, settings: Settings) -> int:
    found = dispatch(
        settings,
        offline=lambda rt: users.list_users(rt.db),
        online=lambda api: msgspec.convert(api.call("GET", "/api/control/users"), list[User]),
    )
    for user in found:
        state = "disabled" if user.disabled else "active"
        print(f"{user.username:<24} {user.role:<7} {state:<9} {user.display_name}")
    return 0


def _users_disable(args: argparse.Namespace, settings: Settings) -> int:
    user = dispatch(
        settings,
        offline=lambda rt: members.disable_member(rt.db, rt.bus, SERVICE_PRINCIPAL, args.username),
        online=lambda api: msgspec.convert(api.call("POST", f"/api/control/users/{args.username}/disable"), User),
    )
    print(f"disabled {user.username}")
    return 0


def _tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    async def offline(rt: Any) -> str:
        user = await users.find_user(rt.db, args.user)
        return (await tokens.create_token(rt.db, user.id, args.name)).secret

    secret = dispatch(
        settings,
        offline=offline,
        online=lambda api: api.call(
            "POST", "/api/control/tokens", ApiTokenForMember(username=args.user, name=args.name)
        )["secret"],
    )
    print(secret)
    print("This token is shown once; store it now.", file=sys.stderr)
    return 0


def dispatch(settings: Settings, offline: Any, online: Any) -> Any:
    """Run on the database directly, or through the running server that owns it."""
    from appliance.runtime import open_runtime

    try:
        runtime = open_runtime(settings)
    except DatabaseLocked:
        return _through_server(settings, online)
    try:
        return asyncio.run(offline(runtime))
    finally:
        runtime.close()


def _through_server(settings: Settings, online: Any) -> Any:
    from appliance.jobs.client import lazy_server_client

    api = lazy_server_client(settings)()
    try:
        return online(api)
    finally:
        api.close()


def _read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        return args.password_file.read_text().rstrip("\n")
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise InvalidInput("the two passwords differ")
    return first
