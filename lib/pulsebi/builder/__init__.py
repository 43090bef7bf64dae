"""The custom-report builder's library: the report spec, running it, saved reports.

    from pulsebi import builder
    spec = builder.load_spec({"visual": "line", "values": ["net_revenue"], "x": "month",
                              "series": "branch", "dates": {"preset": "last_12_months"}})
    result = builder.run_spec(spec)          # figures through pulsebi.metrics, computed once
    result.frame                             # tidy: branch, branch_name, period, net_revenue
    builder.report_blocks(result)            # page blocks: Chart / Table / Tiles / Html
    kept, dropped = builder.fields_kept(spec, "pie")   # switch visuals, say what is lost
    saved = builder.save_report(spec, by="ana", name="Revenue by branch")
    builder.get_report(saved.id).spec == spec
    page = builder.open(report_id=saved.id)   # in a notebook: the builder in the cell's output

A spec names only catalog fields (`builder.fields()`); an invalid one raises `SpecError`
naming each field and problem, before anything runs or is written. Totals (a table's row, a
pivot's subtotals and grand total) come from the metric layer, so a rate's total is the rate
over all rows. Saved reports live in `bi.saved_reports` (every save a version: `store.py`).
Importing this package loads no pandas or widgets and connects to nothing.
"""

from pulsebi.builder.blocks import report_blocks, report_frames
from pulsebi.builder.fields import Field, fields, find_field
from pulsebi.builder.notebook import open_builder
from pulsebi.builder.query import run_spec
from pulsebi.builder.records import ReportInfo, ReportNotFound, ReportVersion, SavedReport
from pulsebi.builder.result import Figure, ReportResult
from pulsebi.builder.spec import VISUALS, ReportSpec, SpecError, load_spec
from pulsebi.builder.store import (
    delete_report,
    duplicate_report,
    get_report,
    list_reports,
    rename_report,
    report_versions,
    restore_version,
    save_report,
)
from pulsebi.builder.switch import Dropped, fields_kept

open = open_builder  # `builder.open()` in a notebook; the builtin is untouched elsewhere

__all__ = [
    "VISUALS",
    "Dropped",
    "Field",
    "Figure",
    "ReportInfo",
    "ReportNotFound",
    "ReportResult",
    "ReportSpec",
    "ReportVersion",
    "SavedReport",
    "SpecError",
    "delete_report",
    "duplicate_report",
    "fields",
    "fields_kept",
    "find_field",
    "get_report",
    "list_reports",
    "load_spec",
    "open",
    "open_builder",
    "rename_report",
    "report_blocks",
    "report_frames",
    "report_versions",
    "restore_version",
    "run_spec",
    "save_report",
]
