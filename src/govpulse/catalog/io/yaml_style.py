"""How catalogue YAML is written: short maps and lists on one line, whole numbers without ``.0``, blank lines
between items. Plain data in, text out; the reading side is PyYAML's safe loader."""

from __future__ import annotations

from typing import Any

import yaml


class FlowMap(dict):
    """Written on one line: ``{gu: ..., hi: ...}``."""


class FlowList(list):
    """Written on one line: ``[village, ulb]``."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper with the representers below, and list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(float, _represent_float)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(
    FlowMap, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)
)
_Dumper.add_representer(
    FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def yaml_text(data: Any) -> str:
    """``data`` as YAML text (with non-ASCII letters as they are), a blank line between top-level sections and
    between the items of each section's list."""
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    lines: list[str] = []
    for line in text.splitlines():
        # Only top-level keys start at column 0 and only their list items at "  - " (everything else, block
        # scalars included, is indented further).
        top_level_key = not line.startswith(" ")
        new_item = line.startswith("  - ") and bool(lines) and lines[-1].startswith(" ")
        if lines and (top_level_key or new_item):
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n"
