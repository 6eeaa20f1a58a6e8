"""Download a file over HTTP(S) with progress, hashing it on the way (for admin-added models).

Only admins download, so the household network is allowed, but the connection goes through
`appliance.ai.outbound` like every other: never to Atom's own port, checked on the address
actually connected to, at every redirect. A download has a size cap and a deadline.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from appliance.ai.models.files import CHUNK
from appliance.ai.models.progress import ProgressFactory
from appliance.ai.outbound import GuardedTransport, Targets, split_url
from appliance.errors import InvalidInput, ServiceUnavailable

__all__ = ["DownloadLimits", "download", "file_name_of"]


@dataclass(frozen=True, kw_only=True)
class DownloadLimits:
    targets: Targets  # where the download may connect
    max_bytes: int  # ai.model_download_max_bytes
    seconds: float  # ai.model_download_seconds, for the whole download
    timeout: float = 30.0  # for connecting, and between two pieces of the file


def download(url: str, target: Path, progress: ProgressFactory, limits: DownloadLimits) -> str:
    """Stream `url` into `target`; return its sha256."""
    host, _ = split_url(url)  # an address that names no server is the caller's mistake
    deadline = time.monotonic() + limits.seconds
    transport = GuardedTransport(limits.targets)
    try:
        with httpx.Client(transport=transport, trust_env=False, follow_redirects=True, timeout=limits.timeout) as web:
            with web.stream("GET", url) as response:
                _check_status(url, response)
                _check_size(response, limits.max_bytes)
                return _save(response, target, progress, limits, deadline)
    except httpx.TransportError as exc:
        raise ServiceUnavailable(
            f"cannot download from {host} ({type(exc).__name__}): this box may have no internet access; "
            f"copy the file onto the box and use --file instead"
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # too many redirects, a redirect to nowhere, ...
        raise InvalidInput(f"{host} answered in a way Atom cannot follow ({type(exc).__name__})") from None


def file_name_of(url: str, default: str = "model.gguf") -> str:
    name = Path(urlsplit(url).path).name
    return name if name.endswith(".gguf") else default


def _check_status(url: str, response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise InvalidInput(f"{url} answered HTTP {response.status_code}; check the address")


def _check_size(response: httpx.Response, max_bytes: int) -> None:
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise _too_large(max_bytes)


def _save(
    response: httpx.Response, target: Path, progress: ProgressFactory, limits: DownloadLimits, deadline: float
) -> str:
    digest, size = hashlib.sha256(), 0
    announced = response.headers.get("content-length", "")
    bar = progress(f"downloading {target.name}", int(announced) if announced.isdigit() else 0)
    with open(target, "wb") as out:
        for block in response.iter_bytes(CHUNK):
            size += len(block)
            if size > limits.max_bytes:
                raise _too_large(limits.max_bytes)
            if time.monotonic() > deadline:
                raise ServiceUnavailable(
                    f"the download took longer than {limits.seconds:g} s (ai.model_download_seconds) and was "
                    "stopped; allow more time, or copy the file onto the box and add it from there"
                )
            digest.update(block)
            out.write(block)
            bar.advance(len(block))
    bar.close()
    return digest.hexdigest()


def _too_large(max_bytes: int) -> InvalidInput:
    return InvalidInput(f"the file is larger than {max_bytes} bytes (ai.model_download_max_bytes); it was not added")
