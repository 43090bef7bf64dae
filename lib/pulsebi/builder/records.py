"""The rows of saved reports: what a report, a version and a saved report are, and the few
statements the store's functions share (read a report, lock it, add a version)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from pulsebi.builder.spec import ReportSpec, SpecError, load_spec
from pulsebi.db.schema import saved_report_versions as versions
from pulsebi.db.schema import saved_reports as reports
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings

NAME_MAX = 200
INFO_COLUMNS = (
    reports.c.id,
    reports.c.name,
    reports.c.owner,
    reports.c.created_at,
    reports.c.updated_at,
    reports.c.current_version,
)


class ReportNotFound(UsageError):
    """No saved report (or no such version of one) has this id, or it was deleted."""


@dataclass(frozen=True)
class ReportInfo:
    """A saved report as the list shows it."""

    id: int
    name: str
    owner: str
    created_at: dt.datetime
    updated_at: dt.datetime
    current_version: int


@dataclass(frozen=True)
class ReportVersion:
    """One save of a report's spec."""

    version: int
    saved_at: dt.datetime
    saved_by: str
    title: str
    visual: str


@dataclass(frozen=True)
class SavedReport:
    """A saved report and one version's spec (its current one unless another was asked)."""

    info: ReportInfo
    version: int
    spec: ReportSpec
    saved_at: dt.datetime
    saved_by: str

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name


def engine_of(settings: Settings | None) -> Any:
    """The engine of the configured database (connecting only when first used)."""
    from pulsebi.db import get_engine

    return get_engine(settings or get_settings())


def check_name(name: str | None) -> str:
    """A report's name, stripped; UsageError when empty or longer than NAME_MAX."""
    text = (name or "").strip()
    if not text or len(text) > NAME_MAX:
        raise UsageError(f"a report's name is 1–{NAME_MAX} characters, not {name!r}")
    return text


def read_info(conn: Connection, report_id: int, lock: bool = False) -> ReportInfo:
    """A report not deleted (its row locked FOR UPDATE with `lock`); ReportNotFound else."""
    query = select(*INFO_COLUMNS).where(reports.c.id == report_id, reports.c.deleted_at.is_(None))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise ReportNotFound(
            f"no saved report has id {report_id!r} (or it was deleted): list_reports() lists them"
        )
    return ReportInfo(*row)


def add_version(conn: Connection, report_id: int, version: int, spec: ReportSpec, by: str) -> None:
    conn.execute(
        insert(versions).values(
            report_id=report_id, version=version, spec=spec.to_json(), saved_by=by
        )
    )


def read_version(conn: Connection, info: ReportInfo, version: int | None) -> SavedReport:
    """A report with one version's spec (default its current one), checked against today's
    catalog: a spec that no longer fits is a SpecError naming the report and version."""
    number = info.current_version if version is None else version
    row = conn.execute(
        select(versions.c.spec, versions.c.saved_at, versions.c.saved_by).where(
            versions.c.report_id == info.id, versions.c.version == number
        )
    ).first()
    if row is None:
        raise ReportNotFound(
            f"saved report {info.id} ({info.name!r}) has no version {version!r}: it has 1 to "
            f"{info.current_version} (report_versions() lists them)"
        )
    try:
        spec = load_spec(row.spec)
    except SpecError as error:
        heading = f"saved report {info.id} ({info.name!r}), version {number}, no longer fits"
        raise SpecError.of(list(error.problems), heading) from None
    return SavedReport(info, number, spec, row.saved_at, row.saved_by)
