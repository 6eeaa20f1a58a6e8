"""The model wheel cache has one home: ATOM_MODEL_CACHE, else the XDG cache folder, else ~/.cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.caches import model_cache


def test_atom_model_cache_wins(tmp_path: Path) -> None:
    env = {"ATOM_MODEL_CACHE": str(tmp_path / "wheels"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert model_cache(env) == tmp_path / "wheels"


def test_the_xdg_cache_folder_comes_next(tmp_path: Path) -> None:
    assert model_cache({"ATOM_MODEL_CACHE": "", "XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "atom" / "pypi"


def test_the_home_cache_is_the_default_and_a_relative_xdg_folder_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / ".cache" / "atom" / "pypi"
    assert model_cache({}) == expected
    assert model_cache({"XDG_CACHE_HOME": "relative/cache"}) == expected


def test_the_process_environment_is_read_when_none_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOM_MODEL_CACHE", str(tmp_path))
    assert model_cache() == tmp_path
