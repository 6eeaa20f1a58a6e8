"""The systemd units keep the promises the README makes about them."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "systemd"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "ReadWritePaths": "/var/lib/atom",
    "Restart": "on-failure",
}


def _service(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name)
    return parser["Service"]


@pytest.mark.parametrize("unit", ["atom.service", "atom-worker.service"])
def test_units_are_hardened_and_restart(unit: str) -> None:
    service = _service(unit)
    assert service["User"] == "atom"
    for key, value in HARDENING.items():
        assert service[key] == value, key
    assert "TimeoutStopSec" in service


def test_the_satellite_unit_is_hardened_and_reaches_only_the_sound_card() -> None:
    service = _service("atom-satellite.service")
    assert service["User"] == "atom" and service["ExecStart"].endswith("atom satellite")
    for key, value in {**HARDENING, "ReadWritePaths": "/var/lib/atom-satellite"}.items():
        assert service[key] == value, key
    assert service["DevicePolicy"] == "closed" and service["DeviceAllow"] == "char-alsa rw"
    assert service["CapabilityBoundingSet"] == "" and "TimeoutStopSec" in service


def test_worker_stops_gracefully_with_sigint() -> None:
    assert _service("atom-worker.service")["KillSignal"] == "SIGINT"


def test_units_run_the_documented_commands() -> None:
    assert _service("atom.service")["ExecStart"].endswith("atom serve")
    assert _service("atom-worker.service")["ExecStart"].endswith("atom worker")


@pytest.mark.parametrize("unit", ["atom.service", "atom-worker.service"])
def test_units_tell_systemd_when_ready_and_are_watched(unit: str) -> None:
    service = _service(unit)
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert int(service["WatchdogSec"]) >= 30  # a slow SD card must not read as a hang
    assert "AF_UNIX" in service["RestrictAddressFamilies"]  # the notify socket


@pytest.mark.parametrize("unit", ["atom.service", "atom-worker.service", "atom-satellite.service"])
def test_units_run_the_current_release(unit: str) -> None:
    assert _service(unit)["ExecStart"].startswith("/opt/atom/current/.venv/bin/atom ")
