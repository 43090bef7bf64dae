"""The early-warning strip on the executive dashboard (its branches) and the branch scorecard (its
branch): first on the page, static (Papermill) and live (an HTML widget), in the first paint, read
from Redis when computed ahead; links to each pair's trends page; one quiet line otherwise."""

from __future__ import annotations

import dataclasses
import datetime as dt
from html.parser import HTMLParser

import pytest
from dashboard_helpers import execute_notebook
from sqlalchemy import text

from pulsebi.dashboards import executive
from pulsebi.dashboards.scorecards import branch as branch_scorecard
from pulsebi.dashboards.warnings_strip import TITLE, quiet_line, strip_html, warnings_for
from pulsebi.db import get_engine
from pulsebi.trends import strip as strip_module
from pulsebi.trends.strip import compute_strip, read_strip

ONE_DAY = dt.timedelta(days=1)


def record(n: int, branch: str = "HOU", direction: str = "low") -> dict:
    return {
        "branch": branch,
        "branch_name": "Houston",
        "metric": "leads",
        "grain": "day",
        "direction": direction,
        "score": -9.0 + n,
        "text": f"Houston leads yesterday: {n}, expected 31–44, lowest in 2 years",
        "url": f"notebooks/trends.ipynb?metric=leads&branch={branch}&grain=day",
    }


@pytest.fixture(scope="module")
def spike(seeded_env, seeded) -> tuple[str, str, dt.date]:
    """An injected spike the strip flags: (branch code, branch name, day), the strip of its
    next day computed ahead (as after a refresh)."""
    with get_engine(seeded).connect() as conn:
        rows = conn.execute(
            text(
                "select b.code, b.name, t.day from bi.seed_truth t"
                " join crm.branches b on b.id = t.branch_id"
                " where t.kind = 'anomalous_day' and t.reason = 'spike' order by t.day"
            )
        ).all()
    for code, name, day in rows:
        records = compute_strip(seeded, today=day + ONE_DAY)
        if any(r["branch"] == code and r["grain"] == "day" for r in records):
            return code, name, day
    raise AssertionError("the strip flags none of the injected spikes")


class _StripReader(HTMLParser):
    """The strip's warnings as (branch, metric, grain, direction, href, text), and its quiet
    line, whatever order a renderer writes the attributes in (nbconvert sorts them)."""

    def __init__(self):
        super().__init__()
        self.strips, self.warnings, self.quiet = 0, [], []
        self._item: dict | None = None
        self._in_quiet = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "pbi-warning-strip" in classes:
            self.strips += 1
            self._in_quiet = "pbi-warning-strip-quiet" in classes
        elif "pbi-warning" in classes:
            keys = ("data-branch", "data-metric", "data-grain", "data-direction")
            self._item = {k: attrs.get(k) for k in keys}
        elif tag == "a" and self._item is not None:
            self._item["href"] = attrs.get("href")
            self._item["text"] = ""

    def handle_data(self, data):
        if self._item is not None and "text" in self._item:
            self._item["text"] += data
        elif self._in_quiet:
            self.quiet.append(data)

    def handle_endtag(self, tag):
        if tag == "li" and self._item is not None:
            self.warnings.append(tuple(self._item.values()))
            self._item = None
        elif tag == "div":
            self._in_quiet = False


def strip_of(page_html: str) -> tuple[list[tuple], str]:
    """The page's one strip: its warnings and its quiet line ("" with warnings)."""
    reader = _StripReader()
    reader.feed(page_html)
    assert reader.strips == 1, "the page shows one strip"
    return reader.warnings, "".join(reader.quiet)


def render_static(module, monkeypatch, **params) -> str:
    """What the page displays under Papermill (`prepare(static=True)`, then `present`)."""
    import IPython.display

    shown: list[str] = []

    def display(*objects, raw: bool = False, **_options) -> None:
        for obj in objects:
            shown.append(obj.get("text/html", "") if raw else obj._repr_html_())

    monkeypatch.setattr(IPython.display, "display", display)
    module.present(module.prepare(static=True, **params))
    return "".join(shown)


def live_strip(page) -> str:
    """The value of the live page's one HTML widget holding the strip."""

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    values = [
        w.value
        for w in walk(page.prepare())
        if isinstance(getattr(w, "value", None), str) and "pbi-warning-strip" in w.value
    ]
    assert len(values) == 1
    return values[0]


def test_each_warning_links_to_its_trends_page_and_the_rest_folds_away() -> None:
    html = strip_html([record(n) for n in range(7)], quiet_line())
    assert html.count('<li class="pbi-warning"') == 7 and 'data-warnings="7"' in html
    assert ">2 more</summary>" in html
    assert html.index("Houston leads yesterday: 4,") < html.index("<details")
    # from the served root: the same link from notebooks/, scorecards/ or any deeper folder
    link = (
        '<a href="/voila/render/notebooks/trends.ipynb?metric=leads&amp;branch=HOU&amp;grain=day"'
    )
    assert html.count(link) == 7
    assert 'data-branch="HOU" data-metric="leads" data-grain="day" data-direction="low"' in html
    quiet = strip_html([], quiet_line("Houston"))
    assert "pbi-warning-strip-quiet" in quiet and "<li" not in quiet
    assert "No early warnings: every headline metric of Houston is within its expected" in quiet


def test_the_executive_page_shows_the_strip_first_live_static_and_in_its_first_paint(
    spike, seeded_in_use, monkeypatch
) -> None:
    code, name, day = spike
    today = day + ONE_DAY
    page = executive.prepare(static=False, today=today)
    try:
        assert page.sections[0].title == TITLE
        live = live_strip(page)
        first_paint = page.first_paint_html()
    finally:
        page.close()
    assert f'data-branch="{code}" data-metric="leads" data-grain="day"' in live
    assert f"{name} leads yesterday: " in live
    assert strip_of(first_paint) == strip_of(live)
    assert first_paint.index("pbi-warning-strip") < first_paint.index("<h2>Revenue</h2>")
    static = render_static(executive, monkeypatch, today=today)
    assert strip_of(static) == strip_of(live)
    assert static.index("pbi-warning-strip") < static.index("<h2>Revenue</h2>")


def test_a_page_of_one_branch_shows_only_that_branchs_warnings(spike, seeded_in_use):
    code, name, day = spike
    today = day + ONE_DAY
    records = read_strip(today=today)
    other = next(b for b in executive.list_branches() if b != code)
    page = branch_scorecard.prepare(
        static=False, branch=code, date_from="", date_to="", grain="week", today=today
    )
    try:
        assert page.sections[0].title == TITLE
        shown = live_strip(page)
        assert strip_of(page.first_paint_html()) == strip_of(shown)
        page.apply(dataclasses.replace(page.filters, branch=other))  # the filter bar's branch
        elsewhere = live_strip(page)
    finally:
        page.close()
    assert f"{name} leads yesterday: " in shown
    assert strip_of(shown) == strip_of(strip_html(warnings_for(records, code), ""))
    warnings, _ = strip_of(elsewhere)
    assert code not in {w[0] for w in warnings}
    assert strip_of(elsewhere) == strip_of(
        strip_html(warnings_for(records, other), quiet_line(executive.list_branches()[other]))
    )


def test_the_first_paint_reads_the_strip_computed_ahead(spike, seeded_in_use, monkeypatch):
    code, _name, day = spike
    ahead = read_strip(today=day + ONE_DAY)  # computed by the fixture, as after a refresh

    def no_computing(*args, **kwargs):
        raise AssertionError("the page computed the strip instead of reading it")

    monkeypatch.setattr(strip_module, "_judge_strip", no_computing)
    page = executive.prepare(static=False, today=day + ONE_DAY, branch=code)
    try:
        shown = live_strip(page)
    finally:
        page.close()
    assert shown == strip_html(warnings_for(ahead, code), quiet_line())


def test_the_notebooks_under_papermill_show_the_strip(kernel_env, seeded, branch_code, tmp_path):
    # the notebooks judge the real today's yesterday and last week (the seeded data has ended
    # by then: what the strip says is the detector's; that the page shows it is this test's)
    page = execute_notebook("notebooks/executive.ipynb", tmp_path, static=True)
    records = read_strip(seeded)
    assert strip_of(page) == strip_of(strip_html(records, quiet_line()))
    scorecard = execute_notebook(
        "scorecards/branch.ipynb", tmp_path, branch=branch_code, static=True
    )
    shown, _ = strip_of(scorecard)
    assert shown == strip_of(strip_html(warnings_for(records, branch_code), ""))[0]
    assert "Traceback" not in page + scorecard
