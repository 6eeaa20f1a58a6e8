"""The box's rules for outside connections, built once from the settings, and the one test seam."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from appliance.ai.outbound.addresses import Targets, split_url
from appliance.errors import ConfigError, InvalidInput
from appliance.settings import Settings

__all__ = ["OutboundRules", "StandIns", "provider_urls"]


class StandIns(Protocol):
    """Tests only: loopback fakes standing in for the vendors' public servers.

    Production passes none. Tests pass the running fakes, so a provider with a fixed official
    address talks to its fake, and those fakes' (ip, port) count as public: every other
    loopback port, Atom's own included, stays refused.
    """

    def addresses(self) -> frozenset[tuple[str, int]]: ...

    def base_url(self, provider: str) -> str | None: ...


@dataclass(frozen=True)
class OutboundRules:
    own_ports: frozenset[int]  # where Atom itself listens
    provider_urls: Mapping[str, str] = field(default_factory=dict)  # the operator's, by provider id
    stand_ins: StandIns | None = None

    @classmethod
    def for_box(cls, settings: Settings, stand_ins: StandIns | None = None) -> OutboundRules:
        urls = provider_urls(settings.ai.provider_urls)
        return cls(own_ports=frozenset({settings.server.port}), provider_urls=urls, stand_ins=stand_ins)

    def targets(self, *, household: bool) -> Targets:
        """Where a household key (or an admin's download) may connect, or else a member's own key."""
        trusted = {_address(url) for url in self.provider_urls.values()}
        trusted |= self.stand_ins.addresses() if self.stand_ins else frozenset()
        return Targets(household=household, own_ports=self.own_ports, trusted=frozenset(trusted))

    def official_url(self, provider: str, url: str | None) -> str | None:
        """A provider's fixed address: the manifest's, unless the operator (or a test) replaced it."""
        stand_in = self.stand_ins.base_url(provider) if self.stand_ins else None
        return stand_in or self.provider_urls.get(provider) or url


def provider_urls(setting: str) -> dict[str, str]:
    """`openai=https://eu.api.openai.com/v1, anthropic=…` as a dict; ConfigError when malformed."""
    urls = {}
    for pair in filter(None, (part.strip() for part in setting.split(","))):
        provider, _, url = pair.partition("=")
        try:
            split_url(url.strip())
        except InvalidInput as exc:
            raise ConfigError(f"ai.provider_urls: {provider.strip() or pair!r}: {exc}") from None
        urls[provider.strip()] = url.strip()
    return urls


def _address(url: str) -> tuple[str, int]:
    host, port = split_url(url)
    return host.lower(), port
