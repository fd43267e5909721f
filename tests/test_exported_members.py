"""The package's public names: `__all__`, the lazy exports and the imports for type
checkers say the same thing, and each name resolves (as httpx keeps its `__all__` honest)."""

from __future__ import annotations

import ast
from pathlib import Path

import summarizer


def _type_checking_imports() -> set[str]:
    tree = ast.parse(Path(summarizer.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names |= {alias.asname or alias.name for alias in stmt.names}
    return names


def test_all_exports_and_type_checking_imports_agree() -> None:
    lazy = set(summarizer._EXPORTS)
    assert set(summarizer.__all__) == lazy | {"__version__"}
    assert _type_checking_imports() == lazy


def test_every_public_name_resolves_to_where_it_is_said_to_live() -> None:
    import importlib

    for name, module in summarizer._EXPORTS.items():
        assert getattr(summarizer, name) is getattr(importlib.import_module(module), name)
    assert sorted(dir(summarizer)) == sorted(summarizer.__all__)
