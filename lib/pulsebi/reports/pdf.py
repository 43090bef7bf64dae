"""Report HTML -> PDF with WeasyPrint (A4; tables break across pages with repeated headers —
the page rules live in the `pulsebi_print` template's CSS)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any


def render_pdf(html: str, base_url: Path | None = None) -> bytes:
    import weasyprint

    # WeasyPrint logs every CSS property it does not support (JupyterLab's CSS has many).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, base_url=str(base_url) if base_url else None).write_pdf()


def write_pdf(run: Any) -> Path:
    """Sink: `<file stem>.pdf` in the run directory (named after the report, its parameters)."""
    path = run.directory / f"{run.file_stem}.pdf"
    path.write_bytes(render_pdf(run.print_html, run.directory))
    return path
