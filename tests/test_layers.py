"""Layers point one way: core -> model -> io -> synth -> measures -> assessment ->
presentation -> packs / batch / explore / CLI. A module may import from its own layer or
any layer before it, never from a later one (lint-as-a-test)."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "lib" / "csc_workbench"

# Top-level module or subpackage -> layer rank.
LAYERS = {
    "errors": 0, "codes": 0, "calendar": 0, "quality": 0, "config": 0, "privacy": 0,
    "model": 1,
    "io": 2, "reference": 2,
    "synth": 3,
    "measures": 4, "analysis": 4,
    "assessment": 5,
    "presentation": 6,
    "explore": 7, "packs": 7, "batch": 7, "cli": 7, "demo": 7, "benchmarks": 7,
}


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if rel.parts[0] in ("__init__.py", "__main__.py") or rel.name.startswith("test_"):
            continue
        yield path, rel.parts[0].removesuffix(".py")


def _imported_top_levels(path: Path, own: str):
    """Yield (top-level module of csc_workbench imported, line) for every import."""
    tree = ast.parse(path.read_text())
    package = ["csc_workbench", *path.relative_to(PKG).parent.parts]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names = [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "csc_workbench" and len(parts) > 1:
                yield parts[1], node.lineno


def test_every_top_level_module_has_a_layer():
    missing = sorted({top for _, top in _modules()} - set(LAYERS))
    assert not missing, f"add these to LAYERS in tests/test_layers.py: {missing}"


@pytest.mark.parametrize("path,top", list(_modules()), ids=lambda v: str(v))
def test_imports_point_one_way(path, top):
    own = LAYERS[top]
    for target, line in _imported_top_levels(path, top):
        if target not in LAYERS:
            continue
        assert LAYERS[target] <= own, (
            f"{path.relative_to(PKG)}:{line} imports {target} (layer {LAYERS[target]}) "
            f"from layer {own} ({top})"
        )
