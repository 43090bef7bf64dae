"""Good/warn/bad thresholds come from one YAML file, checked when read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.errors import ConfigError
from pulsebi.widgets import thresholds
from pulsebi.widgets.thresholds import load_thresholds, status, use_thresholds


@pytest.fixture
def restore_thresholds() -> Iterator[None]:
    yield
    use_thresholds(None)


def test_packaged_file_covers_the_contract_metrics() -> None:
    rules = load_thresholds()
    for metric in ("net_revenue", "closing_rate", "resolution_hours", "error_rate", "csat"):
        assert metric in rules
    assert thresholds.better("resolution_hours") == "lower"
    assert thresholds.better("jobs_in_progress") is None


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("closing_rate", 0.35, "good"),  # the edge belongs to the better side
        ("closing_rate", 0.30, "warn"),
        ("closing_rate", 0.10, "bad"),
        ("resolution_hours", 24, "good"),
        ("resolution_hours", 48, "warn"),
        ("resolution_hours", 100, "bad"),
        ("net_revenue", 1e9, None),  # a direction but no thresholds
        ("no_such_metric", 1, None),
        ("closing_rate", None, None),
    ],
)
def test_status_judges_by_direction(metric: str, value: float | None, expected: str | None) -> None:
    assert status(metric, value) == expected


def test_another_file_can_be_used(tmp_path: Path, restore_thresholds: None) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text("metrics:\n  closing_rate: {better: higher, good: 0.5}\n")
    use_thresholds(path)
    assert status("closing_rate", 0.4) == "bad" and status("closing_rate", 0.5) == "good"
    assert status("resolution_hours", 100) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics:\n  csat: {better: up}\n", "metric 'csat': better must be one of"),
        ("metrics:\n  csat: {better: higher, good: 3, warn: 4}\n", "warn \\(4.0\\) lies beyond"),
        ("metrics:\n  csat: {better: higher, warn: 4}\n", "warn needs a good threshold"),
        ("metrics:\n  csat: {better: higher, good: high}\n", "good must be a number"),
        ("metrics:\n  csat: {better: higher, goood: 1}\n", "unknown key\\(s\\) goood"),
        ("csat: 1\n", "needs a top-level 'metrics:' mapping"),
        ("metrics: [\n", "is not valid YAML"),
    ],
)
def test_bad_files_are_refused_naming_the_metric(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_thresholds(path)
