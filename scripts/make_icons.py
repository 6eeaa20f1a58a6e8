"""Draw Atom's PNG app icons (the shapes of static/icons/atom.svg) with the standard library only.

Run from the repository root after changing the logo: `python scripts/make_icons.py`.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "web" / "static" / "icons"
BLUE, WHITE = (0x1D, 0x4E, 0xD8), (0xFF, 0xFF, 0xFF)
SAMPLES = 3  # per axis, for smooth edges
# Geometry on a 64-unit canvas, as in atom.svg.
ORBIT_RX, ORBIT_RY, ORBIT_ANGLE, STROKE, CORNER = 24.0, 10.0, -30.0, 4.0, 14.0
NUCLEUS, ELECTRON, ELECTRON_AT = 7.5, 5.0, (-9.53, 14.35)  # the electron sits on the orbit


def main() -> None:
    write_png(ICONS / "icon-192.png", draw(192, art_scale=1.0, rounded=True))
    write_png(ICONS / "icon-512.png", draw(512, art_scale=1.0, rounded=True))
    # Maskable icons are cropped to a circle by the launcher: full-bleed background, art in the safe zone.
    write_png(ICONS / "icon-maskable-512.png", draw(512, art_scale=0.72, rounded=False))


def draw(size: int, art_scale: float, rounded: bool) -> list[bytes]:
    unit = 64.0 / size
    return [bytes(_row(y, size, unit, art_scale, rounded)) for y in range(size)]


def _row(y: int, size: int, unit: float, art_scale: float, rounded: bool) -> list[int]:
    row: list[int] = []
    for x in range(size):
        row.extend(_pixel(x, y, unit, art_scale, rounded))
    return row


def _pixel(x: int, y: int, unit: float, art_scale: float, rounded: bool) -> tuple[int, int, int, int]:
    bg = fg = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            px = (x + (sx + 0.5) / SAMPLES) * unit
            py = (y + (sy + 0.5) / SAMPLES) * unit
            inside = _in_background(px, py) if rounded else True
            bg += inside
            fg += inside and _in_art((px - 32) / art_scale, (py - 32) / art_scale)
    total = SAMPLES * SAMPLES
    if bg == 0:
        return (0, 0, 0, 0)
    share = fg / bg
    color = [round(w * share + b * (1 - share)) for w, b in zip(WHITE, BLUE, strict=True)]
    return (*color, round(255 * bg / total))


def _in_background(px: float, py: float) -> bool:
    cx = min(max(px, CORNER), 64 - CORNER)
    cy = min(max(py, CORNER), 64 - CORNER)
    return (px - cx) ** 2 + (py - cy) ** 2 <= CORNER**2


def _in_art(dx: float, dy: float) -> bool:
    if math.hypot(dx, dy) <= NUCLEUS:
        return True
    if math.hypot(dx - ELECTRON_AT[0], dy - ELECTRON_AT[1]) <= ELECTRON:
        return True
    return _on_orbit(dx, dy, math.radians(ORBIT_ANGLE))


def _on_orbit(dx: float, dy: float, angle: float) -> bool:
    """Near the rotated ellipse's outline: |f| / |grad f| approximates the distance."""
    u = dx * math.cos(angle) + dy * math.sin(angle)
    v = -dx * math.sin(angle) + dy * math.cos(angle)
    f = (u / ORBIT_RX) ** 2 + (v / ORBIT_RY) ** 2 - 1
    grad = math.hypot(2 * u / ORBIT_RX**2, 2 * v / ORBIT_RY**2)
    return grad > 0 and abs(f) / grad <= STROKE / 2


def write_png(path: Path, rows: list[bytes]) -> None:
    height, width = len(rows), len(rows[0]) // 4
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


if __name__ == "__main__":
    main()
