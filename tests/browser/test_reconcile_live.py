"""The split-integrity page live in Voilà: a paged table (next page, sort by a header), the
branch and date filters (and ?branch= in the URL), a click on a row shows the sale's splits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from pulsebi.db import schema

PAGES = Path(__file__).parents[2] / "notebooks" / "reconciliation"
FIRST = dt.datetime.fromisoformat("2026-06-01T12:00:00-05:00")
SALES = 31  # sale 1 (DAL) split with a canvasser; 2..31 without a split, one a day


def add_dirty_splits(engine) -> None:
    with engine.begin() as conn:
        for id_, code in ((1, "DAL"), (2, "HOU")):
            conn.execute(
                insert(schema.branches).values(
                    id=id_,
                    code=code,
                    name=f"Branch {code}",
                    timezone="America/Chicago",
                    opened_on=dt.date(2015, 1, 1),
                )
            )
        conn.execute(
            insert(schema.employees).values(
                id=12,
                branch_id=1,
                full_name="Casey Canvasser",
                role="canvasser",
                hired_on=dt.date(2020, 1, 1),
            )
        )
        for id_ in range(1, SALES + 1):
            conn.execute(
                insert(schema.sales).values(
                    id=id_,
                    lead_id=id_,
                    branch_id=1 if id_ % 3 else 2,
                    amount=Decimal(999 + id_),
                    sold_at=FIRST + dt.timedelta(days=id_ - 1),
                    commission_rate=Decimal("0.1"),
                    product="roof",
                    status="active",
                )
            )
        split = {"id": 1, "sale_id": 1, "employee_id": 12, "share": 1, "commission": 100}
        conn.execute(insert(schema.sale_splits).values(**split))


def first_sales(page, n: int = 3) -> list[str]:
    cells = page.locator(".pbi-paged-table tbody tr td:nth-child(2)")
    return [cells.nth(i).inner_text() for i in range(n)]


def wait_label(page, text: str) -> None:
    page.locator(".pbi-pager-label", has_text=text).wait_for(timeout=30_000)


def test_page_sort_filter_and_drill_into_a_split_exception(page, page_log, db, start_voila) -> None:
    add_dirty_splits(db)
    server = start_voila("reconcile", dirs=(PAGES,))
    page.goto(server.page_url("reconciliation/split_integrity.ipynb", f"token={server.token}"))
    page.locator(".pbi-paged-table").wait_for(timeout=60_000)
    wait_label(page, "1–25 of 31")
    assert page.locator(".pbi-paged-table tbody tr").count() == 25
    assert "Not a sales rep" in page.locator(".pbi-paged-table").inner_text()
    assert "Jun 1, 2026 12:00" in page.locator(".pbi-paged-table").inner_text().replace("\xa0", " ")

    page.get_by_role("button", name="Next ›").click()
    wait_label(page, "26–31 of 31")
    assert page.locator(".pbi-paged-table tbody tr").count() == 6

    page.locator("th[data-key=amount]").click()  # sort: back to the first page, ascending
    wait_label(page, "1–25 of 31")
    page.locator("th[data-key=amount]", has_text="▲").wait_for()
    assert first_sales(page) == ["1", "2", "3"]
    page.locator("th[data-key=amount]").click()
    page.locator("th[data-key=amount]", has_text="▼").wait_for()
    assert first_sales(page) == ["31", "30", "29"]

    branch, reason = page.locator(".widget-dropdown select").all()[:2]
    branch.select_option(label="HOU · Branch HOU")
    wait_label(page, "1–10 of 10")  # sales 3, 6, ..., 30
    assert page.get_by_role("button", name="Next ›").is_hidden()  # one page: the count only
    branch.select_option(label="All branches")
    froms, throughs = page.locator(".widget-datepicker input").all()[:2]
    froms.fill("2026-06-10")
    throughs.fill("2026-06-19")  # like --from 2026-06-10 --to 2026-06-20: sales 10..19
    page.get_by_text("10 exception(s) · all branches, Jun 10, 2026 through Jun 19, 2026").wait_for()
    assert sorted(int(s) for s in first_sales(page, 10)) == list(range(10, 20))
    froms.fill("")
    throughs.fill("")
    wait_label(page, "1–25 of 31")
    reason.select_option(label="No split")
    wait_label(page, "1–25 of 30")
    reason.select_option(label="All reasons")

    page.locator("th[data-key=sale_id]").click()
    page.locator(".pbi-paged-table tbody tr", has_text="Not a sales rep").click()
    page.get_by_text("Splits of sale 1").wait_for(timeout=30_000)
    assert page.get_by_text("Casey Canvasser").count() >= 1
    assert [e for e in page_log.errors if "favicon" not in e] == []
    assert page_log.outside(server.url) == []


def test_the_url_chooses_the_branch_and_a_bad_one_is_said_in_place(
    page, page_log, db, start_voila
) -> None:
    add_dirty_splits(db)
    server = start_voila("reconcile", dirs=(PAGES,))
    url = server.page_url("reconciliation/split_integrity.ipynb", f"token={server.token}")
    page.goto(url + "&branch=HOU&from=2026-06-01&to=2026-06-16")
    wait_label(page, "1–5 of 5")  # 3, 6, 9, 12, 15
    assert page.locator(".widget-dropdown select").first.input_value() == "HOU · Branch HOU"
    page.goto(url + "&branch=XXX")
    page.get_by_text("unknown branch 'XXX'").wait_for(timeout=60_000)
    wait_label(page, "1–25 of 31")  # the rest of the page works
    assert [e for e in page_log.errors if "favicon" not in e] == []


def test_the_first_paint_shows_the_table_before_voilas_javascript_and_gives_way(
    page, page_log, db, start_voila
) -> None:
    """The page's HTML alone (Voilà's JavaScript blocked) shows its summary and first rows; with
    JavaScript, the live table takes their place (one table, no console error)."""
    from playwright.sync_api import expect

    add_dirty_splits(db)
    server = start_voila("reconcile", dirs=(PAGES,))
    url = server.page_url("reconciliation/split_integrity.ipynb", f"token={server.token}")
    page.route("**/voila/static/voila.js", lambda route: route.abort())
    page.goto(url)
    first_paint = page.locator(".pbi-first-paint")
    expect(first_paint.locator(".pbi-paged-table tbody tr")).to_have_count(25, timeout=60_000)
    expect(first_paint).to_contain_text("Summary by reason and branch")
    assert page.locator(".pbi-reconcile").count() == 0

    page.unroute("**/voila/static/voila.js")
    page_log.errors.clear()  # the blocked script's own failure
    page.goto(url)
    wait_label(page, "1–25 of 31")
    expect(page.locator(".pbi-first-paint")).to_have_count(0)
    expect(page.locator(".pbi-paged-table")).to_have_count(1)
    assert [e for e in page_log.errors if "favicon" not in e] == []
