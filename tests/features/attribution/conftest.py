"""Hand-made journeys for the attribution tests: `crm_rows` (tests/data/crm_rows.py) plus
`touch(lead_id, source_id, touched_at, id=None)`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pulsebi.settings import Settings

DATA = str(Path(__file__).parents[2] / "data")
if DATA not in sys.path:  # tests/data holds crm_rows.py (a conftest puts it there too)
    sys.path.insert(0, DATA)

from crm_rows import CrmRows  # noqa: E402


class JourneyRows(CrmRows):
    def touch(self, lead_id: int, source_id: int, touched_at: str, id: int | None = None) -> int:
        return self.add(
            "lead_touches",
            id=id,
            lead_id=lead_id,
            source_id=source_id,
            touched_at=self.at(touched_at),
        )


@pytest.fixture
def crm(db: Engine, settings: Settings) -> JourneyRows:
    """An empty crm schema, one branch (B1) and sources 1..3 (digital, tv, radio)."""
    rows = JourneyRows(db, settings)
    rows.branch(1, "B1")
    rows.branch(2, "B2")
    rows.source(1, "digital", "Web")
    rows.source(2, "tv", "TV")
    rows.source(3, "radio", "Radio")
    return rows
