"""The Scorecard block and the tiles' second comparison, static and live (no database)."""

import pandas as pd

from pulsebi.charts import use_mode
from pulsebi.charts.export import TABLE_MIMETYPE
from pulsebi.dashboards.page import Scorecard, Tile, Tiles, _LiveBlock, _static_bundle

COMPARISONS = {"vs previous period": "previous", "vs same period last year": "last_year"}


def _scorecard(value: float) -> Scorecard:
    rows = pd.DataFrame(
        {
            "label": ["Closing rate"],
            "metric": ["closing_rate"],
            "unit": ["rate"],
            "value": [value],
            "previous": [0.25],
            "last_year": [None],
        }
    )
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
        tile = Tile(
            "Closing rate",
            0.4,
            "rate",
            "closing_rate",
            previous=0.3,
            comparison="vs last year",
            also=[("vs previous period", 0.5)],
        )
        tiles = _LiveBlock(Tiles([tile]), None)
        html = tiles.widget.children[0].to_html()
        assert "vs last year" in html and "▼ 10.0 pp" in html and "vs previous period" in html


# --- what goes wrong stays where it happened (no database) -----------------------------------

BRANCHES = {"AUS": "Austin", "DAL": "Dallas"}
PARAMETERS = {
    "branch": "all",
    "preset": "month_to_date",
    "date_from": "",
    "date_to": "",
    "grain": "week",
}


def _filters(branch=None):
    import datetime as dt

    from pulsebi.widgets.filters import Filters

    return Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 1), branch, "week", "custom")


def _page(*sections):
    from pulsebi.dashboards.page import Page

    page = Page("Test page", sections, _filters(), BRANCHES)
    page.parameters = dict(PARAMETERS, date_from="2026-10-01", date_to="2026-11-01")
    return page


def _tiles(filters):
    return [Tiles([Tile("Branch", filters.branch or "all", "text", key="branch")])]


def _crash(filters):
    raise RuntimeError("secret-detail-91")


def _notice(page):
    import html

    return html.unescape(page._notice.value)


def _values(page):
    """The HTML each section's widgets show."""
    return [
        " ".join(
            b.widget.to_html() if hasattr(b.widget, "to_html") else b.widget.value for b in blocks
        )
        for blocks in page._live
    ]


def test_a_crashing_section_shows_a_box_with_an_id_whose_traceback_is_logged(caplog):
    import re

    from pulsebi.dashboards.page import Section

    page = _page(Section("Fine", _tiles), Section("Broken", _crash))
    with use_mode(False):
        page.prepare()
    fine, broken = _values(page)
    assert 'data-tile="branch"' in fine
    match = re.search(r"error id ([0-9a-f]{8})", broken)
    assert match, broken
    assert "secret-detail-91" not in broken and "RuntimeError" not in broken
    [record] = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert record.levelname == "ERROR" and "Broken" in record.getMessage()
    assert "secret-detail-91" in caplog.text and "Traceback" in caplog.text


def test_a_section_that_crashed_comes_back_when_its_build_works_again():
    from pulsebi.dashboards.page import Section

    fail = {"now": True}

    def flaky(filters):
        if fail["now"]:
            raise RuntimeError("down for a moment")
        return _tiles(filters)

    page = _page(Section("Flaky", flaky))
    with use_mode(False):
        page.prepare()
        assert "error id" in _values(page)[0]
        fail["now"] = False
        page.refresh(_filters("DAL"))
    assert 'data-tile="branch"' in _values(page)[0] and "error id" not in _values(page)[0]


def test_a_usage_error_in_a_section_is_said_in_that_section():
    from pulsebi.dashboards.page import Section
    from pulsebi.errors import UsageError

    def picky(filters):
        raise UsageError("this section needs one branch: pick one")

    page = _page(Section("Fine", _tiles), Section("Picky", picky))
    with use_mode(False):
        page.prepare()
    assert "this section needs one branch: pick one" in _values(page)[1]
    assert "pbi-notice" in _values(page)[1]


def test_static_page_with_a_crashing_section_fails_the_run():
    import pytest

    from pulsebi.dashboards.page import Section

    page = _page(Section("Fine", _tiles), Section("Broken", _crash))
    with use_mode(True), pytest.raises(RuntimeError, match="secret-detail-91"):
        page.show()


def test_a_mistake_in_the_query_string_is_the_notice_and_the_page_keeps_its_filters():
    from pulsebi.dashboards.page import Section

    page = _page(Section("Fine", _tiles))
    with use_mode(False):
        page.prepare()
        for query, message in (
            ({"branch": "XXX"}, "branch 'XXX' is unknown; use all or one of AUS, DAL"),
            ({"preset": "fortnight"}, "date preset 'fortnight' is unknown"),
            ({"grain": "year"}, "grain 'year' is not offered on this page; use one of day"),
            ({"from": "2026-10-05", "to": "2026-10-01"}, "from must be before to"),
            ({"from": "2026-13-01"}, "from='2026-13-01' is not a date (YYYY-MM-DD)"),
        ):
            page.follow_request(query)
            assert message in _notice(page), query
            assert page._notice.layout.display is None
            assert page.filters == _filters()
            assert 'data-tile="branch"' in _values(page)[0]
        page.follow_request({"branch": "DAL"})
    assert page.filters.branch == "DAL"
    assert page.bar.branch.value == "DAL"
    assert "pbi-tile" in _values(page)[0] and ">DAL<" in _values(page)[0]


def test_a_mistake_in_the_filter_bar_is_said_at_once_and_cleared_when_mended():
    import datetime as dt

    from pulsebi.dashboards.page import Section

    page = _page(Section("Fine", _tiles))
    with use_mode(False):
        page.prepare()
        page.bar.debounce = 0  # callbacks at once, on this thread
        page.bar.date_through.value = dt.date(2026, 9, 20)  # before "from" (Oct 1)
        assert "from must be before to" in _notice(page)
        assert page.filters == _filters()
        page.bar.branch.value = "DAL"  # still the bad range: still said, nothing recomputed
        assert "from must be before to" in _notice(page)
        page.bar.date_through.value = dt.date(2026, 10, 20)
    assert _notice(page) == "" and page._notice.layout.display == "none"
    assert page.filters.branch == "DAL" and page.filters.date_to == dt.date(2026, 10, 21)
    assert ">DAL<" in _values(page)[0]


def test_the_first_paint_carries_the_notice():
    from pulsebi.dashboards.page import Section

    page = _page(Section("Fine", _tiles))
    with use_mode(False):
        page.prepare()
        page.follow_request({"branch": "XXX"})
    import html

    assert "branch 'XXX' is unknown" in html.unescape(page.first_paint_html())


def test_any_widget_tree_gets_a_first_paint_that_names_its_live_counterpart():
    import ipywidgets as w

    from pulsebi.dashboards.first_paint import first_paint_of

    bar = w.HBox([w.Dropdown(options=["a"])])
    bar.add_class("pbi-filter-bar")
    tree = w.VBox([w.HTML("<p>329 exceptions</p>"), bar, w.VBox([w.HTML("<table>t</table>")])])
    tree.add_class("pbi-reconcile")
    html = first_paint_of(tree, ".pbi-reconcile")
    assert html.startswith('<div class="pbi-first-paint" data-live=".pbi-reconcile">')
    assert "<p>329 exceptions</p>" in html and "<table>t</table>" in html
    assert '<div class="pbi-first-paint-bar"></div>' in html and "<select" not in html
