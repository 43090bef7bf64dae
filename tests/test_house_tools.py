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
