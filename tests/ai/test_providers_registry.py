"""Provider plugins are found by scanning the package; each keeps the fixed file vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

import appliance.ai.providers as providers_package
from appliance.ai.providers.base import ChatProvider, ProviderConfig
from appliance.ai.providers.registry import _load_manifest, create_provider, manifest, manifests
from appliance.errors import InvalidInput, NotFound

PACKAGE = Path(providers_package.__file__).parent
FOLDERS = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name[0] not in "_.")
CLOUD = {"openai", "azure_openai", "anthropic", "gemini", "deepseek", "openai_compatible"}
BILLED = CLOUD - {"openai_compatible"}


def test_every_provider_folder_has_a_manifest_and_a_provider_module() -> None:
    for folder in FOLDERS:
        assert (PACKAGE / folder / "manifest.toml").is_file(), folder
        assert (PACKAGE / folder / "provider.py").is_file(), folder


def test_every_folder_is_discovered_under_its_own_id() -> None:
    found = manifests()
    assert sorted(found) == FOLDERS
    assert CLOUD <= set(found)
    assert all(found[name].id == name and found[name].name for name in found)


def test_billed_providers_price_every_model_they_list() -> None:
    """A paid model shipped at 0 would route as free and never count against a budget."""
    for name in BILLED:
        models = manifest(name).models
        assert models, name
        assert all(
            i.input_per_mtok > 0 and i.output_per_mtok >= i.input_per_mtok and i.context > 0 for i in models.values()
        ), name


def test_a_model_the_table_lacks_falls_back_to_the_star_entry_or_none() -> None:
    assert manifest("openai").model_info("gpt-4o") is not None
    assert manifest("openai").model_info("gpt-99") is None
    assert manifest("openai_compatible").model_info("mistral:7b") == manifest("openai_compatible").models["*"]


@pytest.mark.anyio
@pytest.mark.parametrize("provider_id", FOLDERS)
async def test_create_gives_a_chat_provider_without_touching_the_network(provider_id: str) -> None:
    config = ProviderConfig(kind=provider_id, api_key="test-key", base_url="http://127.0.0.1:9/v1")
    provider = create_provider(config)
    assert isinstance(provider, ChatProvider) and provider.kind == provider_id
    assert "test-key" not in repr(provider)
    await provider.aclose()


@pytest.mark.anyio
async def test_the_default_address_comes_from_the_manifest() -> None:
    provider = create_provider(ProviderConfig(kind="anthropic", api_key="test-key"))
    assert "https://api.anthropic.com" in repr(provider)
    await provider.aclose()


def test_a_missing_key_or_address_is_refused_before_any_request() -> None:
    with pytest.raises(InvalidInput, match="needs an API key"):
        create_provider(ProviderConfig(kind="openai"))
    with pytest.raises(InvalidInput, match="needs the address"):
        create_provider(ProviderConfig(kind="azure_openai", api_key="test-key"))


def test_an_unknown_provider_is_not_found() -> None:
    with pytest.raises(NotFound, match="no AI provider called 'skynet'"):
        create_provider(ProviderConfig(kind="skynet"))


def test_a_broken_manifest_names_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "cheapo"
    folder.mkdir()
    text = 'id = "cheapo"\nname = "Cheapo"\nneeds_key = true\n[models.m]\ninput_per_mtok = -1\noutput_per_mtok = 1\n'
    (folder / "manifest.toml").write_text(text)
    with pytest.raises(ValueError, match="cheapo/manifest.toml.*input_per_mtok"):
        _load_manifest(folder)
    (folder / "manifest.toml").write_text(text.replace('id = "cheapo"', 'id = "other"').replace("-1", "1"))
    with pytest.raises(ValueError, match="with id 'other'"):
        _load_manifest(folder)


def test_the_config_repr_hides_the_key() -> None:
    assert "sk-secret" not in repr(ProviderConfig(kind="openai", api_key="sk-secret"))
