"""The installable shell: the service worker (at the root, so its scope covers every page) and the offline page.

The worker's cache is versioned by a digest of the static files, so an upgrade
that changes any of them installs a fresh cache and drops the old one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from litestar import Request, Response, get
from litestar.response import Redirect, Template

from appliance.server.pages.templating import page_template, static_dir
from appliance.server.pages.view import public_page

__all__ = ["routes", "shell_assets", "STATIC_PREFIX", "OFFLINE_PATH"]

STATIC_PREFIX = "/static"
OFFLINE_PATH = "/offline"


@dataclass(frozen=True)
class ShellAssets:
    version: str
    urls: tuple[str, ...]


@cache
def shell_assets() -> ShellAssets:
    root = static_dir()
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    urls = tuple(f"{STATIC_PREFIX}/{p.relative_to(root).as_posix()}" for p in files)
    return ShellAssets(version=digest.hexdigest()[:12], urls=urls)


@get("/sw.js", include_in_schema=False, opt={"public": True})
async def service_worker(request: Request) -> Response[str]:
    assets = shell_assets()
    template = page_template(request.app, "sw.js")
    script = template.render(version=assets.version, shell=[OFFLINE_PATH, *assets.urls], offline=OFFLINE_PATH)
    return Response(script, media_type="text/javascript", headers={"cache-control": "no-cache"})


@get(OFFLINE_PATH, include_in_schema=False, opt={"public": True})
async def offline_page() -> Template:
    return public_page("offline.html", "Offline")


@get("/favicon.ico", include_in_schema=False, opt={"public": True})
async def favicon() -> Redirect:
    return Redirect(f"{STATIC_PREFIX}/icons/icon-192.png")


routes = [service_worker, offline_page, favicon]
