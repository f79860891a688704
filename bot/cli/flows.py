"""``musharaka flows list|diagram NAME|docs``: the bot's flows and their state diagrams.

Each flow declares its steps (``bot.engine.steps``); ``docs`` writes their Mermaid diagrams
to docs/flows/<name>.md and into DESIGN.md between its ``flows`` markers. A test keeps both
equal to what the code declares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.app import build_registry
from bot.engine.steps import Flow
from core.config import PROJECT_ROOT, Settings

FLOW_DOCS = PROJECT_ROOT / "docs" / "flows"
DESIGN = PROJECT_ROOT / "DESIGN.md"
BEGIN = "<!-- flows:begin (written by `musharaka flows docs`) -->"
END = "<!-- flows:end -->"


def add_parser(commands: Any) -> None:
    flows = commands.add_parser("flows", help="the bot's guided flows and their state diagrams")
    sub = flows.add_subparsers(dest="flows_command", required=True)
    sub.add_parser("list", help="every flow, with its steps")
    diagram = sub.add_parser("diagram", help="a flow's steps as a Mermaid state diagram")
    diagram.add_argument("name")
    sub.add_parser("docs", help="write docs/flows/*.md and the diagrams in DESIGN.md")
    flows.set_defaults(handler=run)


def registered_flows() -> dict[str, Flow]:
    """Every conversation written with declared steps, by name."""
    conversations = build_registry().conversations
    return {name: flow for name, flow in sorted(conversations.items()) if isinstance(flow, Flow)}


def flow_page(flow: Flow) -> str:
    module = type(flow).__module__
    return (
        f"# The `{flow.name}` flow\n\n"
        f"Declared in `{module.replace('.', '/')}.py`; redraw with "
        f"`musharaka flows docs`.\n\n```mermaid\n{flow.mermaid()}```\n"
    )


def design_section(flows: dict[str, Flow]) -> str:
    parts = [BEGIN, ""]
    for name, flow in flows.items():
        module = type(flow).__module__.replace(".", "/")
        parts += [
            f"#### `{name}` ({module}.py)",
            "",
            "```mermaid",
            flow.mermaid().rstrip(),
            "```",
            "",
        ]
    parts.append(END)
    return "\n".join(parts)


def written_docs() -> dict[Path, str]:
    """What docs/flows/ and DESIGN.md should hold, by path."""
    flows = registered_flows()
    pages = {FLOW_DOCS / f"{name}.md": flow_page(flow) for name, flow in flows.items()}
    design = DESIGN.read_text(encoding="utf-8")
    start, end = design.index(BEGIN), design.index(END) + len(END)
    pages[DESIGN] = design[:start] + design_section(flows) + design[end:]
    return pages


def write_docs() -> list[Path]:
    changed = []
    FLOW_DOCS.mkdir(parents=True, exist_ok=True)
    wanted = written_docs()
    for stale in set(FLOW_DOCS.glob("*.md")) - set(wanted):
        stale.unlink()
        changed.append(stale)
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def run(settings: Settings, args: argparse.Namespace) -> int:
    flows = registered_flows()
    if args.flows_command == "list":
        for name, flow in flows.items():
            print(f"{name}: {', '.join(flow.step_names())}")
        return 0
    if args.flows_command == "diagram":
        chosen = flows.get(args.name)
        if chosen is None:
            print(f"no flow named {args.name!r}; try: {', '.join(flows)}", file=sys.stderr)
            return 2
        print(chosen.mermaid(), end="")
        return 0
    for path in write_docs():
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0
