"""Jinja for the web UI: one environment over `web/templates`, and rendering outside handlers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar, Response
from litestar.enums import MediaType
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from appliance.resources import resource_path
from appliance.server.pages.devices import device_name
from appliance.server.pages.markdown import render_markdown

__all__ = ["template_config", "render_html", "templates_dir", "static_dir"]


def templates_dir() -> Path:
    return resource_path("web") / "templates"


def static_dir() -> Path:
    return resource_path("web") / "static"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """HTML autoescaped; a missing variable is an error, not a silently empty string."""
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["device"] = device_name
    environment.filters["markdown"] = render_markdown
    return TemplateConfig(instance=JinjaTemplateEngine(engine_instance=environment))


def page_template(app: Litestar, name: str) -> Any:
    """A template of the app's engine (configured by `template_config`, so never absent)."""
    if app.template_engine is None:
        raise RuntimeError("the app was built without template_config()")
    return app.template_engine.get_template(name)


def render_html(app: Litestar, name: str, context: Mapping[str, Any], status_code: int = 200) -> Response[str]:
    """A rendered page as a plain Response, for places that cannot return a Template (error handlers)."""
    html = page_template(app, name).render(**context)
    return Response(html, status_code=status_code, media_type=MediaType.HTML)
