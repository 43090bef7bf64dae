"""Charts: one spec, drawn live with bqplot under Voilà or as static images under Papermill.

    from pulsebi.charts import ChartSpec, render, show_table, use_mode
    use_mode(static)                                   # once per notebook
    render(ChartSpec("line", df, x="period", y="net_revenue", title="Revenue", units="usd"))
    show_table(df, "Revenue by branch", formats={"net_revenue": "usd"})

Heavy libraries (matplotlib, bqplot, ipywidgets) load on first use, not on import.
"""

from pulsebi.charts.bands import Band, BandSpec
from pulsebi.charts.export import (
    TABLE_MIMETYPE,
    TILES_MIMETYPE,
    UNITS,
    ExportTable,
    read_export_tables,
    read_export_tiles,
)
from pulsebi.charts.formats import (
    MISSING,
    Change,
    describe_change,
    format_axis,
    format_compact,
    format_value,
)
from pulsebi.charts.mode import Mode, current_mode, use_mode
from pulsebi.charts.render import render, update_chart, warm_up
from pulsebi.charts.spec import KINDS, ChartData, ChartSpec, chart_data
from pulsebi.charts.table import show_table, table_bundle, table_html, table_view

__all__ = [
    "KINDS",
    "MISSING",
    "TABLE_MIMETYPE",
    "TILES_MIMETYPE",
    "UNITS",
    "Band",
    "BandSpec",
    "Change",
    "ChartData",
    "ChartSpec",
    "ExportTable",
    "Mode",
    "chart_data",
    "current_mode",
    "describe_change",
    "format_axis",
    "format_compact",
    "format_value",
    "read_export_tables",
    "read_export_tiles",
    "render",
    "show_table",
    "table_bundle",
    "table_html",
    "table_view",
    "update_chart",
    "use_mode",
    "warm_up",
]
