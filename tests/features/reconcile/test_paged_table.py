"""The toolkit's paged, sortable table (pulsebi.widgets.paged_table), live and static."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from pulsebi.errors import UsageError
from pulsebi.widgets.paged_table import Column, PagedTable, paged_table_html, range_label

CHICAGO = ZoneInfo("America/Chicago")
COLUMNS = [
    Column("code", "Reason", labels={"b": "Apple", "a": "Zebra"}),
    Column("amount", "Amount", "usd"),
    Column("at", "When", "datetime"),
    Column("detail", "Detail", wrap=True),
]


def frame(n: int) -> pd.DataFrame:
    start = dt.datetime(2026, 11, 30, 14, 5, tzinfo=CHICAGO)
    return pd.DataFrame(
        {
            "code": ["a" if i % 2 else "b" for i in range(n)],
            "amount": [None if i == 3 else Decimal(i * 7 % 11) for i in range(n)],
            "at": [start + dt.timedelta(hours=i) for i in range(n)],
            "detail": [f"row {i} " + "long words " * 20 for i in range(n)],
            "hidden": range(n),
        }
    )


def shown_rows(table: PagedTable) -> list[int]:
    return [int(p) for p in re.findall(r'data-row="(\d+)"', table.html)]


def test_pages_of_25_say_where_they_are() -> None:
    table = PagedTable(frame(329), COLUMNS, page_size=25)
    assert (table.pages, table.label, shown_rows(table)) == (14, "1–25 of 329", list(range(25)))
    table.page = 1
    assert table.label == "26–50 of 329" and shown_rows(table)[0] == 25
    table.page = 13
    assert table.label == "326–329 of 329" and len(shown_rows(table)) == 4
    assert range_label(0, 0, 0) == "0 of 0"


def test_sorting_by_value_with_missing_last_and_toggling() -> None:
    data = frame(12)
    table = PagedTable(data, COLUMNS, page_size=50)
    table.sort_key = "amount"
    order = shown_rows(table)
    amounts = [data["amount"][i] for i in order]
    assert amounts[:-1] == sorted(amounts[:-1]) and amounts[-1] is None  # 10 after 9: numbers
    assert "Amount ▲" in table.html
    table.descending = True
    amounts = [data["amount"][i] for i in shown_rows(table)]
    assert amounts[:-1] == sorted(amounts[:-1], reverse=True) and amounts[-1] is None
    assert "Amount ▼" in table.html


def test_coded_text_sorts_by_its_label_and_times_by_instant() -> None:
    data = frame(6)
    table = PagedTable(data, COLUMNS, sort_key="code")
    assert [data["code"][i] for i in shown_rows(table)] == ["b"] * 3 + ["a"] * 3  # Apple first
    table.sort_key, table.descending = "at", True
    assert shown_rows(table) == [5, 4, 3, 2, 1, 0]


def test_a_sort_orders_every_page_and_starts_at_its_top() -> None:
    data = frame(60)
    table = PagedTable(data, COLUMNS, page_size=25)
    table.page = 2
    table.sort_key, table.descending = "at", True
    assert table.page == 0 and shown_rows(table) == list(range(59, 34, -1))
    table.page = 2
    assert shown_rows(table) == list(range(9, -1, -1))
    table.update(data.head(30))
    assert (table.page, table.pages, table.label) == (0, 2, "1–25 of 30")


def test_cells_are_formatted_for_people_and_detail_wraps() -> None:
    table = PagedTable(frame(2), COLUMNS)
    page = table.html
    assert "Zebra" in page and "Apple" in page and ">a<" not in page
    assert "Nov&nbsp;30,&nbsp;2026 14:05" in page and "Nov&nbsp;30,&nbsp;2026 15:05" in page
    assert "$0.00" in page and "$7.00" in page
    assert "width:100%" in page and "overflow-wrap:anywhere" in page  # fits: Detail wraps
    assert page.count("overflow-wrap:anywhere") == 2  # only Detail breaks inside words
    assert page.count("white-space:nowrap") == 2  # money never wraps
    assert "Nov&nbsp;30,&nbsp;2026 14:05" in page  # a date is kept whole
    assert "hidden" not in page


def test_a_click_selects_the_row_of_the_frame_whatever_the_order() -> None:
    data = frame(5)
    picked = []
    table = PagedTable(data, COLUMNS, sort_key="at", descending=True)
    table.on_select(picked.append)
    table.selected = shown_rows(table)[0]
    assert picked[-1]["at"] == data["at"][4] and table.selectable
    assert 'data-row="4" style="background:#e8f0fe"' in table.html
    table.update(data)
    assert table.selected == -1 and table.selected_row() is None


def test_static_html_is_complete_or_capped_with_its_count() -> None:
    data = frame(329)
    full = paged_table_html(data.head(10), COLUMNS)
    assert full.count("<tr data-row") == 10 and "Showing" not in full
    capped = paged_table_html(data, COLUMNS, max_rows=200, noun="exceptions")
    assert capped.count("<tr data-row") == 200
    assert "Showing 1–200 of 329 exceptions; all 329 are in the Excel export." in capped
    assert "No exceptions." in paged_table_html(data.head(0), COLUMNS, empty="No exceptions.")


def test_bad_columns_are_refused() -> None:
    with pytest.raises(UsageError, match="nope"):
        PagedTable(frame(2), [Column("nope", "Nope")])
    table = PagedTable(frame(2), COLUMNS)
    with pytest.raises(UsageError, match="cannot sort by 'hidden'"):
        table.sort_key = "hidden"
