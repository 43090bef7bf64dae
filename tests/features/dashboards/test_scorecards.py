"""Every department scorecard executes under Papermill (static) for one branch and for all, and
its headline figures are those `pulsebi kpi` gives for the same arguments."""

import datetime as dt
import html
import re

import pytest
from dashboard_helpers import execute_notebook, kpi_value, shown, tile_value

from pulsebi.dashboards.figures import MATURING_NOTE
from pulsebi.dashboards.scorecard import headline_blocks
from pulsebi.dashboards.scorecards import canvass
from pulsebi.widgets.dates import local_today
from pulsebi.widgets.filters import Filters

FROM, TO = "2026-10-01", "2026-11-01"
PREVIOUS, LAST_YEAR = ("2026-08-31", "2026-10-01"), ("2025-10-01", "2025-11-01")
# scorecard → (its first headline, a department-specific figure); tiles are keyed kpi-<metric>
FIGURES = {
    "branch": ("net_revenue", "closing_rate"),
    "production": ("jobs_in_progress", "jobs_created"),
    "service": ("ticket_volume", "csat_top2_share"),
    "telemarketing": ("calls_made", "set_appointments_sold"),
    "canvass": ("doors_knocked", "canvass_revenue"),
    "technology": ("system_health", "error_rate"),
}
COMPANY_WIDE = {"technology"}


def _scorecard_row(page: str, metric: str) -> str:
    match = re.search(rf'<tr data-metric="{metric}".*?</tr>', page, re.S)
    assert match, f"no scorecard row for {metric}"
    return match.group(0)


def _compared_values(page: str, metric: str) -> list[str]:
    """The comparison periods' values in the scorecard row (previous period, last year)."""
    row = _scorecard_row(page, metric)
    cells = re.findall(r"<td data-tone=.*?<span[^>]*>(.*?)</span></td>", row)
    return [html.unescape(c).strip() for c in cells]


def _scorecard_value(page: str, metric: str) -> str:
    match = re.search(
        rf'<tr data-metric="{metric}".*?class="pbi-score-value"[^>]*>(.*?)</td>', page, re.S
    )
    assert match, f"no scorecard row for {metric}"
    return html.unescape(re.sub(r"<[^>]+>|●", "", match.group(1))).strip()


@pytest.mark.parametrize("one_branch", [True, False], ids=["one-branch", "all-branches"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_scorecard_shows_the_metric_layers_figures(
    name, one_branch, kernel_env, branch_code, tmp_path
):
    branch = branch_code if one_branch else "all"
    page = execute_notebook(
        f"scorecards/{name}.ipynb",
        tmp_path,
        branch=branch,
        preset="custom",
        date_from=FROM,
        date_to=TO,
        grain="week",
        static=True,
    )

    assert "Traceback" not in page  # papermill raises on a failing cell; nothing went to stderr
    args = ["--from", FROM, "--to", TO]
    if one_branch and name not in COMPANY_WIDE:
        args += ["--branch", branch]
    first, special = FIGURES[name]
    for metric in (first, special):
        expected = shown(kpi_value(kernel_env, metric, *args), metric)
        assert tile_value(page, f"kpi-{metric}") == expected, metric
    assert _scorecard_value(page, first) == shown(kpi_value(kernel_env, first, *args), first)
    # the department figure against the previous period and the same period last year
    branch_args = args[4:]
    compared = [
        shown(kpi_value(kernel_env, special, "--from", a, "--to", b, *branch_args), special)
        for a, b in (PREVIOUS, LAST_YEAR)
    ]
    assert _compared_values(page, special) == compared
    if name in COMPANY_WIDE and one_branch:
        assert 'data-note="branch-ignored"' in page


def test_headlines_of_a_maturing_cohort_say_so_and_comparisons_say_where_they_stop(on_seeded_day):
    """The last seven days: a canvass cohort (its leads' sales) is still maturing; the counts
    are compared to date, the tiles and the table's headers saying at which clock time."""
    today = local_today(tz=on_seeded_day.tz)
    week = Filters(today - dt.timedelta(days=6), today + dt.timedelta(days=1), preset="custom")
    tiles_block, card = headline_blocks(canvass.HEADLINES, week)
    tiles = {t.key.removeprefix("kpi-"): t for t in tiles_block.tiles}
    for cohort in ("canvass_sales", "canvass_revenue"):
        tile = tiles[cohort]
        assert (tile.note, tile.metric, tile.previous, tile.also) == (MATURING_NOTE, None, None, [])
    [row] = card.rows[card.rows["metric"] == "canvass_sales"].to_dict("records")
    assert row["label"].endswith(f"({MATURING_NOTE})") and row["last_year"] is None
    assert row["previous"] is None and row["maturing"]
    # nor held to its thresholds in the table: no status dot beside its value
    from pulsebi.widgets.scorecard import scorecard_html

    shown = scorecard_html(card.rows, card.comparisons)
    cohort_row = re.search(r'<tr data-metric="canvass_sales".*?</tr>', shown).group(0)
    assert 'data-status=""' in cohort_row and "●" not in cohort_row
    doors = tiles["doors_knocked"]
    assert doors.note == "" and doors.metric == "doors_knocked" and doors.value > 0
    assert re.fullmatch(r"vs last year to \d\d:\d\d", doors.comparison)
    [(previous, _)] = doors.also
    assert re.fullmatch(r"vs previous period to \d\d:\d\d", previous)
    assert all(re.search(r" to \d\d:\d\d$", header) for header in card.comparisons)
    # a month a year old is mature and whole: compared without a clock time
    old = Filters(dt.date(2025, 10, 1), dt.date(2025, 11, 1), preset="custom")
    tiles_block, card = headline_blocks(canvass.HEADLINES, old)
    sales = next(t for t in tiles_block.tiles if t.key == "kpi-canvass_sales")
    assert sales.note == "" and sales.comparison == "vs last year" and sales.previous is not None
    assert list(card.comparisons) == ["vs previous period", "vs same period last year"]


def test_a_scorecard_can_be_told_its_today_as_a_date_or_iso_text(seeded_in_use):
    from pulsebi.dashboards.scorecards import production
    from pulsebi.errors import UsageError

    june = (dt.date(2026, 6, 1), dt.date(2026, 6, 3))
    parameters = dict(static=True, branch="all", date_from="", date_to="", grain="week")
    for today in ("2026-06-02", dt.date(2026, 6, 2), lambda: dt.date(2026, 6, 2)):
        page = production.prepare(**parameters, today=today)
        assert (page.filters.date_from, page.filters.date_to) == june
    with pytest.raises(UsageError, match="today='June 2' is not a date"):
        production.prepare(**parameters, today="June 2")


def test_a_maturing_row_is_not_held_to_its_thresholds():
    """Job completion 50% is below its warn threshold: a dot, unless the cohort is maturing."""
    import pandas as pd

    from pulsebi.widgets.scorecard import scorecard_html

    def dot(maturing: bool) -> bool:
        rows = pd.DataFrame(
            [
                {
                    "label": "Job completion",
                    "metric": "job_completion_rate",
                    "unit": "rate",
                    "value": 0.5,
                    "previous": None,
                    "maturing": maturing,
                }
            ]
        )
        return "●" in scorecard_html(rows, {"vs previous period": "previous"})

    assert dot(maturing=False) and not dot(maturing=True)
