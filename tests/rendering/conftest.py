"""Rendering tests need no servers: tiny DataFrames in, figures and HTML out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulsebi.charts.mode import use_mode


@pytest.fixture(autouse=True)
def live_mode() -> Iterator[None]:
    """Every test starts in live mode and leaves the process's mode as it found it."""
    with use_mode(False):
        yield
