"""`pulsebi trends anomalies|forecast|seasonality`: JSON shape per subcommand on hand-made CSVs,
several series in one file, csv and table output, and bad input: one line on stderr naming
file, line and series, exit 2, nothing on stdout (--metric: test_trends_cli_metric.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from pulsebi.cli import main
from pulsebi.trends.series import step

WEEKDAY = (10.0, 20.0, 30.0, 20.0, 10.0, -40.0, -50.0)  # Monday .. Sunday
ANOMALY_KEYS = ["series", "date", "value", "expected", "lower", "upper", "score", "anomaly"]
FORECAST_KEYS = [
    "series", "date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95", "model",
]  # fmt: skip
SEASONALITY_KEYS = ["series", "period", "strength_trend", "strength_seasonal", "indices"]


def trends(*args: str):
    return CliRunner().invoke(main, ["trends", *[str(a) for a in args]])


def dates(start: dt.date, n: int, grain: str) -> list[dt.date]:
    out = [start]
    while len(out) < n:
        out.append(step(out[-1], grain))
    return out


def weekday_days(n: int = 84, start: dt.date = dt.date(2024, 1, 1)) -> list[tuple[dt.date, float]]:
    """`n` days of 100 + the weekday pattern, a small wobble (so the band is not zero wide)."""
    wobble = np.random.default_rng(3).normal(0, 0.5, n).round(2)
    days = dates(start, n, "day")
    return [(d, 100 + WEEKDAY[d.weekday()] + float(w)) for d, w in zip(days, wobble, strict=True)]


def write_csv(tmp_path, rows, header=("date", "value"), name="data.csv"):
    path = tmp_path / name
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ok_json(*args):
    result = trends(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- JSON shape ------------------------------------------------------------------------------


def test_anomalies_json_one_object_per_point_with_the_spike_flagged(tmp_path) -> None:
    rows = weekday_days()
    rows[70] = (rows[70][0], rows[70][1] + 150)  # a spike
    rows[40] = (rows[40][0], None)  # a bucket without a value
    path = write_csv(tmp_path, rows)

    out = ok_json("anomalies", "--input", path)

    assert len(out) == len(rows) and all(list(o) == ANOMALY_KEYS for o in out)
    assert [o["date"] for o in out] == [d.isoformat() for d, _ in rows]
    assert {o["series"] for o in out} == {""}
    assert all(isinstance(o["anomaly"], bool) for o in out)
    assert [o["date"] for o in out if o["anomaly"]] == [rows[70][0].isoformat()]
    assert out[40]["value"] is None and out[40]["anomaly"] is False
    judged = out[70]
    assert judged["lower"] < judged["expected"] < judged["upper"] < judged["value"]
    assert judged["score"] > 3.5


def test_sensitivity_high_flags_at_least_what_medium_does(tmp_path) -> None:
    path = write_csv(tmp_path, weekday_days())
    flagged = {
        level: {o["date"] for o in ok_json("anomalies", "--input", path, "--sensitivity", level)
                if o["anomaly"]}
        for level in ("low", "medium", "high")
    }  # fmt: skip
    assert flagged["low"] <= flagged["medium"] <= flagged["high"]


def test_forecast_json_one_object_per_future_period_with_its_model(tmp_path) -> None:
    days = dates(dt.date(2023, 1, 1), 12, "month")
    path = write_csv(tmp_path, [(d, 100 + 3 * i) for i, d in enumerate(days)])

    out = ok_json("forecast", "--input", path, "--horizon", 3)

    assert [list(o) for o in out] == [FORECAST_KEYS] * 3
    assert [o["date"] for o in out] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    for o in out:
        assert o["series"] == "" and isinstance(o["model"], str) and o["model"]
        assert o["lower_95"] <= o["lower_80"] <= o["forecast"] <= o["upper_80"] <= o["upper_95"]
    assert 130 < out[0]["forecast"] < 145  # the line goes on: 136 next


def test_seasonality_json_gives_strengths_and_the_weekday_index(tmp_path) -> None:
    path = write_csv(tmp_path, weekday_days())

    (out,) = ok_json("seasonality", "--input", path)

    assert list(out) == SEASONALITY_KEYS
    assert out["series"] == "" and out["period"] == 7
    assert out["strength_seasonal"] > 0.9
    weekday = out["indices"]["weekday"]
    assert list(weekday) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                             "Saturday", "Sunday"]  # fmt: skip
    assert list(weekday.values()) == pytest.approx(WEEKDAY, abs=1)


def test_several_series_each_on_its_own_grain(tmp_path) -> None:
    rows = [("shop", d, v) for d, v in weekday_days()]
    weeks = dates(dt.date(2023, 1, 2), 40, "week")
    rows += [("web site", d, 50 + (i % 4)) for i, d in enumerate(weeks)]
    path = write_csv(tmp_path, rows, header=("series", "date", "value"))

    out = ok_json("anomalies", "--input", path)

    assert [o["series"] for o in out] == ["shop"] * 84 + ["web site"] * 40
    assert out[84]["date"] == "2023-01-02" and out[85]["date"] == "2023-01-09"
    (shop,) = [o for o in ok_json("seasonality", "--input", path) if o["series"] == "shop"]
    assert shop["period"] == 7


def test_forecast_jobs_give_the_same_answer(tmp_path) -> None:
    """Eight short series: two processes (forecast_many's pool) and one give equal output."""
    days = dates(dt.date(2023, 1, 1), 10, "month")
    rows = [(f"s{k}", d, 10 * k + i + (i % 3)) for k in range(8) for i, d in enumerate(days)]
    path = write_csv(tmp_path, rows, header=("series", "date", "value"))
    args = ["forecast", "--input", path, "--horizon", 2, "--format", "json"]

    one = trends(*args, "--jobs", 1)
    two = trends(*args, "--jobs", 2)

    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    assert [o["series"] for o in json.loads(one.stdout)] == [
        f"s{k}" for k in range(8) for _ in "ab"
    ]


# --- csv and table ---------------------------------------------------------------------------


def test_csv_has_the_json_columns_and_values(tmp_path) -> None:
    rows = weekday_days()
    rows[10] = (rows[10][0], None)
    path = write_csv(tmp_path, rows)
    as_json = ok_json("anomalies", "--input", path)

    result = trends("anomalies", "--input", path, "--format", "csv")

    assert result.exit_code == 0
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(parsed[0]) == ANOMALY_KEYS and len(parsed) == len(as_json)
    for row, obj in zip(parsed, as_json, strict=True):
        assert row["date"] == obj["date"] and row["anomaly"] == str(obj["anomaly"]).lower()
        for key in ("value", "expected", "lower", "upper", "score"):
            assert (row[key] == "") if obj[key] is None else float(row[key]) == obj[key]


def test_seasonality_csv_is_one_row_per_index_entry(tmp_path) -> None:
    rows = [("a", d, v) for d, v in weekday_days()] + [("b", d, v) for d, v in weekday_days()]
    path = write_csv(tmp_path, rows, header=("series", "date", "value"))

    result = trends("seasonality", "--input", path, "--format", "csv")

    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(parsed[0]) == ["series", "period", "strength_trend", "strength_seasonal",
                               "index", "label", "value"]  # fmt: skip
    assert [(r["series"], r["index"]) for r in parsed] == [("a", "weekday")] * 7 + [
        ("b", "weekday")
    ] * 7
    assert parsed[0]["label"] == "Monday" and float(parsed[0]["value"]) == pytest.approx(10, abs=1)


def test_a_series_without_a_season_still_gives_its_strengths(tmp_path) -> None:
    path = write_csv(
        tmp_path, [(dt.date(2015 + i, 1, 1), v) for i, v in enumerate([1, 2, 4, 3, 5])]
    )

    (out,) = ok_json("seasonality", "--input", path)
    result = trends("seasonality", "--input", path, "--format", "csv")

    assert out["period"] is None and out["indices"] == {}
    assert result.stdout.splitlines()[1:] == [",,0.0,0.0,,,"]


def test_tables_print_the_points_out_of_band_the_forecast_and_the_indices(tmp_path) -> None:
    rows = weekday_days()
    rows[70] = (rows[70][0], rows[70][1] + 150)
    path = write_csv(tmp_path, rows)
    monthly = write_csv(
        tmp_path, [(d, 100 + i) for i, d in enumerate(dates(dt.date(2023, 1, 1), 12, "month"))],
        name="monthly.csv",
    )  # fmt: skip

    anomalies = trends("anomalies", "--input", path).stdout
    forecast = trends("forecast", "--input", monthly, "--horizon", 2).stdout
    seasonality = trends("seasonality", "--input", path).stdout

    assert rows[70][0].isoformat() in anomalies and "expected" in anomalies
    assert "the series: 1 of 84 points out of band at medium sensitivity" in anomalies
    assert "2024-01-01" in forecast and "2024-02-01" in forecast and "95% interval" in forecast
    assert "Monday" in seasonality and "seasonal strength" in seasonality
    assert "\x1b[" not in anomalies + forecast + seasonality  # no colour codes in files


# --- errors ----------------------------------------------------------------------------------

GOOD_DAYS = "".join(f"{d},{v}\n" for d, v in weekday_days(30))


@pytest.mark.parametrize(
    ("command", "text", "named"),
    [
        ("anomalies", "", ["empty file"]),
        ("anomalies", "date,value\n", ["no rows after the header"]),
        ("anomalies", "day,amount\n2024-01-01,1\n", ["line 1", "'day'", "day,amount"]),
        ("forecast", "date,value\n2024-01-01,1\n1/2/2024,2\n", ["line 3", "'1/2/2024'"]),
        ("seasonality", "date,value\n2024-01-01,1\n2024-01-02,lots\n", ["line 3", "'lots'"]),
        ("anomalies", "series,date,value\nx,2024-01-01,1\ny,2024-01-01,1\ny,2024-01-01,1\n",
         ["line 4", "series 'y'", "appears twice"]),
        ("anomalies", "series,date,value\nx,2024-01-01,1\nx,2024-01-02,1\nx,2024-01-05,1\n",
         ["line 4", "series 'x'", "irregular spacing"]),
        ("anomalies", "series,date,value\n" + "".join(f"long,{r}\n" for r in GOOD_DAYS.split())
         + "short,2024-01-01,1\nshort,2024-01-02,1\n", ["series 'short'", "at least"]),
        ("forecast", "series,date,value\nshort,2024-01-01,1\nshort,2024-01-02,1\n",
         ["series 'short'", "at least 8"]),
        ("seasonality", "date,value\n2024-01-01,1\n2024-01-02,1\n2024-01-03,1\n",
         ["too short", "at least 14"]),
    ],
)  # fmt: skip
def test_bad_files_exit_2_with_one_line_naming_file_line_and_series(
    tmp_path, command, text, named
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    extra = ["--horizon", 3] if command == "forecast" else []

    result = trends(command, "--input", path, *extra)

    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}")
    for word in named:
        assert word in line, line


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["anomalies"], "give --input FILE.csv"),
        (["anomalies", "--input", "x.csv", "--metric", "leads"], "not both"),
        (["anomalies", "--input", "x.csv", "--branch", "HOU"], "--branch goes with --metric"),
        (["anomalies", "--input", "x.csv", "--sensitivity", "extreme"], "'extreme'"),
        (["anomalies", "--input", "x.csv", "--format", "xml"], "'xml'"),
        (["anomalies", "--input", "x.csv", "--grain", "fortnight"], "'fortnight'"),
        (["anomalies", "--input", "missing.csv"], "missing.csv: no such file"),
        (["forecast", "--input", "x.csv"], "--horizon N"),
        (["forecast", "--input", "x.csv", "--horizon", "0"], "--horizon '0'"),
        (["forecast", "--input", "x.csv", "--horizon", "two"], "--horizon 'two'"),
        (["forecast", "--input", "x.csv", "--horizon", "2", "--jobs", "-1"], "--jobs '-1'"),
        (["seasonality", "--metric", "leads", "--from", "2026-01-01"], "both --from and --to"),
        (["seasonality", "--metric", "leads", "--from", "2026-02-01", "--to", "2026-01-01"],
         "is not before"),
        (["seasonality", "--metric", "leads", "--from", "1/1/2026", "--to", "2026-03-01"],
         "'1/1/2026'"),
    ],
)  # fmt: skip
def test_bad_options_exit_2_with_one_line(tmp_path, monkeypatch, args, named) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("date,value\n" + GOOD_DAYS, encoding="utf-8")

    result = trends(*args)

    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and named in line, line


def test_the_installed_command_prints_no_traceback(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,value\n2024-01-01,1\n2024-01-01,2\n", encoding="utf-8")

    result = subprocess.run(
        ["pulsebi", "trends", "anomalies", "--input", str(path), "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {path}, line 3: date 2024-01-01 appears twice (first on line 2): "
        "give one value per date\n"
    )
