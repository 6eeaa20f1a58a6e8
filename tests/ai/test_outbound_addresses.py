"""Atom's outbound rules on their own: which addresses are which, and the check at connect time."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appliance.ai.gateway import AIGateway
from appliance.ai.outbound import (
    GuardedTransport,
    OutboundRules,
    Targets,
    check_addresses,
    check_url,
    kind_of,
    split_url,
    transport,
)
from appliance.ai.providers.base import ProviderConfig
from appliance.ai.providers.registry import create_provider
from appliance.errors import AddressRefused, ConfigError, InvalidInput
from appliance.settings import load_settings
from tests.fakes import LoopbackServer, Reply

pytestmark = pytest.mark.anyio
ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", "public"),
        ("2606:4700::1111", "public"),
        ("10.1.2.3", "household"),
        ("172.16.0.1", "household"),
        ("192.168.1.1", "household"),
        ("100.64.0.1", "household"),  # carrier-grade NAT
        ("169.254.169.254", "household"),  # link-local: a cloud's metadata service
        ("127.0.0.2", "household"),
        ("::1", "household"),
        ("fd12:3456::1", "household"),  # unique-local IPv6
        ("fe80::1", "household"),
        ("::ffff:192.168.1.1", "household"),  # IPv4-mapped
        ("2002:c0a8:0101::1", "household"),  # 6to4 around 192.168.1.1
        ("64:ff9b::a00:1", "household"),  # NAT64 around 10.0.0.1
        ("0.0.0.0", "nowhere"),
        ("::", "nowhere"),
        ("224.0.0.251", "nowhere"),
        ("ff02::1", "nowhere"),
        ("255.255.255.255", "nowhere"),
    ],
)
def test_every_address_has_one_kind(address: str, kind: str) -> None:
    assert kind_of(ip(address)) == kind


def test_atoms_own_port_is_refused_on_every_local_address_even_for_a_household_key() -> None:
    house = Targets(household=True, own_ports=frozenset({8080}))
    for local in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        with pytest.raises(AddressRefused, match="that is Atom itself"):
            check_addresses("box", 8080, [ip(local)], house)
    check_addresses("nas", 8080, [ip("192.168.1.30")], house)  # another machine's 8080 is fine
    check_addresses("box", 11434, [ip("127.0.0.1")], house)  # another port on the box too


def test_this_boxs_own_lan_address_counts_as_the_box() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # picks the outgoing interface; sends nothing
        except OSError:
            pytest.skip("this machine has no IPv4 route")
        mine = ip(probe.getsockname()[0])
    with pytest.raises(AddressRefused, match="that is Atom itself"):
        check_addresses("box", 8080, [mine], Targets(household=True, own_ports=frozenset({8080})))
    with pytest.raises(AddressRefused):
        check_addresses("box", 22, [mine], Targets())  # a member never reaches the box


def test_a_name_resolving_to_several_addresses_is_refused_if_any_is_private() -> None:
    with pytest.raises(AddressRefused, match="will not connect to mixed.example"):
        check_addresses("mixed.example", 443, [ip("93.184.216.34"), ip("10.0.0.5")], Targets())


def test_the_resolved_address_of_a_name_is_not_told() -> None:
    with pytest.raises(AddressRefused) as caught:
        check_addresses("nas.lan", 80, [ip("192.168.7.7")], Targets())
    assert "192.168.7.7" not in str(caught.value)


def test_trusted_addresses_pass_for_any_key_but_never_atoms_own_port() -> None:
    trusted = Targets(own_ports=frozenset({8080}), trusted=frozenset({("127.0.0.1", 5000), ("proxy.lan", 8080)}))
    check_addresses("127.0.0.1", 5000, [ip("127.0.0.1")], trusted)
    with pytest.raises(AddressRefused):
        check_addresses("127.0.0.1", 5001, [ip("127.0.0.1")], trusted)
    with pytest.raises(AddressRefused, match="that is Atom itself"):
        check_addresses("proxy.lan", 8080, [ip("127.0.0.1")], trusted)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/v1", "not a web address"),
        ("http:///v1", "not a web address"),
        ("http://example.com:99999/v1", "not a web address"),
        ("https://user:pass@example.com/v1", "no user name or password"),
    ],
)
def test_only_plain_web_addresses_are_taken(url: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        split_url(url)


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    server = LoopbackServer(lambda request: Reply(body={"data": []}), public=False).start()
    yield server
    server.stop()


async def test_a_name_that_turns_private_after_the_check_is_refused_when_atom_connects(
    monkeypatch: pytest.MonkeyPatch, recorder: LoopbackServer
) -> None:
    """DNS rebinding: public when the key is saved, loopback a moment later."""
    answers = iter([[ip("93.184.216.34")], [ip("127.0.0.1")]])

    async def rebinding(host: str, port: int, timeout: float | None = None) -> list[ipaddress.IPv4Address]:
        return next(answers)

    monkeypatch.setattr(transport, "resolve", rebinding)
    url = f"http://rebind.example:{recorder.address[1]}/v1"
    await check_url(url, Targets())  # the check when the key is saved passes
    provider = create_provider(ProviderConfig(kind="openai_compatible", base_url=url, timeout_seconds=5))
    with pytest.raises(AddressRefused, match="will not connect to rebind.example"):
        await provider.list_models()
    await provider.aclose()
    assert recorder.requests == []


def test_downloads_check_every_hop_of_a_redirect(recorder: LoopbackServer) -> None:
    hop = LoopbackServer(lambda r: Reply(status=302, headers={"location": f"{recorder.url}/model.gguf"})).start()
    try:
        guarded = GuardedTransport(Targets(trusted=frozenset({hop.address})))
        with httpx.Client(transport=guarded, follow_redirects=True) as client:
            with pytest.raises(AddressRefused):
                client.get(f"{hop.url}/model.gguf")
        assert [r.path for r in hop.requests] == ["/model.gguf"]
    finally:
        hop.stop()
    assert recorder.requests == []


def test_the_operator_may_replace_a_fixed_address_and_any_key_may_reach_it() -> None:
    settings = load_settings(
        environ={}, ai={"provider_urls": "openai = http://127.0.0.1:5000/v1, deepseek=https://ds.lan"}
    )
    rules = OutboundRules.for_box(settings)
    assert rules.official_url("openai", "https://api.openai.com/v1") == "http://127.0.0.1:5000/v1"
    assert rules.official_url("anthropic", "https://api.anthropic.com") == "https://api.anthropic.com"
    member = rules.targets(household=False)
    check_addresses("127.0.0.1", 5000, [ip("127.0.0.1")], member)
    check_addresses("ds.lan", 443, [ip("192.168.1.9")], member)
    with pytest.raises(AddressRefused):
        check_addresses("127.0.0.1", 5001, [ip("127.0.0.1")], member)


@pytest.mark.parametrize(
    ("setting", "problem"),
    [("openai=ftp://x/v1", "not a web address"), ("openai_compatible=http://x/v1", "replaces the address of")],
)
def test_a_wrong_provider_urls_setting_stops_atom_at_start(tmp_path: Path, setting: str, problem: str) -> None:
    settings = load_settings(environ={}, data_dir=tmp_path, ai={"provider_urls": setting})
    with pytest.raises(ConfigError, match=problem):
        AIGateway(settings, db=None, vault=None)  # type: ignore[arg-type]  # refused before either is used
