"""Download a file over HTTP(S) with progress, hashing it on the way (for admin-added models)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from appliance.ai.models.files import CHUNK
from appliance.ai.models.progress import ProgressFactory
from appliance.errors import InvalidInput, ServiceUnavailable

__all__ = ["download", "file_name_of"]


def download(url: str, target: Path, progress: ProgressFactory, timeout: float = 30.0) -> str:
    """Stream `url` into `target`; return its sha256."""
    _check_address(url)
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            _check_status(url, response)
            return _save(response, target, progress)
    except httpx.TransportError as exc:
        host = urlsplit(url).hostname or url
        raise ServiceUnavailable(
            f"cannot download from {host} ({type(exc).__name__}): this box may have no internet access; "
            f"copy the file onto the box and use --file instead"
        ) from None


def _check_address(url: str) -> None:
    """An address that cannot name a server is the caller's mistake, not a network failure."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(f"{url!r} is not a web address Atom can download from (http:// or https://)")


def file_name_of(url: str, default: str = "model.gguf") -> str:
    name = Path(urlsplit(url).path).name
    return name if name.endswith(".gguf") else default


def _check_status(url: str, response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise InvalidInput(f"{url} answered HTTP {response.status_code}; check the address")


def _save(response: httpx.Response, target: Path, progress: ProgressFactory) -> str:
    digest = hashlib.sha256()
    bar = progress(f"downloading {target.name}", int(response.headers.get("content-length", 0)))
    with open(target, "wb") as out:
        for block in response.iter_bytes(CHUNK):
            digest.update(block)
            out.write(block)
            bar.advance(len(block))
    bar.close()
    return digest.hexdigest()
