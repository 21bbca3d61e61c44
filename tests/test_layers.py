"""The package's folders read as the data flow: a layer imports only the layers above it.

The order is DESIGN.md's and the README's ("The code"); a module may always
import its own layer, `errors` and `_lazy`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "translator"
LAYERS = ("engines", "markdown", "store", "hugo", "pipeline", "review", "interchange", "cli")
ANYWHERE = {"errors", "_lazy", "__init__", "__main__"}
TOP = {"pipeline": "pipeline", "human_copies": "pipeline", "memory_rebuild": "pipeline"}


def layer_of(module: str) -> str | None:
    """`translator.store.memory` -> `store`; `translator.memory_rebuild` -> `pipeline`."""
    first = module.split(".")[1] if module.count(".") else ""
    if first in ANYWHERE or not first:
        return None
    return TOP.get(first, first)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("translator")
        ):
            found.add(node.module)
            found.update(
                f"{node.module}.{a.name}" for a in node.names if node.module == "translator"
            )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("translator."))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_its_layer_and_those_above(path: Path) -> None:
    dotted = "translator." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    own = layer_of(dotted)
    if own is None:
        return
    below = [
        module
        for module in imported(path)
        if (other := layer_of(module)) is not None and LAYERS.index(other) > LAYERS.index(own)
    ]
    assert below == [], f"{dotted} ({own}) imports a lower layer: {below}"


def test_every_folder_is_a_known_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(LAYERS), folders - set(LAYERS)
