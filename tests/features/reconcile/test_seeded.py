"""On the demo data, the checks find exactly the problems the generator injected."""

import pandas as pd

from pulsebi.db import get_engine
from pulsebi.reconcile import (
    find_external_mismatches,
    find_ghost_appointments,
    find_split_exceptions,
)


def _id(value):
    return None if value is None or pd.isna(value) else value


def found_keys(seeded) -> set[tuple]:
    engine = get_engine(seeded)
    ghosts = find_ghost_appointments(engine, settings=seeded)
    splits = find_split_exceptions(engine, settings=seeded)
    external = find_external_mismatches(seeded.data_dir / "accounting.csv", engine, settings=seeded)
    keys = {
        ("ghost_appointment", r, int(a))
        for r, a in zip(ghosts["reason"], ghosts["appointment_id"], strict=True)
    }
    keys |= {("split", r, int(s)) for r, s in zip(splits["reason"], splits["sale_id"], strict=True)}
    keys |= {
        ("external", r, _id(s), _id(i))
        for r, s, i in zip(
            external["reason"], external["sale_id"], external["invoice_no"], strict=True
        )
    }
    return keys


def truth_keys(seeded) -> set[tuple]:
    with get_engine(seeded).connect() as conn:
        rows = conn.exec_driver_sql(
            "select kind, reason, appointment_id, sale_id, invoice_no from bi.seed_truth"
            " where kind in ('ghost_appointment', 'split', 'external')"
        ).all()
    keys = set()
    for kind, reason, appointment_id, sale_id, invoice_no in rows:
        if kind == "ghost_appointment":
            keys.add((kind, reason, appointment_id))
        elif kind == "split":
            keys.add((kind, reason, sale_id))
        else:
            keys.add((kind, reason, sale_id, invoice_no))
    return keys


def test_the_demo_datas_injected_problems_are_all_found_and_nothing_else(seeded) -> None:
    truth = truth_keys(seeded)
    found = found_keys(seeded)
    assert {k[:2] for k in truth} >= {
        ("ghost_appointment", "no_sale"),
        ("ghost_appointment", "no_job"),
        ("split", "share_sum"),
        ("split", "no_split"),
        ("external", "missing_in_crm"),
    }
    assert sorted(found - truth, key=str) == []  # nothing else
    assert sorted(truth - found, key=str) == []  # all found
