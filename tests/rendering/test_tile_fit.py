"""Static tiles laid out by WeasyPrint (the PDF reports' engine) keep every text inside their
box, long money and long labels included, on an A4 page."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from pulsebi.widgets.grid import tiles_html
from pulsebi.widgets.tile import tile_html

TILES = [
    ("Revenue year to date", 73612345.67, "usd"),
    ("Revenue month to date", 5412345.12, "usd"),
    ("Average job value", 12345.678, "usd"),
    ("Refunds issued in the selected period", -1234567.89, "usd"),
    ("Closing rate", 0.3125, "rate"),
    ("Jobs completed", 1234567, "count"),
    ("Score", 123456789012.25, "score"),
]


def boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child)


@pytest.mark.parametrize("columns", [None, 4])
def test_pdf_tiles_keep_their_text_inside_their_boxes(columns: int | None) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    parts = [
        tile_html(label=label, value=v, unit=u, previous=v * 0.9, comparison="vs last year")
        for label, v, u in TILES
    ]
    page_html = (
        "<html><head><style>@page { size: A4; margin: 15mm }</style></head>"
        f"<body>{tiles_html(parts, columns)}</body></html>"
    )
    document = weasyprint.HTML(string=page_html).render()
    tiles = [
        box
        for page in document.pages
        for box in boxes(page._page_box)
        if getattr(box, "element_tag", "") == "div"
        and (box.element.get("class") or "") == "pbi-tile"
    ]
    assert len(tiles) == len(TILES)
    for tile in tiles:
        right = tile.content_box_x() + tile.width
        texts = [b for b in boxes(tile) if type(b).__name__ == "TextBox"]
        assert texts
        for text in texts:
            assert text.position_x + text.width <= right + 0.5, text.text
