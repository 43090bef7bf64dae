"""The executive dashboard executes under Papermill (static) and its year-to-date revenue tile
is `pulsebi kpi net_revenue` over [Jan 1, tomorrow) of the local today (as the page computes)."""

import datetime as dt

from dashboard_helpers import execute_notebook, kpi_value, shown, tile_value

from pulsebi.widgets.dates import local_today


def test_executive_dashboard_year_to_date_revenue_is_the_metric_layers(kernel_env, tmp_path):
    page = execute_notebook("notebooks/executive.ipynb", tmp_path, static=True)

    today = local_today(tz=kernel_env["PULSEBI_TZ"])
    args = ["--from", f"{today.year}-01-01", "--to", str(today + dt.timedelta(days=1))]
    expected = shown(kpi_value(kernel_env, "net_revenue", *args), "net_revenue")
    assert tile_value(page, "revenue-year-to-date") == expected
    assert expected not in ("$0.00", "—")
    assert "Traceback" not in page
