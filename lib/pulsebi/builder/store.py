"""Saved reports in PostgreSQL: `bi.saved_reports` and every save as a version.

Each save adds a version (1, 2, ...) and makes it the report's current one; restoring an old
version saves its spec again as the newest, so the history only grows. Duplicating makes a
new report (version 1) of another's current spec; deleting hides a report from the list and
from `get_report` (its rows stay, with `deleted_at`). A spec is checked (`load_spec`: fields,
catalog, completeness) before anything is written: an invalid one leaves the report as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, insert, select, update

from pulsebi.builder.records import (
    INFO_COLUMNS,
    NAME_MAX,
    ReportInfo,
    ReportVersion,
    SavedReport,
    add_version,
    check_name,
    engine_of,
    read_info,
    read_version,
)
from pulsebi.builder.spec import ReportSpec, load_spec
from pulsebi.db.schema import saved_report_versions as versions
from pulsebi.db.schema import saved_reports as reports
from pulsebi.settings import Settings

log = logging.getLogger(__name__)


def save_report(
    spec: ReportSpec | dict[str, Any] | str,
    *,
    by: str,
    report_id: int | None = None,
    name: str | None = None,
    settings: Settings | None = None,
) -> SavedReport:
    """Save a spec: a new report (version 1), or a new version of report `report_id`.

    Parameters
    ----------
    spec : ReportSpec, dict or str
        The spec or its JSON document; checked (`load_spec`) before anything is written.
    by : str
        Who saves it: a new report's owner, the version's `saved_by`.
    report_id : int, optional
        The report to add a version to; default a new report.
    name : str, optional
        The report's name (1–200 characters); a new report defaults to the spec's title;
        given with `report_id`, it renames the report too.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    SavedReport
        The report and the version just saved.

    Raises
    ------
    SpecError
        If the spec is invalid or incomplete: nothing is written.
    UsageError
        If a new report has no name (and its spec no title), or the name is too long.
    ReportNotFound
        If `report_id` is no saved report's, or it was deleted.
    """
    spec = load_spec(spec)
    with engine_of(settings).begin() as conn:
        if report_id is None:
            label = check_name(name if name is not None else spec.title)
            new_id = conn.execute(
                insert(reports)
                .values(name=label, owner=by, current_version=1)
                .returning(reports.c.id)
            ).scalar_one()
            add_version(conn, new_id, 1, spec, by)
            return read_version(conn, read_info(conn, new_id), None)
        info = read_info(conn, report_id, lock=True)  # one saver at a time takes the next number
        number = info.current_version + 1
        add_version(conn, report_id, number, spec, by)
        changes: dict[str, Any] = {"current_version": number, "updated_at": func.now()}
        if name is not None:
            changes["name"] = check_name(name)
        conn.execute(update(reports).where(reports.c.id == report_id).values(**changes))
        saved = read_version(conn, read_info(conn, report_id), None)
    forget_page(report_id, settings)
    return saved


def get_report(
    report_id: int, version: int | None = None, *, settings: Settings | None = None
) -> SavedReport:
    """A saved report with its current spec, or the spec of one of its versions.

    Parameters
    ----------
    report_id : int
        The report's id.
    version : int, optional
        The version to read; default the current one.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    SavedReport
        The report and that version's spec.

    Raises
    ------
    ReportNotFound
        If no report has this id (or it was deleted), or it has no such version.
    SpecError
        If the stored spec no longer fits the catalog (the message names report and version).
    """
    with engine_of(settings).connect() as conn:
        return read_version(conn, read_info(conn, report_id), version)


def list_reports(*, owner: str | None = None, settings: Settings | None = None) -> list[ReportInfo]:
    """The saved reports not deleted, the most recently saved first.

    Parameters
    ----------
    owner : str, optional
        Only this owner's; default everyone's.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    list of ReportInfo
        Id, name, owner, timestamps and current version of each.
    """
    query = select(*INFO_COLUMNS).where(reports.c.deleted_at.is_(None))
    if owner is not None:
        query = query.where(reports.c.owner == owner)
    with engine_of(settings).connect() as conn:
        rows = conn.execute(query.order_by(reports.c.updated_at.desc(), reports.c.id.desc()))
        return [ReportInfo(*row) for row in rows]


def report_versions(report_id: int, *, settings: Settings | None = None) -> list[ReportVersion]:
    """Every version of a saved report, the newest first.

    Parameters
    ----------
    report_id : int
        The report's id.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    list of ReportVersion
        Number, when and by whom it was saved, its title and visual.

    Raises
    ------
    ReportNotFound
        If no report has this id, or it was deleted.
    """
    with engine_of(settings).connect() as conn:
        read_info(conn, report_id)
        rows = conn.execute(
            select(versions.c.version, versions.c.saved_at, versions.c.saved_by, versions.c.spec)
            .where(versions.c.report_id == report_id)
            .order_by(versions.c.version.desc())
        )
        return [
            ReportVersion(
                r.version, r.saved_at, r.saved_by, r.spec.get("title", ""), r.spec.get("visual", "")
            )
            for r in rows
        ]


def restore_version(
    report_id: int, version: int, *, by: str, settings: Settings | None = None
) -> SavedReport:
    """Make an old version current again, by saving its spec as the newest version.

    Parameters
    ----------
    report_id : int
        The report's id.
    version : int
        The version whose spec comes back.
    by : str
        Who restores it (the new version's `saved_by`).
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    SavedReport
        The report and its new current version.

    Raises
    ------
    ReportNotFound
        If no report has this id (or it was deleted), or it has no such version.
    SpecError
        If that version's spec no longer fits the catalog: nothing is written.
    """
    old = get_report(report_id, version, settings=settings)
    return save_report(old.spec, by=by, report_id=report_id, settings=settings)


def rename_report(report_id: int, name: str, *, settings: Settings | None = None) -> ReportInfo:
    """Give a saved report another name (no new version: its spec is unchanged).

    Parameters
    ----------
    report_id : int
        The report's id.
    name : str
        The new name, 1–200 characters.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    ReportInfo
        The report as renamed.

    Raises
    ------
    UsageError
        If the name is empty or too long.
    ReportNotFound
        If no report has this id, or it was deleted.
    """
    label = check_name(name)
    with engine_of(settings).begin() as conn:
        read_info(conn, report_id, lock=True)
        conn.execute(
            update(reports)
            .where(reports.c.id == report_id)
            .values(name=label, updated_at=func.now())
        )
        info = read_info(conn, report_id)
    forget_page(report_id, settings)
    return info


def duplicate_report(
    report_id: int, *, by: str, name: str | None = None, settings: Settings | None = None
) -> SavedReport:
    """A new report (version 1, owned by `by`) with another report's current spec.

    Parameters
    ----------
    report_id : int
        The report to copy.
    by : str
        The copy's owner.
    name : str, optional
        The copy's name; default the original's with " (copy)".
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    SavedReport
        The new report.

    Raises
    ------
    ReportNotFound
        If no report has this id, or it was deleted.
    """
    original = get_report(report_id, settings=settings)
    label = name if name is not None else f"{original.name} (copy)"[:NAME_MAX]
    return save_report(original.spec, by=by, name=label, settings=settings)


def delete_report(report_id: int, *, settings: Settings | None = None) -> None:
    """Delete a saved report: it leaves the list and can no longer be opened.

    Parameters
    ----------
    report_id : int
        The report's id.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Raises
    ------
    ReportNotFound
        If no report has this id, or it was deleted already.
    """
    with engine_of(settings).begin() as conn:
        read_info(conn, report_id, lock=True)
        conn.execute(update(reports).where(reports.c.id == report_id).values(deleted_at=func.now()))
    forget_page(report_id, settings)


def forget_page(report_id: int, settings: Settings | None) -> None:
    """Drop the snapshot of the report's page (`pulsebi.snapshots`): it showed what the report
    was. Redis out of reach is logged; its snapshots are not served then either."""
    import redis

    from pulsebi.errors import ServiceError
    from pulsebi.settings import get_settings
    from pulsebi.snapshots import drop_snapshot
    from pulsebi.snapshots.pages import SAVED_REPORT

    try:
        drop_snapshot(settings or get_settings(), SAVED_REPORT, {"report_id": str(report_id)})
    except (redis.RedisError, OSError, ServiceError) as exc:
        log.warning("the snapshot of saved report %s was not dropped: %s", report_id, exc)
