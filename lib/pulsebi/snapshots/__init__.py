"""Page snapshots: a page's complete first paint, kept in Redis, served with no kernel (issue 14).

A snapshot is what a page shows for one set of request parameters at one data version: its first
paint (`pulsebi.dashboards.first_paint`: tiles, tables, charts as inline SVG; live tiles
carrying ``data-live`` and ``data-unit``), or a reconciliation page's static HTML. After each
refresh of the views the snapshots of every page's default parameters (all branches and each
branch) are rebuilt ahead (`rebuild_snapshots`, the `pulsebi.rebuild_snapshots` task), so a burst
of viewers reads only Redis.

    from pulsebi.snapshots import load_snapshot
    snapshot = load_snapshot(settings, "scorecards/branch.ipynb", {"branch": "DAL"})
    # None: no snapshot of the current data version for this request; a kernel serves it

Keys: ``<namespace>:snapshot:v1:<page>:<sorted params as a query string>:<data version>``
(`pulsebi.snapshots.store`); storing a newer version drops the older one.
"""

from pulsebi.snapshots.build import build_snapshot
from pulsebi.snapshots.model import Snapshot
from pulsebi.snapshots.pages import default_params, normalize_params, snapshot_pages
from pulsebi.snapshots.rebuild import rebuild_snapshots
from pulsebi.snapshots.store import (
    current_version,
    drop_snapshot,
    load_snapshot,
    snapshot_key,
    store_snapshot,
)

__all__ = [
    "Snapshot",
    "build_snapshot",
    "current_version",
    "default_params",
    "drop_snapshot",
    "load_snapshot",
    "normalize_params",
    "rebuild_snapshots",
    "snapshot_key",
    "snapshot_pages",
    "store_snapshot",
]
