"""Saved reports in PostgreSQL: save, reload, versions, restore, rename, duplicate, delete;
an invalid spec is refused before anything is written; migration 0007 goes down and up."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from pulsebi import builder
from pulsebi.builder import ReportNotFound, SpecError
from pulsebi.db import get_engine
from pulsebi.db.migrate import downgrade_database, upgrade_database
from pulsebi.errors import UsageError
from pulsebi.services import resolve_database_url
from pulsebi.settings import Settings

LINE = {
    "title": "Revenue by branch",
    "visual": "line",
    "values": ["net_revenue"],
    "x": "month",
    "series": "branch",
    "filters": [{"field": "channel", "values": ["tv", "digital"]}],
    "dates": {"preset": "last_12_months"},
}
INJECTION = "tv'); delete from bi.saved_reports; --"


def _rows(settings: Settings) -> tuple[int, int]:
    with get_engine(settings).connect() as conn:
        reports = conn.execute(text("select count(*) from bi.saved_reports")).scalar_one()
        versions = conn.execute(text("select count(*) from bi.saved_report_versions")).scalar_one()
    return reports, versions


def test_save_and_reload(store: Settings) -> None:
    saved = builder.save_report(LINE, by="ana", settings=store)
    assert (saved.name, saved.info.owner, saved.version, saved.saved_by) == (
        "Revenue by branch", "ana", 1, "ana"
    )  # fmt: skip
    again = builder.get_report(saved.id, settings=store)
    assert again.spec == builder.load_spec(LINE) and again.spec.to_json() == saved.spec.to_json()
    assert again.info.created_at == again.info.updated_at == again.saved_at


def test_each_save_is_a_version_and_an_old_one_can_be_restored(store: Settings) -> None:
    first = builder.save_report(LINE, by="ana", settings=store)
    second = builder.save_report(
        {**LINE, "visual": "bar"}, by="bo", report_id=first.id, settings=store
    )
    assert (second.id, second.version, second.spec.visual) == (first.id, 2, "bar")
    assert second.info.updated_at > first.info.updated_at
    versions = builder.report_versions(first.id, settings=store)
    assert [(v.version, v.saved_by, v.visual) for v in versions] == [
        (2, "bo", "bar"), (1, "ana", "line")
    ]  # fmt: skip
    assert builder.get_report(first.id, 1, settings=store).spec.visual == "line"
    restored = builder.restore_version(first.id, 1, by="cy", settings=store)
    assert (restored.version, restored.spec, restored.saved_by) == (3, first.spec, "cy")
    assert builder.get_report(first.id, settings=store).version == 3
    assert [v.version for v in builder.report_versions(first.id, settings=store)] == [3, 2, 1]


def test_rename_duplicate_delete_and_list(store: Settings) -> None:
    original = builder.save_report(LINE, by="ana", settings=store)
    other = builder.save_report(LINE, by="bo", name="Bo's revenue", settings=store)
    renamed = builder.rename_report(original.id, "  Revenue, all branches ", settings=store)
    assert renamed.name == "Revenue, all branches" and renamed.current_version == 1
    copy = builder.duplicate_report(original.id, by="cy", settings=store)
    assert (copy.name, copy.info.owner, copy.version) == ("Revenue, all branches (copy)", "cy", 1)
    assert copy.id not in (original.id, other.id) and copy.spec == original.spec
    listed = builder.list_reports(settings=store)
    assert [r.id for r in listed] == [copy.id, original.id, other.id]  # last saved first
    assert [r.id for r in builder.list_reports(owner="bo", settings=store)] == [other.id]
    builder.delete_report(original.id, settings=store)
    assert [r.id for r in builder.list_reports(settings=store)] == [copy.id, other.id]
    for call in (
        lambda: builder.get_report(original.id, settings=store),
        lambda: builder.save_report(LINE, by="ana", report_id=original.id, settings=store),
        lambda: builder.delete_report(original.id, settings=store),
    ):
        with pytest.raises(ReportNotFound, match=f"no saved report has id {original.id}"):
            call()
    assert builder.get_report(copy.id, settings=store).spec == original.spec  # copies stay


def test_an_invalid_spec_leaves_the_report_untouched(store: Settings) -> None:
    saved = builder.save_report(LINE, by="ana", settings=store)
    before = _rows(store)
    for bad in (
        {**LINE, "series": "leads"},  # a measure in Series
        {**LINE, "values": ["net_revnue"]},  # unknown field
        {**LINE, "filters": [{"field": "rep", "values": ["x"]}]},  # a filter net_revenue lacks
        {**LINE, "visual": "gauge", "x": None, "series": None},  # a gauge without a target
    ):
        with pytest.raises(SpecError):
            builder.save_report(bad, by="bo", report_id=saved.id, settings=store)
        with pytest.raises(SpecError):
            builder.save_report(bad, by="bo", settings=store)
    assert _rows(store) == before
    now = builder.get_report(saved.id, settings=store)
    assert (now.version, now.spec, now.info.updated_at) == (1, saved.spec, saved.info.updated_at)


def test_an_injection_string_is_stored_as_a_value(store: Settings) -> None:
    spec = {**LINE, "filters": [{"field": "channel", "values": [INJECTION]}]}
    saved = builder.save_report(spec, by="x'; drop table bi.saved_reports; --", settings=store)
    builder.rename_report(saved.id, "'); truncate bi.saved_report_versions; --", settings=store)
    again = builder.get_report(saved.id, settings=store)
    assert again.spec.filters[0].values == (INJECTION,)
    assert again.name == "'); truncate bi.saved_report_versions; --"
    assert _rows(store) == (1, 1)


def test_a_stored_spec_that_no_longer_fits_is_named(store: Settings) -> None:
    saved = builder.save_report(LINE, by="ana", settings=store)
    builder.save_report({**LINE, "visual": "bar"}, by="ana", report_id=saved.id, settings=store)
    with get_engine(store).begin() as conn:  # as if the catalog lost a metric
        conn.execute(
            text(
                "update bi.saved_report_versions set spec = jsonb_set(spec, '{values}', "
                "'[\"gone_metric\"]') where report_id = :id and version = 1"
            ),
            {"id": saved.id},
        )
    with pytest.raises(
        SpecError, match=r"version 1, no longer fits:\n  values\[0\]: 'gone_metric'"
    ):
        builder.restore_version(saved.id, 1, by="ana", settings=store)
    assert builder.get_report(saved.id, settings=store).version == 2  # nothing written


def test_what_does_not_exist_is_said(store: Settings) -> None:
    saved = builder.save_report(LINE, by="ana", settings=store)
    with pytest.raises(ReportNotFound, match="has no version 5: it has 1 to 1"):
        builder.get_report(saved.id, 5, settings=store)
    with pytest.raises(ReportNotFound, match="no saved report has id 999"):
        builder.report_versions(999, settings=store)
    with pytest.raises(UsageError, match="a report's name is 1–200 characters"):
        builder.save_report({**LINE, "title": ""}, by="ana", settings=store)
    with pytest.raises(UsageError, match="a report's name is 1–200 characters"):
        builder.rename_report(saved.id, " ", settings=store)
    assert _rows(store) == (1, 1)


def test_migration_0007_goes_down_and_up(server_settings: Settings) -> None:
    server = resolve_database_url(server_settings)
    name = f"pulsebi_builder_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    engine = create_engine(make_url(server).set(database=name))
    try:
        upgrade_database(engine)
        tables = {"saved_reports", "saved_report_versions"}
        assert tables <= set(inspect(engine).get_table_names(schema="bi"))
        downgrade_database(engine, "0007@-1")  # this branch only
        left = set(inspect(engine).get_table_names(schema="bi"))
        assert not tables & left and "report_runs" in left
        upgrade_database(engine)
        assert tables <= set(inspect(engine).get_table_names(schema="bi"))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()
