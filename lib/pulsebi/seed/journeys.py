"""Leads, their multi-touch journeys, and the appointments they lead to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_timestamps
from pulsebi.seed.org import (
    BRANCHES,
    CANVASS_SOURCE,
    TELEMARKETING_SOURCE,
    Staff,
    source_param,
)

APPOINTMENT_RATE = 0.5
CLOSING_RATE = 0.38
SET_BY_TELEMARKETER = 0.35  # of the appointments of non-telemarketing leads
REBOOK_RATE = 0.35  # of the no-shows and cancellations
SLOT_HOURS = np.array([9, 11, 13, 15, 17, 19])
DAY = 86400
SALE_LAG = 150 * 60  # a sale is written at most this long after its appointment started


@dataclass
class Leads:
    branch: np.ndarray
    source: np.ndarray  # 1-based source id
    day: np.ndarray  # local day
    at: np.ndarray  # epoch seconds
    canvasser: np.ndarray  # 0 = none
    telemarketer: np.ndarray
    postal: np.ndarray

    def __len__(self) -> int:
        return len(self.at)


def make_leads(cal: Calendar, rng: np.random.Generator, lam: np.ndarray, staff: Staff) -> Leads:
    """Leads per branch and day drawn from the demand intensity, in chronological order."""
    counts = rng.poisson(lam)
    b_idx, d_idx = np.nonzero(counts)
    reps = counts[b_idx, d_idx]
    branch = np.repeat(b_idx + 1, reps)
    day = np.repeat(cal.first_day + d_idx, reps)
    share = source_param(2)
    source = rng.choice(len(share), size=len(day), p=share / share.sum()) + 1
    seconds = rng.triangular(7.5 * 3600, 13 * 3600, 21.5 * 3600, len(day)).astype(np.int64)
    at = cal.to_utc(day, seconds)
    came = at < cal.history_end  # history up to a time of day: not the leads still to come
    branch, source, day, at = branch[came], source[came], day[came], at[came]
    order = np.lexsort((branch, at))
    branch, source, day, at = branch[order], source[order], day[order], at[order]
    canvasser = np.zeros(len(at), np.int64)
    telemarketer = np.zeros(len(at), np.int64)
    for src, role, target in (
        (CANVASS_SOURCE, "canvasser", canvasser),
        (TELEMARKETING_SOURCE, "telemarketer", telemarketer),
    ):
        rows = np.flatnonzero(source == src)
        target[rows] = staff.pick(rng, branch[rows], day[rows], role)[:, 0]
    prefixes = np.array([b[5] for b in BRANCHES], dtype=object)
    suffixes = np.array([f"{k:02d}" for k in range(100)], dtype=object)
    postal = prefixes[branch - 1] + suffixes[rng.integers(1, 100, len(at))]
    postal = np.where(rng.random(len(at)) < 0.08, None, postal)
    return Leads(branch, source, day, at, canvasser, telemarketer, postal)


def leads_table(leads: Leads, status: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(1, len(leads) + 1),
            "branch_id": leads.branch,
            "source_id": leads.source,
            "created_at": to_timestamps(leads.at),
            "status": status,
            "canvasser_id": pd.array(np.where(leads.canvasser > 0, leads.canvasser, None), "Int64"),
            "telemarketer_id": pd.array(
                np.where(leads.telemarketer > 0, leads.telemarketer, None), "Int64"
            ),
            "postal_code": leads.postal,
        }
    )


def make_touches(leads: Leads, rng: np.random.Generator) -> pd.DataFrame:
    """Each lead's own touch when it came in, plus earlier touches from other channels."""
    extra = rng.poisson(source_param(7)[leads.source - 1])
    lead_idx = np.repeat(np.arange(len(leads)), extra)
    weights = source_param(2) * np.where(source_param(7) > 0.5, 1.0, 0.05)
    other = rng.choice(len(weights), size=len(lead_idx), p=weights / weights.sum()) + 1
    before = rng.exponential(6 * DAY, len(lead_idx)).astype(np.int64) + 3600
    lead_id = np.concatenate([np.arange(len(leads)), lead_idx]) + 1
    source = np.concatenate([leads.source, other])
    at = np.concatenate([leads.at, leads.at[lead_idx] - before])
    order = np.lexsort((lead_id, at))
    return pd.DataFrame(
        {
            "id": np.arange(1, len(at) + 1),
            "lead_id": lead_id[order],
            "source_id": source[order],
            "touched_at": to_timestamps(at[order]),
        }
    )


APPOINTMENT_FIELDS = (
    "lead",
    "branch",
    "rep",
    "set_by",
    "created",
    "day",
    "scheduled",
    "status",
    "result",
)


@dataclass
class Appointments:
    lead: np.ndarray  # 0-based lead index
    branch: np.ndarray
    rep: np.ndarray
    set_by: np.ndarray  # 0 = none
    created: np.ndarray
    day: np.ndarray  # local day scheduled
    scheduled: np.ndarray
    status: np.ndarray
    result: np.ndarray

    def __len__(self) -> int:
        return len(self.created)

    def sold(self) -> np.ndarray:
        return (self.status == "ran") & (self.result == "sold")


def make_appointments(
    cal: Calendar, rng: np.random.Generator, leads: Leads, staff: Staff, history_end: int
) -> Appointments:
    """Some leads book an appointment days or weeks out; past ones ran, no-showed or were
    canceled, and some of those missed are booked again."""
    p = np.clip(APPOINTMENT_RATE * source_param(3)[leads.source - 1], 0, 0.95)
    lead = np.flatnonzero(rng.random(len(leads)) < p)
    skill = rng.lognormal(0, 0.22, int(staff.frame["id"].max()) + 1)
    set_by = np.where(leads.source[lead] == TELEMARKETING_SOURCE, leads.telemarketer[lead], 0)
    others = np.flatnonzero((set_by == 0) & (rng.random(len(lead)) < SET_BY_TELEMARKETER))
    set_by[others] = staff.pick(
        rng, leads.branch[lead[others]], leads.day[lead[others]], "telemarketer"
    )[:, 0]
    first = _book(
        cal, rng, leads, staff, skill, lead, set_by, leads.at[lead], leads.day[lead], history_end
    )
    missed = np.flatnonzero(
        np.isin(first.status, ["no_show", "canceled"]) & (rng.random(len(first)) < REBOOK_RATE)
    )
    again = _book(
        cal,
        rng,
        leads,
        staff,
        skill,
        first.lead[missed],
        first.set_by[missed],
        first.scheduled[missed],
        first.day[missed],
        history_end,
    )
    both = [np.concatenate([getattr(first, f), getattr(again, f)]) for f in APPOINTMENT_FIELDS]
    order = np.lexsort((both[0], both[4]))  # by created_at, then lead
    return Appointments(*(a[order] for a in both))


def _book(
    cal: Calendar,
    rng: np.random.Generator,
    leads: Leads,
    staff: Staff,
    skill: np.ndarray,
    lead: np.ndarray,
    set_by: np.ndarray,
    since: np.ndarray,
    since_day: np.ndarray,
    history_end: int,
) -> Appointments:
    """Appointments booked a little after `since` (local day `since_day`, before 21:30)."""
    n = len(lead)
    lag = rng.exponential(18 * 3600, n).astype(np.int64) + 600
    created = since + lag
    late = created >= history_end
    created[late] = since[late] + (
        (history_end - since[late]) * rng.uniform(0.1, 0.9, late.sum())
    ).astype(np.int64)
    # two days after the lag's whole days at least: always after `created`
    day = since_day + 2 + lag // DAY + np.minimum(rng.geometric(0.15, n) - 1, 24)
    seconds = (rng.choice(SLOT_HOURS, n) * 60 + rng.choice([0, 30], n)) * 60
    scheduled = cal.to_utc(day, seconds)
    branch = leads.branch[lead]
    rep = staff.pick(rng, branch, day, "sales_rep")[:, 0]
    status = rng.choice(["ran", "no_show", "canceled"], n, p=[0.77, 0.12, 0.11]).astype(object)
    # not yet happened (or its outcome and sale not yet written): still scheduled
    status[(day >= cal.end_day) | (scheduled + SALE_LAG >= history_end)] = "scheduled"
    p_close = np.clip(CLOSING_RATE * source_param(4)[leads.source[lead] - 1] * skill[rep], 0, 0.9)
    result = np.where(rng.random(n) < p_close, "sold", "not_sold").astype(object)
    result[status != "ran"] = None
    return Appointments(lead, branch, rep, set_by, created, day, scheduled, status, result)


def appointments_table(appts: Appointments) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(1, len(appts) + 1),
            "lead_id": appts.lead + 1,
            "branch_id": appts.branch,
            "rep_id": appts.rep,
            "set_by_id": pd.array(np.where(appts.set_by > 0, appts.set_by, None), "Int64"),
            "created_at": to_timestamps(appts.created),
            "scheduled_for": to_timestamps(appts.scheduled),
            "status": appts.status,
            "result": appts.result,
        }
    )


def lead_statuses(
    cal: Calendar, rng: np.random.Generator, leads: Leads, appts: Appointments, sold: np.ndarray
) -> np.ndarray:
    """A lead's status from what became of it (`sold` is a per-lead flag)."""
    n = len(leads)
    has_appt = np.zeros(n, bool)
    has_appt[appts.lead] = True
    pending = np.zeros(n, bool)
    pending[appts.lead[appts.status == "scheduled"]] = True
    recent = leads.day >= cal.end_day - 7
    coin = rng.random(n)
    return np.select(
        [sold, pending, has_appt & (coin < 0.3), has_appt, recent & (coin < 0.6), coin < 0.25],
        ["sold", "appointment_set", "contacted", "dead", "new", "contacted"],
        "dead",
    ).astype(object)
