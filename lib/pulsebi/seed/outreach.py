"""Canvassing door knocks (some become leads) and telemarketing calls (some set appointments)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_timestamps
from pulsebi.seed.journeys import Appointments, Leads
from pulsebi.seed.org import CANVASS_SOURCE, Staff, source_param

KNOCKS_PER_LEAD = 7.0  # knocks that found no lead, per canvass lead
CALLS_PER_SET = 6.0  # calls that set nothing, per appointment set by phone
KNOCK_OUTCOMES = (["no_answer", "not_interested", "callback"], [0.56, 0.32, 0.12])
# outcome, share of the calls that set nothing, duration range (s)
CALLS = [
    ("no_answer", 0.45, 5, 30),
    ("voicemail", 0.25, 20, 60),
    ("not_interested", 0.18, 15, 120),
    ("callback", 0.12, 60, 400),
    ("appointment_set", 0.0, 180, 900),
]
CALL_NAMES = np.array([c[0] for c in CALLS], dtype=object)


def _filler(
    cal: Calendar, rng: np.random.Generator, lam: np.ndarray, role: str, staff: Staff
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Activity drawn per branch and day, done by someone of `role` employed that day."""
    counts = rng.poisson(lam)
    b_idx, d_idx = np.nonzero(counts)
    reps = counts[b_idx, d_idx]
    branch = np.repeat(b_idx + 1, reps)
    day = np.repeat(cal.first_day + d_idx, reps)
    who = staff.pick(rng, branch, day, role)[:, 0]
    keep = who > 0
    branch, day, who = branch[keep], day[keep], who[keep]
    seconds = rng.triangular(9.5 * 3600, 15 * 3600, 20.5 * 3600, len(day)).astype(np.int64)
    at = cal.to_utc(day, seconds)
    done = at < cal.history_end  # history up to a time of day
    return branch[done], who[done], day[done], at[done]


def make_knocks(
    cal: Calendar, rng: np.random.Generator, lam: np.ndarray, leads: Leads, staff: Staff
) -> pd.DataFrame:
    share = source_param(2)
    canvass_lam = lam * share[CANVASS_SOURCE - 1] / share.sum()
    branch, who, _, at = _filler(cal, rng, canvass_lam * KNOCKS_PER_LEAD, "canvasser", staff)
    outcome = rng.choice(KNOCK_OUTCOMES[0], len(at), p=KNOCK_OUTCOMES[1]).astype(object)
    won = np.flatnonzero(leads.canvasser > 0)
    frame = pd.DataFrame(
        {
            "canvasser_id": np.concatenate([who, leads.canvasser[won]]),
            "branch_id": np.concatenate([branch, leads.branch[won]]),
            "at": np.concatenate([at, leads.at[won]]),
            "outcome": np.concatenate([outcome, np.full(len(won), "lead", object)]),
            "lead_id": pd.array(np.concatenate([np.full(len(at), None), won + 1]), "Int64"),
        }
    ).sort_values(["at", "canvasser_id"], kind="stable", ignore_index=True)
    return pd.DataFrame(
        {
            "id": np.arange(1, len(frame) + 1),
            "canvasser_id": frame["canvasser_id"],
            "branch_id": frame["branch_id"],
            "knocked_at": to_timestamps(frame["at"].to_numpy()),
            "outcome": frame["outcome"],
            "lead_id": frame["lead_id"],
        }
    )


def make_calls(
    cal: Calendar,
    rng: np.random.Generator,
    lam: np.ndarray,
    leads: Leads,
    appts: Appointments,
    staff: Staff,
) -> pd.DataFrame:
    """One call per appointment a telemarketer set, and many calls that set nothing."""
    by_phone = np.flatnonzero(appts.set_by > 0)
    set_grid = np.zeros_like(lam)
    day_index = leads.day[appts.lead[by_phone]] - cal.first_day
    np.add.at(set_grid, (appts.branch[by_phone] - 1, day_index), 1.0)
    # smooth the observed volume over the days, so filler calls follow the same rhythm
    expected = lam * (set_grid.sum() / max(lam.sum(), 1e-9))
    branch, who, _, at = _filler(cal, rng, expected * CALLS_PER_SET, "telemarketer", staff)
    outcome = rng.choice(len(CALLS), len(at), p=[c[1] for c in CALLS])
    # a share of the calls that reached someone follow up an existing lead of the branch
    lead_id = np.zeros(len(at), np.int64)
    follow = (outcome != 0) & (rng.random(len(at)) < 0.4)
    for b in np.unique(branch):
        ids = np.flatnonzero(leads.branch == b)
        rows = np.flatnonzero(follow & (branch == b))
        known = np.searchsorted(leads.at[ids], at[rows])
        pick = known - 1 - rng.integers(0, 400, len(rows))
        ok = pick >= 0
        lead_id[rows[ok]] = ids[pick[ok]] + 1
    frame = pd.DataFrame(
        {
            "telemarketer_id": np.concatenate([who, appts.set_by[by_phone]]),
            "branch_id": np.concatenate([branch, appts.branch[by_phone]]),
            "lead_id": np.concatenate([lead_id, appts.lead[by_phone] + 1]),
            "at": np.concatenate([at, appts.created[by_phone]]),
            "outcome": np.concatenate([outcome, np.full(len(by_phone), len(CALLS) - 1)]),
        }
    ).sort_values(["at", "telemarketer_id"], kind="stable", ignore_index=True)
    code = frame["outcome"].to_numpy()
    low = np.array([c[2] for c in CALLS])[code]
    high = np.array([c[3] for c in CALLS])[code]
    lead = frame["lead_id"].to_numpy()
    return pd.DataFrame(
        {
            "id": np.arange(1, len(frame) + 1),
            "telemarketer_id": frame["telemarketer_id"],
            "branch_id": frame["branch_id"],
            "lead_id": pd.array(np.where(lead > 0, lead, None), "Int64"),
            "called_at": to_timestamps(frame["at"].to_numpy()),
            "duration_s": rng.integers(low, high + 1),
            "outcome": CALL_NAMES[code],
        }
    )
