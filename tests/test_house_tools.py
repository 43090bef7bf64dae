"""The tools that keep the house in order agree with each other: one version source, one ruff."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import pulsebi

REPO = Path(pulsebi.__file__).parents[2]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once_and_the_changelog_has_it() -> None:
    project = _pyproject()
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "lib/pulsebi/__init__.py"
    assert importlib.metadata.version("pulsebi") == pulsebi.__version__
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert headings[0] == "Unreleased"
    assert pulsebi.__version__ in headings


def test_ci_the_hook_and_the_dev_extra_use_the_same_ruff() -> None:
    dev = _pyproject()["project"]["optional-dependencies"]["dev"]
    (pin,) = [d.removeprefix("ruff==") for d in dev if d.startswith("ruff")]
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (ruff_repo,) = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert ruff_repo["rev"] == f"v{pin}"
    assert {h["id"] for h in ruff_repo["hooks"]} == {"ruff-check", "ruff-format"}
    installed = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, check=True
    )
    assert installed.stdout.split() == ["ruff", pin]


def test_ci_lints_before_it_tests() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    steps = [
        script.index(s) for s in ("ruff check .", "ruff format --check .", "bash tests/run.sh")
    ]
    assert steps == sorted(steps)


def _readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n")[1].split("\n## ")[0]


def test_the_readme_layout_lists_what_exists() -> None:
    block = _readme_section("Layout").split("```")[1]
    entries = [line.split()[0] for line in block.strip().splitlines()]
    missing = [
        e for e in entries if not (REPO / e).exists() or e.endswith("/") != (REPO / e).is_dir()
    ]
    assert missing == []


def _commands(cell: str) -> list[list[str]]:
    """The command lines a Commands row names: `pulsebi a b` / `c --x` -> [[a, b], [a, c, --x]]."""
    parts = [p for seg in re.findall(r"`([^`]+)`", cell) for p in seg.split(" \\| ")]
    first = parts[0].split()[1:]  # after "pulsebi"
    lines = [first]
    words = [w for w in first if re.fullmatch(r"[a-z][a-z-]*", w)]
    for part in parts[1:]:
        lines.append(words[:-1] + part.split())
    return lines


def test_the_readme_commands_and_options_exist() -> None:
    import click

    from pulsebi.cli import main

    rows = [r for r in _readme_section("Commands").splitlines() if r.startswith("| `pulsebi")]
    assert rows
    problems = []
    for row in rows:
        for line in _commands(row.split(" | ")[0]):
            command: click.Command = main
            ctx = click.Context(main)
            for word in line:
                if isinstance(command, click.Group) and re.fullmatch(r"[a-z][a-z-]*", word):
                    sub = command.get_command(ctx, word)
                    if sub is None:
                        problems.append(f"{' '.join(line)}: no command {word!r}")
                        break
                    command = sub
                elif word.lstrip("[").startswith("-"):
                    option = word.lstrip("[").rstrip("]").split("=")[0]
                    known = {o for p in command.params for o in getattr(p, "opts", [])}
                    if option not in known:
                        problems.append(f"{' '.join(line)}: no option {option}")
    assert problems == []
