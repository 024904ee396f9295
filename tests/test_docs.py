"""The README and the product keep each other honest: every CLI command, setting and API route is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from govpulse.cli import app as cli_app
from govpulse.settings import Settings
from govpulse.web.app import create_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str = "govpulse") -> list[str]:
    click_group = typer.main.get_command(group)
    found = []
    for name, command in click_group.commands.items():
        found.append(f"{prefix} {name}")
        for sub in getattr(command, "commands", {}):
            found.append(f"{prefix} {name} {sub}")
    return found


def test_every_cli_command_is_in_the_readme():
    missing = [command for command in _commands(cli_app) if command not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_setting_is_in_the_readme():
    missing = [f"GOVPULSE_{name.upper()}" for name in Settings.model_fields
               if f"GOVPULSE_{name.upper()}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_api_route_is_in_the_readme(tmp_path):
    document = create_app(Settings(home=tmp_path)).openapi()
    documented = set(re.findall(r"`(?:GET|POST|PUT|PATCH|DELETE) (/api/[^`?\s]*)", README))
    missing = sorted(path for path in document["paths"] if path not in documented)
    assert not missing, f"API routes missing from README.md: {missing}"
