"""read_series_csv: one or several series from a CSV file, grains inferred, one-line errors that
name file, line (1-based, header = line 1) and series."""

from __future__ import annotations

import math
from datetime import date

import pytest

from pulsebi.trends import TrendInputError
from pulsebi.trends.csvinput import read_series_csv


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_date_value_file_is_one_series_keyed_by_the_empty_string(tmp_path) -> None:
    path = write(tmp_path, "date,value\n2024-01-01,10\n2024-01-02,12.5\n2024-01-03,-3\n")

    series = read_series_csv(path)

    assert list(series) == [""]
    s = series[""]
    assert s.grain == "day" and s.name == ""
    assert s.values.tolist() == [10.0, 12.5, -3.0]
    assert [d.date() for d in s.values.index] == [date(2024, 1, d) for d in (1, 2, 3)]


def test_several_series_each_with_its_own_grain_in_order_of_appearance(tmp_path) -> None:
    path = write(
        tmp_path,
        "series,date,value\n"
        "b,2024-01-01,1\nb,2024-02-01,2\nb,2024-03-01,3\n"
        "a,2024-01-01,5\na,2024-01-08,6\na,2024-01-15,7\n"
        "b,2024-04-01,4\n",
    )

    series = read_series_csv(path)

    assert list(series) == ["b", "a"]
    assert (series["b"].grain, series["b"].values.tolist()) == ("month", [1, 2, 3, 4])
    assert (series["a"].grain, series["a"].name) == ("week", "a")


def test_bom_any_column_order_and_case_unsorted_dates_and_blank_lines(tmp_path) -> None:
    path = write(
        tmp_path,
        "\ufeffValue, Date\r\n7,2024-07-01\r\n\r\n5,2024-01-01\r\n6,2024-04-01\r\n\r\n",
    )

    s = read_series_csv(path)[""]

    assert s.grain == "quarter"
    assert s.values.tolist() == [5.0, 6.0, 7.0]


def test_an_empty_value_is_a_bucket_without_a_value(tmp_path) -> None:
    path = write(tmp_path, "date,value\n2024-01-01,1\n2024-01-02,\n2024-01-03, 3 \n")

    values = read_series_csv(path)[""].values.tolist()

    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == 3.0


def test_a_given_grain_is_used_and_a_single_date_then_suffices(tmp_path) -> None:
    path = write(tmp_path, "date,value\n2024-01-01,1\n")

    assert read_series_csv(path, grain="year")[""].grain == "year"
    with pytest.raises(TrendInputError, match=r"line 2: one date is not enough.*--grain"):
        read_series_csv(path)


def test_a_given_grain_the_dates_do_not_follow_is_refused_at_its_line(tmp_path) -> None:
    path = write(tmp_path, "date,value\n2024-01-01,1\n2024-01-02,2\n")

    with pytest.raises(TrendInputError) as err:
        read_series_csv(path, grain="week")

    assert str(err.value).startswith(f"{path}, line 3: irregular spacing: 2024-01-02 follows")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "{path}: empty file: expected a header date,value or series,date,value"),
        ("\ufeff\n\n", "{path}: empty file"),
        ("date,value\n", "{path}: no rows after the header (line 1)"),
        ("date,amount\n2024-01-01,1\n",
         "{path}, line 1: no such column 'amount' (header found: date,amount): "
         "use date,value or series,date,value"),
        ("day,value\n2024-01-01,1\n", "{path}, line 1: no such column 'day' (header found: "),
        ("date\n2024-01-01\n", "{path}, line 1: no column 'value' (header found: date)"),
        ("date,value,value\n2024-01-01,1,2\n", "{path}, line 1: column 'value' appears twice"),
        ("date,value\n2024-01-01,1\n2024-01-02,2,3\n",
         "{path}, line 3: 3 fields where the header has 2"),
        ("date,value\n2024-01-01,1\n01/02/2024,2\n",
         "{path}, line 3: date '01/02/2024' is not an ISO date (YYYY-MM-DD)"),
        ("date,value\n2024-02-30,1\n", "{path}, line 2: date '2024-02-30' is not an ISO date"),
        ("date,value\n20240101,1\n", "{path}, line 2: date '20240101' is not an ISO date"),
        ("date,value\n2024-01-01,1\n2024-01-02,\"1,234\"\n",
         "{path}, line 3: value '1,234' is not a number"),
        ("date,value\n2024-01-01,inf\n", "{path}, line 2: value 'inf' is not a number"),
        ("date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n",
         "{path}, line 4: date 2024-01-01 appears twice (first on line 2): "
         "give one value per date"),
        ("date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-04,4\n",
         "{path}, line 4: irregular spacing: 2024-01-04 follows 2024-01-02 (missing: a daily "
         "series expects 2024-01-03 next)"),
        ("date,value\n2024-01-01,1\n2024-01-04,2\n",
         "{path}, line 3: irregular spacing: 2024-01-04 follows 2024-01-01, which is no day"),
    ],
)  # fmt: skip
def test_bad_files_are_one_line_naming_file_and_line(tmp_path, text, expected) -> None:
    path = write(tmp_path, text)

    with pytest.raises(TrendInputError) as err:
        read_series_csv(path)

    message = str(err.value)
    assert message.startswith(expected.format(path=path)), message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("a,2024-01-01,1\nb,2024-01-01,1\nb,x,2\n", "line 4, series 'b': date 'x' is not an ISO"),
        ("a,2024-01-01,1\nb,2024-01-01,1\nb,2024-01-01,2\n",
         "line 4, series 'b': date 2024-01-01 appears twice (first on line 3)"),
        ("a,2024-01-01,1\na,2024-01-02,1\nb,2024-01-01,1\nb,2024-01-03,2\na,2024-01-04,2\n",
         "line 6, series 'a': irregular spacing: 2024-01-04 follows 2024-01-02"),
        ("a,2024-01-01,1\n,2024-01-02,1\n", "line 3: no series name"),
        ("a,2024-01-01,oops\n", "line 2, series 'a': value 'oops' is not a number"),
    ],
)  # fmt: skip
def test_errors_in_a_several_series_file_name_the_series(tmp_path, rows, expected) -> None:
    path = write(tmp_path, "series,date,value\n" + rows)

    with pytest.raises(TrendInputError) as err:
        read_series_csv(path)

    assert str(err.value).startswith(f"{path}, {expected}"), str(err.value)


def test_a_missing_file_a_directory_and_a_file_not_in_utf8(tmp_path) -> None:
    latin = write(tmp_path, "date,value\n2024-01-01,1\n2024-01-02,café\n", encoding="latin-1")
    cases = [
        (tmp_path / "nope.csv", f"{tmp_path / 'nope.csv'}: no such file"),
        (tmp_path, f"{tmp_path}: is a directory"),
        (latin, f"{latin}, line 3: not UTF-8 (byte 0xe9): save the file as UTF-8"),
    ]
    for path, expected in cases:
        with pytest.raises(TrendInputError) as err:
            read_series_csv(path)
        assert str(err.value).startswith(expected), str(err.value)


def test_an_unknown_grain_is_refused() -> None:
    with pytest.raises(TrendInputError, match="unknown grain 'fortnight'"):
        read_series_csv("whatever.csv", grain="fortnight")
