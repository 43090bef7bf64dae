"""Build the whole demo data set in memory: crm tables, invoices and ground truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import numpy as np
import pandas as pd

from pulsebi.errors import PulseBIError
from pulsebi.seed import accounting, journeys, org, outreach, problems, sales, service, tech
from pulsebi.seed.calendar import Calendar, day_number, rng_for, years_before

LEADS_PER_DAY = 19.0  # per branch on an average day at scale 1, before season and growth
Step = Callable[[str], None]


@dataclass
class Dataset:
    tables: dict[str, pd.DataFrame]  # crm table name -> rows in the contract's column order
    invoices: pd.DataFrame
    truth: pd.DataFrame

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


def history_calendar(tz: str, years: int, today: date, until: time | None = None) -> Calendar:
    """History of `years` up to the start of `today`, or (`until`, a local clock time) up to
    that time of `today`."""
    start = years_before(today, years)
    if until is None or until == time(0):
        return Calendar(start=start, today=today, tz=tz)
    seconds = until.hour * 3600 + until.minute * 60 + until.second
    cal = Calendar(start=start, today=today + timedelta(days=1), tz=tz)
    cutoff = int(cal.to_utc(np.array([day_number(today)]), np.array([seconds]))[0])
    return Calendar(start=start, today=cal.today, tz=tz, cutoff=cutoff)


def build_dataset(
    *,
    tz: str,
    years: int,
    scale: float,
    seed: int,
    today: date,
    until: time | None = None,
    step: Step | None = None,
) -> Dataset:
    step = step or (lambda _: None)
    cal = history_calendar(tz, years, today, until)
    history_end = cal.history_end
    weights = np.array([b[4] for b in org.BRANCHES])
    opened = org.branch_opened(cal)
    expected = LEADS_PER_DAY * scale * weights[:, None] * cal.intensity(opened)

    step("organisation")
    staff = org.Staff(org.make_employees(cal, rng_for(seed, "employees")))
    lam, truth = problems.choose_anomalies(cal, rng_for(seed, "anomalies"), opened, expected)

    step("leads and journeys")
    leads = journeys.make_leads(cal, rng_for(seed, "leads"), lam, staff)
    touches = journeys.make_touches(leads, rng_for(seed, "touches"))
    appts = journeys.make_appointments(
        cal, rng_for(seed, "appointments"), leads, staff, history_end
    )

    step("sales, splits and jobs")
    rng = rng_for(seed, "problems")
    no_sale = problems.choose_ghosts(rng, appts)
    sold = sales.make_sales(rng_for(seed, "sales"), leads, appts, no_sale, history_end)
    chosen = problems.choose_sale_problems(rng, sold, history_end)
    splits = sales.make_splits(rng_for(seed, "splits"), sold, staff)
    if len(np.unique(splits["sale"])) != len(sold):
        raise PulseBIError("demo data: a sale found no sales rep employed on its day")
    splits, split_truth = problems.apply_split_problems(rng, splits, sold, staff, chosen)
    jobs = sales.make_jobs(rng_for(seed, "jobs"), sold, chosen["no_job"], history_end)
    truth += problems.ghost_truth(appts, sold, no_sale, chosen["no_job"]) + split_truth

    step("service tickets")
    tickets = service.make_tickets(cal, rng_for(seed, "tickets"), jobs, history_end)

    step("door knocks and calls")
    knocks = outreach.make_knocks(cal, rng_for(seed, "knocks"), expected, leads, staff)
    calls = outreach.make_calls(cal, rng_for(seed, "calls"), expected, leads, appts, staff)
    sold_lead = np.zeros(len(leads), bool)
    sold_lead[sold.lead] = True
    status = journeys.lead_statuses(cal, rng_for(seed, "status"), leads, appts, sold_lead)

    step("accounting export")
    invoices, external_truth = accounting.make_invoices(
        cal, rng_for(seed, "invoices"), sold, chosen
    )
    truth += external_truth

    step("API logs and health checks")
    api, health = tech.make_tech(cal, rng_for(seed, "tech"), scale, history_end)

    tables = {
        "branches": org.make_branches(cal),
        "employees": org.employees_table(staff.frame),
        "lead_sources": org.make_sources(),
        "marketing_spend": org.make_spend(cal, expected, rng_for(seed, "spend")),
        "leads": journeys.leads_table(leads, status),
        "lead_touches": touches,
        "door_knocks": knocks,
        "calls": calls,
        "appointments": journeys.appointments_table(appts),
        "sales": sales.sales_table(sold),
        "sale_splits": sales.splits_table(splits),
        "jobs": jobs,
        "service_tickets": tickets,
        "api_requests": api,
        "health_checks": health,
    }
    return Dataset(tables=tables, invoices=invoices, truth=problems.truth_frame(truth))
