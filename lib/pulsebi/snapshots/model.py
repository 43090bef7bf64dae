"""The snapshot itself, and its bytes in Redis (JSON, zlib-compressed: SVG compresses well)."""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Snapshot:
    """One page's complete rendering for one set of parameters at one data version."""

    page: str  # served path, e.g. "notebooks/executive.ipynb", "scorecards/branch.ipynb"
    params: dict[str, str]  # normalized request parameters ({}: the defaults; {"branch": "DAL"})
    version: int  # the data version (pulsebi.cache / metrics) its figures come from
    title: str  # the page's title ("Executive dashboard")
    html: str  # the page body: the first paint (.pbi-first-paint), charts as inline SVG
    built_at: float  # epoch seconds


def encode_snapshot(snapshot: Snapshot) -> bytes:
    """The snapshot as stored.

    Parameters
    ----------
    snapshot
        What to store.

    Returns
    -------
    bytes
        Its fields as JSON, zlib-compressed.
    """
    return zlib.compress(json.dumps(asdict(snapshot)).encode(), 6)


def decode_snapshot(raw: bytes) -> Snapshot:
    """A stored snapshot back.

    Parameters
    ----------
    raw
        From `encode_snapshot`.

    Returns
    -------
    Snapshot
    """
    fields = json.loads(zlib.decompress(raw))
    return Snapshot(**fields)
