"""Drill-down: the crm rows behind one exception (a sale's splits, an appointment's sales...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, or_, select

from pulsebi.db import schema

if TYPE_CHECKING:
    import pandas as pd

_s, _sp, _e, _j = schema.sales, schema.sale_splits, schema.employees, schema.jobs


def describe_exception(engine: Engine, row: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Titled tables about one exception row of any check (keys are the titles)."""
    tables: dict[str, Any] = {}
    sale_id, appointment_id = row.get("sale_id"), row.get("appointment_id")
    if appointment_id is not None:
        tables[f"Sales of appointment {appointment_id}"] = _frame(
            engine,
            select(
                _s.c.id.label("sale_id"),
                _s.c.status,
                _s.c.amount,
                _s.c.sold_at,
                _j.c.id.label("job_id"),
                _j.c.status.label("job_status"),
            )
            .select_from(_s.outerjoin(_j, _j.c.sale_id == _s.c.id))
            .where(_s.c.appointment_id == appointment_id)
            .order_by(_s.c.id, _j.c.id),
        )
    if sale_id is not None or row.get("invoice_no") is not None:
        match = [_s.c.id == sale_id] if sale_id is not None else []
        if row.get("invoice_no") is not None:
            match.append(_s.c.external_ref == row["invoice_no"])
        tables["Sales"] = _frame(
            engine,
            select(
                _s.c.id.label("sale_id"),
                _s.c.status,
                _s.c.amount,
                _s.c.commission_rate,
                _s.c.sold_at,
                _s.c.external_ref,
                _s.c.appointment_id,
            )
            .where(or_(*match))
            .order_by(_s.c.id),
        )
    if sale_id is not None:
        expected = func.round(_s.c.amount * _s.c.commission_rate * _sp.c.share, 2)
        tables[f"Splits of sale {sale_id}"] = _frame(
            engine,
            select(
                _sp.c.id.label("split_id"),
                _sp.c.employee_id,
                _e.c.full_name,
                _e.c.role,
                _e.c.hired_on,
                _e.c.terminated_on,
                _sp.c.share,
                _sp.c.commission,
                expected.label("expected_commission"),
            )
            .select_from(
                _sp.join(_s, _s.c.id == _sp.c.sale_id).outerjoin(_e, _e.c.id == _sp.c.employee_id)
            )
            .where(_sp.c.sale_id == sale_id)
            .order_by(_sp.c.id),
        )
    return tables


def _frame(engine: Engine, query: Any) -> pd.DataFrame:
    import pandas as pd

    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
