"""A readable name for a sign-in's device, from its User-Agent ("Firefox on Android")."""

from __future__ import annotations

__all__ = ["device_name"]

# Order matters: Edge and Chrome both say "Chrome/", Chrome says "Safari/".
_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str) -> str:
    if not user_agent:
        return "Unknown device"
    browser = _first_match(user_agent, _BROWSERS)
    system = _first_match(user_agent, _SYSTEMS)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:40]


def _first_match(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in text), None)
