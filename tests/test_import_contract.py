"""The layers hold: every import between our packages (function-local ones too) is one that
the "may import" table in DEVELOPERS.md allows, and no two packages import each other,
however far round."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("core", "storage", "formengine", "demo", "bot", "admin")


def _table() -> dict[str, set[str]]:
    text = (ROOT / "DEVELOPERS.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- may-import:begin -->") : text.index("<!-- may-import:end -->")]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = set(re.findall(r"`([^`]+)`", cells[1]))
    return table


def _unit(module: str, units: set[str]) -> str | None:
    """The table's package a module belongs to (``bot.features.*`` is one unit per feature)."""
    parts = module.split(".")
    if (
        parts[:2] == ["bot", "features"]
        and len(parts) > 2
        and "bot.features.core" != ".".join(parts[:3])
    ):
        return ".".join(parts[:3])
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in units:
            return candidate
    return None


def _allowed(unit: str, table: dict[str, set[str]]) -> set[str]:
    key = "bot.features.*" if unit.startswith("bot.features.") and unit not in table else unit
    return table[key]


def _matches(target: str, allowed: set[str]) -> bool:
    return any(
        target == rule or (rule.endswith(".*") and target.startswith(rule[:-1])) for rule in allowed
    )


def _modules() -> Iterator[tuple[str, Path]]:
    for top in TOPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            # "from bot.features import volunteers" imports the module bot.features.volunteers
            yield from ((node.lineno, n) for n in names if (ROOT / n.replace(".", "/")).exists())
            yield node.lineno, node.module


def _edges() -> tuple[list[str], dict[str, set[str]]]:
    table = _table()
    units = set(table) | {"bot.features"}
    refused: list[str] = []
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in _modules():
        source = _unit(module, units)
        if source is None or source == "bot.features":
            continue
        for line, name in _imports(path):
            if name.split(".")[0] not in TOPS:
                continue
            target = _unit(name, units)
            if target is None or target == source or target == "bot.features":
                continue
            graph[source].add(target)
            if not _matches(target, _allowed(source, table)):
                refused.append(f"{path.relative_to(ROOT)}:{line}: {source} imports {name}")
    return refused, graph


def test_the_table_names_every_package_of_ours() -> None:
    units = set(_table()) | {"bot.features"}
    lost = [module for module, _path in _modules() if _unit(module, units) is None]
    assert lost == ["bot"], lost  # bot/__init__.py itself holds nothing


def test_every_import_is_one_the_table_allows() -> None:
    refused, _graph = _edges()
    assert refused == [], "\n".join(refused)


def test_no_two_packages_import_each_other() -> None:
    _refused, graph = _edges()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif len(path) < 12:
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == [], cycles[:5]


def _test_modules() -> Iterator[Path]:
    yield from sorted((ROOT / "tests").rglob("*.py"))


def test_only_the_demos_own_tests_import_the_demo_programme() -> None:
    """Stories build their world with tests/support/given.py; a change to the demo changes
    only tests/**/test_demo*.py. given.py reads demo.places, the one list of districts and
    branches (the shipped needs survey offers the same)."""
    demo_tests = {path.stem for path in _test_modules() if path.stem.startswith("test_demo")}
    found = []
    for path in _test_modules():
        if path.stem.startswith("test_demo"):
            continue
        for line, name in _imports(path):
            first = name.split(".")
            allowed = path.name == "given.py" and name in (
                "demo.places",
                "demo.places.BRANCHES",
                "demo.places.DISTRICTS",
            )
            if (first[0] == "demo" and not allowed) or (
                first[0] == "tests" and first[-1] in demo_tests
            ):
                found.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert found == [], "\n".join(found)
