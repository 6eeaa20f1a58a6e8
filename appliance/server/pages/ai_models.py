"""The AI settings page's "Local models" section: the shipped models and the admins' own GGUF ones.

Everyone sees the table; admins also get a Remove button on installed models and the
"Add a GGUF chat model" form, both of which post to `/api/ai/models`. Shipped models are
installed on the box with `atom models install`, which the table names for missing ones.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from litestar import Request, get
from litestar.response import Template

from appliance.ai import models
from appliance.server.deps import SettingsDep
from appliance.server.pages.view import fragment

__all__ = ["ModelRow", "local_models", "megabytes", "models_fragment"]

_ROLES = {
    "chat": "Chat",
    "stt": "Speech to text",
    "tts": "Text to speech",
    "wake-features": "Wake word (features)",
    "wake": "Wake word",
    "embeddings": "Search (embeddings)",
}


@dataclass(frozen=True)
class ModelRow:
    name: str
    role: str  # readable, e.g. "Speech to text"
    shipped: bool  # from Atom's manifest; otherwise an admin's own GGUF
    installed: bool
    default: bool  # installed by `atom models install --default`
    size: str  # e.g. "98 MB"
    license: str

    @property
    def install_command(self) -> str:
        return f"atom models install {self.name}"


@get("/fragments/ai-models", include_in_schema=False)
async def models_fragment(request: Request, settings: SettingsDep) -> Template:
    return fragment(request, "partials/ai_models.html", models=await local_models(settings.data_dir))


async def local_models(data_dir: Path) -> list[ModelRow]:
    """Shipped models by name, then the custom ones (reading the manifest and state touches the disk)."""
    return await asyncio.to_thread(_rows, data_dir)


def _rows(data_dir: Path) -> list[ModelRow]:
    return [_row(state) for state in models.model_states(data_dir)]


def _row(state: models.ModelState) -> ModelRow:
    return ModelRow(
        name=state.name,
        role=_ROLES.get(state.role, state.role),
        shipped=state.origin == "manifest",
        installed=state.installed,
        default=state.default,
        size=megabytes(state.size_bytes),
        license=state.license,
    )


def megabytes(size_bytes: int) -> str:
    """Whole megabytes, with one decimal below 10 MB so a small file does not read as nothing."""
    size = size_bytes / 1_000_000
    return f"{size:.1f} MB" if size < 10 else f"{size:,.0f} MB"
