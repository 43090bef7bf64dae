"""`pulsebi serve --snapshots`: a page's usual URL answered from its stored snapshot, with no
kernel; login as for the page; a request no snapshot is made for (bad parameters, `live=1`) goes
to Voilà as without snapshots."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
SCORECARDS = Path(__file__).parents[2] / "scorecards"
EXECUTIVE = "notebooks/executive.ipynb"
MARK = '<div class="pbi-tile" data-tile="snapshot-mark">served from Redis</div>'


@pytest.fixture(scope="module")
def snapshot_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve --snapshots` over notebooks/ on the seeded database, no kernel preheated
    (so any kernel in its list was started by a request)."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-snapshots") / "serve.log"
    server = start_server(
        env,
        log,
        dirs=(NOTEBOOKS, SCORECARDS),
        extra_env={"PULSEBI_SERVE_POOL": "0"},
        args=("--snapshots",),
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stored(seeded: Settings, snapshot_server: Server) -> dict[str, object]:
    """The executive page's snapshots for all branches and Dallas, marked so a test knows the
    body came from Redis."""
    from pulsebi.snapshots import build_snapshot, store_snapshot

    found = {}
    for params in ({}, {"branch": "DAL"}):
        built = build_snapshot(seeded, EXECUTIVE, params)
        marked = dataclasses.replace(built, html=built.html + MARK)
        store_snapshot(seeded, marked)
        found[params.get("branch", "all")] = marked
    return found


def body_of(snapshot) -> str:
    """The snapshot's body after its filter bar's box, else its title (where the controls go)."""
    _, box, after = snapshot.html.partition('<div class="pbi-first-paint-bar"></div>')
    return after if box else snapshot.html.partition("</h1>")[2]


def test_a_page_is_served_from_its_snapshot_without_a_kernel(snapshot_server, stored):
    before = snapshot_server.kernels()
    status, body = snapshot_server.get(f"voila/render/{EXECUTIVE}")
    assert status == 200
    assert body_of(stored["all"]) in body
    assert 'class="pulsebi-header"' in body and "pulsebi-nav" in body
    assert f"<title>{stored['all'].title} · Pulse BI</title>" in body
    assert "data as of" in body and "Snapshot taken" in body
    assert "jupyter-config-data" not in body  # no Voilà page behind it
    time.sleep(0.5)
    assert snapshot_server.kernels() == before == []


def test_the_filters_are_plain_controls_set_to_the_request(snapshot_server, stored):
    status, body = snapshot_server.get(f"voila/render/{EXECUTIVE}?branch=DAL")
    assert status == 200
    assert body_of(stored["DAL"]) in body
    assert '<option value="DAL" selected>' in body
    assert '<input type="hidden" name="live" value="1">' in body
    assert f'action="/voila/render/{EXECUTIVE}"' in body
    assert snapshot_server.kernels() == []


def test_home_is_served_from_the_home_pages_snapshot(snapshot_server, stored):
    status, body = snapshot_server.get("")
    assert status == 200
    assert MARK in body
    assert f'data-path="{EXECUTIVE}" title="Notebooks" class="active"' in body
    assert snapshot_server.kernels() == []


@pytest.mark.parametrize(
    "page", ["scorecards/service.ipynb", "notebooks/reconciliation/ghost_appointments.ipynb"]
)
def test_scorecards_and_checks_are_served_from_their_snapshots(snapshot_server, seeded, page):
    from pulsebi.snapshots import build_snapshot, store_snapshot

    snapshot = build_snapshot(seeded, page, {"branch": "HOU"})
    store_snapshot(seeded, snapshot)
    status, body = snapshot_server.get(f"voila/render/{page}?branch=HOU")
    assert status == 200
    assert body_of(snapshot) in body
    assert f"<title>{snapshot.title} · Pulse BI</title>" in body
    assert '<option value="HOU" selected>' in body
    assert snapshot_server.kernels() == []


def test_the_token_never_reaches_the_page(snapshot_server, stored):
    status, body = snapshot_server.get(
        f"voila/render/{EXECUTIVE}?token={snapshot_server.token}", token=False
    )
    assert status == 200
    assert MARK in body
    assert snapshot_server.token not in body


def test_without_login_the_snapshot_redirects_to_the_login_page(snapshot_server, stored):
    for path in (f"voila/render/{EXECUTIVE}", f"voila/render/{EXECUTIVE}?branch=DAL", ""):
        status, location = snapshot_server.get(path, token=False)
        assert status == 302, path
        assert "/login" in location
    status, _ = snapshot_server.get(f"voila/render/{EXECUTIVE}?token=not-it", token=False)
    assert status == 302


def test_bad_parameters_fall_through_to_voila(snapshot_server, stored):
    status, body = snapshot_server.get(f"voila/render/{EXECUTIVE}?branch=XXX")
    assert status == 200
    assert MARK not in body
    assert "jupyter-config-data" in body  # Voilà's page, its message shown in place by the kernel
    assert "XXX" in body and "unknown" in body
    assert len(snapshot_server.wait_for_kernels(lambda ks: len(ks) >= 1)) >= 1


def test_the_live_marker_skips_the_snapshot(snapshot_server, stored):
    before = len(snapshot_server.kernels())
    status, body = snapshot_server.get(f"voila/render/{EXECUTIVE}?branch=DAL&live=1")
    assert status == 200
    assert MARK not in body
    assert "jupyter-config-data" in body
    assert len(snapshot_server.wait_for_kernels(lambda ks: len(ks) > before)) > before
