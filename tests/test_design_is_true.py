"""DESIGN.md and docs/flows/ say what the code is: every package is on the map, and every
flow's diagram is the one its declared steps draw (``musharaka flows docs`` redraws them)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.flows import registered_flows, written_docs

ROOT = Path(__file__).resolve().parent.parent
# Until every flow has moved into bot/features/ (issue 15), these two say what is left.
TOP_PACKAGES = ("core", "formengine", "storage", "admin", "demo", "bot")


def _section(path: Path, begin: str, end: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(begin)
    return text[start : text.index(end, start + len(begin))]


def test_the_flow_diagrams_in_design_and_docs_are_the_declared_ones() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in written_docs().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"run `musharaka flows docs`: {stale} differ from the declared steps"


def test_every_flow_of_the_bot_is_written_with_declared_steps() -> None:
    from bot.app import build_registry

    assert sorted(build_registry().conversations) == sorted(registered_flows())


def test_design_lists_every_top_level_package_and_every_part_of_the_bot() -> None:
    layout = _section(ROOT / "DESIGN.md", "<!-- layout:begin -->", "<!-- layout:end -->")
    packages = [f"{name}/" for name in TOP_PACKAGES if name != "bot"]
    packages += [
        f"bot/{path.parent.name}/" for path in sorted((ROOT / "bot").glob("*/__init__.py"))
    ]
    missing = [p for p in packages if f"`{p}`" not in layout]
    assert missing == [], f"DESIGN.md's package table lacks {missing}"


def test_the_readme_layout_lists_each_package_in_one_line() -> None:
    layout = _section(ROOT / "README.md", "## Layout", "\n## ")
    listed = set(re.findall(r"^(\S+/)\s", layout, flags=re.MULTILINE))
    packages = {
        f"{init.parent.relative_to(ROOT)}/"
        for top in TOP_PACKAGES
        for init in (ROOT / top).rglob("__init__.py")
        if "migrations" not in init.parts
    }
    assert sorted(packages - listed) == [], "README's layout section lacks these packages"
