"""The Scorecard block and the tiles' second comparison, static and live (no database)."""

import pandas as pd

from pulsebi.charts import use_mode
from pulsebi.charts.export import TABLE_MIMETYPE
from pulsebi.dashboards.page import Scorecard, Tile, Tiles, _LiveBlock, _static_bundle

COMPARISONS = {"vs previous period": "previous", "vs same period last year": "last_year"}


def _scorecard(value: float) -> Scorecard:
    rows = pd.DataFrame(
        {"label": ["Closing rate"], "metric": ["closing_rate"], "unit": ["rate"],
         "value": [value], "previous": [0.25], "last_year": [None]}
    )  # fmt: skip
    return Scorecard(rows, "Scorecard", COMPARISONS)


def test_scorecard_block_renders_static_html_with_its_export_payload():
    with use_mode(True):
        bundle = _static_bundle(_scorecard(0.4))
    assert 'class="pbi-scorecard"' in bundle["text/html"]
    assert "40.0%" in bundle["text/html"] and "▲ 15.0 pp" in bundle["text/html"]
    assert bundle[TABLE_MIMETYPE]["name"] == "Scorecard"


def test_live_scorecard_and_tiles_take_new_figures_in_place():
    with use_mode(False):
        table = _LiveBlock(_scorecard(0.4), None)
        table.put(_scorecard(0.1), None)
        assert "10.0%" in table.widget.to_html() and "40.0%" not in table.widget.to_html()
        tile = Tile("Closing rate", 0.4, "rate", "closing_rate", previous=0.3,
                    comparison="vs last year", also=[("vs previous period", 0.5)])  # fmt: skip
        tiles = _LiveBlock(Tiles([tile]), None)
        html = tiles.widget.children[0].to_html()
        assert "vs last year" in html and "▼ 10.0 pp" in html and "vs previous period" in html
