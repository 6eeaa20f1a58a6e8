"""What connectors work with, built once per server process: addresses, guarded transport,
budgets, locks, and the database, vault, search index and event bus they write through."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from appliance.ai.outbound import GuardedAsyncTransport, Targets, split_url
from appliance.connectors.budget import Budgets
from appliance.connectors.http import HttpPolicy, ServiceHttp
from appliance.connectors.manifest import ConnectorManifest
from appliance.connectors.registry import rate_reader
from appliance.connectors.tokens import GrantStore
from appliance.errors import ConfigError, InvalidInput
from appliance.events import Action, Event, EventBus
from appliance.knowledge import Knowledge
from appliance.settings import Settings
from appliance.storage import Database
from appliance.vault import Vault

__all__ = ["ConnectorHub", "base_urls"]


@dataclass
class ConnectorHub:
    settings: Settings
    db: Database
    vault: Vault
    knowledge: Knowledge
    bus: EventBus
    policy: HttpPolicy = field(default_factory=HttpPolicy)  # tests swap its sleep
    budgets: Budgets = field(default_factory=Budgets)
    _overrides: Mapping[str, str] = field(init=False)
    _targets: Targets = field(init=False)
    _tls: ssl.SSLContext | None = field(init=False, default=None)
    _locks: dict[str, asyncio.Lock] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._overrides = base_urls(self.settings.connectors.base_urls)
        trusted = frozenset(_address(url) for url in self._overrides.values())
        # A member's connection reaches the internet only; the operator's replacements are trusted.
        self._targets = Targets(household=False, own_ports=frozenset({self.settings.server.port}), trusted=trusted)

    def urls(self, manifest: ConnectorManifest) -> dict[str, str]:
        """The manifest's addresses, each replaced by the operator's one for this connector, if any."""
        override = self._overrides.get(manifest.name)
        return {name: override or url for name, url in manifest.urls.items()}

    def http(self, manifest: ConnectorManifest, connection_id: str, auth: httpx.Auth | None = None) -> ServiceHttp:
        urls = self.urls(manifest)
        return ServiceHttp(
            title=manifest.title,
            urls=urls,
            follow_to=[urls[name] for name in manifest.follow_to],
            transport=GuardedAsyncTransport(self._targets, self._tls_context()),
            budget=(self.budgets, connection_id, manifest.rate_limit),
            policy=self.policy,
            auth=auth,
            rate_limited=rate_reader(manifest.name),
        )

    def store(self, owner: str, connection_id: str) -> GrantStore:
        return GrantStore(self.vault, owner, connection_id)

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def announce(self, owner: str, connection_id: str, action: Action = "updated") -> None:
        self.bus.publish(Event(topic="connections", action=action, id=connection_id), [owner])

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls


def base_urls(setting: str) -> dict[str, str]:
    """`github=http://127.0.0.1:8001, todoist=…` as a dict; ConfigError when malformed."""
    urls = {}
    for pair in filter(None, (part.strip() for part in setting.split(","))):
        name, _, url = pair.partition("=")
        try:
            split_url(url.strip())
        except InvalidInput as exc:
            raise ConfigError(f"connectors.base_urls: {name.strip() or pair!r}: {exc}") from None
        urls[name.strip()] = url.strip()
    return urls


def _address(url: str) -> tuple[str, int]:
    host, port = split_url(url)
    return host.lower(), port
