"""One settings object from defaults, TOML and ATOM_* variables; every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.errors import ConfigError
from appliance.settings import describe_settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_environment_overrides(tmp_path: Path) -> None:
    env = {
        "ATOM_DATA_DIR": str(tmp_path),
        "ATOM_PORT": "9000",
        "ATOM_AUTH_SESSION_HOURS": "2",
        "ATOM_LOG_FORMAT": "text",
    }
    settings = load_settings(environ=env)
    assert settings.data_dir == tmp_path
    assert settings.server.port == 9000
    assert settings.auth.session_hours == 2
    assert settings.log.format == "text"


def test_toml_file_then_environment(tmp_path: Path) -> None:
    (tmp_path / "atom.toml").write_text('[server]\nport = 7000\nhost = "127.0.0.1"\n[jobs]\nworkers = 4\n')
    settings = load_settings(environ={"ATOM_DATA_DIR": str(tmp_path), "ATOM_PORT": "7001"})
    assert settings.server.port == 7001  # environment wins
    assert settings.server.host == "127.0.0.1"
    assert settings.jobs.workers == 4


def test_invalid_values_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="port"):
        load_settings(environ={"ATOM_PORT": "eighty"})
    (tmp_path / "bad.toml").write_text("[server\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(environ={"ATOM_CONFIG": str(tmp_path / "bad.toml")})
    with pytest.raises(ConfigError, match="not a file"):
        load_settings(environ={"ATOM_CONFIG": str(tmp_path / "missing.toml")})


def test_every_setting_is_documented_in_code_and_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for key, env, _default, doc in describe_settings():
        assert doc, f"setting {key} has no description"
        assert f"`{env}`" in readme, f"README does not list {env}"
