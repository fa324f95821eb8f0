"""Apps import downward only (docs/architecture.md, "## Layers").

Every module under luodi/ is read with `ast`; every import of another app or top-level module
counts, at module level and inside functions alike (also under `if TYPE_CHECKING:`). An import
from a lower layer to a higher one fails unless it is listed in KNOWN_UPWARD, and an entry of
KNOWN_UPWARD that no longer occurs fails too, so the list only shrinks. Two units in the same
layer are peers and may not import each other at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "luodi"

# Lowest first. A unit is an app (luodi/<app>/), a pure library or a top-level module.
LAYERS: tuple[tuple[str, ...], ...] = (
    # pure library | foundation: below every app
    (
        "matching",
        "errors",
        "control_chars",
        "sheets",
        "logfilters",
        "htmx",
        "text",
        "ics",
        "downloads",
        "money",
    ),
    ("pdf",),  # the PDF toolkit measures columns with sheets.display_width
    ("sites",),
    ("jobs",),
    ("accounts",),
    ("concurrency", "disclosure"),  # refuse() names who saved last from the audit log
    ("catalog",),
    ("notifications", "retrieval"),
    ("pipeline", "assessments"),
    ("matchmaking", "search"),
    ("engagements", "ingest", "challenges"),
    ("conferences", "partnering", "surveys"),
    ("aftercare", "onboarding", "patents", "credentials"),
    ("ledger", "grants", "privacy"),
    ("rewards",),
    ("insights", "ops"),
    ("web",),
    # composition root: above every app
    ("settings", "wsgi", "gunicorn_conf", "api", "demo"),
    ("urls", "cli"),
)

PURE = ("matching", "sites")

# "importer -> imported", both relative to luodi/. Empty: every import between apps goes
# downward. An entry would need why it exists and what would remove it.
KNOWN_UPWARD: set[str] = set()


def _unit_names() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} | {
        p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"
    }


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imports(path: Path) -> Iterator[str]:
    """Every luodi module `path` imports, relative to luodi/ ("" for the package itself)."""
    module = _module(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name[6:] for a in node.names if a.name.startswith("luodi."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module == "luodi" or (node.module or "").startswith("luodi."):
                source = (node.module or "")[6:]
            else:
                continue
            for alias in node.names:  # `from luodi.web import ics` imports web.ics
                full = f"{source}.{alias.name}" if source else alias.name
                yield full if _is_module(full) else source


def _cross_unit_imports() -> set[tuple[str, str]]:
    return {
        (_module(path), target)
        for path in ROOT.rglob("*.py")
        for target in _imports(path)
        if target.split(".")[0] != _module(path).split(".")[0]
    }


def _layer_of() -> dict[str, int]:
    return {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def _not_downward() -> set[str]:
    layer = _layer_of()
    return {
        f"{source} -> {target}"
        for source, target in _cross_unit_imports()
        if layer[target.split(".")[0]] >= layer[source.split(".")[0]]
    }


def test_every_unit_has_a_layer() -> None:
    placed = [unit for layer in LAYERS for unit in layer]
    assert len(placed) == len(set(placed))
    assert _unit_names() - set(placed) == set(), "place the new app or module in LAYERS"


def test_imports_go_downward() -> None:
    new = sorted(_not_downward() - KNOWN_UPWARD)
    assert new == [], "import upward (or between peers) - import downward instead"


def test_known_upward_only_shrinks() -> None:
    gone = sorted(KNOWN_UPWARD - _not_downward())
    assert gone == [], "no longer imported: remove these entries from KNOWN_UPWARD"


def test_pure_libraries_import_neither_django_nor_apps() -> None:
    offenders = []
    for library in PURE:
        for path in (ROOT / library).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                else:
                    continue
                offenders += [
                    f"{_module(path)}: {name}"
                    for name in names
                    if name.split(".")[0] == "django"
                    or (name.startswith("luodi.") and name.split(".")[1] not in PURE)
                    or name == "luodi"
                ]
    assert offenders == []
