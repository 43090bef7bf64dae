"""Where things land in a report PDF: words (pdftotext -bbox-layout), tile boxes (the same
print HTML rendered with every tile filled magenta and its text hidden, so the layout is the
PDF's own), and which page holds a text. Coordinates in PostScript points from the page's
top-left corner."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from pulsebi.reports.pdf import render_pdf

DPI = 144
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_MARK = (
    ".pbi-tile { background: #ff00ff !important; } .pbi-tile * { visibility: hidden !important; }"
)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def words(pdf: Path, page: int) -> list[tuple[Box, str]]:
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        ((float(a), float(b), float(c), float(d)), html_lib.unescape(text))
        for a, b, c, d, text in _WORD.findall(out)
    ]


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def tile_boxes(print_html: str, workdir: Path) -> dict[int, list[Box]]:
    """Page -> the tiles' inner boxes, from the print HTML rendered with tiles in magenta."""
    marked = print_html.replace("</style>", _MARK + "</style>", 1)
    pdf = workdir / "tiles-marked.pdf"
    pdf.write_bytes(render_pdf(marked))
    prefix = workdir / "tiles-marked"
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(pdf), str(prefix)], check=True)
    boxes = {}
    for png in sorted(workdir.glob("tiles-marked-*.png")):
        page = int(png.stem.rsplit("-", 1)[1])
        rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
        mask = (rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] > 200)
        boxes[page] = [tuple(v * 72 / DPI for v in box) for box in _rectangles(mask)]
        png.unlink()
    return boxes


def _rectangles(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Axis-aligned filled regions of a mask: bands of rows, then runs of columns in each."""
    found = []
    for y0, y1 in _runs(mask.any(axis=1)):
        band = mask[y0:y1]
        for x0, x1 in _runs(band.any(axis=0)):
            rows = np.flatnonzero(band[:, x0:x1].any(axis=1))
            found.append((x0, y0 + rows[0], x1, y0 + rows[-1] + 1))
    return found


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def overflowing_words(pdf: Path, boxes: dict[int, list[Box]], slack: float = 1.0) -> list:
    """Words that touch a tile box without lying inside it (text spilling out or clipped)."""
    bad = []
    for page, page_boxes in boxes.items():
        for (x0, y0, x1, y1), text in words(pdf, page):
            for bx0, by0, bx1, by1 in page_boxes:
                touches = x0 < bx1 and x1 > bx0 and y0 < by1 and y1 > by0
                inside = (
                    x0 >= bx0 - slack
                    and x1 <= bx1 + slack
                    and y0 >= by0 - slack
                    and y1 <= by1 + slack
                )
                if touches and not inside:
                    bad.append((page, text, (x0, y0, x1, y1), (bx0, by0, bx1, by1)))
    return bad


def inside_any(word_box: Box, page_boxes: list[Box], slack: float = 1.0) -> bool:
    x0, y0, x1, y1 = word_box
    return any(
        x0 >= a - slack and x1 <= c + slack and y0 >= b - slack and y1 <= d + slack
        for a, b, c, d in page_boxes
    )
