"""Signing a member in to a service, in the three ways a box on a home network can.

    device  RFC 8628: Atom asks for a code, the member types it at the service, the page polls
    token   the member pastes a credential; Atom tries it before keeping it
    pkce    authorization code + PKCE (S256) with a loopback redirect: nothing listens there, so
            the member pastes the address the browser lands on; its `state` must be the one
            Atom made for this member's sign-in. A service without a redirect (`oauth.redirect =
            false`) shows the code itself and the member pastes that: the code is bound to this
            sign-in's PKCE challenge, so a code from anyone else's sign-in fails at the token endpoint

Who is signing in always comes from the session (`owner`), never from the browser's word:
the pending sign-in lives in the owner's vault, under a connection only they can reach.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import msgspec

from appliance.connectors import connections as conns
from appliance.connectors.access import StaticBearer, app_client, authed
from appliance.connectors.connections import Record
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.manifest import ConnectorManifest, SignInKind
from appliance.connectors.oauth import DEVICE_GRANT, AppClient, TokenReply, grant_from, pkce_pair, token_request
from appliance.connectors.registry import manifest, plugin
from appliance.connectors.shapes import ConnectionCreate, ConnectStep, DeviceStep, PkceStep
from appliance.connectors.tokens import Grant
from appliance.errors import Conflict, InvalidInput, ServiceFailed, SignInNeeded

__all__ = ["start", "poll", "paste", "REDIRECT_URI"]

# Google's desktop-app flow allows any loopback address; nothing answers there, and that is the point:
# the browser shows the address with the code, and the member pastes it into Atom.
REDIRECT_URI = "http://127.0.0.1/atom-connected"
PKCE_SECONDS = 600


class Pending(msgspec.Struct, frozen=True, kw_only=True):
    """A sign-in begun and not finished, kept in the member's vault."""

    kind: SignInKind
    expires_at: float
    state: str = ""
    verifier: str = ""
    device_code: str = ""
    user_code: str = ""
    verification_uri: str = ""
    interval: int = 5
    next_poll: float = 0.0

    def __repr__(self) -> str:
        return f"Pending({self.kind}, <secrets hidden>)"


async def start(hub: ConnectorHub, owner: str, new: ConnectionCreate) -> ConnectStep:
    found = manifest(new.connector)
    kind = new.sign_in or found.sign_in[0]
    if kind not in found.sign_in:
        raise InvalidInput(f"{found.title} does not offer sign-in by {kind}; it offers {', '.join(found.sign_in)}")
    client = _app(found, new)
    if kind == "token":
        return await _with_token(hub, owner, found, new.token, client.client_id or None)
    if kind == "device":
        return await _device_start(hub, owner, found, client)
    return await _pkce_start(hub, owner, found, client)


async def poll(hub: ConnectorHub, owner: str, connection_id: str) -> ConnectStep:
    """Ask the service once whether the member has typed the code, no faster than it allows."""
    record, pending = await _pending(hub, owner, connection_id, "device")
    now = time.time()
    if now < pending.next_poll:
        return ConnectStep(connection=record.public, device=_device_step(pending))
    found, client = manifest(record.connector), await app_client(hub, record)
    form = {"grant_type": DEVICE_GRANT, "device_code": pending.device_code} | (client.form() if client else {})
    reply = await _token(hub, record, found, form)
    if reply.error in ("authorization_pending", "slow_down"):
        interval = (reply.interval or pending.interval + 5) if reply.error == "slow_down" else pending.interval
        later = msgspec.structs.replace(pending, interval=interval, next_poll=now + interval)
        await hub.store(owner, record.id).put("sign-in", msgspec.json.encode(later).decode())
        return ConnectStep(connection=record.public, device=_device_step(later))
    return await _finish(hub, record, found, reply)


async def paste(hub: ConnectorHub, owner: str, connection_id: str, address: str) -> ConnectStep:
    """Finish a PKCE sign-in from the address the browser landed on."""
    record, pending = await _pending(hub, owner, connection_id, "pkce")
    found, client = manifest(record.connector), await app_client(hub, record)
    redirect = found.oauth.redirect
    code = _code_from(address.strip(), pending) if redirect else _shown_code(address.strip())
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": pending.verifier}
    form |= ({"redirect_uri": REDIRECT_URI} if redirect else {}) | (client.form() if client else {})
    return await _finish(hub, record, found, await _token(hub, record, found, form))


async def _with_token(
    hub: ConnectorHub, owner: str, found: ConnectorManifest, token: str | None, client_id: str | None
) -> ConnectStep:
    token = (token or "").strip()
    if not token:
        raise InvalidInput(f"paste your {found.title} {found.token_label}")
    if not all(" " < c < "\x7f" for c in token + (client_id or "")):
        raise InvalidInput(f"that {found.token_label} holds characters no {found.title} credential has")
    auth = StaticBearer(token, found.token_header, client_id or "")
    http = hub.http(found, f"new:{owner}:{found.name}", auth=auth)
    try:
        account = await plugin(found.name).account(http)
    except SignInNeeded:
        raise InvalidInput(f"{found.title} did not accept that {found.token_label}") from None
    finally:
        await http.aclose()
    record = await conns.find_or_create(hub.db, owner, found.name, "token", client_id)
    await hub.store(owner, record.id).save_grant(Grant(access_token=token))
    return ConnectStep(connection=(await _connected(hub, record, account)).public)


async def _device_start(hub: ConnectorHub, owner: str, found: ConnectorManifest, client: AppClient) -> ConnectStep:
    http = hub.http(found, f"new:{owner}:{found.name}")
    try:
        form = {"client_id": client.client_id, "scope": " ".join(found.scopes)}
        body = await http.json("POST", found.oauth.device_code, data=form, headers={"Accept": "application/json"})
    finally:
        await http.aclose()
    pending = _device_pending(body, found.title)
    record = await _begin(hub, owner, found, "device", client)
    await hub.store(owner, record.id).put("sign-in", msgspec.json.encode(pending).decode())
    return ConnectStep(connection=record.public, device=_device_step(pending))


async def _pkce_start(hub: ConnectorHub, owner: str, found: ConnectorManifest, client: AppClient) -> ConnectStep:
    verifier, challenge = pkce_pair()
    pending = Pending(
        kind="pkce", expires_at=time.time() + PKCE_SECONDS, state=secrets.token_urlsafe(24), verifier=verifier
    )
    record = await _begin(hub, owner, found, "pkce", client)
    await hub.store(owner, record.id).put("sign-in", msgspec.json.encode(pending).decode())
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        **({"redirect_uri": REDIRECT_URI} if found.oauth.redirect else {}),
        "scope": " ".join(found.scopes),
        "state": pending.state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **found.oauth.authorize_params,
    }
    url = hub.urls(found)[found.oauth.authorize.partition(":")[0]].rstrip("/") + found.oauth.authorize.partition(":")[2]
    step = PkceStep(
        authorize_url=f"{url}?{urlencode(query)}",
        redirect_uri=REDIRECT_URI if found.oauth.redirect else "",
        expires_at=_utc(pending.expires_at),
    )
    return ConnectStep(connection=record.public, pkce=step)


async def _begin(
    hub: ConnectorHub, owner: str, found: ConnectorManifest, kind: SignInKind, client: AppClient
) -> Record:
    record = await conns.find_or_create(hub.db, owner, found.name, kind, client.client_id)
    store = hub.store(owner, record.id)
    if client.client_secret:
        await store.put("client-secret", client.client_secret)
    else:
        await store.drop("client-secret")
    hub.announce(owner, record.id)
    return record


async def _finish(hub: ConnectorHub, record: Record, found: ConnectorManifest, reply: TokenReply) -> ConnectStep:
    """Keep the grant, learn who signed in, and mark the connection connected (its cursor kept)."""
    store = hub.store(record.owner, record.id)
    try:
        grant = grant_from(reply, found.title)
    except SignInNeeded as exc:
        await store.drop("sign-in")
        await conns.set_state(
            hub, record, "needs-sign-in", last_error=str(exc), error_action=f"Start signing in to {found.title} again."
        )
        raise
    await store.save_grant(grant)
    await store.drop("sign-in")
    async with authed(hub, record) as (http, _):
        account = await plugin(found.name).account(http)
    return ConnectStep(connection=(await _connected(hub, record, account)).public)


async def _connected(hub: ConnectorHub, record: Record, account: str) -> Record:
    return await conns.set_state(
        hub, record, "connected", account=account[:200], last_error=None, error_action=None, retry_at=None
    )


async def _token(hub: ConnectorHub, record: Record, found: ConnectorManifest, form: dict[str, str]) -> TokenReply:
    http = hub.http(found, record.id)
    try:
        return await token_request(http, found, form)
    finally:
        await http.aclose()


async def _pending(hub: ConnectorHub, owner: str, connection_id: str, kind: SignInKind) -> tuple[Record, Pending]:
    record = await conns.get_record(hub.db, owner, connection_id)
    raw = await hub.store(owner, record.id).get("sign-in")
    pending = msgspec.json.decode(raw, type=Pending) if raw else None
    if pending is None or pending.kind != kind or record.state != "signing-in":
        raise Conflict(f"no {kind} sign-in is waiting for this connection; start signing in again")
    if time.time() > pending.expires_at:
        await hub.store(owner, record.id).drop("sign-in")
        await conns.set_state(
            hub,
            record,
            "needs-sign-in",
            last_error="The sign-in took too long and expired.",
            error_action="Start signing in again.",
        )
        raise Conflict("the sign-in expired; start signing in again")
    return record, pending


def _code_from(address: str, pending: Pending) -> str:
    parts = urlsplit(address)
    expected = urlsplit(REDIRECT_URI)
    if (parts.scheme, parts.netloc, parts.path) != (expected.scheme, expected.netloc, expected.path):
        raise InvalidInput(f"paste the whole address the browser landed on; it starts with {REDIRECT_URI}")
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    if not hmac.compare_digest(query.get("state", "").encode(), pending.state.encode()):
        raise InvalidInput("that address does not belong to the sign-in Atom started for you; start again")
    if "error" in query:
        raise InvalidInput(f"the service did not grant access ({query['error'][:60]}); start again")
    if not query.get("code"):
        raise InvalidInput("that address holds no sign-in code; paste the whole address")
    return query["code"]


def _shown_code(pasted: str) -> str:
    """The code a service showed the member (no redirect): letters, digits and -_., nothing else."""
    if not 8 <= len(pasted) <= 512 or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in pasted):
        raise InvalidInput("paste the code the service showed you, exactly as shown")
    return pasted


def _app(found: ConnectorManifest, new: ConnectionCreate) -> AppClient:
    by_token = (new.sign_in or found.sign_in[0]) == "token"
    wants_id = "{client_id}" in found.token_header if by_token else found.needs_client_id
    if wants_id and not new.client_id:
        raise InvalidInput(f"{found.title} needs the client id of the household's app; see the setup steps")
    if found.needs_client_secret and not new.client_secret and (new.sign_in or found.sign_in[0]) != "token":
        raise InvalidInput(f"{found.title} needs the client secret of the household's app; see the setup steps")
    return AppClient(client_id=(new.client_id or "").strip(), client_secret=new.client_secret)


def _device_pending(body: object, title: str) -> Pending:
    try:
        answer = msgspec.convert(body, _DeviceAnswer, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed(f"{title} answered the sign-in with something Atom cannot read") from None
    if not answer.verification_uri.startswith("https://") and not answer.verification_uri.startswith("http://"):
        raise ServiceFailed(f"{title} sent a sign-in link that is not a web address")
    return Pending(
        kind="device",
        expires_at=time.time() + answer.expires_in,
        device_code=answer.device_code,
        user_code=answer.user_code,
        verification_uri=answer.verification_uri,
        interval=max(answer.interval, 1),
    )


class _DeviceAnswer(msgspec.Struct, frozen=True, kw_only=True):
    device_code: str
    user_code: str
    verification_uri: str
    expires_in: int = 900
    interval: int = 5


def _device_step(pending: Pending) -> DeviceStep:
    return DeviceStep(
        user_code=pending.user_code,
        verification_uri=pending.verification_uri,
        interval=pending.interval,
        expires_at=_utc(pending.expires_at),
    )


def _utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)
