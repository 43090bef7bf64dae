"""Notebook -> HTML with nbconvert: no code cells, no scripts, no CDN links, images inline.

Three looks from templates of our own (in ./templates, found through `extra_template_basedirs`):
`pulsebi` extends JupyterLab's `lab` template for the report file; `pulsebi_print` (the PDF's
source) and `pulsebi_mail` (a compact email body) extend the `basic` markup with small styles.
"""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).with_name("templates")
REPORT_TEMPLATE = "pulsebi"
MAIL_TEMPLATE = "pulsebi_mail"
PRINT_TEMPLATE = "pulsebi_print"
REMOVE_TAG = "remove-cell"
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_ROW = re.compile(r"<tr\b", re.IGNORECASE)
KEEP_ROWS = 30  # rows (header included) of a table kept on one page; A4 holds about 45
_PNG_SRC = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def _exporter(template: str, **options: Any):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=template,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **options,
    )
    return exporter


def _report_cells(notebook: Any) -> Any:
    """A copy without cells tagged `remove-cell` and without stderr (warnings) outputs."""
    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if REMOVE_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    return nb


def render_report_html(notebook: Any, title: str) -> str:
    """The self-contained report page for `notebook` (an executed nbformat notebook)."""
    nb = _report_cells(notebook)
    nb.metadata["title"] = title
    body, _ = _exporter(REPORT_TEMPLATE, embed_images=True).from_notebook_node(nb)
    return strip_scripts(body)


def render_print_html(notebook: Any, title: str) -> str:
    """The PDF's source: basic markup, A4 print styles, SVG charts kept as vectors; a small
    table is marked to be kept on one page (`keep_small_tables`)."""
    nb = keep_small_tables(_report_cells(notebook))
    body, _ = _exporter(PRINT_TEMPLATE).from_notebook_node(nb, resources={"report_title": title})
    return strip_scripts(body)


def keep_small_tables(nb: Any, max_rows: int = KEEP_ROWS) -> Any:
    """Wrap each HTML output holding a table of at most `max_rows` rows in `div.pbi-keep`: the
    print stylesheet keeps it on one page (and its heading with it) rather than split 2 + 3.
    Longer tables break between rows, their header repeated on each page."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            markup = data.get("text/html")
            if markup is None:
                continue
            markup = "".join(markup) if isinstance(markup, list) else markup
            rows = len(_ROW.findall(markup))
            if _TABLE.search(markup) and rows <= max_rows:
                data["text/html"] = f'<div class="pbi-keep">{markup}</div>'
    return nb


def strip_scripts(html: str) -> str:
    """Drop any <script> an output carried: report HTML is static."""
    return _SCRIPT.sub("", html)


def render_mail_html(notebook: Any, title: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The compact email body and its images: `<img src="cid:imgN">` + [(cid, png bytes)].

    SVG charts are rasterized to PNG (most mail clients show no SVG, many block data: URIs).
    """
    nb = _report_cells(notebook)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                if "image/png" not in data:
                    data["image/png"] = base64.b64encode(svg_to_png(data["image/svg+xml"])).decode()
                del data["image/svg+xml"]
    body, _ = _exporter(MAIL_TEMPLATE).from_notebook_node(nb, resources={"report_title": title})
    images: list[tuple[str, bytes]] = []

    def to_cid(match: re.Match) -> str:
        cid = f"img{len(images) + 1}"
        images.append((cid, base64.b64decode(re.sub(r"\s", "", match.group(1)))))
        return f'src="cid:{cid}"'

    return strip_scripts(_PNG_SRC.sub(to_cid, body)), images


def svg_to_png(svg: str | list[str], scale: float = 1.5) -> bytes:
    import cairosvg

    text = "".join(svg) if isinstance(svg, list) else svg
    return cairosvg.svg2png(bytestring=text.encode("utf-8"), scale=scale)


def write_html(run: Any) -> Path:
    """Sink: `<file stem>.html` in the run directory (named after the report, its parameters)."""
    path = run.directory / f"{run.file_stem}.html"
    path.write_text(run.html, encoding="utf-8")
    return path
