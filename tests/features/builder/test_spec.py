"""The report spec: every kind of mistake is refused with a message naming the field and the
problem (and the fix); a valid spec survives JSON unchanged."""

from __future__ import annotations

import json
import pickle

import pytest

from pulsebi.builder import ReportSpec, SpecError, load_spec
from pulsebi.errors import UsageError

LINE = {"visual": "line", "values": ["net_revenue"], "x": "month", "series": "branch"}


def _with(**changes: object) -> dict[str, object]:
    return {**LINE, **changes}


# (spec, place in the spec, words the message must hold)
INVALID = {
    "unknown measure": (
        _with(values=["net_revnue"]),
        "values[0]",
        ["'net_revnue' is no field", "did you mean 'net_revenue'"],
    ),
    "unknown X": (_with(x="mnth"), "x", ["'mnth' is no field", "did you mean 'month'"]),
    "measure in Series": (
        _with(series="leads"),
        "series",
        ["leads is a measure", "Series takes a dimension", "put leads in Values"],
    ),
    "dimension in Values": (
        _with(values=["net_revenue", "branch"]),
        "values[1]",
        ["branch is a dimension", "Values take measures"],
    ),
    "grain in Values": (_with(values=["month"]), "values[0]", ["month is a time grain"]),
    "measure on X": (_with(x="leads"), "x", ["leads is a measure", "X takes a dimension"]),
    "grain in Series": (_with(series="week"), "series", ["week is a time grain", "put week on X"]),
    "split a metric lacks": (
        {"visual": "bar", "values": ["closing_rate"], "x": "source"},
        "x",
        ["closing_rate cannot be split by source", "split by branch, rep"],
    ),
    "filter a metric lacks": (
        _with(values=["closing_rate"], filters=[{"field": "channel", "values": ["tv"]}]),
        "filters[0]",
        ["closing_rate cannot be filtered by channel", "remove the filter"],
    ),
    "grain a metric lacks": (
        _with(values=["marketing_roi"], x="day"),
        "x",
        ["marketing_roi has no day grain", "it takes month"],
    ),
    "snapshot over time": (
        _with(values=["pipeline_value"]),
        "x",
        ["pipeline_value takes no time grain", "snapshot"],
    ),
    "a ranking as a measure": (_with(values=["rep_ranking"]), "values[0]", ["use rep_revenue"]),
    "measure twice": (
        _with(values=["leads", "leads"]),
        "values[1]",
        ["leads is already in Values (values[0])"],
    ),
    "Series equal to X": (
        {"visual": "bar", "values": ["leads"], "x": "branch", "series": "branch"},
        "series",
        ["branch is already on X"],
    ),
    "source and channel": (
        {"visual": "bar", "values": ["leads"], "x": "source", "series": "channel"},
        "series",
        ["source or by channel, not both"],
    ),
    "pie of two values": (
        {"visual": "pie", "values": ["net_revenue", "bookings"], "x": "branch"},
        "values",
        ["a pie shows one value, not 2", "net_revenue, bookings"],
    ),
    "pie of a rate": (
        {"visual": "pie", "values": ["closing_rate"], "x": "branch"},
        "values[0]",
        ["parts of a whole", "closing_rate (rate) does not add up"],
    ),
    "pie over time": (
        {"visual": "pie", "values": ["leads"], "x": "month"},
        "x",
        ["slices are a dimension, not the month"],
    ),
    "pie with Series": (_with(visual="pie", x="branch", series="channel"), "series", ["no Series"]),
    "stacked rates": (
        {"visual": "stacked_bar", "values": ["leads", "lead_to_sale_rate"], "x": "month"},
        "values[1]",
        ["a stacked bar chart shows parts of a whole", "lead_to_sale_rate (rate)"],
    ),
    "line over branches": (
        {"visual": "line", "values": ["leads"], "x": "branch"},
        "x",
        ["needs a time grain on X", "not branch", "put branch in Series"],
    ),
    "gauge with X": (
        {"visual": "gauge", "values": ["closing_rate"], "x": "branch", "options": {"target": 0.3}},
        "x",
        ["a gauge shows one number: remove branch"],
    ),
    "gauge of two values": (
        {"visual": "gauge", "values": ["closing_rate", "leads"], "options": {"target": 0.3}},
        "values",
        ["a gauge shows one value, not 2"],
    ),
    "KPI with Series": (
        {"visual": "kpi", "values": ["leads"], "series": "branch"},
        "series",
        ["a KPI tile shows one number"],
    ),
    "comparing a snapshot": (
        {"visual": "kpi", "values": ["jobs_in_progress"], "options": {"comparison": "last_year"}},
        "values[0]",
        ["jobs_in_progress is a snapshot", "no last year to compare with"],
    ),
    "filter twice": (
        _with(
            filters=[{"field": "branch", "values": ["DAL"]}, {"field": "branch", "values": ["HOU"]}]
        ),
        "filters[1]",
        ["branch is filtered twice (filters[0])"],
    ),
    "filter on a measure": (
        _with(filters=[{"field": "leads", "values": ["1"]}]),
        "filters[0].field",
        ["leads is a measure"],
    ),
    "filter on a grain": (
        _with(filters=[{"field": "month", "values": ["2026-01"]}]),
        "filters[0].field",
        ["the date range (dates) sets the dates"],
    ),
    "id filter given text": (
        {**LINE, "series": None, "filters": [{"field": "source", "values": [3, "4"]}]},
        "filters[0].values[1]",
        ["'4' is not a source id", "integer ids"],
    ),
    "text filter given a number": (
        _with(filters=[{"field": "branch", "values": [7]}]),
        "filters[0].values[0]",
        ["7 is not a branch", "branch codes ('DAL')"],
    ),
    "filter without values": (
        _with(filters=[{"field": "branch", "values": []}]),
        "filters[0].values",
        ["at least one value"],
    ),
    "filter value neither id nor text": (
        _with(filters=[{"field": "branch", "values": [1.5]}]),
        "filters[0].values[0]",
        ["1.5 is neither an id (integer) nor text"],
    ),
    "unknown preset": (
        _with(dates={"preset": "last_decade"}),
        "dates.preset",
        ["'last_decade' is not a date preset", "last_12_months"],
    ),
    "custom range without to": (
        _with(dates={"preset": "custom", "from": "2026-01-01"}),
        "dates",
        ["needs from and to"],
    ),
    "empty custom range": (
        _with(dates={"preset": "custom", "from": "2026-02-01", "to": "2026-02-01"}),
        "dates",
        ["2026-02-01..2026-02-01 is empty", "to is exclusive"],
    ),
    "from and to on a preset": (
        _with(dates={"preset": "last_30_days", "to": "2026-02-01"}),
        "dates",
        ["from and to are for the custom preset"],
    ),
    "unknown part": (_with(colour="red"), "colour", ["'colour' is no part of a report spec"]),
    "unknown visual": (_with(visual="donut"), "visual", ["'donut' is not a visual", "pivot"]),
    "newer version": (_with(version=2), "version", ["version 2 is not known"]),
    "no visual": ({"values": ["leads"]}, "visual", ["visual is missing"]),
}


@pytest.mark.parametrize("case", INVALID)
def test_each_mistake_is_named_with_its_place(case: str) -> None:
    document, where, words = INVALID[case]
    with pytest.raises(SpecError) as caught:
        load_spec(document)
    messages = dict(caught.value.problems)
    assert where in messages, caught.value.problems
    for word in words:
        assert word in messages[where]
        assert word in str(caught.value)
    assert isinstance(caught.value, UsageError)


def test_every_problem_is_said_at_once() -> None:
    document = {"visual": "pie", "values": ["closing_rate", "branch"], "x": "month"}
    with pytest.raises(SpecError) as caught:
        load_spec(document)
    places = [where for where, _ in caught.value.problems]
    assert places == ["values[1]", "values", "values[0]", "x"]
    assert str(caught.value).count("\n") == 4


def test_a_spec_built_in_code_is_checked_as_it_is_made() -> None:
    with pytest.raises(SpecError, match="leads is a measure"):
        ReportSpec(visual="bar", values=("net_revenue",), x="branch", series="leads")


@pytest.mark.parametrize(
    ("document", "where", "words"),
    [
        (
            {"visual": "gauge", "values": ["closing_rate"]},
            "options.target",
            "in closing_rate's unit",
        ),
        ({"visual": "pivot", "values": ["leads"], "x": "branch"}, "series", "needs Columns"),
        ({"visual": "bar", "values": ["leads"]}, "x", "needs X"),
        ({"visual": "line", "values": ["leads"]}, "x", "a time grain"),
        ({"visual": "table"}, "values", "needs a measure in Values"),
    ],
)
def test_what_a_visual_still_needs_is_said(document: dict, where: str, words: str) -> None:
    draft = load_spec(document, complete=False)  # a draft is allowed while it is built
    assert words in dict(draft.missing())[where]
    with pytest.raises(SpecError, match="is incomplete") as caught:
        load_spec(document)
    assert words in dict(caught.value.problems)[where]


def test_a_spec_survives_json_unchanged() -> None:
    spec = load_spec(
        {
            "title": "Revenue by branch",
            **LINE,
            "values": ["net_revenue", "leads"],
            "filters": [
                {"field": "channel", "values": ["tv", "digital"]},
                {"field": "source", "values": [3]},
            ],
            "dates": {"preset": "custom", "from": "2026-01-01", "to": "2026-07-01"},
        }
    )
    document = spec.to_json()
    assert document["version"] == 1
    assert document["dates"] == {"preset": "custom", "from": "2026-01-01", "to": "2026-07-01"}
    assert load_spec(json.dumps(document)) == spec
    assert load_spec(document).filters[1].values == (3,)


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(SpecError, match="not a JSON document"):
        load_spec("{visual: line")


def test_the_error_keeps_its_problems_across_processes() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(_with(x="mnth"))
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems and str(again) == str(caught.value)
