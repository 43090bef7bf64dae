"""Hand-made crm rows for the reconciliation tests: a helper that fills in the dull columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from pulsebi.db import schema

SOLD_AT = dt.datetime.fromisoformat("2026-06-15T12:00:00-05:00")


class Crm:
    """Insert rows with sensible defaults; every method returns the id it wrote."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _add(self, table, **values: Any) -> int:
        with self.engine.begin() as conn:
            conn.execute(insert(table).values(**values))
        return values["id"]

    def branch(self, id: int = 1, code: str = "DAL") -> int:
        return self._add(
            schema.branches,
            id=id,
            code=code,
            name=f"Branch {code}",
            timezone="America/Chicago",
            opened_on=dt.date(2015, 1, 1),
        )

    def employee(
        self,
        id: int,
        role: str = "sales_rep",
        hired_on: str = "2020-01-01",
        terminated_on: str | None = None,
        branch_id: int = 1,
    ) -> int:
        return self._add(
            schema.employees,
            id=id,
            branch_id=branch_id,
            full_name=f"Employee {id}",
            role=role,
            hired_on=dt.date.fromisoformat(hired_on),
            terminated_on=dt.date.fromisoformat(terminated_on) if terminated_on else None,
        )

    def appointment(
        self,
        id: int,
        status: str = "ran",
        result: str | None = "sold",
        branch_id: int = 1,
        scheduled_for: str = "2026-06-10T10:00:00-05:00",
    ) -> int:
        when = dt.datetime.fromisoformat(scheduled_for)
        return self._add(
            schema.appointments,
            id=id,
            lead_id=id,
            branch_id=branch_id,
            rep_id=10,
            set_by_id=None,
            created_at=when - dt.timedelta(days=3),
            scheduled_for=when,
            status=status,
            result=result,
        )

    def sale(
        self,
        id: int,
        amount: str = "1000.00",
        commission_rate: str = "0.1000",
        status: str = "active",
        branch_id: int = 1,
        sold_at: dt.datetime | str = SOLD_AT,
        appointment_id: int | None = None,
        external_ref: str | None = None,
    ) -> int:
        if isinstance(sold_at, str):
            sold_at = dt.datetime.fromisoformat(sold_at)
        return self._add(
            schema.sales,
            id=id,
            lead_id=id,
            appointment_id=appointment_id,
            branch_id=branch_id,
            sold_at=sold_at,
            amount=Decimal(amount),
            commission_rate=Decimal(commission_rate),
            product="roof",
            status=status,
            canceled_at=None,
            external_ref=external_ref,
        )

    def split(
        self,
        id: int,
        sale_id: int,
        employee_id: int,
        share: str = "1.0000",
        commission: str = "100.00",
    ) -> int:
        return self._add(
            schema.sale_splits,
            id=id,
            sale_id=sale_id,
            employee_id=employee_id,
            share=Decimal(share),
            commission=Decimal(commission),
        )

    @staticmethod
    def reasons(frame, id_column: str) -> set[tuple[str, int]]:
        """The (reason, id) pairs of a check's result."""
        return {(r, int(i)) for r, i in zip(frame["reason"], frame[id_column], strict=True)}

    def job(self, id: int, sale_id: int, status: str = "pending") -> int:
        return self._add(
            schema.jobs,
            id=id,
            sale_id=sale_id,
            branch_id=1,
            status=status,
            created_at=SOLD_AT,
            started_at=None,
            completed_at=None,
        )


@pytest.fixture
def crm(db: Engine) -> Crm:
    """Empty crm tables plus branch 1 'DAL' and branch 2 'HOU'."""
    helper = Crm(db)
    helper.branch(1, "DAL")
    helper.branch(2, "HOU")
    return helper
