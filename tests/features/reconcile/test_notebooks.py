"""Each reconciliation notebook runs under Papermill (static=True) and shows the exceptions."""

import json

import pytest

from pulsebi.charts.export import read_export_tables

NOTEBOOKS = "notebooks/reconciliation"


@pytest.fixture
def kernel_env(cli_env, monkeypatch):
    """The kernel Papermill starts reads its settings from the environment."""
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "PULSEBI_NAMESPACE",
        "PULSEBI_DATA_DIR",
        "PULSEBI_TZ",
    ):
        monkeypatch.setenv(name, cli_env[name])


def run_notebook(name: str, tmp_path, **parameters) -> dict:
    import papermill

    output = tmp_path / f"{name}.out.ipynb"
    papermill.execute_notebook(
        f"{NOTEBOOKS}/{name}.ipynb",
        str(output),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
    )
    return json.loads(output.read_text())


def widget_outputs(notebook: dict) -> list:
    return [
        out
        for cell in notebook["cells"]
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]


def execute(name: str, tmp_path, **parameters):
    notebook = run_notebook(name, tmp_path, **parameters, static=True)
    html = "".join(
        "".join(out.get("data", {}).get("text/html", ""))
        for cell in notebook["cells"]
        for out in cell.get("outputs", [])
    )
    assert widget_outputs(notebook) == []  # static: plain HTML only
    html = html.replace("&nbsp;", " ")  # as read: dates are kept whole on paper
    return {t.name: t for t in read_export_tables(notebook)}, html


def rows_of(table):
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_ghost_appointments_notebook_lists_the_ghosts(crm, kernel_env, tmp_path) -> None:
    crm.appointment(1)
    crm.appointment(2)
    crm.sale(7, appointment_id=2)
    crm.appointment(3)  # clean: sale with a job
    crm.sale(8, appointment_id=3)
    crm.job(80, sale_id=8)
    tables, html = execute("ghost_appointments", tmp_path)
    exceptions = rows_of(tables["Exceptions"])
    assert [(r["reason"], r["appointment_id"]) for r in exceptions] == [
        ("no_sale", 1),
        ("no_job", 2),
    ]
    summary = {
        r["reason"]: (r["DAL"], r["total"]) for r in rows_of(tables["Summary by reason and branch"])
    }
    assert summary == {"no_sale": (1, 1), "no_job": (1, 1)}  # the export keeps the codes
    assert "No sale" in html and "No job" in html and "no_sale" not in html  # the page: words
    assert "Jun 10, 2026 10:00" in html and "2026-06-10" not in html  # local times
    assert "Times are local to America/Chicago" in html


def test_split_integrity_notebook_filters_by_branch(crm, kernel_env, tmp_path) -> None:
    crm.employee(10)
    crm.sale(1, branch_id=1)
    crm.split(1, 1, 10, "0.9000", "90.00")
    crm.sale(2, branch_id=2)  # no split, but in HOU
    tables, html = execute("split_integrity", tmp_path, branch="DAL", date_from="2026-01-01")
    exceptions = rows_of(tables["Exceptions"])
    assert [(r["reason"], r["sale_id"], r["share_sum"]) for r in exceptions] == [
        ("share_sum", 1, 0.9)
    ]
    assert "Shares do not sum to 100%" in html and "branch DAL, Jan 1, 2026 through now" in html


def test_external_notebook_reads_the_accounting_file(crm, kernel_env, tmp_path) -> None:
    crm.sale(1, amount="100.00", external_ref="INV-1", sold_at="2026-06-15T12:00:00-05:00")
    path = tmp_path / "accounting.csv"
    path.write_text(
        "invoice_no,invoiced_on,customer,amount,status\n"
        "INV-1,2026-06-15,A,100.00,paid\nINV-2,2026-06-15,B,9.99,void\n"
    )
    tables, html = execute("external", tmp_path, accounting_file=str(path))
    exceptions = rows_of(tables["Exceptions"])
    assert [(r["reason"], r["invoice_no"]) for r in exceptions] == [("missing_in_crm", "INV-2")]
    assert "Invoice not in the CRM" in html and "Jun 15, 2026" in html


def test_a_long_static_table_is_capped_and_counted(crm, kernel_env, tmp_path) -> None:
    for n in range(1, 206):
        crm.appointment(n)
    tables, html = execute("ghost_appointments", tmp_path)
    assert len(tables["Exceptions"].rows) == 205  # every row to the export
    assert html.count("<tr data-row") == 200
    assert "Showing 1–200 of 205 exceptions; all 205 are in the Excel export." in html


def test_odd_statuses_are_noted_in_the_report(crm, kernel_env, tmp_path) -> None:
    path = tmp_path / "accounting.csv"
    path.write_text("invoice_no,invoiced_on,customer,amount,status\nINV-2,2026-06-15,B,9.99,Paid\n")
    tables, html = execute("external", tmp_path, accounting_file=str(path))
    assert [r["invoice_status"] for r in rows_of(tables["Exceptions"])] == ["Paid"]
    assert "1 invoice has a status outside open, paid, void" in html


def test_live_mode_shows_the_filter_and_drill_down_widgets(crm, kernel_env, tmp_path) -> None:
    crm.appointment(1)
    notebook = run_notebook("ghost_appointments", tmp_path, static=False)
    from pulsebi.dashboards.first_paint import MIMETYPE

    # the explorer, with its figures as HTML for the page to show while its widgets start
    (explorer,) = [out for out in widget_outputs(notebook) if MIMETYPE in out["data"]]
    assert "".join(explorer["data"]["text/plain"]) == "Ghost appointments"
    assert 'data-live=".pbi-reconcile .pbi-paged"' in explorer["data"][MIMETYPE]
    tables = read_export_tables(notebook)
    assert [t.name for t in tables] == ["Summary by reason and branch", "Exceptions"]
    assert tables[1].rows[0][:2] == ["no_sale", 1]
