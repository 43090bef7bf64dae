"""Which served notebooks the navigation lists: every one, in folder order, but those whose
metadata says `"pulsebi": {"nav": false}` (a page reached by a link naming what to show)."""

import json
from pathlib import Path

from pulsebi.serve.deployment import list_pages


def _notebook(path: Path, metadata: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})
    )


def test_a_page_can_be_served_without_being_listed(tmp_path):
    _notebook(tmp_path / "notebooks" / "executive.ipynb", {"pulsebi": {"title": "Executive"}})
    _notebook(tmp_path / "notebooks" / "custom_report.ipynb", {"pulsebi": {"nav": False}})
    _notebook(tmp_path / "notebooks" / ".hidden.ipynb", {})
    _notebook(tmp_path / "scorecards" / "branch_view.ipynb", {})
    pages = list_pages(tmp_path)
    assert [(p["path"], p["title"]) for p in pages] == [
        ("notebooks/executive.ipynb", "Executive"),
        ("scorecards/branch_view.ipynb", "Branch view"),
    ]


def test_a_changed_notebook_is_read_again(tmp_path):
    page = tmp_path / "notebooks" / "notes.ipynb"
    _notebook(page, {"pulsebi": {"nav": False}})
    assert list_pages(tmp_path) == []
    _notebook(page, {"pulsebi": {"title": "Analyst notes, now shared"}})
    assert [p["title"] for p in list_pages(tmp_path)] == ["Analyst notes, now shared"]
