"""Terse hand-made crm rows for metric tests: `rows.sale(sold_at="2026-03-08 01:30", ...)`.

Naive timestamp strings are local times in the reporting zone (the test settings' tz);
ids are given or counted up per table. Every insert is committed at once.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from pulsebi.db import schema
from pulsebi.settings import Settings


class CrmRows:
    def __init__(self, engine: Engine, settings: Settings):
        self.engine, self.settings = engine, settings
        self._ids = {name: itertools.count(1) for name in schema.CRM_TABLES}

    def at(self, value: str | datetime) -> datetime:
        """A timestamp: aware datetimes as they are, naive strings in the reporting zone."""
        if isinstance(value, datetime):
            return value
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(self.settings.tz))
        return parsed

    def add(self, table: str, **values: object) -> int:
        if values.get("id") is None:
            values["id"] = next(self._ids[table])
        with self.engine.begin() as conn:
            conn.execute(insert(schema.CRM_TABLES[table]).values(**values))
        return int(values["id"])

    def branch(self, id: int, code: str | None = None, name: str | None = None) -> int:
        return self.add(
            "branches",
            id=id,
            code=code or f"B{id}",
            name=name or f"Branch {id}",
            timezone="America/Chicago",
            opened_on=date(2020, 1, 1),
        )

    def employee(
        self,
        id: int,
        branch_id: int = 1,
        role: str = "sales_rep",
        name: str | None = None,
        hired_on: date = date(2020, 1, 1),
        terminated_on: date | None = None,
    ) -> int:
        return self.add(
            "employees",
            id=id,
            branch_id=branch_id,
            full_name=name or f"Employee {id}",
            role=role,
            hired_on=hired_on,
            terminated_on=terminated_on,
        )

    def source(self, id: int, channel: str = "digital", name: str | None = None) -> int:
        return self.add("lead_sources", id=id, name=name or f"Source {id}", channel=channel)

    def spend(self, month: date, amount: str, source_id: int = 1, branch_id: int = 1) -> int:
        return self.add(
            "marketing_spend",
            source_id=source_id,
            branch_id=branch_id,
            month=month,
            amount=Decimal(amount),
        )

    def lead(
        self,
        created_at: str,
        branch_id: int = 1,
        source_id: int = 1,
        status: str = "new",
        id: int | None = None,
    ) -> int:
        return self.add(
            "leads",
            id=id,
            branch_id=branch_id,
            source_id=source_id,
            created_at=self.at(created_at),
            status=status,
        )

    def appointment(
        self,
        scheduled_for: str | datetime,
        lead_id: int = 0,
        status: str = "ran",
        result: str | None = None,
        branch_id: int = 1,
        rep_id: int = 1,
        id: int | None = None,
    ) -> int:
        when = self.at(scheduled_for)
        return self.add(
            "appointments",
            id=id,
            lead_id=lead_id,
            branch_id=branch_id,
            rep_id=rep_id,
            created_at=when,
            scheduled_for=when,
            status=status,
            result=result,
        )

    def sale(
        self,
        sold_at: str | datetime,
        amount: str,
        status: str = "active",
        lead_id: int = 0,
        branch_id: int = 1,
        id: int | None = None,
        appointment_id: int | None = None,
    ) -> int:
        return self.add(
            "sales",
            id=id,
            lead_id=lead_id,
            appointment_id=appointment_id,
            branch_id=branch_id,
            sold_at=self.at(sold_at),
            amount=Decimal(amount),
            commission_rate=Decimal("0.1000"),
            product="roof",
            status=status,
        )

    def split(self, sale_id: int, employee_id: int, share: str) -> int:
        return self.add(
            "sale_splits",
            sale_id=sale_id,
            employee_id=employee_id,
            share=Decimal(share),
            commission=Decimal("0.00"),
        )

    def job(
        self, created_at: str | datetime, status: str, branch_id: int = 1, sale_id: int = 0
    ) -> int:
        return self.add(
            "jobs",
            sale_id=sale_id,
            branch_id=branch_id,
            status=status,
            created_at=self.at(created_at),
        )

    def ticket(
        self,
        opened_at: str,
        resolved_at: str | None = None,
        csat: int | None = None,
        branch_id: int = 1,
    ) -> int:
        return self.add(
            "service_tickets",
            branch_id=branch_id,
            opened_at=self.at(opened_at),
            resolved_at=self.at(resolved_at) if resolved_at else None,
            category="leak",
            priority="normal",
            csat=csat,
        )

    def call(self, called_at: str, outcome: str = "no_answer", branch_id: int = 1) -> int:
        return self.add(
            "calls",
            telemarketer_id=1,
            branch_id=branch_id,
            called_at=self.at(called_at),
            duration_s=60,
            outcome=outcome,
        )

    def knock(self, knocked_at: str, outcome: str = "no_answer", branch_id: int = 1) -> int:
        return self.add(
            "door_knocks",
            canvasser_id=1,
            branch_id=branch_id,
            knocked_at=self.at(knocked_at),
            outcome=outcome,
        )

    def request(
        self, ts: str, service: str = "api", status_code: int = 200, latency_ms: float = 10.0
    ) -> int:
        return self.add(
            "api_requests",
            ts=self.at(ts),
            service=service,
            endpoint="/x",
            status_code=status_code,
            latency_ms=latency_ms,
        )

    def health(self, ts: str, service: str = "api", ok: bool = True) -> int:
        return self.add("health_checks", ts=self.at(ts), service=service, ok=ok)


def _plain(value: object) -> object:
    import pandas as pd

    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def plain_records(frame) -> list[dict[str, object]]:
    """DataFrame rows as dicts with NaN and NA turned into None (for exact comparisons)."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
