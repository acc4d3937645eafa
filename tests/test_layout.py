"""The layers of the house hold for every module: lint-imports checks the contracts of
pyproject.toml, and these tests check what the contracts cannot say themselves: that every
module of the project stands in a layer (a new module left out would be checked by nothing) and
that no two modules import each other, directly or through others."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES: list[str] = CONFIG["root_packages"]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def _layered_modules() -> list[str]:
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")["layers"]
    return [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]


def _project_modules(graph: grimp.ImportGraph) -> set[str]:
    """Every module but the packages' own __init__ (they hold no code) and migrations."""
    packages = {
        module for module in graph.modules if graph.find_children(module) or module in PACKAGES
    }
    return {
        module
        for module in graph.modules
        if module not in packages and ".migrations." not in f"{module}."
    }


def test_every_module_stands_in_a_layer(graph: grimp.ImportGraph) -> None:
    layered = _layered_modules()

    def covered(module: str) -> bool:
        return any(module == name or module.startswith(f"{name}.") for name in layered)

    assert sorted(m for m in _project_modules(graph) if not covered(m)) == []


def test_the_layers_name_only_modules_that_exist(graph: grimp.ImportGraph) -> None:
    assert [name for name in _layered_modules() if name not in graph.modules] == []


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    circles = []
    for module in sorted(_project_modules(graph)):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported == module or not imported.startswith(tuple(PACKAGES)):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                circles.append(" -> ".join([module, *back]))
    assert circles == []
