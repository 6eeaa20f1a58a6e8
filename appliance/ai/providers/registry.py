"""Finds provider plugins by scanning this package, so the core never imports one by name.

A provider is a folder here (its name is the provider id) holding `manifest.toml` and
`provider.py` with `create(config: ProviderConfig) -> ChatProvider`. Folders starting
with `_` or without a manifest are not providers.

    manifest.toml                               (USD prices per million tokens)
        id = "openai"                           must equal the folder name
        name = "OpenAI"                         what people see
        needs_key = true
        base_url = "https://api.openai.com/v1"  the official address: every key goes there
        needs_base_url = false                  or true, and no base_url: each key names its server
        on_box = false                          true: runs on this box, takes no keys ("local")
        tools = true                            it can call tools (ChatRequest.tools); routing
                                                sends a request with tools only where this is true
        [options]                               extra settings (see ProviderConfig), as the key form asks
        api_version = { label = "API version", hint = "For example 2024-10-21." }
        [models."gpt-4o"]
        input_per_mtok = 2.5
        output_per_mtok = 10.0
        context = 128000

A `[models."*"]` entry prices any model the table does not name (e.g. a LAN server's).

The manifest alone decides what a key must hold and where a provider's requests go: to its
fixed `base_url` (a key may not name another), or, with `needs_base_url`, to the server each
key names (then the manifest has no `base_url`: there is no sensible default for someone
else's server). `ProviderManifest.check_config` is that one check, for a new key and for
every provider created.
"""

from __future__ import annotations

import functools
import importlib
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any

import msgspec

from appliance.ai.providers.base import ChatProvider, ProviderConfig
from appliance.errors import InvalidInput, NotFound

__all__ = [
    "ModelInfo",
    "ProviderOption",
    "ProviderManifest",
    "manifests",
    "manifest",
    "box_provider",
    "create_provider",
]

_MANIFEST = "manifest.toml"
_PROVIDER_MODULE = "provider"
NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    input_per_mtok: NonNegative = 0.0  # USD per million input tokens
    output_per_mtok: NonNegative = 0.0  # USD per million output tokens
    context: Annotated[int, msgspec.Meta(ge=0)] = 0  # tokens; 0 when unknown


class ProviderOption(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: str  # what the key form calls it
    hint: str = ""  # what to put there


class ProviderManifest(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    needs_key: bool
    needs_base_url: bool = False
    base_url: str | None = None
    on_box: bool = False
    tools: bool = False  # answers ChatRequest.tools with tool calls
    household_server: bool = False  # a server a household may run itself: an admin may mark it on their network
    options: dict[str, ProviderOption] = {}
    models: dict[str, ModelInfo] = {}

    def model_info(self, model: str) -> ModelInfo | None:
        """The price and context of `model`, falling back to the `*` entry."""
        return self.models.get(model) or self.models.get("*")

    def check_config(self, api_key: str | None, base_url: str | None) -> None:
        """What a key (or a provider's config) must hold, as this manifest says; InvalidInput if it lacks it."""
        if self.needs_key and not api_key:
            raise InvalidInput(f"{self.name} needs an API key")
        if self.needs_base_url and not base_url:
            raise InvalidInput(f"{self.name} needs the address of its server (base_url)")


def manifests() -> dict[str, ProviderManifest]:
    """Every installed provider's manifest, by id (read once per process)."""
    return dict(_discover())


def manifest(provider_id: str) -> ProviderManifest:
    found = _discover().get(provider_id)
    if found is None:
        raise NotFound(f"There is no AI provider called {provider_id!r}.")
    return found


def box_provider() -> ProviderManifest:
    """The provider that runs on this box (`on_box`): the model that answers when no key does."""
    on_box = [found for found in _discover().values() if found.on_box]
    if len(on_box) != 1:
        raise ValueError(f"exactly one provider must be on_box, found {[found.id for found in on_box]}")
    return on_box[0]


def create_provider(config: ProviderConfig, **overrides: Any) -> ChatProvider:
    """A ready provider for `config.kind`; `overrides` go to the plugin's `create`
    (the built-in cloud providers accept `retry=RetryPolicy(...)`)."""
    found = manifest(config.kind)
    config = _with_defaults(found, config)
    module = importlib.import_module(f"{__package__}.{found.id}.{_PROVIDER_MODULE}")
    provider = module.create(config, **overrides)
    if not isinstance(provider, ChatProvider):
        raise TypeError(f"{found.id}.create() returned {type(provider).__name__}, not a ChatProvider")
    return provider


def _with_defaults(found: ProviderManifest, config: ProviderConfig) -> ProviderConfig:
    if config.api_key and config.api_key != config.api_key.strip():  # pasted with a newline, say
        config = msgspec.structs.replace(config, api_key=config.api_key.strip())
    if config.base_url is None and not found.needs_base_url and found.base_url:
        config = msgspec.structs.replace(config, base_url=found.base_url)
    found.check_config(config.api_key, config.base_url)
    return config


@functools.cache
def _discover() -> dict[str, ProviderManifest]:
    found = {}
    for folder in resources.files(__package__).iterdir():
        if _is_provider_folder(folder):
            found[folder.name] = _load_manifest(folder)
    return found


def _is_provider_folder(folder: Traversable) -> bool:
    return folder.is_dir() and folder.name[0] not in "_." and folder.joinpath(_MANIFEST).is_file()


def _load_manifest(folder: Traversable) -> ProviderManifest:
    raw = tomllib.loads(folder.joinpath(_MANIFEST).read_text(encoding="utf-8"))
    try:
        parsed = msgspec.convert(raw, ProviderManifest)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{folder.name}/{_MANIFEST}: {exc}") from exc
    if parsed.id != folder.name:
        raise ValueError(f"provider folder {folder.name!r} has a manifest with id {parsed.id!r}")
    if parsed.needs_base_url and parsed.base_url:
        raise ValueError(f"{folder.name}/{_MANIFEST}: needs_base_url with a base_url; keep one (see registry.py)")
    return parsed
