"""The dependency direction in README holds: domains never import an edge; the base imports nothing of Atom's."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "appliance"
EDGES = {
    "server",
    "jobs",
    "cli",
    "cli_admin",
    "cli_backup",
    "cli_knowledge",
    "cli_models",
    "cli_serve",
    "cli_tls",
    "cli_upgrade",
    "cli_voice",
    "runtime",
    "__main__",
}
BASE = {"settings", "errors", "clock", "resources", "datadir", "logs", "caches"}
DOMAINS = {
    "accounts",
    "vault",
    "system",
    "ai",
    "events",
    "storage",
    "knowledge",
    "organizer",
    "assistant",
    "voice",
    "connectors",
}


def _atom_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "appliance":  # from appliance import server
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("appliance."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("appliance.")}
    return found


def _area(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_domains_never_import_an_edge() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        area = _area(path)
        if area in DOMAINS:
            bad = _atom_imports(path) & EDGES
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_every_module_has_a_place_in_the_layering() -> None:
    areas = {_area(path) for path in PACKAGE.rglob("*.py")} - {"__init__"}
    assert areas <= EDGES | BASE | DOMAINS, sorted(areas - (EDGES | BASE | DOMAINS))


def test_the_import_walk_sees_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from appliance import server\nimport appliance.jobs.queue\nfrom appliance.cli import main\n")
    assert _atom_imports(sample) == {"server", "jobs", "cli"}


def test_base_modules_import_nothing_of_atoms_but_each_other() -> None:
    for name in BASE:
        path = PACKAGE / f"{name}.py"
        assert _atom_imports(path) <= BASE, name


def test_the_core_never_imports_a_provider_by_name() -> None:
    providers = PACKAGE / "ai" / "providers"
    plugin_names = {p.name for p in providers.iterdir() if p.is_dir() and not p.name.startswith("_")}
    for path in PACKAGE.rglob("*.py"):
        if providers in path.parents:
            continue
        text = path.read_text()
        for name in plugin_names:
            assert f"providers.{name}" not in text, f"{path} imports provider {name}"


def test_every_route_module_exports_routes_one_way_and_is_mounted() -> None:
    from appliance.server import app
    from appliance.server import routes as package

    modules = {found.name for found in pkgutil.iter_modules(package.__path__)}
    mounted = {module.__name__.rsplit(".", 1)[1] for module in app.API_MODULES}
    assert modules == mounted, sorted(modules ^ mounted)
    for module in app.API_MODULES:
        assert "routes" in module.__all__ and isinstance(module.routes, list), module.__name__
        assert not hasattr(module, "router"), module.__name__
