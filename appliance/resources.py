"""Files that live at the top of the repository and ship inside the wheel.

`web/` is packaged as `appliance/web/` (see pyproject's force-include). In a
source checkout or editable install the top-level folder is used directly.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_path"]

_PACKAGE = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """Where the shipped folder or file `name` (e.g. "web") is on this install."""
    packaged = _PACKAGE / name
    if packaged.exists():
        return packaged
    checkout = _PACKAGE.parent / name
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"Atom's {name!r} files are missing from this install ({packaged})")
