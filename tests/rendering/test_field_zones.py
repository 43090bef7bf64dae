"""The field-zones widget without a browser: its ESM and CSS are package files that load
nothing from elsewhere, `zones` is checked both ways (a refused change from the page leaves the
zones as they were, sends them back and says why), and the builder's options fit it. The
drags and keys themselves are tested in Chromium (tests/browser/test_field_zones_in_voila.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import comm
import pytest
from comm import DummyComm

from pulsebi.builder.zone_options import widget_options
from pulsebi.builder.zones import ZONE_IDS, ZoneError, Zones
from pulsebi.errors import UsageError
from pulsebi.widgets.field_zones import STATIC, FieldZones

EMPTY = {"values": [], "x": [], "series": [], "filters": []}


class RecordingComm(DummyComm):
    """The channel to the page, keeping what the kernel would send it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[dict] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        self.sent.append(data or {})


@pytest.fixture
def widget(monkeypatch: pytest.MonkeyPatch) -> FieldZones:
    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    return FieldZones(**widget_options())


def test_the_esm_and_css_are_package_files_that_fetch_nothing() -> None:
    esm = (STATIC / "field_zones.js").read_text(encoding="utf-8")
    css = (STATIC / "field_zones.css").read_text(encoding="utf-8")
    assert "export default { render };" in esm
    assert not re.search(r"^\s*import\b|\bimport\(|https?://|fetch\(", esm, re.M)
    assert not re.search(r"@import|url\(|https?://", css)
    widget = FieldZones(**widget_options())
    assert widget._esm == esm and widget._css == css
    assert ".pbi-fz :focus-visible" in css  # a visible focus ring


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_esm_parses(tmp_path) -> None:
    module = tmp_path / "field_zones.mjs"
    module.write_text((STATIC / "field_zones.js").read_text(encoding="utf-8"))
    done = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_widget_gets_the_catalog_fields_and_rules(widget: FieldZones) -> None:
    assert widget.zones == EMPTY
    kinds = [f["kind"] for f in widget.fields]
    assert kinds == sorted(kinds, key=["measure", "dimension", "time"].index)
    assert {"id": "month", "label": "Month", "kind": "time", "title": ""} in widget.fields
    assert [z["id"] for z in widget.rules["zones"]] == list(ZONE_IDS)
    assert widget.rules["zones"][1]["capacity"] == 1  # X holds one field


def test_python_side_changes_are_checked_and_normalised(widget: FieldZones) -> None:
    seen: list[dict] = []
    widget.on_change(seen.append)
    widget.zones = {"values": ["net_revenue", "leads"], "x": "month"}
    expected = {**EMPTY, "values": ["net_revenue", "leads"], "x": ["month"]}
    assert widget.zones == expected and seen == [expected]
    with pytest.raises(ZoneError, match="Net revenue is a measure: only dimensions go in Series"):
        widget.zones = {"series": ["net_revenue"]}
    with pytest.raises(UsageError, match="'rows' is no zone here"):
        widget.zones = {"rows": ["month"]}
    assert widget.zones == expected
    sent = widget.comm.sent[-1]
    assert sent["method"] == "update" and sent["state"]["zones"] == expected


def test_a_refused_change_from_the_page_is_sent_back_and_said(widget: FieldZones) -> None:
    widget.zones = {"values": ["leads"]}
    widget.comm.sent.clear()
    page = {**EMPTY, "values": ["leads"], "series": ["net_revenue"]}
    widget.set_state({"zones": page})
    assert widget.zones == {**EMPTY, "values": ["leads"]}
    assert widget.notice.startswith("Net revenue is a measure")
    states = [m["state"] for m in widget.comm.sent if m.get("method") == "update"]
    assert {**EMPTY, "values": ["leads"]} in [s.get("zones") for s in states]
    notices: list[str] = []
    widget.observe(lambda change: notices.append(change["new"]), names="notice")
    widget.set_state({"zones": page})  # the same refusal again is said again
    assert notices == ["", widget.notice]


def test_an_accepted_change_from_the_page_is_kept(widget: FieldZones) -> None:
    seen: list[dict] = []
    widget.on_change(seen.append)
    page = {**EMPTY, "values": ["leads", "net_revenue"], "x": ["month"], "series": ["branch"]}
    widget.set_state({"zones": page})
    assert widget.zones == page == seen[-1]
    assert Zones.from_dict(widget.zones).spec_fields()["series"] == "branch"


def test_rules_without_zones_are_refused() -> None:
    with pytest.raises(UsageError, match="rules name no zone"):
        FieldZones(fields=[], rules={})
    bare = FieldZones(fields=[], rules={"zones": [{"id": "values"}]}, zones={"values": [1]})
    assert bare.zones == {"values": ["1"]}  # no check given: only the zones' shape
