"""Ids are integers on every surface (contract: `"source": 1`, never `1.0`), also when a null
group (a dangling id) sits beside them and pandas would make the column float: every metric ×
every id dimension, in the frames (Int64), JSON, CSV and the table of `pulsebi kpi`."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from pulsebi import metrics
from pulsebi.cli import main
from pulsebi.metrics.dimensions import ID_COLUMNS
from pulsebi.views import refresh_views

START, END = date(2026, 1, 1), date(2026, 3, 1)


@pytest.fixture
def dangling(crm_rows, settings):
    """One of each member, and rows whose ids resolve to no member (the null groups)."""
    r = crm_rows
    r.branch(1, "CHI")
    r.employee(1, role="sales_rep")
    r.employee(2, role="telemarketer")
    r.employee(3, role="canvasser")
    r.employee(4, role="manager")
    r.source(1)
    r.source(2, channel="field")
    r.spend(date(2026, 1, 1), "100.00", source_id=1)
    r.spend(date(2026, 1, 1), "50.00", source_id=99)
    for lead_id, source_id in ((1, 1), (2, 99), (3, 2)):
        r.lead("2026-01-05 10:00", source_id=source_id, id=lead_id)
    with r.engine.begin() as conn:  # a canvass lead of a canvasser, one of nobody known
        conn.exec_driver_sql("update crm.leads set canvasser_id = 3 where id = 1")
        conn.exec_driver_sql("update crm.leads set canvasser_id = 55 where id = 2")
    for lead_id, rep_id in ((1, 1), (2, 77), (3, 4)):
        r.appointment("2026-01-06 10:00", lead_id=lead_id, result="sold", rep_id=rep_id)
    for sale_id, lead_id in ((1, 1), (2, 2), (3, 999)):
        r.sale("2026-01-07 10:00", "1000.50", lead_id=lead_id, id=sale_id)
        r.split(sale_id, {1: 1, 2: 77, 3: 4}[sale_id], "1.0")
    r.job("2026-01-08 10:00", "completed", sale_id=1)
    for telemarketer in (2, 66):
        r.add(
            "calls",
            telemarketer_id=telemarketer,
            branch_id=1,
            called_at=r.at("2026-01-09 10:00"),
            duration_s=60,
            outcome="appointment_set",
        )
    for canvasser in (3, 55):
        r.add(
            "door_knocks",
            canvasser_id=canvasser,
            branch_id=1,
            knocked_at=r.at("2026-01-09 11:00"),
            outcome="lead",
        )
    with r.engine.begin() as conn:  # appointments set by a telemarketer and by someone else
        conn.exec_driver_sql("update crm.appointments set set_by_id = 2 where id = 1")
        conn.exec_driver_sql("update crm.appointments set set_by_id = 66 where id = 2")
    refresh_views(r.engine, settings)
    return settings


def id_requests():
    for info in metrics.catalog():
        for dim in sorted(ID_COLUMNS.intersection(info.dimensions)):
            grain = "month" if info.id == "marketing_roi" else None
            yield info.id, dim, grain
    yield "rep_ranking", "rep", None


REQUESTS = list(id_requests())


def run_kpi(*args: str) -> str:
    result = CliRunner().invoke(main, ["kpi", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_metric_with_an_id_dimension_is_asked():
    dims = {dim for _, dim, _ in REQUESTS}
    assert dims == ID_COLUMNS
    assert len(REQUESTS) >= 15


@pytest.mark.parametrize(("metric", "dim", "grain"), REQUESTS)
def test_ids_are_integers_in_frames_json_csv_and_tables(dangling, metric, dim, grain):
    by = [] if metric == "rep_ranking" else ["--by", dim]
    args = [metric, "--from", str(START), "--to", str(END), *by, "--no-cache"]
    args += ["--grain", grain] if grain else []
    frame = metrics.compute(
        metric, start=START, end=END, by=by[1:], grain=grain, settings=dangling, use_cache=False
    )
    assert str(frame[dim].dtype) == "Int64"
    rows = json.loads(run_kpi(*args, "--format", "json"), parse_float=Decimal)
    ids = [row[dim] for row in rows]
    assert ids and all(isinstance(i, int) or i is None for i in ids), ids
    assert any(isinstance(i, int) for i in ids)
    listed = list(csv.DictReader(io.StringIO(run_kpi(*args, "--format", "csv"))))
    assert [row[dim] for row in listed] == ["" if i is None else str(i) for i in ids]
    table = run_kpi(*args, "--format", "table")
    assert ".0 " not in table.replace(".00 ", "") and "nan" not in table.lower()


# Where the fixture makes a null group beside the ids (the case pandas turns float).
NULL_GROUPS = [
    ("marketing_roi", "source"),
    ("leads", "source"),
    ("net_revenue", "source"),
    ("closing_rate", "rep"),
    ("calls_made", "telemarketer"),
    ("doors_knocked", "canvasser"),
    ("set_appointments_ran", "telemarketer"),
    ("canvass_sales", "canvasser"),
]


@pytest.mark.parametrize(("metric", "dim"), NULL_GROUPS)
def test_a_null_group_beside_integer_ids(dangling, metric, dim):
    grain = ["--grain", "month"] if metric == "marketing_roi" else []
    output = run_kpi(metric, "--from", str(START), "--to", str(END), "--by", dim, *grain,
                     "--format", "json", "--no-cache")  # fmt: skip
    ids = [row[dim] for row in json.loads(output, parse_float=Decimal)]
    assert None in ids and any(isinstance(i, int) for i in ids), ids
    assert re.search(rf'"{dim}": -?\d+\.', output) is None
